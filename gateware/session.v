// session: the board's message layer (docs/protocol.md 5-9) on top of the link. It takes the SEQ
// messages link_rx queued in rx_queue one at a time, in order, checks them in the order the reference
// board (host/board/virtual-board.ts) does, drives nla_core (image staging and commit, parameters,
// resets, input/target values, frames, output reads), writes its answers (STATUS, END_STREAM, ERROR,
// OUTPUT_FRAME) into link_tx's retransmission store, keeps the output history, and answers HELLO with
// HELLO_ACK once the messages accepted before the HELLO are processed. A message's credit returns (pop)
// only when it is finished: for an INPUT_FRAME after its OUTPUT_FRAME is committed (7.3).
// Small by construction: the session's 32-bit numbers (last frame, rejected count, image progress, a
// temporary, a value count) live in a byte RAM; every 32-bit check and update, and the wide checks of a
// message (its value count, width(probes)), run through one byte-serial adder (S_ALU, 5 cycles: A from
// the byte source read one cycle ahead - message bytes through the queue's read port, numbers through
// the number RAM, the core's counters through a register -, B from `b_b`), and every answer is built
// byte by byte from the same byte source with a table of field addresses. The message's first bytes
// (e[]) are also kept in registers, with a zero flag per byte, for the checks made at once.
module session #(
  parameter QAW = 12,
  parameter QMEM = 3584,               // rx_queue's ring: [QBASE, QMEM) (the ERROR texts below)
  parameter QBASE = 502,
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
  output     [12:0]   q_pop_bytes,
  input               hello_seen,
  // link_tx: HELLO_ACK and the retransmission store
  output reg          hello_ack_req,
  output     [7:0]    ha_flags,          // the snapshot link_tx latches with hello_ack_req
  output     [31:0]   ha_crc,
  output     [31:0]   ha_last,
  input               ha_busy,           // link_tx is sending a HELLO_ACK
  output reg          st_we,
  output reg [12:0]   st_wo,             // byte offset in the frame being written
  output reg [7:0]    st_wd,
  output reg          st_commit,
  output     [12:0]   st_commit_len,
  input      [RAW:0]  st_room,
  input               st_slot_free,
  // nla_core
  output reg          img_wr_en,
  output reg [16:0]   img_wr_addr,
  output reg [7:0]    img_wr_data,
  output reg          img_commit,
  output     [16:0]   img_total,
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
  output     [15:0]   param_id,
  output     [31:0]   param_value,
  output reg          in_we,
  output     [15:0]   in_idx,
  output     [23:0]   in_value,
  output reg          tgt_we,
  output     [15:0]   tgt_idx,
  output     [23:0]   tgt_value,
  output reg          tgt_commit,
  output reg          frame_go,
  input               frame_done,
  output reg [3:0]    probes,
  output reg          out_rd_req,
  output     [15:0]   out_rd_idx,
  input               out_rd_valid,
  input      [23:0]   out_rd_data,
  input      [31:0]   saturations,
  input      [31:0]   frames_processed,
  output     [1:0]    board_state        // 0 IDLE, 1 LOADED, 2 STREAMING
);
  `include "session_defs.vh"
  `include "cmp_const.vh"
  localparam IAW = $clog2(IMG_BYTES);   // IMG_BYTES must be a power of two, at most 65536
  // value indices: a frame's values fit its payload (<= MAX_PAYLOAD bytes, 3 per value; the stream's
  // width is checked against MAX_PAYLOAD at START_STREAM and cannot change while streaming)
  localparam VW = $clog2(MAX_PAYLOAD / 3 + 1);
  // a frame (11 + payload bytes, payload <= MAX_PAYLOAD) is shorter than 2**LW bytes: the queue offset,
  // the frame byte counters and payload lengths (q_off, k, st_wo, plen, out_plen) keep their bits from
  // LW up at 0 (their ports and comparisons stay 13 bits wide)
  localparam LW = $clog2(MAX_PAYLOAD + 12);

  (* fsm_encoding = "one-hot" *) reg [5:0]  state;   // (one-hot: -16 LUT4, +18 FF; see S_ALU)
  reg [12:0] q_off;
  // the position `off` bytes after `ptr` in the ring (off < QMEM - QBASE)
  localparam [31:0] QD = QMEM, QR = QMEM - QBASE;
  function [QAW-1:0] qpos(input [QAW-1:0] ptr, input [12:0] off);
    reg [13:0] s;
    begin
      s = {{(14 - QAW){1'b0}}, ptr} + {1'b0, off};
      qpos = ge_c({27'd0, s[13:9]}, {27'd0, QD[13:9]}) ? s[QAW-1:0] - QR[QAW-1:0] : s[QAW-1:0];   // (the memory: whole EBRs)
    end
  endfunction
  // the entry: e[0] type, e[1..2] payload length, e[3..14] payload bytes 0..11, e[15] payload byte 31
  /* verilator lint_off UNUSEDSIGNAL */ // payload bytes 9..11 are fetched but not used (read through the queue)
  reg [127:0] ev;
  /* verilator lint_on UNUSEDSIGNAL */
  // the session's numbers (32 bits each): 0 last frame (NO_FRAME while no_last), 1 rejected frames
  // (0 while !rej_ok), 2 image bytes received, 3 image total, 4 a temporary, 5 the value count of an
  // INPUT/TARGET_FRAME (minus 1 for TARGET_FRAME). They live in a byte RAM (one EBR)
  // (number n byte j at 4 n + j; one registered read port, one write port); the last frame and the
  // image total are also shifted into registers as they are written (HELLO_ACK's snapshot, the core)
  reg [7:0]  nm [0:31];
  reg [7:0]  nm_q;
  reg [4:0]  nm_ra;
  reg        nm_we;
  reg [4:0]  nm_wa;
  reg [31:0] last32, tot32;
  reg        rej_ok;
  reg [4:0]  f;
  wire [7:0]  m_type = ev[7:0];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [7:0]  e2 = ev[23:16];
  /* verilator lint_on UNUSEDSIGNAL */
  wire [12:0] m_len  = {e2[4:0], ev[15:8]};
  wire [16:0] p_u32a = {ev[40], ev[39:32], ev[31:24]};                   // payload 0..3 (low 17 bits)
  wire [7:0]  p4 = ev[63:56], p7 = ev[87:80];                          // payload 4, 7 (the image total's)
  wire [15:0] p_u16_0 = {ev[39:32], ev[31:24]};
  wire [31:0] p_i32_2 = {ev[71:64], ev[63:56], ev[55:48], ev[47:40]};
  wire [7:0]  p0 = ev[31:24], p8 = ev[95:88];
  // zero tests of the fields from flags captured with the bytes (zf[i]: e[i] == 0)
  /* verilator lint_off UNUSEDSIGNAL */
  reg  [15:0] zf;
  /* verilator lint_on UNUSEDSIGNAL */
  wire        p_a0 = &zf[6:3];
  wire        p_u16_0_1 = p0 == 8'd1 && zf[4];                          // payload u16 at 0 = 1
  wire [31:0] img_tot = tot32;
  assign ha_flags = {no_last, 5'd0, image_loaded, booted};
  assign ha_crc = image_crc;
  assign ha_last = last32;
  wire [13:0] mlen8 = {1'b0, m_len} - 14'd8;   // (signed)

  // ---- session state ----
  reg        streaming, booted, hello_pend, img_active, no_last;
  reg [QAW-1:0] hello_mark;
  assign board_state = !image_loaded ? 2'd0 : streaming ? 2'd2 : 2'd1;
  // HELLO_ACK's snapshot (flag bit 7: no frame computed; unseq_frame sends crc 0 without an image and
  // lastFrame NO_FRAME with bit 7)

  // ---- well-formedness of the payload (messages.ts decodePayload) ----
  // INPUT_FRAME/OUTPUT_FRAME (value count: payload bytes 8, 9) and TARGET_FRAME (4, 5) must be 10/6 + 3
  // values long: checked by the serial adder before dispatch (S_WF1..4, wv_ok), which leaves the count
  // (minus 1 for TARGET_FRAME) in number 5 for the count check against the core's
  wire        m_tgt = m_type == 8'h09;
  wire        m_vals = m_type == 8'h08 || m_type == 8'h0A || m_tgt;
  reg         wv_ok;
  // the payload length a message must have: a constant per type plus at most one of its bytes (one
  // adder, one comparison), or 6/10 + 3 values (INPUT_FRAME, TARGET_FRAME, OUTPUT_FRAME)
  reg  [5:0]  wf_base;
  reg  [1:0]  wf_var;               // 0 none, 1 payload byte 8, 2 byte 31, 3 byte 6
  reg         wf_fixed;             // the type has a length of that form
  always @(*) begin
    wf_base = 6'd0; wf_var = 2'd0; wf_fixed = 1'b1;
    case (m_type)
      8'h01: begin wf_base = 6'd9; wf_var = 2'd1; end
      8'h02: begin wf_base = 6'd32; wf_var = 2'd2; end
      8'h04: wf_base = 6'd6;
      8'h05: wf_base = 6'd1;
      8'h06: wf_base = 6'd9;
      8'h07, 8'h0D: wf_base = 6'd0;
      8'h0B: wf_base = 6'd18;
      8'h0C: begin wf_base = 6'd7; wf_var = 2'd3; end
      8'h0E: wf_base = 6'd8;
      8'h0F: wf_base = 6'd4;
      default: wf_fixed = 1'b0;
    endcase
  end
  // checked by the serial adder too (S_WF5, S_WF4): temp = the byte (or 0) + (base - 8), the constant read
  // from the byte source at A_WFC (sign-extended); then temp - (len - 8) is 0 when len = base + byte
  wire [7:0]  wfc = {2'd0, wf_base} - 8'd8;
  wire well = (m_type == 8'h03 && m_len[12:3] != 10'd0) ||                     // at least 8
              ((wf_fixed || m_vals) && wv_ok);                                   // base + byte; 10 or 6 + 3 values

  // ---- width(probes) (7.4) ----
  // START_STREAM's candidate probes (payload byte 8): w = width(probes) is summed by the serial adder
  // (n_outputs for each of probes 0..2, n_neurons for probe 3; S_SW1) and read from alo (the last sum;
  // w < 2**18); an OUTPUT_FRAME of 10 + 3 w bytes must fit MAX_PAYLOAD (w <= WMAX). The stream's width
  // and OUTPUT_FRAME payload length are kept from its START_STREAM (the image, and so the widths,
  // cannot change while streaming)
  localparam [17:0] WMAX = (MAX_PAYLOAD - 10) / 3;
  wire [17:0] cand_w = alo[17:0];
  wire        cand_big = ge_c({14'd0, cand_w}, {14'd0, WMAX} + 32'd1);
  wire [12:0] cand_plen = 13'd10 + cand_w[12:0] + {cand_w[11:0], 1'b0};   // (w <= WMAX)
  reg  [2:0]  pi;                   // the probe added next
  reg         ss_ok;                // frame = last + 1
  reg  [VW-1:0] sw;
  reg  [12:0] out_plen;
  wire [15:0] cur_w = {{(16 - VW){1'b0}}, sw};

  // ---- output history ----
  reg         h_clear, h_begin, h_wr, h_end;
  reg [HAW-1:0] h_ra;
  wire        h_ready;
  wire [7:0]  h_rd;
  wire [HAW-1:0] h_tail;
  wire [HAW-1:0] h_count;           // (an entry has at least 10 bytes: fewer than 2**HAW entries)
  wire        h_empty = h_count == {HAW{1'b0}};
  reg  [12:0] plen;                 // payload length of the frame being built
  wire [12:0] flen = 13'd11 + plen; // its length in the store
  // an entry's size (10 + 3 count) for RESEND_OUTPUTS: output_history computes it from the count field
  // read at rs_ptr + 8 (low byte captured in S_RS_C2 with lo_we, high byte on the read port in S_RS_C3)
  wire [12:0] rs_plen;
  output_history #(.AW(HAW)) hist (.clk(clk), .rst(rst), .clear(h_clear), .begin_req(h_begin),
    .need_bytes(plen), .ready(h_ready), .wr_en(h_wr), .wr_off(st_wo - 13'd11), .wr_data(st_wd),
    .end_req(h_end), .end_bytes(plen), .rd_addr(h_ra), .rd_data(h_rd), .lo_we(state == S_RS_C2),
    .ent_bytes(rs_plen), .tail(h_tail), .count(h_count));

  // ---- the byte source: one byte of the message, of the session's numbers or of the core's, read at
  // address sa in one cycle and used in the next (srcd): message bytes through the queue's read port
  // (queue offset = sa), numbers through the number RAM, the core's counters through a register ----
  reg  [5:0] sa;
  reg  [7:0] core_b, core_q;
  always @(*) begin
    case (sa[3:2])
      2'd1: core_b = frames_processed[8*sa[1:0] +: 8];
      2'd2: core_b = saturations[8*sa[1:0] +: 8];
      default: core_b = sa[1] ? (sa[0] ? n_outputs[15:8] : n_outputs[7:0])
                              : (sa[0] ? img_err_offset[15:8] : img_err_offset[7:0]);
    endcase
    if (sa[5:4] == 2'd1) core_b = 8'd0;          // rejectedFrames before the first rejection
    if (sa[5:4] == 2'd3)
      case (sa[3:2])
        2'd0: core_b = sa[1] ? (sa[0] ? {7'd0, image_loaded} : {6'd0, board_state})
                             : (sa[0] ? n_stim_inputs[15:8] : n_stim_inputs[7:0]);
        2'd1: core_b = sa[1] ? (sa[0] ? n_neurons[15:8] : n_neurons[7:0]) : (sa[0] ? cur_w[15:8] : cur_w[7:0]);
        2'd2: core_b = (sa[1:0] == 2'd0) ? wfc : {8{wfc[7]}};    // the length rule's constant (A_WFC)
        default: core_b = 8'd0;
      endcase
  end
  // (sa 16..35: numbers 0..4)
  wire [2:0] sa_num = sa[4:2] - 3'd4;
  wire       sa_is_num = sa[5:4] == 2'd1 || sa[5:2] == 4'd8;
  // the source read last cycle: 0 message, 1 number, 2 core, 3 0xFF (kept binary: yosys recoded it one-hot, +7..+25 LUT4)
  (* fsm_encoding = "none" *) reg  [1:0] sel_d;
  always @(posedge clk) begin
    core_q <= core_b;
    sel_d <= (sa[5:4] == 2'd0) ? 2'd0 : (!sa_is_num || (!rej_ok && sa[5:2] == 4'd5)) ? 2'd2
           : (no_last && sa[5:2] == 4'd4) ? 2'd3 : 2'd1;
  end
  wire [7:0] srcd = (sel_d == 2'd0) ? q_rd : (sel_d == 2'd2) ? core_q : (sel_d == 2'd3) ? 8'hFF : nm_q;

  // ---- the serial adder: 5 cycles, bytes read in cycles aj = 0..3 and added one cycle later:
  // A (sa = aa + j, an bytes) +/- B (+ carry in), optionally written into number aw_sel byte j; flags:
  // ac carry out (for A - B: A >= B), az result zero, alo its low 24 bits ----
  reg  [2:0] aj;
  wire [1:0] ajd = aj[1:0] - 2'd1;   // the byte added (aj 1..4)
  reg  [1:0] an;
  reg  [5:0] aa;
  reg  [5:0] aret;   // the return state: decoded again by the if chain in S_ALU, checked in simulation below
  reg  [2:0] ab, aw_sel;
  reg        asub, aw;               // (decoded from aop below)
  reg        ac, az;
  /* verilator lint_off UNUSEDSIGNAL */ // RESEND_OUTPUTS uses the low HAW bits (fromFrame - first < count)
  reg  [23:0] alo;
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [7:0] b_b;
  always @(*) begin
    case (ab)
      B_LAST: b_b = no_last ? 8'hFF : nm_q;
      B_GOT, B_TOT, B_TEMP, B_N5: b_b = nm_q;
      B_MLEN8: b_b = ajd[1] ? {8{mlen8[13]}} : ajd[0] ? {{3{mlen8[13]}}, mlen8[12:8]} : mlen8[7:0];
      B_HCOUNT: b_b = ajd[1] ? 8'd0 : ajd[0] ? hc16[15:8] : hc16[7:0];
      default: b_b = 8'd0;
    endcase
  end
  wire [7:0] a_b = ((an == N1 && ajd != 2'd0) || (an == N2 && ajd[1])) ? 8'd0 : srcd;
  wire [8:0] sum9 = {1'b0, a_b} + {1'b0, asub ? ~b_b : b_b} + {8'd0, ac};
  // the operations of the adder, by number: A, its bytes, B, subtract, write, written number, next state
  reg  [5:0] aop;
  function [21:0] opw_of(input [5:0] op);
    begin
      case (op)
        6'd0: opw_of = {A_P4, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd1: opw_of = {A_P0, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd2: opw_of = {A_ERROFF, N2, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd3: opw_of = {A_TOT, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd4: opw_of = {A_P0, N2, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd5: opw_of = {A_LAST, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd6: opw_of = {A_NOUT, N2, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd7: opw_of = {A_NSTIM, N2, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd8: opw_of = {A_MTYPE, N1, B_ZERO, 1'b0, 1'b1, W_TEMP, S_FAIL2};
        6'd9: opw_of = {A_REJ, N4, B_ZERO, 1'b0, 1'b1, W_REJ, S_EMIT_ROOM};
        6'd10: opw_of = {A_P4, N4, B_TEMP, 1'b1, 1'b0, W_TEMP, S_LI2};
        6'd11: opw_of = {A_ZERO, N4, B_ZERO, 1'b0, 1'b1, W_GOT, S_LI_T};
        6'd12: opw_of = {A_P0, N4, B_GOT, 1'b1, 1'b0, W_TEMP, S_LI3};
        6'd13: opw_of = {A_P4, N4, B_ZERO, 1'b0, 1'b1, W_TOT, S_LI5};
        6'd14: opw_of = {A_P4, N4, B_TOT, 1'b1, 1'b0, W_TEMP, S_LI4};
        6'd15: opw_of = {A_TEMP, N4, B_ZERO, 1'b0, 1'b1, W_GOT, S_LOAD_FIN};
        6'd16: opw_of = {A_P0, N4, B_ZERO, 1'b0, 1'b1, W_LAST, S_POP};
        6'd17: opw_of = {A_LAST, N4, B_HCOUNT, 1'b1, 1'b1, W_TEMP, S_RS2};
        6'd18: opw_of = {A_TEMP, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_RS3};
        6'd19: opw_of = {A_P0, N4, B_TEMP, 1'b1, 1'b0, W_TEMP, S_RS4};
        6'd20: opw_of = {A_P0, N4, B_MLEN8, 1'b0, 1'b1, W_TEMP, S_LI1};
        6'd21: opw_of = {A_P0, N4, B_LAST, 1'b1, 1'b0, W_TEMP, S_SS1};
        6'd22: opw_of = {A_P0, N4, B_LAST, 1'b1, 1'b0, W_TEMP, S_VF1};
        6'd23: opw_of = {A_P0, N4, B_LAST, 1'b1, 1'b0, W_TEMP, S_RS1};
        // the value count c: number 5 = c (INPUT/OUTPUT_FRAME) or c - 1 (TARGET_FRAME); temp = c + n5 (+ 1):
        // then c + temp (+ 1): 3 c + 2 or 3 c - 1; then temp - (len - 8) (- 1) is 0 when len = 10 + 3 c or 6 + 3 c
        6'd24: opw_of = {A_P4, N2, B_ZERO, 1'b1, 1'b1, W_N5, S_WF1};
        6'd25: opw_of = {A_P8, N2, B_ZERO, 1'b0, 1'b1, W_N5, S_WF1};
        6'd26: opw_of = {A_P4, N2, B_N5, 1'b0, 1'b1, W_TEMP, S_WF2};
        6'd27: opw_of = {A_P8, N2, B_N5, 1'b0, 1'b1, W_TEMP, S_WF2};
        6'd31: opw_of = {A_P4, N2, B_TEMP, 1'b0, 1'b1, W_TEMP, S_WF4};
        6'd32: opw_of = {A_P8, N2, B_TEMP, 1'b0, 1'b1, W_TEMP, S_WF4};
        6'd28: opw_of = {A_TEMP, N4, B_MLEN8, 1'b1, 1'b0, W_TEMP, S_WF3};
        // the count check: n_outputs - c (TARGET_FRAME), n_stim_inputs - c (INPUT_FRAME)
        6'd29: opw_of = {A_NOUT, N2, B_N5, 1'b1, 1'b0, W_TEMP, S_VF2};
        6'd30: opw_of = {A_NSTIM, N2, B_N5, 1'b1, 1'b0, W_TEMP, S_VF2};
        // width(probes): temp = 0, then n_outputs / n_neurons + temp for each probe set
        6'd33: opw_of = {A_ZERO, N4, B_ZERO, 1'b0, 1'b1, W_TEMP, S_SW1};
        6'd34: opw_of = {A_NOUT, N2, B_TEMP, 1'b0, 1'b1, W_TEMP, S_SW1};
        6'd35: opw_of = {A_NNEUR, N2, B_TEMP, 1'b0, 1'b1, W_TEMP, S_SW1};
        // the fixed length rule: temp = payload byte 8 / 31 / 6 or 0, then temp + (base - 8), then op 28 (+ 1)
        6'd36: opw_of = {A_P8, N1, B_ZERO, 1'b0, 1'b1, W_TEMP, S_WF5};
        6'd37: opw_of = {A_P0, N1, B_ZERO, 1'b0, 1'b1, W_TEMP, S_WF5};   // (queue offset 34 set at the call)
        6'd38: opw_of = {A_P6, N1, B_ZERO, 1'b0, 1'b1, W_TEMP, S_WF5};
        6'd39: opw_of = {A_ZERO, N1, B_ZERO, 1'b0, 1'b1, W_TEMP, S_WF5};
        6'd40: opw_of = {A_WFC, N4, B_TEMP, 1'b0, 1'b1, W_TEMP, S_WF4};
        default: opw_of = {A_ZERO, N1, B_ZERO, 1'b0, 1'b0, W_TEMP, S_IDLE};
      endcase
    end
  endfunction
  // A's first byte: for a message byte, its queue offset (q_off is set with the call, a constant there)
  /* verilator lint_off UNUSEDSIGNAL */
  function [5:0] a_of(input [5:0] op);
    reg [21:0] w;
    begin
      w = opw_of(op);
      a_of = w[21:16];
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  always @(*) {aa, an, ab, asub, aw, aw_sel, aret} = opw_of(aop);
  task call(input [5:0] op, input cin);
    begin
      aop <= op; ac <= cin; az <= 1'b1; aj <= 3'd0; state <= S_ALU;
      q_off <= {7'd0, a_of(op)};
    end
  endtask

  // ---- emission of STATUS / END_STREAM / ERROR: byte k computed in one cycle, written in the next ----
  reg [7:0]  em_type;
  reg [4:0]  err_msg;               // the message id names the error: its code, frame and count follow
  reg [7:0]  err_code;              // (codes < 256: the high byte is 0)
  reg        err_fr, count_rej;     // the ERROR names the message's frame; rejectedFrames + 1
  always @(*) begin
    err_fr = 1'b0; count_rej = 1'b0;
    case (err_msg)
      M_STREAMING_LOAD, M_IMG_SIZE, M_IMG_CHUNK, M_IMG_INVALID: err_code = E_BAD_IMAGE[7:0];
      M_IMG_CAPACITY, M_IMG_STAGING, M_PROBES_SIZE: err_code = E_CAPACITY[7:0];
      M_NO_IMAGE: err_code = E_NO_IMAGE[7:0];
      M_PARAM_RANGE, M_PROBES, M_PARAM_NO_IMAGE: err_code = E_BAD_PARAM[7:0];
      M_START_ORDER, M_ORDER: begin err_code = E_OUT_OF_ORDER[7:0]; err_fr = 1'b1; count_rej = 1'b1; end
      M_IN_NOT_STREAMING, M_TGT_NOT_STREAMING: begin err_code = E_NOT_STREAMING[7:0]; err_fr = 1'b1; end
      M_COUNT: begin err_code = E_BAD_FRAME[7:0]; err_fr = 1'b1; count_rej = 1'b1; end
      M_MALFORMED: err_code = E_BAD_FRAME[7:0];     // (a payload that does not decode: not counted)
      M_HISTORY: begin err_code = E_HISTORY[7:0]; err_fr = 1'b1; end
      default: err_code = E_UNKNOWN[7:0];           // UNKNOWN_TYPE, NOT_ACCEPTED
    endcase
  end
  reg [12:0] k;
  reg [7:0]  em_q;                  // byte k - 1: a constant, a text character, or the byte source
  reg        em_rom_q, em_src_q, em_hex_q, em_nhi_q;
  wire [8:0] rom_addr;
  wire [7:0] rom_ch = q_rd, rom_len;
  wire       rom_num;
  wire [7:0]  kj = k[7:0] - 8'd11;                     // payload index (an ERROR is shorter than 256 bytes)
  wire [7:0]  ci = kj[7:0] - 8'd7;                     // character index of an ERROR's message
  wire [8:0]  si9 = {1'b0, ci} - {1'b0, rom_len};      // (si9[8]: ci < rom_len)
  wire [7:0]  si = si9[7:0];                            // index in the "0x" + 8 hex digits suffix
  wire [2:0]  hd = si[2:0] - 3'd2;                     // hex digit, most significant first
  // while an ERROR is written, the queue's read port reads its text (queue_mem's first bytes) or the
  // message's frame; an answer's message bytes (em_sa < 16) are read at queue offset em_sa
  wire em_msg = state == S_EMIT && em_src && em_sa[5:4] == 2'd0;
  assign q_ra = (state == S_EMIT && em_type == T_ERROR && !em_msg) ? {{(QAW - 9){1'b0}}, rom_addr}
              : qpos(q_rd_ptr, em_msg ? {7'd0, em_sa} : q_off);
  msg_rom mr (.id(err_msg), .idx(ci), .addr(rom_addr), .base_len(rom_len), .has_num(rom_num));
  wire [7:0]  msg_len = rom_len + (rom_num ? 8'd10 : 8'd0);
  wire [12:0] em_plen = (em_type == T_STATUS) ? 13'd18 : (em_type == T_END) ? 13'd8 : 13'd7 + {5'd0, msg_len};
  wire [6:0] k7 = k[6:0], kj7 = kj[6:0];    // a STATUS/END_STREAM/ERROR frame is shorter than 128 bytes
  // the field table: a constant, or the byte source at em_sa (em_hex: one hex digit of it)
  reg [7:0] em_c;
  reg [5:0] em_sa;
  reg       em_src, em_hex;
  always @(*) begin
    em_c = 8'd0; em_sa = A_ZERO; em_src = 1'b0; em_hex = 1'b0;
    if (k7 == 7'd0) em_c = 8'd1;
    else if (k7 == 7'd1) em_c = em_type;
    else if (k7 == 7'd9) em_c = plen[7:0];
    else if (k7 == 7'd10) em_c = {3'd0, plen[12:8]};
    else if (ge_c({25'd0, k7}, 32'd11)) begin
      if (em_type == T_STATUS) begin
        em_src = 1'b1;
        if (kj7 == 7'd0) em_sa = 6'd50;                               // state
        else if (!ge_c({25'd0, kj7}, 32'd5)) em_sa = {4'b1001, kj[1:0] - 2'd1};     // framesProcessed
        else if (!ge_c({25'd0, kj7}, 32'd9)) em_sa = {4'b0100, kj[1:0] - 2'd1};     // lastFrame
        else if (!ge_c({25'd0, kj7}, 32'd13)) em_sa = {4'b1010, kj[1:0] - 2'd1};    // saturations
        else if (!ge_c({25'd0, kj7}, 32'd17)) em_sa = {4'b0101, kj[1:0] - 2'd1};    // rejectedFrames
        else em_sa = 6'd51;                                           // imageLoaded
      end else if (em_type == T_OUTPUT) begin
        em_src = 1'b1;
        em_sa = out_sa;
      end else if (em_type == T_END) begin
        em_src = 1'b1;
        em_sa = !ge_c({25'd0, kj7}, 32'd4) ? {4'b0100, kj[1:0]} : {4'b1001, kj[1:0]};
      end else begin
        if (kj7 == 7'd0) em_c = err_code;
        else if (kj7 == 7'd1) em_c = 8'd0;
        else if (!ge_c({25'd0, kj7}, 32'd6)) begin
          if (err_fr) begin em_src = 1'b1; em_sa = kj[5:0] + 6'd1; end   // the message's frame
          else em_c = 8'hFF;
        end else if (kj7 == 7'd6) em_c = msg_len;
        else if (si == 8'd0) em_c = 8'h30;                             // "0x"
        else if (si == 8'd1) em_c = 8'h78;
        else begin em_src = 1'b1; em_hex = 1'b1; em_sa = {4'b1000, ~hd[2:1]}; end
      end
    end
  end
  // (the hex digit: nibble 7 - hd of the temporary, the high one of its byte when hd is even)
  wire [3:0] nib = em_nhi_q ? srcd[7:4] : srcd[3:0];
  // (a hex digit as a table: 0-9, a-f)
  wire [7:0] hex_ch = !nib[3] || nib[2:1] == 2'd0 ? {4'h3, nib} : {5'b01100, nib[2:0] - 3'd1};
  wire [7:0] em_wd = em_rom_q ? rom_ch : !em_src_q ? em_q : !em_hex_q ? srcd : hex_ch;
  wire em_is_rom = (em_type == T_ERROR) && ge_c({19'd0, k}, 32'd18) && si9[8];
  // OUTPUT_FRAME header bytes 11..20: frame, timeUs (the message's), count
  wire [5:0] out_sa = ge_c({27'd0, k[4:0]}, 32'd19) ? {5'b11010, ~k[0]} : k[5:0] - 6'd8;
  always @(*) begin
    if (state == S_ALU) sa = aa + {4'd0, aj[1:0]};
    else sa = em_sa;
  end

  // ---- one room check for every frame the session writes: 11 + payload bytes, and a free slot ----
  reg         rs_mode;              // an OUTPUT_FRAME's header for RESEND_OUTPUTS (else for a new output)
  wire room_ok = st_slot_free && {{(13 - RAW){1'b0}}, st_room} >= {1'b0, flen};
  assign st_commit_len = flen;
  assign q_pop_bytes = 13'd3 + m_len;
  assign param_id = p_u16_0;
  assign param_value = p_i32_2;
  assign img_total = img_tot[16:0];

  // ---- working registers ----
  // the copy loops (LOAD_IMAGE chunk, INPUT/TARGET values, RESEND_OUTPUTS payload) present a byte per
  // cycle and use it one cycle later (cp_run: not the first cycle). A chunk's or frame's values end at
  // queue offset 3 + payload length (q_pop_bytes: the checked length is 8 + chunk, 10/6 + 3 values); a
  // resent payload where the history address reaches the entry's end
  reg        cp_run;
  reg [1:0]  m3;                    // byte within an i24 value
  reg [VW-1:0] vi;                  // value index (their count: cur_w)
  reg [23:0] vacc;
  wire       is_target = m_tgt;     // (the message's fields stay until the next fetch)
  reg [1:0]  dly;
  reg        img_last, li_over, li_ne, ce_ovf, h_skip;
  reg [HAW-1:0] rs_ptr;
  wire [HAW-1:0] rs_end = rs_ptr + plen[HAW-1:0];
  reg [HAW-1:0] rs_idx;             // history entry; entries to skip: alo (fromFrame - first < count)
  wire [15:0] hc16 = {{(16 - HAW){1'b0}}, h_count};
  reg        rs_skip;
  assign in_idx = {{(16 - VW){1'b0}}, vi}; assign tgt_idx = in_idx; assign out_rd_idx = in_idx;
  assign in_value = vacc; assign tgt_value = vacc;
  // constant comparisons written out (yosys maps a compare with a constant to a full carry chain)
  wire total_small = zf[8] && zf[9] && zf[10] && p4[7:6] == 2'd0 && !ge_c({26'd0, p4[5:0]}, 32'd48);   // total < 48
  wire total_big = p7[7:3] != 5'd0 || (p7[2] && (p7[1:0] != 2'd0 || !zf[9] || !zf[8] || !zf[7]));   // total > 2**26
  wire tot_big = (img_tot[31:IAW] != 0 && img_tot[IAW-1:0] != 0) || img_tot[31:IAW+1] != 0;
  // the staging address of the chunk's byte b (bytes beyond the staging memory are dropped)
  // (img_wr_addr starts at the chunk's offset; cp_more: a byte of the chunk was written)
  reg         cp_more;
  wire [16:0] wa_next = img_wr_addr + {16'd0, cp_more};
  wire        cp_end = q_off == q_pop_bytes;
  wire        wa_ok = zf[5] && zf[6] && (p_u32a[15:0] >> IAW) == 16'd0 && (wa_next >> IAW) == 17'd0;

  // the answer to send: ERROR (code, frame, message id; its number is computed into the temporary in S_FAIL)
  task fail(input [4:0] msg);
    begin
      err_msg <= msg;
      em_type <= T_ERROR;
      state <= S_FAIL;
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
      no_last <= 1'b1;
      h_clear <= 1'b1;
    end
  endtask
  task load_accept;
    begin
      q_off <= 13'd11;
      img_wr_addr <= p_u32a[16:0];
      state <= S_LOAD_COPY;
    end
  endtask
  task ss_accept;
    begin
      if (p_a0 && !no_last) begin   // a new stream: core at rest, weights kept
        core_reset <= 1'b1;
        restore_weights <= 1'b0;
        no_last <= 1'b1;
        h_clear <= 1'b1;
      end
      probes <= p8[3:0];
      sw <= cand_w[VW-1:0];
      out_plen <= cand_plen;
      streaming <= 1'b1;
      answer(T_STATUS);
    end
  endtask

  // the byte registers e[] (and their zero flags), written while fetching
  wire       e_we = state == S_FETCH && f != 5'd0;
  wire [3:0] e_wi = f[3:0] - 4'd1;
  // the number RAM: the adder reads B's number when B is one (A is a message byte then), else the byte
  // source's; it writes byte ajd of number aw_sel one cycle after reading it
  // (B_LAST, B_GOT, B_TOT, B_TEMP, B_N5: numbers 0, 2, 3, 4, 5)
  wire [2:0] b_num = (ab == B_LAST) ? 3'd0 : (ab == B_N5) ? 3'd5 : ab;
  wire       b_is_num = ab == B_LAST || ab == B_GOT || ab == B_TOT || ab == B_TEMP || ab == B_N5;
  always @(*) begin
    nm_ra = (state == S_ALU && b_is_num) ? {b_num, aj[1:0]} : {sa_num, sa[1:0]};
    nm_we = state == S_ALU && aj != 3'd0 && aw;
    nm_wa = {aw_sel, ajd};
  end
  integer i, hb;
  always @(posedge clk) begin
    for (i = 0; i < 16; i = i + 1) if (e_we && {28'd0, e_wi} == i) begin
      ev[8*i +: 8] <= q_rd;
      zf[i] <= q_rd == 8'd0;
    end
    if (nm_we) nm[nm_wa] <= sum9[7:0];
    nm_q <= nm[nm_ra];
    if (nm_we && aw_sel == W_LAST) last32 <= {sum9[7:0], last32[31:8]};
    if (nm_we && aw_sel == W_TOT) tot32 <= {sum9[7:0], tot32[31:8]};
    if (rst) rej_ok <= 1'b0;
    else if (state == S_EMIT_ROOM && em_type == T_ERROR && count_rej) rej_ok <= 1'b1;   // (after S_FAIL2 counted it)
  end
  always @(posedge clk) begin
    q_pop <= 1'b0; hello_ack_req <= 1'b0; st_we <= 1'b0; st_commit <= 1'b0;
    img_wr_en <= 1'b0; img_commit <= 1'b0; core_reset <= 1'b0; param_we <= 1'b0;
    in_we <= 1'b0; tgt_we <= 1'b0; tgt_commit <= 1'b0; frame_go <= 1'b0; out_rd_req <= 1'b0;
    h_clear <= 1'b0; h_begin <= 1'b0; h_wr <= 1'b0; h_end <= 1'b0;
    if (rst) begin
      state <= S_IDLE; q_off <= 13'd0; f <= 5'd0;
      streaming <= 1'b0; booted <= 1'b1; hello_pend <= 1'b0; img_active <= 1'b0; no_last <= 1'b1;
      hello_mark <= {QAW{1'b0}};
      learn <= 1'b0; probes <= 4'd1; restore_weights <= 1'b0; sw <= {VW{1'b0}}; out_plen <= 13'd10;
      st_wo <= 13'd0; em_q <= 8'd0; em_rom_q <= 1'b0; rs_mode <= 1'b0; st_wd <= 8'd0;
      em_src_q <= 1'b0; em_hex_q <= 1'b0; em_nhi_q <= 1'b0;
      img_wr_addr <= 17'd0; img_wr_data <= 8'd0;
      em_type <= T_STATUS; err_msg <= 5'd0; k <= 13'd0;
      h_skip <= 1'b0; img_last <= 1'b0; li_over <= 1'b0; li_ne <= 1'b0; ce_ovf <= 1'b0; h_ra <= {HAW{1'b0}};
      cp_run <= 1'b0; cp_more <= 1'b0; plen <= 13'd0; m3 <= 2'd0; vi <= {VW{1'b0}}; vacc <= 24'd0;
      dly <= 2'd0; rs_ptr <= {HAW{1'b0}}; rs_idx <= {HAW{1'b0}};
      rs_skip <= 1'b0; wv_ok <= 1'b0;
      aj <= 3'd0; aop <= 6'd0; ac <= 1'b0; az <= 1'b0; alo <= 24'd0; pi <= 3'd0; ss_ok <= 1'b0;
    end else begin
      if (hello_seen && !hello_pend) begin
        hello_pend <= 1'b1;
        hello_mark <= q_wr_ptr;
      end
      if (in_we || tgt_we) vi <= vi + 1'b1;
      if (hello_ack_req) booted <= 1'b0;          // (after link_tx took the snapshot)
      case (state)
        S_IDLE: begin
          q_off <= 13'd0;
          f <= 5'd0;
          k <= 13'd0;
          if (hello_pend && q_rd_ptr == hello_mark && !(hello_seen && !hello_pend) && !ha_busy) begin
            // every message accepted before the HELLO is processed: HELLO_ACK reports the last frame
            hello_ack_req <= 1'b1;
            hello_pend <= 1'b0;
          end else if (q_count != 8'd0 && !(hello_pend && q_rd_ptr == hello_mark)) state <= S_FETCH;
          // (a message behind the mark waits while the HELLO_ACK it follows is still owed)
        end
        S_FETCH: begin                // offsets 0..11 (e[0..11]), one cycle late
          f <= f + 5'd1;
          q_off <= q_off + 13'd1;
          if (f == 5'd13) begin
            if (m_vals) call(m_tgt ? 6'd24 : 6'd25, 1'b0);
            else if (wf_fixed) begin
              call((wf_var == 2'd1) ? 6'd36 : (wf_var == 2'd2) ? 6'd37 : (wf_var == 2'd3) ? 6'd38 : 6'd39, 1'b0);
              if (wf_var == 2'd2) q_off <= 13'd34;
            end else state <= S_DISPATCH;
          end
        end
        S_WF1: call(m_tgt ? 6'd26 : 6'd27, !m_tgt);
        S_WF5: call(6'd40, 1'b0);
        S_WF2: call(m_tgt ? 6'd31 : 6'd32, !m_tgt);
        S_WF4: call(6'd28, !m_tgt);
        S_WF3: begin
          wv_ok <= az;
          state <= S_DISPATCH;
        end
        S_DISPATCH: dispatch();
        S_ALU: begin                  // (byte aj read, byte aj - 1 added)
          q_off <= q_off + 13'd1;
          if (aj != 3'd0) begin
            ac <= sum9[8];
            if (sum9[7:0] != 8'd0) az <= 1'b0;
            if (ajd == 2'd0) alo[7:0] <= sum9[7:0];
            if (ajd == 2'd1) alo[15:8] <= sum9[7:0];
            if (ajd == 2'd2) alo[23:16] <= sum9[7:0];
          end
          aj <= aj + 3'd1;
          if (aj == 3'd4) begin
            // the return state (aret of the table above, which this chain must match) as an if chain of
            // constants: yosys then extracts the state machine and makes it one-hot (state's
            // fsm_encoding); `state <= aret`, or a case (which yosys makes a ROM), keeps it from that
            if (aop == 6'd0 || aop == 6'd1 || aop == 6'd2 || aop == 6'd3 || aop == 6'd4 || aop == 6'd5 || aop == 6'd6 || aop == 6'd7 || aop == 6'd8) state <= S_FAIL2;
            else if (aop == 6'd9) state <= S_EMIT_ROOM;
            else if (aop == 6'd10) state <= S_LI2;
            else if (aop == 6'd11) state <= S_LI_T;
            else if (aop == 6'd12) state <= S_LI3;
            else if (aop == 6'd13) state <= S_LI5;
            else if (aop == 6'd14) state <= S_LI4;
            else if (aop == 6'd15) state <= S_LOAD_FIN;
            else if (aop == 6'd16) state <= S_POP;
            else if (aop == 6'd17) state <= S_RS2;
            else if (aop == 6'd18) state <= S_RS3;
            else if (aop == 6'd19) state <= S_RS4;
            else if (aop == 6'd20) state <= S_LI1;
            else if (aop == 6'd21) state <= S_SS1;
            else if (aop == 6'd22) state <= S_VF1;
            else if (aop == 6'd23) state <= S_RS1;
            else if (aop == 6'd24 || aop == 6'd25) state <= S_WF1;
            else if (aop == 6'd26 || aop == 6'd27) state <= S_WF2;
            else if (aop == 6'd31 || aop == 6'd32 || aop == 6'd40) state <= S_WF4;
            else if (aop == 6'd28) state <= S_WF3;
            else if (aop == 6'd29 || aop == 6'd30) state <= S_VF2;
            else if (aop == 6'd33 || aop == 6'd34 || aop == 6'd35) state <= S_SW1;
            else if (aop == 6'd36 || aop == 6'd37 || aop == 6'd38 || aop == 6'd39) state <= S_WF5;
            else state <= S_IDLE;
          end
        end
        // ---- ERROR: its number into the temporary, rejectedFrames + 1 ----
        S_FAIL: begin
          case (err_msg)
            M_IMG_SIZE: call(6'd0, 1'b0);
            M_IMG_CHUNK: call(6'd1, 1'b0);
            M_IMG_INVALID, M_IMG_CAPACITY: call(6'd2, 1'b0);
            M_IMG_STAGING: call(6'd3, 1'b0);
            M_PARAM_RANGE: call(6'd4, 1'b0);
            M_START_ORDER, M_ORDER: call(6'd5, 1'b1);
            M_COUNT: if (is_target) call(6'd6, 1'b0);
                     else call(6'd7, 1'b0);
            M_HISTORY: if (h_empty) call(6'd5, 1'b1);
                       else state <= S_FAIL2;   // the temporary holds the first frame kept
            default: call(6'd8, 1'b0);
          endcase
        end
        S_FAIL2: if (count_rej) call(6'd9, 1'b1);
                 else state <= S_EMIT_ROOM;
        // ---- LOAD_IMAGE checks: temp = chunk end; total >= end; offset = received; total = total ----
        S_LI1: begin
          ce_ovf <= ac;
          call(6'd10, 1'b1);
        end
        S_LI2: begin
          li_over <= ce_ovf || !ac;
          img_last <= az;
          if (p_a0) begin             // offset 0 starts a new buffer even when the chunk is then refused
            img_active <= 1'b1;
            call(6'd11, 1'b0);
          end else call(6'd12, 1'b1);
        end
        S_LI_T: call(6'd13, 1'b0);
        S_LI5: if (li_over) fail(M_IMG_CHUNK); else load_accept();
        S_LI3: begin
          li_ne <= !az;
          call(6'd14, 1'b1);
        end
        S_LI4: if (!img_active || li_ne || !az || li_over) fail(M_IMG_CHUNK); else load_accept();
        // ---- LOAD_IMAGE: chunk bytes into the core's staging memory ----
        S_LOAD_COPY: begin
          if (!cp_end) q_off <= q_off + 13'd1;
          cp_run <= 1'b1;
          if (cp_run) begin
            img_wr_en <= wa_ok;
            img_wr_addr <= wa_next;
            cp_more <= 1'b1;
            img_wr_data <= q_rd;
          end
          if (cp_end) call(6'd15, 1'b0);   // received = end
        end
        S_LOAD_FIN: begin
          if (!img_last) state <= S_POP;
          else begin
            img_active <= 1'b0;
            if (tot_big) fail(M_IMG_STAGING);
            else begin
              img_commit <= 1'b1;
              state <= S_LOAD_WAIT;
            end
          end
        end
        S_LOAD_WAIT: if (img_done) begin
          if (img_result == 2'd0) begin
            streaming <= 1'b0;
            at_rest();
            answer(T_STATUS);
          end else if (img_result == 2'd1) fail(M_IMG_INVALID);
          else fail(M_IMG_CAPACITY);
        end
        // ---- START_STREAM / INPUT_FRAME / TARGET_FRAME: frame = last + 1 ----
        S_SS1: begin                  // (frame = last + 1 is checked first, reported in order below)
          ss_ok <= az;
          pi <= 3'd0;
          call(6'd33, 1'b0);
        end
        S_SW1: begin
          if (!pi[2]) begin
            pi <= pi + 3'd1;
            if (p8[{1'b0, pi[1:0]}]) call((pi[1:0] == 2'd3) ? 6'd35 : 6'd34, 1'b0);
          end else if (cand_big) fail(M_PROBES_SIZE);
          else if (!p_a0 && (no_last || !ss_ok)) fail(M_START_ORDER);
          else ss_accept();
        end
        S_VF1: begin
          if (!az) fail(M_ORDER);
          else call(is_target ? 6'd29 : 6'd30, !is_target);
        end
        S_VF2: begin
          if (!az) fail(M_COUNT);
          else begin
            q_off <= is_target ? 13'd9 : 13'd13;
            state <= S_VAL_COPY;
          end
        end
        // ---- INPUT_FRAME / TARGET_FRAME values into the core ----
        S_VAL_COPY: begin
          if (!cp_end) q_off <= q_off + 13'd1;
          cp_run <= 1'b1;
          if (cp_run) begin
            vacc <= {q_rd, vacc[23:8]};
            m3 <= (m3 == 2'd2) ? 2'd0 : m3 + 2'd1;
            if (m3 == 2'd2) begin     // (vi counts the value the cycle after)
              if (is_target) tgt_we <= 1'b1;
              else in_we <= 1'b1;
            end
          end
          if (cp_end) begin
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
          // an entry the history cannot hold (payload >= 2**HAW bytes) is not kept: the history is cleared
          h_skip <= (out_plen >> HAW) != 13'd0;
          if ((out_plen >> HAW) != 13'd0) h_clear <= 1'b1;
          else h_begin <= 1'b1;
          dly <= 2'd2;
          state <= S_OUT_HIST;
        end
        S_OUT_HIST: begin             // history makes room (evicts the oldest outputs)
          if (dly != 2'd0) dly <= dly - 2'd1;
          else if (h_ready) begin
            em_type <= T_OUTPUT;
            rs_mode <= 1'b0;
            state <= S_ROOM;
          end
        end
        S_ROOM: if (room_ok) begin    // the frame fits the retransmission store
          k <= 13'd0;
          cp_run <= 1'b0;
          h_ra <= rs_ptr;
          state <= S_EMIT;
        end
        S_OUT_REQ: begin
          out_rd_req <= 1'b1;
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
          h_wr <= !h_skip;
          vacc <= {q_rd, vacc[23:8]};   // (its top byte is not used here)
          k <= k + 13'd1;
          m3 <= m3 + 2'd1;
          if (m3 == 2'd2) begin
            vi <= vi + 1'b1;
            state <= (vi + 1'b1 == cur_w[VW-1:0]) ? S_OUT_END : S_OUT_REQ;
          end
        end
        S_OUT_END: begin
          st_commit <= 1'b1;
          h_end <= !h_skip;
          no_last <= 1'b0;
          call(6'd16, 1'b0);    // last frame = this frame
        end
        // ---- STATUS / END_STREAM / ERROR ----
        S_EMIT_ROOM: begin            // the message text's length is known now
          plen <= em_plen;
          state <= S_ROOM;
        end
        S_EMIT: begin                 // byte k computed (and its text character read), byte k - 1 written
          em_q <= em_c;
          em_rom_q <= em_is_rom;
          em_src_q <= em_src;
          em_hex_q <= em_hex;
          em_nhi_q <= !hd[0];
          k <= k + 13'd1;
          if (k != 13'd0) begin
            st_we <= 1'b1;
            st_wo <= k - 13'd1;
            st_wd <= em_wd;
          end
          if (em_type == T_OUTPUT) begin
            // an OUTPUT_FRAME's header (and frame, timeUs, count, also into the history); then its values
            // (S_OUT_REQ) or, for RESEND_OUTPUTS, the kept payload (S_RS_COPY)
            if (ge_c({19'd0, k}, 32'd12) && !rs_mode) h_wr <= !h_skip;
            if (k == (rs_mode ? 13'd11 : 13'd21)) begin
              k <= k;
              vi <= {VW{1'b0}};
              state <= rs_mode ? S_RS_COPY : (sw == {VW{1'b0}}) ? S_OUT_END : S_OUT_REQ;
            end
          end else if (k == flen) begin
            st_commit <= 1'b1;
            state <= S_POP;
          end
        end
        // ---- RESEND_OUTPUTS: fromFrame > last: nothing; kept: first = last - count + 1 ----
        S_RS1: begin
          if (ac) state <= S_POP;
          else if (h_empty) fail(M_HISTORY);
          else call(6'd17, 1'b1);
        end
        S_RS2: call(6'd18, 1'b1);
        S_RS3: call(6'd19, 1'b1);
        S_RS4: begin
          if (!ac) fail(M_HISTORY);
          else begin                  // skip fromFrame - first entries, resend the rest
            rs_ptr <= h_tail;
            rs_idx <= {HAW{1'b0}};
            rs_skip <= 1'b1;
            state <= S_RS_NEXT;
          end
        end
        // ---- RESEND_OUTPUTS: walk the history to fromFrame, then resend each entry ----
        S_RS_NEXT: begin
          if (rs_skip && rs_idx == alo[HAW-1:0]) rs_skip <= 1'b0;
          else begin
            h_ra <= rs_ptr + 8;
            state <= S_RS_C1;
          end
        end
        S_RS_C1: begin h_ra <= h_ra + 1'b1; state <= S_RS_C2; end
        S_RS_C2: state <= S_RS_C3;   // (the count's low byte into the history's c_lo)
        S_RS_C3: begin
          if (rs_skip) begin
            rs_ptr <= rs_ptr + rs_plen[HAW-1:0];
            rs_idx <= rs_idx + 1'b1;
            state <= S_RS_NEXT;
          end else begin
            plen <= rs_plen;
            em_type <= T_OUTPUT;
            rs_mode <= 1'b1;
            state <= S_ROOM;
          end
        end
        S_RS_COPY: begin              // header from registers, payload from the history (one cycle late)
          begin                       // (the header came from S_EMIT)
            h_ra <= h_ra + 1'b1;
            cp_run <= 1'b1;
            if (cp_run) begin
              st_we <= 1'b1;
              st_wo <= k;
              st_wd <= h_rd;
              k <= k + 13'd1;
            end
            if (h_ra == rs_end) begin
              st_commit <= 1'b1;
              rs_ptr <= rs_end;
              rs_idx <= rs_idx + 1'b1;
              state <= (rs_idx + 1'b1 == h_count) ? S_POP : S_RS_WAIT;
            end
          end
        end
        S_RS_WAIT: state <= S_RS_NEXT; // the store's head moves after the commit
        S_POP: begin
          q_pop <= 1'b1;
          state <= S_POP2;
        end
        default: state <= S_IDLE;     // S_POP2: the queue's pointers move
      endcase
      for (hb = LW; hb < 13; hb = hb + 1) begin
        q_off[hb] <= 1'b0; k[hb] <= 1'b0; st_wo[hb] <= 1'b0; plen[hb] <= 1'b0; out_plen[hb] <= 1'b0;
      end
    end
  end

  // first decision on a fetched message: well-formedness, then each type's checks in order (those on
  // 32-bit numbers through the serial adder, continuing in S_LI*, S_SS1, S_VF1, S_RS*)
  task dispatch;
    begin
      cp_run <= 1'b0;
      cp_more <= 1'b0;
      vi <= {VW{1'b0}};
      m3 <= 2'd0;
      if (!well) begin
        if (m_type[7:4] == 4'd0 && m_type != 8'd0) fail(M_MALFORMED);
        else fail(M_UNKNOWN_TYPE);
      end else case (m_type)
        8'h01: state <= S_POP;        // HELLO with SEQ: acknowledged and ignored
        8'h03: begin
          if (streaming && image_loaded) fail(M_STREAMING_LOAD);
          else if (p_a0 && (total_small || total_big)) fail(M_IMG_SIZE);
          else call(6'd20, 1'b0);   // temp = offset + chunk length
        end
        8'h04: set_param();
        8'h05: begin
          if (!image_loaded) fail(M_NO_IMAGE);
          else begin
            core_reset <= 1'b1;
            restore_weights <= (p0 == 8'd1);
            streaming <= 1'b0;
            at_rest();
            answer(T_STATUS);
          end
        end
        8'h06: begin
          if (!image_loaded) fail(M_NO_IMAGE);
          else if (p8 == 8'd0 || p8[7:4] != 4'd0) fail(M_PROBES);
          else call(6'd21, 1'b0);       // frame - last - 1, then width(probes)
        end
        8'h07: begin
          if (image_loaded) streaming <= 1'b0;
          answer(T_STATUS);
        end
        8'h08, 8'h09: begin
          if (!streaming || !image_loaded)
            fail((m_type == 8'h09) ? M_TGT_NOT_STREAMING : M_IN_NOT_STREAMING);
          else call(6'd22, 1'b0);       // frame - last - 1
        end
        8'h0E: begin
          if (image_loaded && streaming) streaming <= 1'b0;
          answer(T_END);
        end
        8'h0F: begin
          if (no_last) state <= S_POP;
          else call(6'd23, 1'b0);        // carry: fromFrame > last
        end
        default: fail(M_NOT_ACCEPTED);
      endcase
    end
  endtask

  task set_param;
    begin
      if (p_u16_0_1 && (&zf[8:6]) && (zf[5] || p_i32_2[7:0] == 8'd1)) begin   // learn 0 or 1
        learn <= p_i32_2[0];
        answer(T_STATUS);
      end else if (image_loaded && zf[4] && ((p0 == 8'd2 && zf[8]) ||
                                             (p0 == 8'd3 && zf[7] && zf[8] && !(zf[5] && zf[6])))) begin
        param_we <= 1'b1;
        answer(T_STATUS);
      end else if (!image_loaded && !p_u16_0_1) fail(M_PARAM_NO_IMAGE);
      else fail(M_PARAM_RANGE);
    end
  endtask
`ifndef SYNTHESIS
  // simulation only: the if chain of S_ALU must return where the operation table says (aret); a
  // mismatch stops the simulation (the tests then fail) instead of sending the session astray
  reg       alu_end_q;
  reg [5:0] aret_q;
  always @(posedge clk) begin
    alu_end_q <= !rst && state == S_ALU && aj == 3'd4;
    aret_q <= aret;
    if (!rst && alu_end_q && state != aret_q) begin
      $display("session: the S_ALU if chain returned to state %0d, the operation table says %0d", state, aret_q);
      $stop;
    end
  end
`endif
endmodule
