// nla_mul: the core's one multiplier, signed 48 x 25 bits, product registered (one cycle).
// Every product of docs/protocol.md section 11 fits: the wide operand (a) takes the U/D/wide value,
// the narrow one (b) a Q3.16 weight/rate, an unsigned Q0.24 factor or beta. yosys synth_ice40 -dsp
// splits it into 16x16 SB_MAC16 partial products (docs/fpga.md gives the count).
module nla_mul (
  input                    clk,
  input  signed [47:0]     a,
  input  signed [24:0]     b,
  output reg signed [63:0] p
);
  /* verilator lint_off UNUSEDSIGNAL */ // products of section 11 stay below 2^63
  wire signed [72:0] full = a * b;
  /* verilator lint_on UNUSEDSIGNAL */
  always @(posedge clk) p <= full[63:0];
endmodule
