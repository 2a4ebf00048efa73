// vcore_coreio: the vector core's host port as cpu_link's firmware sees it (memory-mapped registers, word index
// `idx` of cpu_link's register window, the indices cpu_link_coreio uses for nla_core; the register map is
// hardware-models/fixed-point/vcore-mmio.ts, which the firmware's HAL mirrors). Every access happens while the core
// is idle (the firmware waits for STATUS.done before it touches the memories):
//    7 PROG   w: bits 25..16 program halfword, 15..0 its value: prog_we pulses
//    8 K      w: bits 19..16 register, 14..0 mantissa: k_we pulses
//    9 PAR    w: bit 16 which (0 steps per frame, 1 iterations), 15..0 the count: par_we pulses
//   10 BADDR  w: bits 10..8 bank, 7..0 word (held: the bank reads follow it)
//   11 BLO    w: bits 31..0 of the bank word at BADDR    r: the word at BADDR, bits 31..0
//   12 BHI    w: bits D−33..0 its bits D−1..32           r: the word at BADDR, bits D−1..32 sign-extended to 32 bits
//             (a bank write sets one of the two lanes: the host writes BLO, then BHI, for every word)
//   13 WADDR  w: bits WAW−1..0 (held: the reads follow it; W, W0, the knot words and the clip tops, vcore.v's map)
//   14 WDATA  w: w_we pulses at WADDR                    r: the word at WADDR
//   15 SAT    w: sat_we pulses                           r: the saturation count
//   16 RUN    w: bits 9..0 the pc, bit 16 learn (held): start pulses; STATUS.done clears
//   17 STATUS r: bit 0 done (the core halted since the last RUN), bit 1 busy, bit 2 trap, bits 25..16 trap_pc (the
//             trapping instruction while bit 2 is set)
// Writes land in the access's own cycle (RUN's start the cycle after): the pulses are decoded from the bus and carry the
// store's 32 bits straight to the core, which takes them only in that cycle, so PROG, K, PAR, BLO, BHI, WDATA and SAT
// hold nothing here (a staging register of 32 flip-flops and BLO's 32 are gone: flip-flops fed from a shared bus each
// take a logic cell of their own on the iCE40). BADDR, WADDR, RUN's pc and learn bit are held. Reads are combinational on idx, of values the
// core presents the cycle after an address changes (both memories register their outputs).
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
    output reg  [9:0]     start_pc,
    output reg            learn,
    input  wire           busy,
    input  wire           done,
    input  wire           trap,
    input  wire [9:0]     trap_pc,
    output wire           prog_we,
    output wire [PAW+2:0] prog_addr,
    output wire [15:0]    prog_wdata,
    output wire           k_we,
    output wire [3:0]     k_addr,
    output wire [14:0]    k_wdata,
    output wire           par_we,
    output wire           par_sel,
    output wire [15:0]    par_wdata,
    output wire           host_we,
    output wire [1:0]     host_lane,  // the bank word's lanes written: bit 0 bits 31..0 (BLO), bit 1 bits D−1..32 (BHI)
    output reg  [2:0]     host_bank,
    output reg  [7:0]     host_addr,
    output wire [D-1:0]   host_wdata,
    input  wire [D-1:0]   host_rdata,
    output wire           w_we,
    output reg  [WAW-1:0] w_addr,
    output wire [31:0]    w_wdata,
    input  wire [31:0]    w_rdata,
    output wire           sat_we,
    output wire [31:0]    sat_wdata,
    input  wire [31:0]    sat
);
  wire w = acc & we;
  reg        halted;
  assign prog_we = w & (idx == 5'd7);
  assign k_we = w & (idx == 5'd8);
  assign par_we = w & (idx == 5'd9);
  assign host_lane = {idx == 5'd12, idx == 5'd11};
  assign host_we = w & (idx == 5'd11 || idx == 5'd12);
  assign w_we = w & (idx == 5'd14);
  assign sat_we = w & (idx == 5'd15);
  assign prog_addr = wdata[PAW+18:16];
  assign prog_wdata = wdata[15:0];
  assign k_addr = wdata[19:16];
  assign k_wdata = wdata[14:0];
  assign par_sel = wdata[16];
  assign par_wdata = wdata[15:0];
  assign host_wdata = {wdata[D-33:0], wdata};  // (each lane takes its half)
  assign w_wdata = wdata;
  assign sat_wdata = wdata;
  always @(posedge clk) begin
    // RUN starts the core the cycle after its store (registered: the bus's paths end here, not in the core's fetch)
    start <= w & (idx == 5'd16);
    if (w & (idx == 5'd16)) start_pc <= wdata[9:0];
    if (w & (idx == 5'd10)) begin host_bank <= wdata[10:8]; host_addr <= wdata[7:0]; end
    if (w & (idx == 5'd13)) w_addr <= wdata[WAW-1:0];
    if (w & (idx == 5'd16)) learn <= wdata[16];
    // done: set when the core halts, cleared by the next RUN
    if (w & (idx == 5'd16)) halted <= 1'b0;
    else if (done) halted <= 1'b1;
    if (rst) begin
      learn <= 1'b0; halted <= 1'b0; start <= 1'b0;
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
