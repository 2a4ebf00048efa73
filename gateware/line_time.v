// line_time: L(largest frame received) of docs/protocol.md 4.7.1 rule 5, in ms. Tracks the largest raw
// frame received (header + payload), estimates its bytes on the line (CRC 4, COBS overhead 1 + n/128
// (an upper bound of 1 + n/254), delimiter 1) and converts with BYTE_MS_Q16 = 10 bits / baud in ms, Q16,
// by a shift-add multiplication, least significant multiplier bit first: the partial product shifts
// right, so the adder has the multiplicand's width; the bits shifted out only matter for rounding up
// (a sticky bit). The multiplicand is recomputed from max_raw. BYTE_MS_Q16 < 65536 (baud > 10 000).
module line_time #(
  parameter BYTE_MS_Q16 = 711          // 655360000 / baud (921600 baud: 711)
) (
  input             clk,
  input             rst,
  input             rx_len_valid,
  input      [12:0] rx_len_bytes,     // the frame's payload length (its raw length less 11)
  output reg [15:0] lmax_ms
);
  reg [12:0] max_raw;              // the largest payload length received (seen: one was)
  reg        seen;
  localparam MW = $clog2(BYTE_MS_Q16 + 1);   // bits of the multiplier
  localparam PW = 14 + MW;                    // bits of the product (line bytes < 2**14)
  localparam [31:0] MLAST32 = MW - 1;
  localparam [4:0] MLAST = MLAST32[4:0];
  reg [13:0] hi;                   // the partial product >> (bits done)
  reg        sticky;               // a 1 was shifted out
  reg [4:0]  bit_i;                // multiplier bit, 0 up to MLAST
  reg        busy;
  `include "cmp_const.vh"
  // bytes on the line: raw + CRC 4 + COBS 1 + raw'/128 + delimiter 1, raw' = raw + 4 (raw = 11 + max_raw):
  // max_raw + 17 + (max_raw + 15) / 128, the quotient from max_raw's high bits (+ 1 when its low 7 bits
  // are at least 113)
  wire [6:0]  q = {1'b0, max_raw[12:7]} + {6'd0, ge_c({25'd0, max_raw[6:0]}, 32'd113)};
  localparam [31:0] M32 = BYTE_MS_Q16;
  wire [MW-1:0] mult = M32[MW-1:0];
  wire [13:0] line_bytes = {1'b0, max_raw} + 14'd17 + {7'd0, q};
  wire [14:0] sum = {1'b0, hi} + (mult[bit_i[3:0]] ? {1'b0, line_bytes} : 15'd0);
  // the product: hi * 2**MW + (bits shifted out), which only count as nonzero (MW <= 16)
  wire [PW-1:0] acc = {hi, {(MW - 1){1'b0}}, sticky};
  wire [PW-17:0] acc_ms = acc[PW-1:16];
  always @(posedge clk) begin
    if (rst) begin
      max_raw <= 13'd0;
      seen <= 1'b0;
      hi <= 14'd0;
      sticky <= 1'b0;
      bit_i <= 5'd0;
      busy <= 1'b0;
      lmax_ms <= 16'd0;
    end else if (busy) begin
      hi <= sum[14:1];
      sticky <= sticky | sum[0];
      bit_i <= bit_i + 5'd1;
      if (bit_i == MLAST) busy <= 1'b0;
    end else begin
      lmax_ms <= {{(32 - PW){1'b0}}, acc_ms} + {15'd0, |acc[15:0]};
      if (rx_len_valid && (!seen || rx_len_bytes > max_raw)) begin
        max_raw <= rx_len_bytes;
        seen <= 1'b1;
        hi <= 14'd0;
        sticky <= 1'b0;
        bit_i <= 5'd0;
        busy <= 1'b1;
      end
    end
  end
endmodule
