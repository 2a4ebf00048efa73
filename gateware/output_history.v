// output_history: the OUTPUT_FRAME payloads of the most recent frames (docs/protocol.md 7.6), for
// RESEND_OUTPUTS. A byte ring of 2**AW bytes; entries are whole payloads (frame u32, timeUs u32, count
// u16, values), so frames of any width share it and the number kept is what fits. Frames are
// consecutive (a stream never skips one; LOAD_IMAGE, RESET and a new stream clear the history), so
// `count` and the newest frame (kept by the session) describe it. Appending: begin_req with the
// entry's size (held until end_req) evicts the oldest entries until it fits (reads their count field),
// then `ready`; the session writes bytes at head + offset and end_req records the entry.
module output_history #(
  parameter AW = 11
) (
  input               clk,
  input               rst,
  input               clear,
  input               begin_req,
  input      [12:0]   need_bytes,      // must be < 2**AW
  output              ready,
  input               wr_en,
  /* verilator lint_off UNUSEDSIGNAL */ // offsets and sizes are below 2**AW
  input      [12:0]   wr_off,
  input      [7:0]    wr_data,
  input               end_req,
  input      [12:0]   end_bytes,
  /* verilator lint_on UNUSEDSIGNAL */
  input      [AW-1:0] rd_addr,         // session's read port (while ready)
  output     [7:0]    rd_data,
  input               lo_we,           // the session reads an entry's count: its low byte now
  output     [12:0]   ent_bytes,       // then 10 + 3 count (the entry's size) with the high byte
  output reg [AW-1:0] tail,
  output reg [AW-1:0] count            // (an entry has at least 10 bytes)
);
  localparam E_IDLE = 3'd0, E_CHECK = 3'd1, E_A = 3'd2, E_B = 3'd3, E_C = 3'd4;
  reg [2:0]    st;
  reg [AW-1:0] head;
  reg [7:0]    c_lo;
  reg [AW-1:0] ev_addr;
  wire [AW-1:0] used = head - tail;
  // one adder for the count: - 1 when an entry is evicted (E_C), + 1 when one is recorded (E_IDLE)
  wire [AW-1:0] count_pm = count + {{(AW-1){st != E_IDLE}}, 1'b1};
  wire [AW-1:0] ev_at = tail + {{(AW-4){1'b0}}, 3'b100, st == E_A};   // the count field: tail + 8, + 9
  // room for need bytes: 2**AW - 1 - used >= need  <=>  used + need < 2**AW  <=>  ~used >= need
  wire [16:0]   free = {{(17-AW){1'b0}}, ~used};
  assign ready = (st == E_IDLE);
  ram_dp #(.AW(AW)) u_mem (.clk(clk), .we(wr_en), .wa(head + wr_off[AW-1:0]), .wd(wr_data),
    .ra(ready ? rd_addr : ev_addr), .rd(rd_data));
  wire [15:0] ev_count = {rd_data, c_lo};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [17:0] ev_bytes = 18'd10 + {2'd0, ev_count} + {1'b0, ev_count, 1'b0};
  assign ent_bytes = ev_bytes[12:0];
  /* verilator lint_on UNUSEDSIGNAL */
  always @(posedge clk) begin
    if (rst || clear) begin
      st <= E_IDLE;
      head <= {AW{1'b0}};
      tail <= {AW{1'b0}};
      count <= {AW{1'b0}};
      c_lo <= 8'd0;
      ev_addr <= {AW{1'b0}};
    end else begin
      case (st)
        E_IDLE: begin
          if (lo_we) c_lo <= rd_data;
          if (begin_req) st <= E_CHECK;
          if (end_req) begin
            head <= head + end_bytes[AW-1:0];
            count <= count_pm;
          end
        end
        E_CHECK: begin                   // room for the new entry? otherwise evict the oldest
          if (free >= {4'd0, need_bytes} || count == {AW{1'b0}}) st <= E_IDLE;
          else begin
            ev_addr <= ev_at;
            st <= E_A;
          end
        end
        E_A: begin
          ev_addr <= ev_at;
          st <= E_B;
        end
        E_B: begin
          c_lo <= rd_data;               // count, low byte
          st <= E_C;
        end
        default: begin                   // E_C: count, high byte
          tail <= tail + ev_bytes[AW-1:0];
          count <= count_pm;
          st <= E_CHECK;
        end
      endcase
    end
  end
endmodule
