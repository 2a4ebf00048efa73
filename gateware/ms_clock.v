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
  localparam [31:0] LAST32 = TICK_CYCLES - 1;
  localparam [CW-1:0] LAST = LAST32[CW-1:0];
  reg [CW-1:0] div_cycles;
  always @(posedge clk) begin
    tick <= 1'b0;
    if (rst) begin
      div_cycles <= {CW{1'b0}};
      now_ms <= 16'd0;
    end else if (div_cycles == LAST) begin
      div_cycles <= {CW{1'b0}};
      tick <= 1'b1;
      now_ms <= now_ms + 16'd1;
    end else begin
      div_cycles <= div_cycles + 1'b1;
    end
  end
endmodule
