// idle_timer: the board's session idle timeout (docs/protocol.md 4.7, 6.2): while a session is open,
// IDLE_MS ms without a byte from the host (rx_activity pulses on every received byte, so a long frame
// still arriving keeps the session) ends the session (`expire` pulse). The ms count is an LFSR (lfsr.vh:
// no carry chain) that expires IDLE_MS - 1 steps after zero.
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
  localparam LW = (IDLE_MS < 4) ? 3 : $clog2(IDLE_MS + 1);   // (2**LW - 1 >= IDLE_MS)
  `include "lfsr.vh"
  localparam [LW-1:0] LAST = lfsr_after(IDLE_MS - 1);
  reg [LW-1:0] silent_ms;
  always @(posedge clk) begin
    expire <= 1'b0;
    if (rst || rx_activity || !session_open) silent_ms <= {LW{1'b0}};
    else if (tick) begin
      if (silent_ms == LAST) begin
        expire <= 1'b1;
        silent_ms <= {LW{1'b0}};
      end else silent_ms <= lfsr_step(silent_ms);
    end
  end
endmodule
