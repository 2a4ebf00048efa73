// line_time: L(largest frame received) of docs/protocol.md 4.7.1 rule 5, in ms. Tracks the largest raw
// frame received (header + payload), estimates its bytes on the line (CRC 4, COBS overhead 1 + n/128
// (an upper bound of 1 + n/254), delimiter 1) and converts with BYTE_MS_Q16 = 10 bits / baud in ms, Q16,
// by a 16-cycle shift-add multiplication (rounded up).
module line_time #(
  parameter BYTE_MS_Q16 = 711          // 655360000 / baud (921600 baud: 711)
) (
  input             clk,
  input             rst,
  input             rx_len_valid,
  input      [12:0] rx_len_bytes,
  output reg [15:0] lmax_ms
);
  reg [12:0] max_raw;
  reg [31:0] shifted;              // line bytes << bit_i
  reg [31:0] acc;
  reg [4:0]  bit_i;
  reg        busy;
  wire [15:0] with_crc = {3'd0, rx_len_bytes} + 16'd4;
  wire [15:0] mult = BYTE_MS_Q16;
  always @(posedge clk) begin
    if (rst) begin
      max_raw <= 13'd0;
      shifted <= 32'd0;
      acc <= 32'd0;
      bit_i <= 5'd0;
      busy <= 1'b0;
      lmax_ms <= 16'd0;
    end else if (busy) begin
      if (mult[bit_i[3:0]]) acc <= acc + shifted;
      shifted <= {shifted[30:0], 1'b0};
      bit_i <= bit_i + 5'd1;
      if (bit_i == 5'd15) busy <= 1'b0;
    end else begin
      lmax_ms <= acc[31:16] + {15'd0, |acc[15:0]};
      if (rx_len_valid && rx_len_bytes > max_raw) begin
        max_raw <= rx_len_bytes;
        shifted <= {16'd0, with_crc + 16'd2 + (with_crc >> 7)};
        acc <= 32'd0;
        bit_i <= 5'd0;
        busy <= 1'b1;
      end
    end
  end
endmodule
