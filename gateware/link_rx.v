// link_rx: receive side of the link layer (docs/protocol.md 3.5, 4.4-4.6, 6.2). For every frame that
// frame_rx delivers it reads the 11-byte header from frame_rx's buffer and
//  - drops a frame whose version is not 1 (unless HELLO/HELLO_ACK) without an acknowledgement;
//  - passes `ack`/`credits`/GAP of an ACK-flagged frame to link_tx (ack_in_*), PROBE -> urgent ACK;
//  - unsequenced HELLO (well-formed): opens a new session when none is open or the nonce differs
//    (link_reset with the host's window), and in every case signals hello_seen (HELLO_ACK is due);
//  - SEQ frame without a session: no_session_req (link_tx answers an unsequenced ERROR NO_SESSION);
//  - SEQ frame seq = expected with credit: copies type, length and payload into rx_queue, expected+1,
//    delayed ACK; seq = expected without credit, or a duplicate: urgent ACK; ahead of expected: GAP ACK.
// Then it releases frame_rx's buffer. A second frame announced while one is being handled waits in
// `pend_*` (frame_rx holds at most two).
module link_rx #(
  parameter QAW = 12,
  parameter QMEM = 3584,               // rx_queue's ring: [QBASE, QMEM)
  parameter QBASE = 502
) (
  input               clk,
  input               rst,
  // frame_rx
  input               rx_frame_valid,
  /* verilator lint_off UNUSEDSIGNAL */ // always 11 + the header's length field (read from the header)
  input      [12:0]   rx_frame_len,
  /* verilator lint_on UNUSEDSIGNAL */
  input               rx_frame_buf,
  output reg          rx_frame_release,
  output reg          rx_rd_buf,
  output     [12:0]   rx_rd_addr,
  input      [7:0]    rx_rd_data,
  // session state
  input               end_session,      // retries exhausted / idle timeout: no session from now on
  input      [7:0]    credits,          // W - held
  output reg          session_open,
  output reg          link_reset,       // pulse: new session, both directions restart at 0
  output     [15:0]   link_reset_credits, // (valid with link_reset; all outputs below from the header)
  output reg          hello_seen,       // pulse: a well-formed unsequenced HELLO arrived
  output reg [15:0]   expected,
  // to link_tx
  output reg          ack_in_valid,
  output     [15:0]   ack_in_ack,
  output     [15:0]   ack_in_credits,
  output              ack_in_gap,
  output reg          ack_sched,        // delayed acknowledgement (in-order frame)
  output reg          ack_urgent,       // acknowledgement now (duplicate, no credit, PROBE)
  output reg          ack_gap,          // acknowledgement now with GAP
  output reg          no_session_req,
  output reg          rx_len_valid,     // pulse with rx_len_bytes: a valid frame's payload length (line time)
  output     [12:0]   rx_len_bytes,
  // rx_queue write side
  output reg          q_we,
  output reg [QAW-1:0] q_wa,
  output reg [7:0]    q_wd,
  output reg          q_push,
  output     [12:0]   q_push_bytes,
  input      [QAW-1:0] q_wr_ptr
);
  localparam S_IDLE = 3'd0, S_HDR = 3'd1, S_EVAL = 3'd2, S_HELLO = 3'd3, S_QHDR = 3'd4, S_COPY = 3'd5, S_DONE = 3'd6;
  reg [2:0]  state;
  `include "cmp_const.vh"
  reg [12:0] idx;                // address presented to frame_rx's buffer
  reg [3:0]  cnt;                // bytes captured (header, HELLO payload, entry header)
  reg [87:0] hdr;                // header bytes 0..10 (shifted in, byte 0 lowest)
  reg [7:0]  hl9;                // HELLO: header length - 9 (0..255 when hl_ok)
  reg        hl_ok;
  reg [QAW-1:0] wp;              // rx_queue write position
  reg        pres;               // a payload byte was presented in the previous cycle
  reg        pend_valid, pend_buf;
  reg [31:0] nonce;

  assign rx_rd_addr = idx;

  wire [7:0]  h_ver   = hdr[7:0];
  wire [7:0]  h_type  = hdr[15:8];
  /* verilator lint_off UNUSEDSIGNAL */ // flag bits 4-7 are ignored on receipt (3.1)
  wire [7:0]  h_flags = hdr[23:16];
  /* verilator lint_on UNUSEDSIGNAL */
  wire [15:0] h_seq   = hdr[39:24];
  wire [15:0] h_ack   = hdr[55:40];
  wire [15:0] h_cred  = hdr[71:56];
  wire [15:0] h_len   = hdr[87:72];
  /* verilator lint_off UNUSEDSIGNAL */ // only the sign of the difference matters
  wire [15:0] seq_behind = expected - h_seq;          // d(expected, seq)
  /* verilator lint_on UNUSEDSIGNAL */
  // a HELLO's payload bytes 0..8 are shifted into hdr after its header (bytes 9, 10 of the header stay):
  // version (not checked, 3.5) hdr[31:16], window hdr[47:32], nonce hdr[79:48], id length hdr[87:80]
  wire [15:0] hello_window = hdr[47:32];
  wire [31:0] hello_nonce  = hdr[79:48];
  wire        hello_ok     = hl_ok && hl9 == hdr[87:80];    // length = 9 + id length
  wire [16:0] h_len9 = {1'b0, h_len} - 17'd9;
  assign link_reset_credits = (hello_window == 16'd0) ? 16'd1 : hello_window;
  assign ack_in_ack = h_ack;
  assign ack_in_credits = h_cred;
  assign ack_in_gap = h_flags[3];
  assign rx_len_bytes = h_len[12:0];   // (frame_rx delivers 11 + the header's length bytes)
  assign q_push_bytes = h_len[12:0] + 13'd3;

  // the payload is presented at 11 .. 10 + length: all of it when idx reaches 11 + length
  wire [12:0] pay_end = h_len[12:0] + 13'd11;
  wire        copied = idx == pay_end;
  // the next position in the ring
  localparam [31:0] QM = QMEM - 1, QB = QBASE;
  wire [QAW-1:0] wp_next = (wp == QM[QAW-1:0]) ? QB[QAW-1:0] : wp + 1'b1;
  always @(posedge clk) begin
    rx_frame_release <= 1'b0;
    link_reset <= 1'b0;
    hello_seen <= 1'b0;
    ack_in_valid <= 1'b0;
    ack_sched <= 1'b0;
    ack_urgent <= 1'b0;
    ack_gap <= 1'b0;
    no_session_req <= 1'b0;
    rx_len_valid <= 1'b0;
    q_we <= 1'b0;
    q_push <= 1'b0;
    if (rst) begin
      state <= S_IDLE;
      idx <= 13'd0;
      cnt <= 4'd0;
      wp <= {QAW{1'b0}};
      pres <= 1'b0;
      pend_valid <= 1'b0;
      pend_buf <= 1'b0;
      session_open <= 1'b0;
      expected <= 16'd0;
      nonce <= 32'd0;
      rx_rd_buf <= 1'b0;
      hdr <= 88'd0;
      hl9 <= 8'd0;
      hl_ok <= 1'b0;
    end else begin
      // a frame announced while another is handled waits (frame_rx has two buffers)
      if (rx_frame_valid && (state != S_IDLE || pend_valid)) begin
        pend_valid <= 1'b1;
        pend_buf <= rx_frame_buf;
      end
      if (end_session) begin
        session_open <= 1'b0;
        expected <= 16'd0;
      end
      case (state)
        S_IDLE: begin
          idx <= 13'd0;
          cnt <= 4'd0;
          if (pend_valid) begin
            pend_valid <= rx_frame_valid;      // (cannot happen: at most one pending)
            rx_rd_buf <= pend_buf;
            state <= S_HDR;
          end else if (rx_frame_valid) begin
            rx_rd_buf <= rx_frame_buf;
            state <= S_HDR;
          end
        end
        S_HDR: begin                           // present 0..10, capture one cycle later
          if (!ge_c({19'd0, idx}, 32'd11)) idx <= idx + 13'd1;
          if (idx != 13'd0) begin
            hdr <= {rx_rd_data, hdr[87:8]};
            cnt <= cnt + 4'd1;
            if (cnt == 4'd10) state <= S_EVAL;
          end
        end
        S_EVAL: begin
          rx_len_valid <= 1'b1;
          if (h_ver != 8'd1 && h_type != 8'h01 && h_type != 8'h02) begin
            state <= S_DONE;                   // wrong version: dropped silently
          end else begin
            if (h_flags[1]) begin
              ack_in_valid <= 1'b1;
            end
            if (h_flags[2]) ack_urgent <= 1'b1;
            if (!h_flags[0]) begin
              if (h_type == 8'h01) begin
                hl9 <= h_len9[7:0];
                hl_ok <= h_len9[16:8] == 9'd0;
                idx <= 13'd11;
                cnt <= 4'd0;
                state <= S_HELLO;
              end else state <= S_DONE;        // ACK and other unsequenced frames end here
            end else if (!session_open) begin
              no_session_req <= 1'b1;
              state <= S_DONE;
            end else if (h_seq != expected) begin
              if (!seq_behind[15]) ack_urgent <= 1'b1;         // duplicate (1..32767 behind)
              else ack_gap <= 1'b1;                             // a frame before it was lost
              state <= S_DONE;
            end else if (credits == 8'd0) begin
              ack_urgent <= 1'b1;              // the sender ignored the credits
              state <= S_DONE;
            end else begin
              expected <= expected + 16'd1;
              ack_sched <= 1'b1;
              cnt <= 4'd0;
              wp <= q_wr_ptr;
              state <= S_QHDR;
            end
          end
        end
        S_HELLO: begin                         // payload bytes 0..8 (addresses 11..19)
          if (!ge_c({19'd0, idx}, 32'd20)) idx <= idx + 13'd1;
          if (idx != 13'd11) begin
            if (cnt < 4'd9) hdr <= {rx_rd_data, hdr[87:8]};
            cnt <= cnt + 4'd1;
          end
          if (cnt == 4'd9 || (idx == 13'd20 && ge_c({28'd0, cnt}, 32'd9))) begin
            if (hello_ok) begin
              hello_seen <= 1'b1;
              if (!session_open || hello_nonce != nonce) begin
                session_open <= 1'b1;
                nonce <= hello_nonce;
                expected <= 16'd0;
                link_reset <= 1'b1;
              end
            end
            state <= S_DONE;
          end
        end
        S_QHDR: begin                          // entry header: type, length (LE)
          q_we <= 1'b1;
          q_wa <= wp;
          wp <= wp_next;
          q_wd <= (cnt == 4'd0) ? h_type : (cnt == 4'd1) ? h_len[7:0] : h_len[15:8];
          cnt <= cnt + 4'd1;
          if (cnt == 4'd2) begin
            idx <= 13'd11;
            pres <= 1'b0;
            state <= S_COPY;
          end
        end
        S_COPY: begin                          // payload: present 11.., write one cycle later
          pres <= !copied;
          if (!copied) idx <= idx + 13'd1;
          if (pres) begin
            q_we <= 1'b1;
            q_wa <= wp;
            wp <= wp_next;
            q_wd <= rx_rd_data;
          end
          if (copied) begin
            q_push <= 1'b1;
            state <= S_DONE;
          end
        end
        default: begin                         // S_DONE
          rx_frame_release <= 1'b1;
          state <= S_IDLE;
        end
      endcase
    end
  end
endmodule
