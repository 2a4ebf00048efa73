// vcore_coreio: the vector core's host port as cpu_link's firmware sees it (memory-mapped registers, word index
// `idx` of cpu_link's register window, the indices cpu_link_coreio uses for nla_core; the register map is
// hardware-models/fixed-point/vcore-mmio.ts, which the firmware's HAL mirrors). Every access happens while the core
// is idle (the firmware waits for STATUS.done before it touches the memories):
//    7 PROG   w: bits 25..16 program halfword, 15..0 its value: prog_we pulses
//    8 K      w: bits 19..16 register, 14..0 mantissa: k_we pulses
//    9 PAR    w: bit 16 which (0 steps per frame, 1 iterations), 15..0 the count: par_we pulses
//   10 BADDR  w: bits 10..8 bank, 7..0 word (held: the bank reads follow it)
//   11 BLO    w: a bank word's bits 31..0 (staged)       r: the word at BADDR, bits 31..0
//   12 BHI    w: bits D−33..0 the word's high bits: host_we pulses with {BHI, BLO}
//             r: the word at BADDR, bits D−1..32 sign-extended to 32 bits
//   13 WADDR  w: bits WAW−1..0 (held: the reads follow it; W, W0, the knot words and the clip tops, vcore.v's map)
//   14 WDATA  w: w_we pulses at WADDR                    r: the word at WADDR
//   15 SAT    w: sat_we pulses                           r: the saturation count
//   16 RUN    w: bits 9..0 the pc, bit 16 learn (held): start pulses; STATUS.done clears
//   17 STATUS r: bit 0 done (the core halted since the last RUN), bit 1 busy, bit 2 trap, bits 25..16 trap_pc
// Writes land one cycle after the access (the pulses are registered); reads are combinational on idx, of values
// the core presents the cycle after an address changes (both memories register their outputs). The core takes a
// pulsed register's value only in its pulse's cycle, so PROG, K, PAR, BHI, WDATA, SAT and RUN's pc share one staging
// register `wd` (the store's 32 bits): one register where seven held 178 flip-flops (flip-flops fed from a shared
// bus each take a logic cell of their own on the iCE40). BADDR, WADDR, BLO and RUN's learn bit are held.
`timescale 1ns / 1ps
module vcore_coreio #(
    parameter D = 42,
    parameter WAW = 14,
    parameter PAW = 7
) (
    input  wire           clk,
    input  wire           rst,
    input  wire           acc,
    input  wire           we,
    input  wire [4:0]     idx,
    input  wire [31:0]    wdata,
    output reg  [31:0]    rdata,
    // the core's host port
    output reg            start,
    output wire [9:0]     start_pc,
    output reg            learn,
    input  wire           busy,
    input  wire           done,
    input  wire           trap,
    input  wire [9:0]     trap_pc,
    output reg            prog_we,
    output wire [PAW+2:0] prog_addr,
    output wire [15:0]    prog_wdata,
    output reg            k_we,
    output wire [3:0]     k_addr,
    output wire [14:0]    k_wdata,
    output reg            par_we,
    output wire           par_sel,
    output wire [15:0]    par_wdata,
    output reg            host_we,
    output reg  [2:0]     host_bank,
    output reg  [7:0]     host_addr,
    output wire [D-1:0]   host_wdata,
    input  wire [D-1:0]   host_rdata,
    output reg            w_we,
    output reg  [WAW-1:0] w_addr,
    output wire [31:0]    w_wdata,
    input  wire [31:0]    w_rdata,
    output reg            sat_we,
    output wire [31:0]    sat_wdata,
    input  wire [31:0]    sat
);
  wire w = acc & we;
  reg [31:0] blo;
  reg [31:0] wd;  // the last store's value: what a pulse carries to the core in the cycle after the store
  reg        halted;
  assign prog_addr = wd[PAW+18:16];
  assign prog_wdata = wd[15:0];
  assign k_addr = wd[19:16];
  assign k_wdata = wd[14:0];
  assign par_sel = wd[16];
  assign par_wdata = wd[15:0];
  assign host_wdata = {wd[D-33:0], blo};
  assign w_wdata = wd;
  assign sat_wdata = wd;
  assign start_pc = wd[9:0];
  always @(posedge clk) begin
    prog_we <= w & (idx == 5'd7);
    k_we <= w & (idx == 5'd8);
    par_we <= w & (idx == 5'd9);
    host_we <= w & (idx == 5'd12);
    w_we <= w & (idx == 5'd14);
    sat_we <= w & (idx == 5'd15);
    start <= w & (idx == 5'd16);
    if (w) wd <= wdata;
    if (w & (idx == 5'd10)) begin host_bank <= wdata[10:8]; host_addr <= wdata[7:0]; end
    if (w & (idx == 5'd11)) blo <= wdata;
    if (w & (idx == 5'd13)) w_addr <= wdata[WAW-1:0];
    if (w & (idx == 5'd16)) learn <= wdata[16];
    // done: set when the core halts, cleared by the next RUN
    if (w & (idx == 5'd16)) halted <= 1'b0;
    else if (done) halted <= 1'b1;
    if (rst) begin
      prog_we <= 1'b0; k_we <= 1'b0; par_we <= 1'b0; host_we <= 1'b0; w_we <= 1'b0; sat_we <= 1'b0; start <= 1'b0;
      learn <= 1'b0; halted <= 1'b0;
    end
  end
  always @* begin
    case (idx)
      5'd11: rdata = host_rdata[31:0];
      5'd12: rdata = {{(64-D){host_rdata[D-1]}}, host_rdata[D-1:32]};
      5'd14: rdata = w_rdata;
      5'd15: rdata = sat;
      5'd17: rdata = {6'd0, trap_pc, 13'd0, trap, busy, halted};
      default: rdata = 32'd0;
    endcase
  end
endmodule
