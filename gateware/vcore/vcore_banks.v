// vcore_banks: the vector banks of the vector core: NB memories of DEPTH words × D bits, each with one read port
// (synchronous: the word addressed at an edge is on rdata after it, as an EBR) and one write port. The sequencer
// writes one bank at a time, so the write ports share the address and data lines (a bank's write enable is its
// own). Inferred as RAM (yosys: SB_RAM40_4K, ceil(D/16) per bank for DEPTH ≤ 256). A read and a write of one word
// in one cycle never happen (an element's write comes ~5 cycles after its reads; the compiler never has an element
// read a word another element of the same instruction writes; the pipeline drains between instructions; the host
// accesses the banks only while the core is idle or trapped): no_rw_check spares the collision logic (300 LUT4, 104 FF).
`timescale 1ns / 1ps
module vcore_banks #(
    parameter NB = 6,
    parameter DEPTH = 256,
    parameter AW = 8,
    parameter D = 42,
    // each bank's width (bits, 8 per bank, bank b at [8b +: 8]; at most D): the program's bank widths (core-program.ts
    // banks[b].bits); a narrower bank stores the low bits and reads back sign-extended
    parameter [63:0] BW = {8{8'd42}}
) (
    input  wire              clk,
    input  wire [NB*AW-1:0]  raddr,  // bank b's read address at [b*AW +: AW]
    output wire [NB*D-1:0]   rdata,  // bank b's word at [b*D +: D]
    input  wire              we,
    input  wire [1:0]        wlane,  // bit 0: bits 31..0 written, bit 1: bits D−1..32 (both for the core's writes)
    input  wire [2:0]        wbank,
    input  wire [AW-1:0]     waddr,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [D-1:0]      wdata  // the widest bank's bits
    /* verilator lint_on UNUSEDSIGNAL */
);
  genvar b;
  generate
    for (b = 0; b < NB; b = b + 1) begin : bank
      localparam [2:0] BI = b;
      localparam integer W = {24'd0, BW[b*8+:8]};
      localparam integer L = W < 32 ? W : 32;  // the low lane's bits
      (* no_rw_check *)
      reg [W-1:0] mem[0:DEPTH-1];
      reg [W-1:0] q;
      always @(posedge clk) begin
        if (we && wbank == BI && wlane[0]) mem[waddr][L-1:0] <= wdata[L-1:0];
        q <= mem[raddr[b*AW+:AW]];
      end
      if (W > 32) begin : hi
        always @(posedge clk) if (we && wbank == BI && wlane[1]) mem[waddr][W-1:32] <= wdata[W-1:32];
      end
      if (W < D) begin : ext
        assign rdata[b*D+:D] = {{(D-W){q[W-1]}}, q};
      end else begin : full
        assign rdata[b*D+:D] = q;
      end
    end
  endgenerate
endmodule
