// rx_queue: the link's receive buffer, a byte ring holding the SEQ messages the link has accepted and the
// session has not finished with. Entry = type (1 byte), payload length (u16 LE), payload. The link writes
// an entry at wr_ptr and pushes it; the session reads at rd_ptr + offset and pops it when done (its
// credit returns then). `count` = entries held (the protocol's `held`). The ring is [BASE, DEPTH) of
// queue_mem (DEPTH at most 2**AW, not necessarily a power of two); below BASE queue_mem holds the ERROR
// texts, read by the session at addresses < BASE.
module rx_queue #(
  parameter AW = 12,
  parameter DEPTH = 3584,
  parameter BASE = 502
) (
  input               clk,
  input               rst,
  // link side
  input               we,
  input  [AW-1:0]     wa,
  input  [7:0]        wd,
  input               push,
  input  [12:0]       push_bytes,     // 3 + payload length
  output reg [AW-1:0] wr_ptr,
  // session side
  input  [AW-1:0]     ra,
  output [7:0]        rd,
  input               pop,
  input  [12:0]       pop_bytes,
  output reg [AW-1:0] rd_ptr,
  output reg [7:0]    count
);
  `include "cmp_const.vh"
  // the position `off` bytes after `ptr` in the ring [BASE, DEPTH) (off < DEPTH - BASE)
  localparam [31:0] QD = DEPTH, QR = DEPTH - BASE;
  function [AW-1:0] qpos(input [AW-1:0] ptr, input [12:0] off);
    reg [13:0] s;
    begin
      s = {{(14 - AW){1'b0}}, ptr} + {1'b0, off};
      qpos = ge_c({27'd0, s[13:9]}, {27'd0, QD[13:9]}) ? s[AW-1:0] - QR[AW-1:0] : s[AW-1:0];   // (the memory: whole EBRs)
    end
  endfunction
  localparam [31:0] QB = BASE;
  queue_mem #(.AW(AW), .DEPTH(DEPTH)) u_mem (.clk(clk), .we(we), .wa(wa), .wd(wd), .ra(ra), .rd(rd));
  always @(posedge clk) begin
    if (rst) begin
      wr_ptr <= QB[AW-1:0];
      rd_ptr <= QB[AW-1:0];
      count <= 8'd0;
    end else begin
      if (push) wr_ptr <= qpos(wr_ptr, push_bytes);
      if (pop) rd_ptr <= qpos(rd_ptr, pop_bytes);
      if (push && !pop) count <= count + 8'd1;
      else if (pop && !push) count <= count - 8'd1;
    end
  end
endmodule
