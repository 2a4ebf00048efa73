// nla_mul: the core's one multiplier, product registered (one cycle).
// FORMAT 0 (WIDE): signed 48 x 25 bits. Every product of docs/protocol.md section 11 fits: the wide
// operand (a) takes the U/D/wide value, the narrow one (b) a Q3.16 weight/rate, an unsigned Q0.24
// factor or beta. yosys synth_ice40 -dsp splits it into 16x16 SB_MAC16 partial products.
// FORMAT 1 (UP5K16): signed 16 x 16 bits (a[15:0], b[15:0]; the upper bits are ignored): one SB_MAC16.
module nla_mul #(
  parameter FORMAT = 0
) (
  input                    clk,
  /* verilator lint_off UNUSEDSIGNAL */ // FORMAT 1 takes the low 16 bits
  input  signed [47:0]     a,
  input  signed [24:0]     b,
  /* verilator lint_on UNUSEDSIGNAL */
  output reg signed [63:0] p
);
  generate
    if (FORMAT == 1) begin : g16
      wire signed [31:0] full = $signed(a[15:0]) * $signed(b[15:0]);
      always @(posedge clk) p <= {{32{full[31]}}, full};
    end else begin : gwide
      /* verilator lint_off UNUSEDSIGNAL */ // products of section 11 stay below 2^63
      wire signed [72:0] full = a * b;
      /* verilator lint_on UNUSEDSIGNAL */
      always @(posedge clk) p <= full[63:0];
    end
  endgenerate
endmodule
