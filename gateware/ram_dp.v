// ram_dp: simple dual-port byte RAM, one write port and one registered read port (read data is for the
// address presented in the previous cycle). Infers iCE40 EBR (512 bytes each) in yosys synth_ice40.
module ram_dp #(
  parameter AW = 11,                 // address bits
  parameter DEPTH = 1 << AW          // bytes (EBRs of 512 bytes each)
) (
  input              clk,
  input              we,
  input  [AW-1:0]    wa,
  input  [7:0]       wd,
  input  [AW-1:0]    ra,
  output reg [7:0]   rd
);
  reg [7:0] mem [0:DEPTH-1];
  always @(posedge clk) begin
    if (we) mem[wa] <= wd;
    rd <= mem[ra];
  end
endmodule
