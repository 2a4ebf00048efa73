// ms_clock: the link's time base. `tick` pulses once every TICK_CYCLES clock cycles (one millisecond on
// the board: TICK_CYCLES = clock Hz / 1000; tests use a few cycles so that simulated time stays short);
// `now_ms` counts ticks modulo 2**16 (timestamps are compared by modular differences).
module ms_clock #(
  parameter TICK_CYCLES = 12000
) (
  input             clk,
  input             rst,
  output reg        tick,
  output reg [15:0] now_ms
);
  localparam CW = $clog2(TICK_CYCLES + 1);
  // the divider counts from 2**CW - TICK_CYCLES up to all ones: the tick is its carry out (no comparison)
  localparam [31:0] START32 = (1 << CW) - TICK_CYCLES;
  localparam [CW-1:0] START = START32[CW-1:0];
  reg [CW-1:0] div_cycles;
  wire [CW:0] div_next = {1'b0, div_cycles} + 1'b1;
  always @(posedge clk) begin
    tick <= 1'b0;
    if (rst) begin
      div_cycles <= START;
      now_ms <= 16'd0;
    end else if (div_next[CW]) begin
      div_cycles <= START;
      tick <= 1'b1;
      now_ms <= now_ms + 16'd1;
    end else begin
      div_cycles <= div_next[CW-1:0];
    end
  end
endmodule
