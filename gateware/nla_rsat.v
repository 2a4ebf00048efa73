// nla_rsat: the core's one rounding / shift / add / saturation unit (combinational), shared by every
// element-wise phase, the probe reads, the learning terms and the weight update of nla_core:
//   raw = a + shr(x, s)   (or a - shr(x, s) with neg), shr = arithmetic right shift rounded half up
//   y   = raw clamped to the range of `sat`; oor = the clamp changed the value (docs/protocol.md 11.2)
// sat: 0 none, 1 U (Q7.20, 28 bits), 2 D (Q7.16, 24 bits), 3 S (Q3.16, 20 bits), 4 [-2^28, 2^28]
// (the learning terms' clamp), 5 int32 (the weight registers).
// FORMAT 0 (WIDE): 64 bits, s one of 0, 8, 12, 16, 24 (s[5] unused).
// FORMAT 1 (UP5K16): 44 bits (a and x are taken modulo 2^44: every value of the format fits, the
// largest being e*m of the weight update, < 2^42), s signed: -6..16, a negative s is an exact left
// shift (the factors' exponents reduce the shifts; beta's can go below 0).
module nla_rsat #(
  parameter FORMAT = 0
) (
  /* verilator lint_off UNUSEDSIGNAL */ // FORMAT 1 uses the low 44 bits
  input  signed [63:0] a,
  input  signed [63:0] x,
  input  signed [5:0]  s,
  /* verilator lint_on UNUSEDSIGNAL */
  input                neg,
  input         [2:0]  sat,
  output signed [63:0] raw,
  output reg signed [63:0] y,
  output reg           oor
);
  generate
    if (FORMAT == 1) begin : g16
      localparam RW = 44;
      wire signed [RW-1:0] xa = x[RW-1:0];
      wire signed [RW-1:0] aa = a[RW-1:0];
      // the core's shifts lie in -6..16 (4 - e for beta, e <= 10; at most 16): a 4-stage right shift by
      // s - 1 (0..15) and a 3-stage left shift by -s (1..6)
      wire [3:0] sr = s[3:0] - 4'd1;                 // s - 1 for 1 <= s <= 16
      wire [2:0] sl = 3'd0 - s[2:0];                 // -s for -6 <= s < 0
      wire signed [RW-1:0] xs = xa >>> sr;
      wire signed [RW-1:0] xi = xs + 1;
      wire signed [RW-1:0] sh = s[5] ? (xa <<< sl) : (s == 6'd0) ? xa : (xi >>> 1);
      wire signed [RW-1:0] shn = sh ^ {RW{neg}};
      wire signed [RW-1:0] r = aa + shn + {{(RW-1){1'b0}}, neg};
      assign raw = {{(64-RW){r[RW-1]}}, r};
    end else begin : gwide
      // shr(x, s) = (x + 2^(s-1)) >>> s = ((x >>> (s-1)) + 1) >>> 1 for s >= 1: four fixed shifts (the
      // only amounts the core uses: 8, 12, 16, 24; 0 passes x through), one incrementer
      reg signed [63:0] xs;
      always @* begin
        case (s[4:0])
          5'd8:    xs = x >>> 7;
          5'd12:   xs = x >>> 11;
          5'd24:   xs = x >>> 23;
          default: xs = x >>> 15;
        endcase
      end
      wire signed [63:0] xi  = xs + 64'sd1;
      wire signed [63:0] sh  = (s[4:0] == 5'd0) ? x : (xi >>> 1);
      wire signed [63:0] shn = sh ^ {64{neg}};
      assign raw = a + shn + {63'd0, neg};
    end
  endgenerate
  // in range of a symmetric format of k+1 bits: the bits above k all equal the sign
  wire inU = (raw[63:27] == {37{raw[63]}});
  wire inD = (raw[63:23] == {41{raw[63]}});
  wire inS = (raw[63:19] == {45{raw[63]}});
  wire inR = (raw[63:28] == {36{raw[63]}}) || (raw == 64'sd268435456);
  wire inI = (raw[63:31] == {33{raw[63]}});
  always @* begin
    case (sat)
      3'd1: oor = !inU;
      3'd2: oor = !inD;
      3'd3: oor = !inS;
      3'd4: oor = !inR;
      3'd5: oor = !inI;
      default: oor = 1'b0;
    endcase
    // the bound the value went past (used only when oor)
    case (sat)
      3'd1: y = raw[63] ? -64'sd134217728 : 64'sd134217727;
      3'd2: y = raw[63] ? -64'sd8388608 : 64'sd8388607;
      3'd3: y = raw[63] ? -64'sd524288 : 64'sd524287;
      3'd4: y = raw[63] ? -64'sd268435456 : 64'sd268435456;
      default: y = raw[63] ? -64'sd2147483648 : 64'sd2147483647;
    endcase
    if (!oor) y = raw;
  end
endmodule
