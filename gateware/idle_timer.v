// idle_timer: the board's session idle timeout (docs/protocol.md 4.7, 6.2): while a session is open,
// IDLE_MS ms without a byte from the host (rx_activity pulses on every received byte, so a long frame
// still arriving keeps the session) ends the session (`expire` pulse).
module idle_timer #(
  parameter IDLE_MS = 10000
) (
  input      clk,
  input      rst,
  input      tick,
  input      session_open,
  input      rx_activity,
  output reg expire
);
  reg [15:0] silent_ms;
  always @(posedge clk) begin
    expire <= 1'b0;
    if (rst || rx_activity || !session_open) silent_ms <= 16'd0;
    else if (tick) begin
      if (silent_ms == IDLE_MS - 1) begin
        expire <= 1'b1;
        silent_ms <= 16'd0;
      end else silent_ms <= silent_ms + 16'd1;
    end
  end
endmodule
