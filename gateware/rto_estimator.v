// rto_estimator: the retransmission timeout of docs/protocol.md 4.7.1 rule 4 (RFC 6298) in fixed point:
// SRTT and RTTVAR in ms with 3 fractional bits (truncating). First sample R: SRTT = R, RTTVAR = R/2;
// later: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.
// rto_ms = max(T_MIN_MS, ceil(SRTT + max(1 ms, 4 RTTVAR))), at most 60000; T_MIN_MS before any sample.
// Widths: with samples below 2**16 ms, SRTT stays at most 8 * 65535 and RTTVAR below 524 284 (both
// fixed points of their updates), so 19 bits hold them exactly (kept in 20-bit registers).
// The update is bit-serial: SRTT and RTTVAR rotate through 20-bit shift registers, least significant
// bit first, one bit per cycle (serial adders; the shifted terms are taps 2 and 3 positions ahead); the
// sign of SRTT - R is compared in parallel when the sample arrives. rto_ms follows 21 cycles after
// sample_valid (and holds its value meanwhile). A sample arriving while one is processed (samples are a
// round trip apart: not on a real line) is taken when that one is done: sample_ms must then still hold
// it (link_tx keeps its last sample in a register).
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
  reg        have, busy, pend, first, sign, b_d, c_s1, c_s2, c_v1, c_v2, seen1;
  reg [4:0]  t;                       // bit being produced
  reg [19:0] sr, rv;                  // SRTT, RTTVAR (q3); rotate right while busy
  reg [19:0] s;                       // R q3 = sample << 3, shifts right while busy
  wire       m3_ok = !ge_c({27'd0, t}, 32'd17);     // bit t + 3 is still an old one
  wire       m2_ok = !ge_c({27'd0, t}, 32'd18);     // bit t + 2 likewise
  // SRTT' = SRTT - SRTT/8 + R/8 (= sample), bit t: sr[0] + ~sr[3] + 1 (carry in) + s[3]
  wire       x1 = sr[0] ^ ~(sr[3] & m3_ok) ^ c_s1;
  wire       srtt_bit = x1 ^ s[3] ^ c_s2;
  // d = SRTT - R, bit t + 2 (bits 0, 1 of R are 0: no borrow below bit 2); |d| = d ^ (sign & a one below)
  wire       d_bit = sr[2] ^ s[2] ^ b_d;
  wire       dev_bit = m2_ok & (d_bit ^ (sign & seen1));
  // RTTVAR' = RTTVAR - RTTVAR/4 + |d|/4, bit t
  wire       y1 = rv[0] ^ ~(rv[2] & m2_ok) ^ c_v1;
  wire       rttvar_bit = y1 ^ dev_bit ^ c_v2;
  // rto from the registers (as before the serial update: a parallel sum)
  wire [18:0] srtt_q3 = sr[18:0], rttvar_q3 = rv[18:0];
  wire        var_big = rttvar_q3[18:2] != 17'd0 || rttvar_q3[1:0] == 2'd3;
  wire [21:0] rto_q3 = {3'b0, srtt_q3} + (var_big ? {1'b0, rttvar_q3, 2'b0} : 22'd8);
  wire [18:0] rto_ceil = rto_q3[21:3] + {18'd0, |rto_q3[2:0]};
  always @(posedge clk) begin
    if (rst) begin
      have <= 1'b0;
      busy <= 1'b0;
      pend <= 1'b0;
      first <= 1'b0;
      sign <= 1'b0;
      b_d <= 1'b0; c_s1 <= 1'b0; c_s2 <= 1'b0; c_v1 <= 1'b0; c_v2 <= 1'b0; seen1 <= 1'b0;
      t <= 5'd0;
      sr <= 20'd0;
      rv <= 20'd0;
      s <= 20'd0;
      rto_ms <= T_MIN_MS;
    end else begin
      if (!busy) begin
        if (sample_valid || pend) begin
          busy <= 1'b1;
          pend <= 1'b0;
          first <= !have;
          have <= 1'b1;
          sign <= sr[18:3] < sample_ms;
          s <= {1'b0, sample_ms, 3'b0};
          t <= 5'd0;
          b_d <= 1'b0; c_s1 <= 1'b1; c_s2 <= 1'b0; c_v1 <= 1'b1; c_v2 <= 1'b0;
          seen1 <= sr[0] | sr[1];
        end
        if (!have) rto_ms <= T_MIN_MS;
        else if (ge_c({13'd0, rto_ceil}, 32'd60001)) rto_ms <= 16'd60000;
        else if (!ge_c({13'd0, rto_ceil}, T_MIN_MS)) rto_ms <= T_MIN_MS;
        else rto_ms <= rto_ceil[15:0];
      end else begin
        if (sample_valid) pend <= 1'b1;
        t <= t + 5'd1;
        if (t == 5'd19) busy <= 1'b0;
        sr <= {first ? s[0] : srtt_bit, sr[19:1]};
        rv <= {first ? s[1] : rttvar_bit, rv[19:1]};
        s <= {1'b0, s[19:1]};
        c_s1 <= (sr[0] & ~(sr[3] & m3_ok)) | (c_s1 & (sr[0] ^ ~(sr[3] & m3_ok)));
        c_s2 <= (x1 & s[3]) | (c_s2 & (x1 ^ s[3]));
        b_d <= (~sr[2] & s[2]) | (b_d & ~(sr[2] ^ s[2]));
        seen1 <= seen1 | d_bit;
        c_v1 <= (rv[0] & ~(rv[2] & m2_ok)) | (c_v1 & (rv[0] ^ ~(rv[2] & m2_ok)));
        c_v2 <= (y1 & dev_bit) | (c_v2 & (y1 ^ dev_bit));
      end
    end
  end
endmodule
