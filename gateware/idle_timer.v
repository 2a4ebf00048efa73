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
  // counts from 2**16 - IDLE_MS up to all ones: the expiry is its carry out (no comparison)
  localparam [31:0] START32 = 32'd65536 - IDLE_MS;
  localparam [15:0] START = START32[15:0];
  reg [15:0] silent_ms;
  wire [16:0] silent_next = {1'b0, silent_ms} + 17'd1;
  always @(posedge clk) begin
    expire <= 1'b0;
    if (rst || rx_activity || !session_open) silent_ms <= START;
    else if (tick) begin
      if (silent_next[16]) begin
        expire <= 1'b1;
        silent_ms <= START;
      end else silent_ms <= silent_next[15:0];
    end
  end
endmodule
