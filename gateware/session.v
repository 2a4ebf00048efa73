// session: the board's message layer (docs/protocol.md 5-9) on top of the link. It takes the SEQ
// messages link_rx queued in rx_queue one at a time, in order, checks them in the order the reference
// board (host/board/virtual-board.ts) does, drives nla_core (image staging and commit, parameters,
// resets, input/target values, frames, output reads), writes its answers (STATUS, END_STREAM, ERROR,
// OUTPUT_FRAME) into link_tx's retransmission store, keeps the output history, and answers HELLO with
// HELLO_ACK once the messages accepted before the HELLO are processed. A message's credit returns (pop)
// only when it is finished: for an INPUT_FRAME after its OUTPUT_FRAME is committed (7.3).
module session #(
  parameter QAW = 12,
  parameter RAW = 11,
  parameter HAW = 11,
  parameter MAX_PAYLOAD = 1024,
  parameter IMG_BYTES = 65536
) (
  input               clk,
  input               rst,
  // rx_queue
  output     [QAW-1:0] q_ra,
  input      [7:0]    q_rd,
  input      [7:0]    q_count,
  input      [QAW-1:0] q_rd_ptr,
  input      [QAW-1:0] q_wr_ptr,
  output reg          q_pop,
  output reg [12:0]   q_pop_bytes,
  input               hello_seen,
  // link_tx: HELLO_ACK and the retransmission store
  output reg          hello_ack_req,
  output reg [7:0]    ha_flags,
  output reg [31:0]   ha_crc,
  output reg [31:0]   ha_last,
  output reg          st_we,
  output reg [12:0]   st_wo,             // byte offset in the frame being written
  output reg [7:0]    st_wd,
  output reg          st_commit,
  output reg [12:0]   st_commit_len,
  input      [RAW:0]  st_room,
  input               st_slot_free,
  // nla_core
  output reg          img_wr_en,
  output reg [16:0]   img_wr_addr,
  output reg [7:0]    img_wr_data,
  output reg          img_commit,
  output reg [16:0]   img_total,
  input               img_done,
  input      [1:0]    img_result,
  input      [15:0]   img_err_offset,
  input               image_loaded,
  input      [31:0]   image_crc,
  input      [15:0]   n_stim_inputs,
  input      [15:0]   n_outputs,
  input      [15:0]   n_neurons,
  output reg          core_reset,
  output reg          restore_weights,
  output reg          learn,
  output reg          param_we,
  output reg [15:0]   param_id,
  output reg [31:0]   param_value,
  output reg          in_we,
  output reg [15:0]   in_idx,
  output reg [23:0]   in_value,
  output reg          tgt_we,
  output reg [15:0]   tgt_idx,
  output reg [23:0]   tgt_value,
  output reg          tgt_commit,
  output reg          frame_go,
  input               frame_done,
  output reg [3:0]    probes,
  output reg          out_rd_req,
  output reg [15:0]   out_rd_idx,
  input               out_rd_valid,
  input      [23:0]   out_rd_data,
  input      [31:0]   saturations,
  input      [31:0]   frames_processed,
  output     [1:0]    board_state        // 0 IDLE, 1 LOADED, 2 STREAMING
);
  `include "session_defs.vh"
  localparam [31:0] NO_FRAME = 32'hFFFFFFFF;

  reg [5:0]  state;
  reg [12:0] q_off;
  assign q_ra = q_rd_ptr + q_off[QAW-1:0];
  // the entry: e[0] type, e[1..2] payload length, e[3..14] payload bytes 0..11; p31 payload byte 31
  reg [7:0]  e [0:14];
  reg [7:0]  p31;
  reg [4:0]  f;
  wire [7:0]  m_type = e[0];
  wire [12:0] m_len  = {e[2][4:0], e[1]};
  wire [31:0] p_u32a = {e[6], e[5], e[4], e[3]};      // payload 0..3
  wire [31:0] p_u32b = {e[10], e[9], e[8], e[7]};     // payload 4..7
  wire [15:0] p_u16_0 = {e[4], e[3]};
  wire [15:0] p_u16_4 = {e[8], e[7]};
  wire [15:0] p_u16_8 = {e[12], e[11]};
  wire [31:0] p_i32_2 = {e[8], e[7], e[6], e[5]};
  wire [7:0]  p0 = e[3], p6 = e[9], p8 = e[11];

  // ---- session state ----
  reg        streaming, booted, hello_pend, img_active, after_out;
  reg [QAW-1:0] hello_mark;
  reg [31:0] last_frame, expected_frame, rejected, img_got, img_tot;
  assign board_state = !image_loaded ? 2'd0 : streaming ? 2'd2 : 2'd1;

  // ---- well-formedness of the payload (messages.ts decodePayload) ----
  wire [17:0] cnt3_8 = {2'd0, p_u16_8} + {1'b0, p_u16_8, 1'b0};
  wire [17:0] cnt3_4 = {2'd0, p_u16_4} + {1'b0, p_u16_4, 1'b0};
  reg well;
  always @(*) begin
    case (m_type)
      // (the sums are at least the fixed part: equality implies the minimum length)
      8'h01: well = m_len == 13'd9 + {5'd0, p8};
      8'h02: well = m_len == 13'd32 + {5'd0, p31};
      8'h03: well = m_len[12:3] != 10'd0;                       // at least 8
      8'h04: well = m_len == 13'd6;
      8'h05: well = m_len == 13'd1;
      8'h06: well = m_len == 13'd9;
      8'h07, 8'h0D: well = m_len == 13'd0;
      8'h08, 8'h0A: well = {5'd0, m_len} == 18'd10 + cnt3_8;
      8'h09: well = {5'd0, m_len} == 18'd6 + cnt3_4;
      8'h0B: well = m_len == 13'd18;
      8'h0C: well = m_len == 13'd7 + {5'd0, p6};
      8'h0E: well = m_len == 13'd8;
      8'h0F: well = m_len == 13'd4;
      default: well = 1'b0;
    endcase
  end

  // ---- width(probes) (7.4) ----
  function [17:0] width_of(input [3:0] pr);
    begin
      width_of = ({2'd0, n_outputs} & {18{pr[0]}}) + ({2'd0, n_outputs} & {18{pr[1]}})
               + ({2'd0, n_outputs} & {18{pr[2]}}) + ({2'd0, n_neurons} & {18{pr[3]}});
    end
  endfunction
  // one instance: START_STREAM's candidate probes while dispatching, the stream's probes otherwise
  wire [17:0] cur_w = width_of((state == S_DISPATCH) ? p8[3:0] : probes);
  wire [19:0] cand_bytes = 20'd10 + {2'd0, cur_w} + {1'b0, cur_w, 1'b0};
  wire [12:0] out_plen = cand_bytes[12:0];

  // ---- emission of STATUS / END_STREAM / ERROR: byte k computed in one cycle, written in the next ----
  reg [7:0]  em_type;
  reg [15:0] err_code;
  reg [4:0]  err_msg;
  reg [12:0] k, em_last;
  reg [7:0]  em_q;
  reg        em_rom_q;
  wire [7:0] rom_ch, rom_len;
  wire       rom_num;
  wire [7:0]  kj = k[7:0] - 8'd11;                     // payload index (an ERROR is shorter than 256 bytes)
  wire [7:0]  ci = kj[7:0] - 8'd7;                     // character index of an ERROR's message
  wire [7:0]  si = ci - rom_len;                       // index in the "0x" + 8 hex digits suffix
  msg_rom mr (.clk(clk), .id(err_msg), .idx(ci), .ch(rom_ch), .base_len(rom_len), .has_num(rom_num));
  wire [7:0]  msg_len = rom_len + (rom_num ? 8'd10 : 8'd0);
  wire [12:0] em_plen = (em_type == T_STATUS) ? 13'd18 : (em_type == T_END) ? 13'd8 : 13'd7 + {5'd0, msg_len};
  function [7:0] byte_of(input [31:0] w, input [1:0] i);
    byte_of = w[8*i +: 8];
  endfunction
  wire [6:0] k7 = k[6:0], kj7 = kj[6:0];    // a STATUS/END_STREAM/ERROR frame is shorter than 128 bytes
  reg [7:0] em_byte;
  always @(*) begin
    em_byte = 8'd0;
    if (k7 == 7'd0) em_byte = 8'd1;
    else if (k7 == 7'd1) em_byte = em_type;
    else if (k7 == 7'd9) em_byte = em_plen[7:0];
    else if (k7 == 7'd10) em_byte = {3'd0, em_plen[12:8]};
    else if (k7 >= 7'd11) begin
      if (em_type == T_STATUS) begin
        if (kj7 == 7'd0) em_byte = {6'd0, board_state};
        else if (kj7 <= 7'd4) em_byte = byte_of(frames_processed, kj[1:0] - 2'd1);
        else if (kj7 <= 7'd8) em_byte = byte_of(last_frame, kj[1:0] - 2'd1);
        else if (kj7 <= 7'd12) em_byte = byte_of(saturations, kj[1:0] - 2'd1);
        else if (kj7 <= 7'd16) em_byte = byte_of(rejected, kj[1:0] - 2'd1);
        else em_byte = {7'd0, image_loaded};
      end else if (em_type == T_END) begin
        if (kj7 <= 7'd3) em_byte = byte_of(last_frame, kj[1:0]);
        else em_byte = byte_of(frames_processed, kj[1:0]);
      end else begin
        if (kj7 <= 7'd1) em_byte = kj[0] ? err_code[15:8] : err_code[7:0];
        else if (kj7 <= 7'd5) em_byte = byte_of(err_frame, kj[1:0] - 2'd2);
        else if (kj7 == 7'd6) em_byte = msg_len;
        else if (si == 8'd0) em_byte = 8'h30;                       // "0x"
        else if (si == 8'd1) em_byte = 8'h78;
        else em_byte = (nib < 4'd10) ? 8'h30 + {4'd0, nib} : 8'h57 + {4'd0, nib};
      end
    end
  end
  wire em_is_rom = (em_type == T_ERROR) && k >= 13'd18 && ci < rom_len;

  // ---- one room check for every frame the session writes: 11 + payload bytes, and a free slot ----
  reg  [12:0] need_len;
  reg  [5:0]  after_room;
  wire room_ok = st_slot_free && {{(13 - RAW){1'b0}}, st_room} >= {1'b0, need_len};
  wire [12:0] hk = k - 13'd11;                         // offset in the history entry

  // ---- output history ----
  reg         h_clear, h_begin, h_wr, h_end;
  reg [12:0]  h_need, h_bytes;
  reg [7:0]   h_data;
  reg [HAW-1:0] h_ra;
  wire        h_ready;
  wire [7:0]  h_rd;
  wire [HAW-1:0] h_tail;
  wire [31:0] h_first;
  wire [15:0] h_count;
  output_history #(.AW(HAW)) hist (.clk(clk), .rst(rst), .clear(h_clear), .begin_req(h_begin),
    .need_bytes(h_need), .ready(h_ready), .wr_en(h_wr), .wr_off(h_off), .wr_data(h_data),
    .end_req(h_end), .end_bytes(h_bytes), .end_frame(p_u32a), .rd_addr(h_ra), .rd_data(h_rd),
    .tail(h_tail), .first_frame(h_first), .count(h_count));

  // ---- working registers ----
  reg [12:0] b, nb, plen;           // byte counters, payload length of the frame being built
  reg [1:0]  m3;                    // byte within an i24 value
  reg [15:0] vi, vn;                // value index, count
  reg [23:0] vacc;
  reg        is_target;
  reg [1:0]  dly;
  reg [31:0] rs_frame;
  reg [12:0] h_off;
  reg [16:0] img_room;               // staging bytes left from this chunk's offset
  reg        img_last;
  reg [HAW-1:0] rs_ptr;
  reg        rs_skip;
  reg [7:0]  rs_lo;
  /* verilator lint_off UNUSEDSIGNAL */ // an entry is shorter than the history: count < 2**13
  wire [15:0] rs_cnt = {h_rd, rs_lo};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [12:0] rs_plen = 13'd10 + rs_cnt[12:0] + {rs_cnt[11:0], 1'b0};
  wire [32:0] chunk_end = {1'b0, p_u32a} + {20'd0, m_len - 13'd8};
  // constant comparisons written out (yosys maps a compare with a constant to a full carry chain)
  localparam IAW = $clog2(IMG_BYTES);   // IMG_BYTES must be a power of two
  wire total_small = p_u32b[31:6] == 26'd0 && p_u32b[5:0] < 6'd48;              // total < 48
  wire total_big = p_u32b[31:27] != 5'd0 || (p_u32b[26] && p_u32b[25:0] != 26'd0); // total > 2**26
  wire [31:0] next_start = (last_frame == NO_FRAME) ? 32'd0 : last_frame + 32'd1;

  // the ERROR's frame and the number its message ends with follow from the code and the message: the
  // message that caused the error stays in the queue (and its fields in e[]) until the ERROR is written
  reg         err_fr;               // the ERROR names the message's frame (else NO_FRAME)
  wire [31:0] err_frame = err_fr ? p_u32a : NO_FRAME;
  reg  [31:0] err_num;
  always @(*) begin
    case (err_msg)
      M_IMG_SIZE: err_num = p_u32b;
      M_IMG_CHUNK: err_num = p_u32a;
      M_IMG_INVALID, M_IMG_CAPACITY: err_num = {16'd0, img_err_offset};
      M_IMG_STAGING: err_num = img_tot;
      M_PARAM_RANGE: err_num = {16'd0, p_u16_0};
      M_START_ORDER: err_num = next_start;
      M_ORDER: err_num = expected_frame;
      M_COUNT: err_num = {16'd0, is_target ? n_outputs : n_stim_inputs};
      M_HISTORY: err_num = (h_count == 16'd0) ? next_start : h_first;
      default: err_num = {24'd0, m_type};
    endcase
  end
  wire [2:0]  nsel = 3'd1 - si[2:0];                   // hex digit si - 2, most significant first
  wire [3:0]  nib = err_num[{nsel, 2'b00} +: 4];

  // the answer to send: ERROR (code, frame, message id, number) or STATUS/END_STREAM
  task fail(input [15:0] code, input [4:0] msg);
    begin
      err_code <= (code == E_BAD_FRAME_NC) ? E_BAD_FRAME : code; err_msg <= msg;
      err_fr <= code == E_BAD_FRAME || code == E_OUT_OF_ORDER || code == E_NOT_STREAMING || code == E_HISTORY;
      em_type <= T_ERROR;
      if (code == E_BAD_FRAME || code == E_OUT_OF_ORDER) rejected <= rejected + 32'd1;
      state <= S_EMIT_ROOM;
    end
  endtask
  task answer(input [7:0] t);
    begin
      em_type <= t;
      state <= S_EMIT_ROOM;
    end
  endtask
  task at_rest;                      // no frame computed, frame 0 expected, history cleared
    begin
      last_frame <= NO_FRAME;
      expected_frame <= 32'd0;
      h_clear <= 1'b1;
    end
  endtask

  integer i;
  always @(posedge clk) begin
    q_pop <= 1'b0; hello_ack_req <= 1'b0; st_we <= 1'b0; st_commit <= 1'b0;
    img_wr_en <= 1'b0; img_commit <= 1'b0; core_reset <= 1'b0; param_we <= 1'b0;
    in_we <= 1'b0; tgt_we <= 1'b0; tgt_commit <= 1'b0; frame_go <= 1'b0; out_rd_req <= 1'b0;
    h_clear <= 1'b0; h_begin <= 1'b0; h_wr <= 1'b0; h_end <= 1'b0;
    if (rst) begin
      state <= S_IDLE; q_off <= 13'd0; f <= 5'd0; p31 <= 8'd0;
      for (i = 0; i < 15; i = i + 1) e[i] <= 8'd0;
      streaming <= 1'b0; booted <= 1'b1; hello_pend <= 1'b0; img_active <= 1'b0; after_out <= 1'b0;
      hello_mark <= {QAW{1'b0}};
      last_frame <= NO_FRAME; expected_frame <= 32'd0; rejected <= 32'd0; img_got <= 32'd0; img_tot <= 32'd0;
      ha_flags <= 8'd1; ha_crc <= 32'd0; ha_last <= NO_FRAME;
      learn <= 1'b0; probes <= 4'd1; restore_weights <= 1'b0;
      q_pop_bytes <= 13'd0; st_wo <= 13'd0; em_q <= 8'd0; em_rom_q <= 1'b0; em_last <= 13'd0; need_len <= 13'd0; after_room <= S_IDLE; st_wd <= 8'd0; st_commit_len <= 13'd0;
      img_wr_addr <= 17'd0; img_wr_data <= 8'd0; img_total <= 17'd0; param_id <= 16'd0; param_value <= 32'd0;
      in_idx <= 16'd0; in_value <= 24'd0; tgt_idx <= 16'd0; tgt_value <= 24'd0; out_rd_idx <= 16'd0;
      em_type <= T_STATUS; err_code <= 16'd0; err_msg <= 5'd0; err_fr <= 1'b0; k <= 13'd0;
      h_off <= 13'd0; h_need <= 13'd0; h_bytes <= 13'd0; h_data <= 8'd0; img_room <= 17'd0; img_last <= 1'b0; h_ra <= {HAW{1'b0}};
      b <= 13'd0; nb <= 13'd0; plen <= 13'd0; m3 <= 2'd0; vi <= 16'd0; vn <= 16'd0; vacc <= 24'd0;
      is_target <= 1'b0; dly <= 2'd0; rs_frame <= 32'd0; rs_ptr <= {HAW{1'b0}};
      rs_skip <= 1'b0; rs_lo <= 8'd0;
    end else begin
      if (hello_seen && !hello_pend) begin
        hello_pend <= 1'b1;
        hello_mark <= q_wr_ptr;
      end
      case (state)
        S_IDLE: begin
          q_off <= 13'd0;
          f <= 5'd0;
          k <= 13'd0;
          if (hello_pend && q_rd_ptr == hello_mark && !(hello_seen && !hello_pend)) begin
            // every message accepted before the HELLO is processed: HELLO_ACK reports the last frame
            hello_ack_req <= 1'b1;
            hello_pend <= 1'b0;
            ha_flags <= {6'd0, image_loaded, booted};
            ha_crc <= image_loaded ? image_crc : 32'd0;
            ha_last <= last_frame;
            booted <= 1'b0;
          end else if (q_count != 8'd0) state <= S_FETCH;
        end
        S_FETCH: begin                // offsets 0..14 and 34 (HELLO_ACK's string length), one cycle late
          f <= f + 5'd1;
          q_off <= (f >= 5'd14) ? 13'd34 : {8'd0, f} + 13'd1;
          if (f != 5'd0) begin
            if (f <= 5'd15) e[f[3:0] - 4'd1] <= q_rd;
            else p31 <= q_rd;
          end
          if (f == 5'd16) state <= S_DISPATCH;
        end
        S_DISPATCH: dispatch();
        // ---- LOAD_IMAGE: chunk bytes into the core's staging memory ----
        S_LOAD_COPY: begin
          if (b < nb) q_off <= q_off + 13'd1;
          b <= b + 13'd1;
          if (b != 13'd0) begin
            img_wr_en <= {4'd0, b} <= img_room;         // bytes beyond the staging memory are dropped
            if (b != 13'd1) img_wr_addr <= img_wr_addr + 17'd1;
            img_wr_data <= q_rd;
          end
          if (b == nb) begin
            img_got <= chunk_end[31:0];
            if (!img_last) state <= S_POP;
            else begin
              img_active <= 1'b0;
              if ((img_tot[31:IAW] != 0 && img_tot[IAW-1:0] != 0) || img_tot[31:IAW+1] != 0) fail(E_CAPACITY, M_IMG_STAGING);
              else begin
                img_commit <= 1'b1;
                img_total <= img_tot[16:0];
                state <= S_LOAD_WAIT;
              end
            end
          end
        end
        S_LOAD_WAIT: if (img_done) begin
          if (img_result == 2'd0) begin
            streaming <= 1'b0;
            at_rest();
            answer(T_STATUS);
          end else if (img_result == 2'd1) fail(E_BAD_IMAGE, M_IMG_INVALID);
          else fail(E_CAPACITY, M_IMG_CAPACITY);
        end
        // ---- INPUT_FRAME / TARGET_FRAME values into the core ----
        S_VAL_COPY: begin
          if (b < nb) q_off <= q_off + 13'd1;
          b <= b + 13'd1;
          if (b != 13'd0) begin
            vacc <= {q_rd, vacc[23:8]};
            m3 <= (m3 == 2'd2) ? 2'd0 : m3 + 2'd1;
            if (m3 == 2'd2) begin
              vi <= vi + 16'd1;
              if (is_target) begin tgt_we <= 1'b1; tgt_idx <= vi; tgt_value <= {q_rd, vacc[23:8]}; end
              else begin in_we <= 1'b1; in_idx <= vi; in_value <= {q_rd, vacc[23:8]}; end
            end
          end
          if (b == nb) begin
            if (is_target) begin
              tgt_commit <= 1'b1;
              state <= S_POP;
            end else begin
              frame_go <= 1'b1;
              state <= S_GO_WAIT;
            end
          end
        end
        S_GO_WAIT: if (frame_done) begin
          plen <= out_plen;
          h_need <= out_plen;
          h_begin <= 1'b1;
          dly <= 2'd2;
          state <= S_OUT_HIST;
        end
        S_OUT_HIST: begin             // history makes room (evicts the oldest outputs)
          if (dly != 2'd0) dly <= dly - 2'd1;
          else if (h_ready) begin
            need_len <= 13'd11 + plen;
            after_room <= S_OUT_HDR;
            state <= S_ROOM;
          end
        end
        S_ROOM: if (room_ok) begin    // the frame fits the retransmission store
          k <= 13'd0;
          b <= 13'd0;
          h_ra <= rs_ptr;
          state <= after_room;
        end
        S_OUT_HDR: begin              // header, frame, timeUs, count
          st_we <= 1'b1;
          st_wo <= k;
          case (k[4:0])
            5'd0: st_wd <= 8'd1;
            5'd1: st_wd <= T_OUTPUT;
            5'd9: st_wd <= plen[7:0];
            5'd10: st_wd <= {3'd0, plen[12:8]};
            5'd11, 5'd12, 5'd13, 5'd14: st_wd <= byte_of(p_u32a, k[1:0] - 2'd3);
            5'd15, 5'd16, 5'd17, 5'd18: st_wd <= byte_of(p_u32b, k[1:0] - 2'd3);
            5'd19: st_wd <= cur_w[7:0];
            5'd20: st_wd <= cur_w[15:8];
            default: st_wd <= 8'd0;
          endcase
          if (k >= 13'd11) begin
            h_wr <= 1'b1;
            h_off <= hk;
            case (k[4:0])
              5'd11, 5'd12, 5'd13, 5'd14: h_data <= byte_of(p_u32a, k[1:0] - 2'd3);
              5'd15, 5'd16, 5'd17, 5'd18: h_data <= byte_of(p_u32b, k[1:0] - 2'd3);
              5'd19: h_data <= cur_w[7:0];
              default: h_data <= cur_w[15:8];
            endcase
          end
          k <= k + 13'd1;
          if (k == 13'd20) begin
            vi <= 16'd0;
            vn <= cur_w[15:0];
            state <= (cur_w == 18'd0) ? S_OUT_END : S_OUT_REQ;
          end
        end
        S_OUT_REQ: begin
          out_rd_req <= 1'b1;
          out_rd_idx <= vi;
          state <= S_OUT_WAITV;
        end
        S_OUT_WAITV: if (out_rd_valid) begin
          vacc <= out_rd_data;
          m3 <= 2'd0;
          state <= S_OUT_W;
        end
        S_OUT_W: begin                // one i24, little-endian, into the frame and the history
          st_we <= 1'b1;
          st_wo <= k;
          st_wd <= vacc[7:0];
          h_wr <= 1'b1;
          h_off <= hk;
          h_data <= vacc[7:0];
          vacc <= {8'd0, vacc[23:8]};
          k <= k + 13'd1;
          m3 <= m3 + 2'd1;
          if (m3 == 2'd2) begin
            vi <= vi + 16'd1;
            state <= (vi + 16'd1 == vn) ? S_OUT_END : S_OUT_REQ;
          end
        end
        S_OUT_END: begin
          st_commit <= 1'b1;
          st_commit_len <= 13'd11 + plen;
          h_end <= 1'b1;
          h_bytes <= plen;
          last_frame <= p_u32a;
          after_out <= 1'b1;         // expected frame = last + 1, set in S_POP (shares next_start's adder)
          state <= S_POP;
        end
        // ---- STATUS / END_STREAM / ERROR ----
        S_EMIT_ROOM: begin            // the message text's length is known now
          need_len <= 13'd11 + em_plen;
          em_last <= 13'd10 + em_plen;
          after_room <= S_EMIT;
          state <= S_ROOM;
        end
        S_EMIT: begin                 // byte k computed (and its text character read), byte k - 1 written
          em_q <= em_byte;
          em_rom_q <= em_is_rom;
          k <= k + 13'd1;
          if (k != 13'd0) begin
            st_we <= 1'b1;
            st_wo <= k - 13'd1;
            st_wd <= em_rom_q ? rom_ch : em_q;
          end
          if (k == em_last + 13'd1) begin
            st_commit <= 1'b1;
            st_commit_len <= em_last + 13'd1;
            state <= S_POP;
          end
        end
        // ---- RESEND_OUTPUTS: walk the history to fromFrame, then resend each entry ----
        S_RS_NEXT: begin
          if (rs_skip && rs_frame == p_u32a) rs_skip <= 1'b0;
          else begin
            h_ra <= rs_ptr + 8;
            state <= S_RS_C1;
          end
        end
        S_RS_C1: begin h_ra <= rs_ptr + 9; state <= S_RS_C2; end
        S_RS_C2: begin rs_lo <= h_rd; state <= S_RS_C3; end
        S_RS_C3: begin
          if (rs_skip) begin
            rs_ptr <= rs_ptr + rs_plen[HAW-1:0];
            rs_frame <= rs_frame + 32'd1;
            state <= S_RS_NEXT;
          end else begin
            plen <= rs_plen;
            need_len <= 13'd11 + rs_plen;
            after_room <= S_RS_COPY;
            state <= S_ROOM;
          end
        end
        S_RS_COPY: begin              // header from registers, payload from the history (one cycle late)
          if (k < 13'd11) begin
            st_we <= 1'b1;
            st_wo <= k;
            st_wd <= (k == 13'd0) ? 8'd1 : (k == 13'd1) ? T_OUTPUT : (k == 13'd9) ? plen[7:0] :
                     (k == 13'd10) ? {3'd0, plen[12:8]} : 8'd0;
            k <= k + 13'd1;
          end else begin
            h_ra <= h_ra + 1'b1;
            b <= b + 13'd1;
            if (b != 13'd0) begin
              st_we <= 1'b1;
              st_wo <= k;
              st_wd <= h_rd;
              k <= k + 13'd1;
            end
            if (b == plen) begin
              st_commit <= 1'b1;
              st_commit_len <= 13'd11 + plen;
              rs_ptr <= rs_ptr + plen[HAW-1:0];
              rs_frame <= rs_frame + 32'd1;
              state <= (rs_frame == last_frame) ? S_POP : S_RS_WAIT;
            end
          end
        end
        S_RS_WAIT: state <= S_RS_NEXT; // the store's head moves after the commit
        S_POP: begin
          if (after_out) expected_frame <= next_start;
          after_out <= 1'b0;
          q_pop <= 1'b1;
          q_pop_bytes <= 13'd3 + m_len;
          state <= S_POP2;
        end
        default: state <= S_IDLE;     // S_POP2: the queue's pointers move
      endcase
    end
  end

  // first decision on a fetched message: well-formedness, then each type's checks in order
  task dispatch;
    begin
      b <= 13'd0;
      vi <= 16'd0;
      m3 <= 2'd0;
      if (!well) begin
        if (m_type[7:4] == 4'd0 && m_type != 8'd0) fail(E_BAD_FRAME_NC, M_MALFORMED);
        else fail(E_UNKNOWN, M_UNKNOWN_TYPE);
      end else case (m_type)
        8'h01: state <= S_POP;        // HELLO with SEQ: acknowledged and ignored
        8'h03: load_image();
        8'h04: set_param();
        8'h05: begin
          if (!image_loaded) fail(E_NO_IMAGE, M_NO_IMAGE);
          else begin
            core_reset <= 1'b1;
            restore_weights <= (p0 == 8'd1);
            streaming <= 1'b0;
            at_rest();
            answer(T_STATUS);
          end
        end
        8'h06: start_stream();
        8'h07: begin
          if (image_loaded) streaming <= 1'b0;
          answer(T_STATUS);
        end
        8'h08, 8'h09: values_frame(m_type == 8'h09);
        8'h0E: begin
          if (image_loaded && streaming) streaming <= 1'b0;
          answer(T_END);
        end
        8'h0F: resend();
        default: fail(E_UNKNOWN, M_NOT_ACCEPTED);
      endcase
    end
  endtask

  task load_image;
    begin
      if (streaming && image_loaded) fail(E_BAD_IMAGE, M_STREAMING_LOAD);
      else if (p_u32a == 32'd0 && (total_small || total_big))
        fail(E_BAD_IMAGE, M_IMG_SIZE);
      else if ((p_u32a == 32'd0) ? (chunk_end > {1'b0, p_u32b})
               : (!img_active || p_u32a != img_got || p_u32b != img_tot || chunk_end > {1'b0, p_u32b})) begin
        if (p_u32a == 32'd0) begin    // offset 0 starts a new buffer even when the chunk is then refused
          img_active <= 1'b1; img_got <= 32'd0; img_tot <= p_u32b;
        end
        fail(E_BAD_IMAGE, M_IMG_CHUNK);
      end else begin
        if (p_u32a == 32'd0) begin
          img_active <= 1'b1; img_got <= 32'd0; img_tot <= p_u32b;
        end
        nb <= m_len - 13'd8;
        q_off <= 13'd11;
        img_wr_addr <= p_u32a[16:0];
        img_room <= (p_u32a[31:IAW] != 0) ? 17'd0 : IMG_BYTES - p_u32a[16:0];
        img_last <= chunk_end[31:0] == p_u32b;
        state <= S_LOAD_COPY;
      end
    end
  endtask

  task set_param;
    begin
      if (p_u16_0 == 16'd1 && (p_i32_2 == 32'd0 || p_i32_2 == 32'd1)) begin
        learn <= p_i32_2[0];
        answer(T_STATUS);
      end else if (image_loaded && ((p_u16_0 == 16'd2 && p_i32_2[31:24] == 8'd0) ||
                                    (p_u16_0 == 16'd3 && p_i32_2[31:16] == 16'd0 && p_i32_2[15:0] != 16'd0))) begin
        param_we <= 1'b1;
        param_id <= p_u16_0;
        param_value <= p_i32_2;
        answer(T_STATUS);
      end else if (!image_loaded && p_u16_0 != 16'd1) fail(E_BAD_PARAM, M_NO_IMAGE);
      else fail(E_BAD_PARAM, M_PARAM_RANGE);
    end
  endtask

  task start_stream;
    begin
      if (!image_loaded) fail(E_NO_IMAGE, M_NO_IMAGE);
      else if (p8 == 8'd0 || p8[7:4] != 4'd0) fail(E_BAD_PARAM, M_PROBES);
      else if (cand_bytes > MAX_PAYLOAD) fail(E_CAPACITY, M_PROBES_SIZE);
      else if (p_u32a != 32'd0 && !(last_frame != NO_FRAME && p_u32a == next_start))
        fail(E_OUT_OF_ORDER, M_START_ORDER);
      else begin
        if (p_u32a == 32'd0 && last_frame != NO_FRAME) begin   // a new stream: core at rest, weights kept
          core_reset <= 1'b1;
          restore_weights <= 1'b0;
          last_frame <= NO_FRAME;
          h_clear <= 1'b1;
        end
        probes <= p8[3:0];
        expected_frame <= p_u32a;
        streaming <= 1'b1;
        answer(T_STATUS);
      end
    end
  endtask

  task values_frame(input tgt);
    begin
      is_target <= tgt;
      if (!streaming || !image_loaded)
        fail(E_NOT_STREAMING, tgt ? M_TGT_NOT_STREAMING : M_IN_NOT_STREAMING);
      else if (p_u32a != expected_frame) fail(E_OUT_OF_ORDER, M_ORDER);
      else if ((tgt ? p_u16_4 : p_u16_8) != (tgt ? n_outputs : n_stim_inputs))
        fail(E_BAD_FRAME, M_COUNT);
      else begin
        nb <= tgt ? cnt3_4[12:0] : cnt3_8[12:0];
        q_off <= tgt ? 13'd9 : 13'd13;
        state <= S_VAL_COPY;
      end
    end
  endtask

  task resend;
    begin
      if (last_frame == NO_FRAME || p_u32a > last_frame) state <= S_POP;
      else if (h_count == 16'd0 || p_u32a < h_first)
        fail(E_HISTORY, M_HISTORY);
      else begin
        rs_ptr <= h_tail;
        rs_frame <= h_first;
        rs_skip <= 1'b1;
        state <= S_RS_NEXT;
      end
    end
  endtask
endmodule
