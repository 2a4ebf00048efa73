// rv32_soc: rv32_core with program/data RAM at address 0 (loaded with the firmware): in EBR (rv32_ram,
// 4 << AW bytes) or, with SPRAM = 1, in one UP5K SPRAM (rv32_spram, 32 KB, 16 bits wide: a 32-bit access
// takes three cycles, low half, high half, answer); memory-mapped ports at 0x8000_0000 (address bit 31
// selects them), for measurement and simulation:
//   0x8000_0000 read : {23'b0, rx_valid, rx_data}; a read that finds rx_valid set takes the byte (rx_pop)
//   0x8000_0004 write: the low byte goes out on tx_data with tx_valid (the write waits for tx_ready)
//   0x8000_0008 write: mark_valid with mark_data = the word (the testbench records it and the cycle)
//   0x8000_000C with CRC_PORT = 1 (gateware/crc32.v, one byte a cycle): write a byte to fold it into the
//               CRC-32, a word with bit 8 set to start again; read: the CRC so far (final XOR applied)
// An access to EBR or a port takes two cycles: the slave answers (mem_ready) in the cycle after mem_valid.
module rv32_soc #(
  parameter integer AW = 11,
  parameter integer SHIFT_STEP = 8,
  parameter integer SPRAM = 0,
  parameter integer CRC_PORT = 0
) (
  input         clk,
  input         rst,
  input         rx_valid,
  input  [7:0]  rx_data,
  output        rx_pop,
  output        tx_valid,
  output [7:0]  tx_data,
  input         tx_ready,
  output        mark_valid,
  output [31:0] mark_data,
  output        retire,
  output        halted
);
  wire        mem_valid;
  wire [31:0] mem_addr, mem_wdata;
  wire [3:0]  mem_wstrb;
  reg         ack;
  wire [31:0] ram_rd;
  wire        mem_ready;
  wire [31:0] mem_rdata;
  rv32_core #(.SHIFT_STEP(SHIFT_STEP)) u_core (.clk(clk), .rst(rst), .mem_valid(mem_valid), .mem_addr(mem_addr),
    .mem_wdata(mem_wdata), .mem_wstrb(mem_wstrb), .mem_ready(mem_ready), .mem_rdata(mem_rdata),
    .retire(retire), .halted(halted));

  wire io = mem_addr[31];
  wire [1:0] reg_sel = mem_addr[3:2];
  wire ram_ready;
  generate
    if (SPRAM != 0) begin : g_spram
      reg [1:0]  ph;   // 0: low half, 1: high half (the low half's data arrives), 2: answer
      reg [15:0] lo;
      wire [15:0] sp_rd;
      wire hi = ph[0];
      wire [3:0] wm = hi ? {{2{mem_wstrb[3]}}, {2{mem_wstrb[2]}}} : {{2{mem_wstrb[1]}}, {2{mem_wstrb[0]}}};
      rv32_spram u_spram (.clk(clk), .addr({mem_addr[14:2], hi}), .wd(hi ? mem_wdata[31:16] : mem_wdata[15:0]),
        .wmask(wm), .we(mem_valid & ~io & ~ph[1] & (wm != 4'd0)), .rd(sp_rd));
      always @(posedge clk) begin
        if (rst) ph <= 2'd0;
        else if (mem_valid & ~io) ph <= ph[1] ? 2'd0 : ph + 2'd1;
        if (ph == 2'd1) lo <= sp_rd;
      end
      assign ram_ready = ph[1];
      assign ram_rd = {sp_rd, lo};
    end else begin : g_ebr
      // the RAM is written in the first cycle of a write (a write repeated in the second would be harmless)
      rv32_ram #(.AW(AW)) u_ram (.clk(clk), .we((mem_valid & ~io & ~ack) ? mem_wstrb : 4'b0000),
        .addr(mem_addr[AW+1:2]), .wd(mem_wdata), .rd(ram_rd));
      assign ram_ready = ack;
    end
  endgenerate

  wire tx_sel = io & (reg_sel == 2'd1) & (mem_wstrb != 4'b0000);
  assign mem_ready = io ? ack & (~tx_sel | tx_ready) : ram_ready;
  always @(posedge clk) ack <= ~rst & mem_valid & ~mem_ready & (io | (SPRAM == 0));  // the SPRAM counts its own phases

  assign rx_pop = mem_valid & mem_ready & io & (reg_sel == 2'd0) & (mem_wstrb == 4'b0000) & rx_valid;
  assign tx_valid = mem_valid & mem_ready & tx_sel;
  assign tx_data = mem_wdata[7:0];
  assign mark_valid = mem_valid & mem_ready & io & (reg_sel == 2'd2) & (mem_wstrb != 4'b0000);
  assign mark_data = mem_wdata;
  wire [31:0] crc_rd;
  generate
    if (CRC_PORT != 0) begin : g_crc
      wire crc_wr = mem_valid & mem_ready & io & (reg_sel == 2'd3) & (mem_wstrb != 4'b0000);
      /* verilator lint_off UNUSEDSIGNAL */
      wire residue_ok;
      /* verilator lint_on UNUSEDSIGNAL */
      crc32 u_crc (.clk(clk), .rst(rst), .init(crc_wr & mem_wdata[8]), .en(crc_wr & ~mem_wdata[8]), .data(mem_wdata[7:0]),
        .crc(crc_rd), .residue_ok(residue_ok));
    end else begin : g_no_crc
      assign crc_rd = 32'd0;
    end
  endgenerate
  assign mem_rdata = ~io ? ram_rd : reg_sel == 2'd3 ? crc_rd : {23'd0, rx_valid, rx_data};
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_addr = ^{mem_addr[30:AW+2], mem_addr[1:0]};  // RAM and ports decode only the bits they need
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
