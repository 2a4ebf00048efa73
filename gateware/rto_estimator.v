// rto_estimator: the retransmission timeout of docs/protocol.md 4.7.1 rule 4 (RFC 6298) in fixed point:
// SRTT and RTTVAR in ms with 3 fractional bits (truncating). First sample R: SRTT = R, RTTVAR = R/2;
// later: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.
// rto_ms = max(T_MIN_MS, ceil(SRTT + max(1 ms, 4 RTTVAR))), at most 60000; T_MIN_MS before any sample.
module rto_estimator #(
  parameter T_MIN_MS = 200
) (
  input             clk,
  input             rst,
  input             sample_valid,     // pulse: a round-trip sample (Karn's rule applied by the caller)
  input      [15:0] sample_ms,
  output reg [15:0] rto_ms
);
  reg        have;
  reg [20:0] srtt_q3, rttvar_q3;
  wire [20:0] r_q3 = {2'b0, sample_ms, 3'b0};
  wire [21:0] d_q3 = {1'b0, srtt_q3} - {1'b0, r_q3};             // |SRTT - R|: one subtraction, negated
  wire [20:0] dev_q3 = (d_q3[20:0] ^ {21{d_q3[21]}}) + {20'd0, d_q3[21]};
  wire [22:0] var4_q3 = {rttvar_q3, 2'b0};
  wire [22:0] rto_q3 = {2'b0, srtt_q3} + ((var4_q3 > 23'd8) ? var4_q3 : 23'd8);
  wire [19:0] rto_ceil = rto_q3[22:3] + {19'd0, |rto_q3[2:0]};
  always @(posedge clk) begin
    if (rst) begin
      have <= 1'b0;
      srtt_q3 <= 21'd0;
      rttvar_q3 <= 21'd0;
      rto_ms <= T_MIN_MS;
    end else begin
      if (sample_valid) begin
        have <= 1'b1;
        if (!have) begin
          srtt_q3 <= r_q3;
          rttvar_q3 <= {3'b0, sample_ms, 2'b0};
        end else begin
          rttvar_q3 <= rttvar_q3 - (rttvar_q3 >> 2) + (dev_q3 >> 2);
          srtt_q3 <= srtt_q3 - (srtt_q3 >> 3) + {5'd0, sample_ms};
        end
      end
      if (!have) rto_ms <= T_MIN_MS;
      else if (rto_ceil > 20'd60000) rto_ms <= 16'd60000;
      else if (rto_ceil < T_MIN_MS) rto_ms <= T_MIN_MS;
      else rto_ms <= rto_ceil[15:0];
    end
  end
endmodule
