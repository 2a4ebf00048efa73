// rv32_regfile: the 32 x 32-bit integer registers of rv32_core in block RAM: one write port and one
// registered read port (the data is for the address presented in the previous cycle), as ram_dp.v, so
// yosys synth_ice40 infers SB_RAM40_4K (two EBRs in 256 x 16 mode, of which 32 words are used). x0 is
// never written (the core gates the write) and every register starts at zero. The read port keeps its
// data in a write cycle.
module rv32_regfile (
  input             clk,
  input             we,
  input      [4:0]  wa,
  input      [31:0] wd,
  input      [4:0]  ra,
  output reg [31:0] rd
);
  reg [31:0] mem [0:31];
  integer i;
  initial begin
    for (i = 0; i < 32; i = i + 1) mem[i] = 32'd0;
    rd = 32'd0;
  end
  always @(posedge clk) begin
    if (we) mem[wa] <= wd;
    if (!we) rd <= mem[ra];  // no read in a write cycle (the core never needs one): no read-during-write logic
  end
endmodule
