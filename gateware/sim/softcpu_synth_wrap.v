// softcpu_synth_wrap: a synthesis-only wrapper for place-and-route of the soft processor alone
// (resource and fmax figures, as synth_wrap.v does for board_link): the inputs come from a shift
// register fed by one pin and every output is XOR-folded into one pin (pins: clk, sin, sout).
// CORE_ONLY = 1 wraps rv32_core by itself (its bus inputs from the shift register: 34 flip-flops of the
// wrapper's own); 0 wraps rv32_soc (core, RAM of 4 << AW bytes in EBR or, SPRAM = 1, 32 KB in one SPRAM,
// ports, with CRC_PORT = 1 the CRC-32 port).
module softcpu_synth_wrap #(
  parameter integer CORE_ONLY = 0,
  parameter integer AW = 10,
  parameter integer SHIFT_STEP = 8,
  parameter integer SPRAM = 0,
  parameter integer CRC_PORT = 0
) (
  input  clk,
  input  sin,
  output reg sout
);
  localparam NI = CORE_ONLY != 0 ? 34 : 11;
  reg [NI-1:0] sr;
  always @(posedge clk) sr <= {sr[NI-2:0], sin};
  wire rst = sr[0];
  wire fold;
  generate
    if (CORE_ONLY != 0) begin : g_core
      wire        mem_valid, retire, halted;
      wire [31:0] mem_addr, mem_wdata;
      wire [3:0]  mem_wstrb;
      rv32_core #(.SHIFT_STEP(SHIFT_STEP)) u_core (.clk(clk), .rst(rst), .mem_valid(mem_valid), .mem_addr(mem_addr),
        .mem_wdata(mem_wdata), .mem_wstrb(mem_wstrb), .mem_ready(sr[1]), .mem_rdata(sr[33:2]), .retire(retire), .halted(halted));
      assign fold = ^{mem_valid, mem_addr, mem_wdata, mem_wstrb, retire, halted};
    end else begin : g_soc
      wire        rx_pop, tx_valid, mark_valid, retire, halted;
      wire [7:0]  tx_data;
      wire [31:0] mark_data;
      rv32_soc #(.AW(AW), .SHIFT_STEP(SHIFT_STEP), .SPRAM(SPRAM), .CRC_PORT(CRC_PORT)) u_soc (.clk(clk), .rst(rst), .rx_valid(sr[1]), .rx_data(sr[9:2]), .rx_pop(rx_pop),
        .tx_valid(tx_valid), .tx_data(tx_data), .tx_ready(sr[10]), .mark_valid(mark_valid), .mark_data(mark_data),
        .retire(retire), .halted(halted));
      assign fold = ^{rx_pop, tx_valid, tx_data, mark_valid, mark_data, retire, halted};
    end
  endgenerate
  always @(posedge clk) sout <= fold;
endmodule
