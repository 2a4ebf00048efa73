// cpu_link_rx: frame_rx as seen by cpu_link's firmware (memory-mapped registers, word index `idx`):
//   0 RX_STATUS  r: bit 31 a frame is held (the oldest), bit 16 its buffer (its length is its header's: frame_rx
//                   announces a frame only when the length field matches the bytes received, 3.5)
//   1 RX_RELEASE w: release the oldest frame (rx_frame_release pulses the next cycle, rx_rd_buf still on it)
//   2 RX_EVENTS  r: bit 0 reject, bit 1 overrun, bit 2 activity since the last read (cleared by the read)
// The frames frame_rx announces (rx_frame_valid, at most two held) queue in announcement order; rx_rd_buf
// is the oldest's buffer, which the CPU reads byte by byte through cpu_link's receive window.
module cpu_link_rx (
  input         clk,
  input         rst,
  input         acc,        // a register access completes this cycle
  input         we,
  input  [4:0]  idx,
  output [31:0] rdata,
  input         rx_frame_valid,
  input         rx_frame_buf,
  output        rx_frame_release,
  input         rx_reject,
  input         rx_overrun,
  input         rx_activity,
  output        rx_rd_buf
);
  reg        v0, v1, b0, b1, rel;
  reg [2:0]  ev;
  wire rd_ev = acc & ~we & (idx == 5'd2);
  always @(posedge clk) begin
    if (rst) begin
      v0 <= 1'b0; v1 <= 1'b0; rel <= 1'b0; ev <= 3'd0;
      b0 <= 1'b0; b1 <= 1'b0;
    end else begin
      rel <= acc & we & (idx == 5'd1) & v0;
      ev <= (rd_ev ? 3'd0 : ev) | {rx_activity, rx_overrun, rx_reject};
      if (rel) begin               // pop the oldest (the release pulse is going out now)
        v0 <= v1; b0 <= b1; v1 <= 1'b0;
        if (rx_frame_valid) begin
          if (v1) begin v1 <= 1'b1; b1 <= rx_frame_buf; end
          else begin v0 <= 1'b1; b0 <= rx_frame_buf; end
        end
      end else if (rx_frame_valid) begin
        if (v0) begin v1 <= 1'b1; b1 <= rx_frame_buf; end
        else begin v0 <= 1'b1; b0 <= rx_frame_buf; end
      end
    end
  end
  assign rx_frame_release = rel;
  assign rx_rd_buf = b0;
  assign rdata = (idx == 5'd0) ? {v0, 14'd0, b0, 16'd0}
               : (idx == 5'd2) ? {29'd0, ev} : 32'd0;
endmodule
