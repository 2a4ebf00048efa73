// nla_wmem: the core's 32-bit word memory, two SPRAMs side by side (16K x 32 bits, single port).
// Holds the weight registers W, the image's weights W0 (for RESET restoreWeights) and the
// activation tables. `addr`/`we`/`wd` are registered by the caller; `rd` is valid one cycle later.
module nla_wmem (
  input         clk,
  input  [13:0] addr,
  input         we,
  input  [31:0] wd,
  output [31:0] rd
);
  spram lo (.clk(clk), .addr(addr), .wd(wd[15:0]),  .wmask(4'hf), .we(we), .rd(rd[15:0]));
  spram hi (.clk(clk), .addr(addr), .wd(wd[31:16]), .wmask(4'hf), .we(we), .rd(rd[31:16]));
endmodule
