// rx_queue: the link's receive buffer, a byte ring holding the SEQ messages the link has accepted and the
// session has not finished with. Entry = type (1 byte), payload length (u16 LE), payload. The link writes
// an entry at wr_ptr and pushes it; the session reads at rd_ptr + offset and pops it when done (its
// credit returns then). `count` = entries held (the protocol's `held`).
module rx_queue #(
  parameter AW = 12
) (
  input               clk,
  input               rst,
  // link side
  input               we,
  input  [AW-1:0]     wa,
  input  [7:0]        wd,
  input               push,
  /* verilator lint_off UNUSEDSIGNAL */ // an entry is shorter than the ring
  input  [12:0]       push_bytes,     // 3 + payload length
  /* verilator lint_on UNUSEDSIGNAL */
  output reg [AW-1:0] wr_ptr,
  // session side
  input  [AW-1:0]     ra,
  output [7:0]        rd,
  input               pop,
  /* verilator lint_off UNUSEDSIGNAL */
  input  [12:0]       pop_bytes,
  /* verilator lint_on UNUSEDSIGNAL */
  output reg [AW-1:0] rd_ptr,
  output reg [7:0]    count
);
  ram_dp #(.AW(AW)) u_mem (.clk(clk), .we(we), .wa(wa), .wd(wd), .ra(ra), .rd(rd));
  always @(posedge clk) begin
    if (rst) begin
      wr_ptr <= {AW{1'b0}};
      rd_ptr <= {AW{1'b0}};
      count <= 8'd0;
    end else begin
      if (push) wr_ptr <= wr_ptr + push_bytes[AW-1:0];
      if (pop) rd_ptr <= rd_ptr + pop_bytes[AW-1:0];
      if (push && !pop) count <= count + 8'd1;
      else if (pop && !push) count <= count - 8'd1;
    end
  end
endmodule
