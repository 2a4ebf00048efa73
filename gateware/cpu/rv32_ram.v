// rv32_ram: program and data memory of rv32_soc: WORDS x 32 bits with a write enable per byte and a
// registered read port (one port, the word addressed in the previous cycle), so that yosys
// synth_ice40 infers SB_RAM40_4K (256 x 16 with a bit mask: WORDS/128 EBRs). In simulation the
// plusarg +firmware=<file> loads it with $readmemh (one 32-bit word a line).
module rv32_ram #(
  parameter integer AW = 11            // word address bits (2^AW words)
) (
  input             clk,
  input      [3:0]  we,
  input      [AW-1:0] addr,
  input      [31:0] wd,
  output reg [31:0] rd
);
  reg [31:0] mem [0:(1 << AW) - 1];
`ifndef SYNTHESIS
  reg [8*256-1:0] firmware;
  initial if ($value$plusargs("firmware=%s", firmware)) $readmemh(firmware, mem);
`endif
  always @(posedge clk) begin
    if (we[0]) mem[addr][7:0] <= wd[7:0];
    if (we[1]) mem[addr][15:8] <= wd[15:8];
    if (we[2]) mem[addr][23:16] <= wd[23:16];
    if (we[3]) mem[addr][31:24] <= wd[31:24];
    if (we == 4'b0000) rd <= mem[addr];  // no read in a write cycle: no read-during-write logic around the EBR
  end
endmodule
