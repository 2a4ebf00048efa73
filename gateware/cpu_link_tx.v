// cpu_link_tx: frame_tx as seen by cpu_link's firmware: a transmit buffer (EBR, 2^AW x 8: a raw frame, 11 + the
// largest payload, fits) the CPU
// writes byte by byte through cpu_link's transmit window (buf_we, buf_addr, buf_wd) and frame_tx reads
// through tx_rd_addr/tx_rd_data (registered, one cycle), and registers (word index `idx`):
//   3 TX_STATUS r: bit 0 busy (from the write of TX_START until frame_tx has sent the frame)
//   4 TX_START  w: the length: tx_start pulses in the write's cycle with it as tx_len (frame_tx latches it) and
//                tx_base 0
module cpu_link_tx #(
  parameter AW = 11   // buffer address bits
) (
  input         clk,
  input         rst,
  input         acc,
  input         we,
  input  [4:0]  idx,
  input  [31:0] wdata,
  output [31:0] rdata,
  input         buf_we,
  input  [AW-1:0] buf_addr,
  input  [7:0]  buf_wd,
  output        tx_start,
  output [15:0] tx_base,
  output [12:0] tx_len,
  input         tx_busy,
  input  [15:0] tx_rd_addr,
  output [7:0]  tx_rd_data
);
  // no_rw_check: the CPU writes the buffer only while frame_tx is idle (TX_STATUS), and frame_tx reads it only while busy
  (* no_rw_check *) reg [7:0] mem [0:(1 << AW) - 1];
  reg [7:0]  q;
  reg        pend;
  wire       start = acc & we & (idx == 5'd4);
  always @(posedge clk) begin
    if (buf_we) mem[buf_addr] <= buf_wd;
    q <= mem[tx_rd_addr[AW-1:0]];
  end
  always @(posedge clk) begin
    if (rst) begin
      pend <= 1'b0;
    end else begin
      if (start) pend <= 1'b1;
      else if (tx_busy) pend <= 1'b0;   // frame_tx raises busy the cycle after tx_start
    end
  end
  assign tx_start = start;
  assign tx_base = 16'd0;
  assign tx_len = wdata[12:0];
  assign tx_rd_data = q;
  assign rdata = (idx == 5'd3) ? {31'd0, tx_busy | pend} : 32'd0;
  wire _unused = &{1'b0, tx_rd_addr[15:AW], wdata[31:13]};
endmodule
