// rto_estimator: the retransmission timeout of docs/protocol.md 4.7.1 rule 4 (RFC 6298) in fixed point:
// SRTT and RTTVAR in ms with 3 fractional bits (truncating). First sample R: SRTT = R, RTTVAR = R/2;
// later: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.
// rto_ms = max(T_MIN_MS, ceil(SRTT + max(1 ms, 4 RTTVAR))), at most 60000; T_MIN_MS before any sample.
// Widths: with samples below 2**16 ms, SRTT stays at most 8 * 65535 and RTTVAR below 524 284 (both
// fixed points of their updates), so 19 bits hold them exactly.
module rto_estimator #(
  parameter T_MIN_MS = 200
) (
  input             clk,
  input             rst,
  input             sample_valid,     // pulse: a round-trip sample (Karn's rule applied by the caller)
  input      [15:0] sample_ms,
  output reg [15:0] rto_ms
);
  `include "cmp_const.vh"
  reg        have;
  reg [18:0] srtt_q3, rttvar_q3;
  wire [18:0] r_q3 = {sample_ms, 3'b0};
  wire [19:0] d_q3 = {1'b0, srtt_q3} - {1'b0, r_q3};             // |SRTT - R|: one subtraction, negated
  wire [18:0] dev_q3 = (d_q3[18:0] ^ {19{d_q3[19]}}) + {18'd0, d_q3[19]};
  // max(4 RTTVAR, 8) (4 RTTVAR > 8 <=> RTTVAR > 2)
  wire        var_big = rttvar_q3[18:2] != 17'd0 || rttvar_q3[1:0] == 2'd3;
  wire [21:0] rto_q3 = {3'b0, srtt_q3} + (var_big ? {1'b0, rttvar_q3, 2'b0} : 22'd8);
  wire [18:0] rto_ceil = rto_q3[21:3] + {18'd0, |rto_q3[2:0]};
  always @(posedge clk) begin
    if (rst) begin
      have <= 1'b0;
      srtt_q3 <= 19'd0;
      rttvar_q3 <= 19'd0;
      rto_ms <= T_MIN_MS;
    end else begin
      if (sample_valid) begin
        have <= 1'b1;
        if (!have) begin
          srtt_q3 <= r_q3;
          rttvar_q3 <= {1'b0, sample_ms, 2'b0};
        end else begin
          rttvar_q3 <= rttvar_q3 - (rttvar_q3 >> 2) + (dev_q3 >> 2);
          srtt_q3 <= srtt_q3 - (srtt_q3 >> 3) + {3'd0, sample_ms};
        end
      end
      if (!have) rto_ms <= T_MIN_MS;
      else if (ge_c({13'd0, rto_ceil}, 32'd60001)) rto_ms <= 16'd60000;
      else if (!ge_c({13'd0, rto_ceil}, T_MIN_MS)) rto_ms <= T_MIN_MS;
      else rto_ms <= rto_ceil[15:0];
    end
  end
endmodule
