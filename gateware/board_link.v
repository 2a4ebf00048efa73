// board_link: everything between frame_rx/frame_tx and nla_core: link_rx, rx_queue, link_tx (with the
// retransmission store), the session (with the output history) and the timers (ms clock, idle timeout).
// The receive window W (the board's credits, announced in HELLO_ACK) is what rx_queue is sure to hold:
// W = (QMEM - QBASE - 1) / (MAX_PAYLOAD + 3) messages of the largest size.
module board_link #(
  parameter TICK_CYCLES = 12000,       // clock cycles per ms
  parameter BYTE_MS_Q16 = 711,         // line time of one byte, ms, Q16 (655360000 / baud)
  parameter MAX_PAYLOAD = 1024,
  parameter QAW = 12,                  // receive queue: queue_mem of QMEM bytes (at most 2**QAW), the ring
  parameter QMEM = 3584,               // [QBASE, QMEM) above the ERROR texts (7 EBR together); window
  parameter QBASE = 502,               // (3584 - 502 - 1) / (1024 + 3) = 3
  parameter RAW = 11,                  // retransmission ring: RBYTES bytes (at most 2**RAW, > 11 + MAX_PAYLOAD;
  parameter RBYTES = 1536,             // 3 EBR)
  parameter SAW = 3,                   // 2**SAW unacknowledged frames
  parameter HAW = 10,                  // output history 2**HAW bytes (a larger OUTPUT_FRAME is not kept)
  parameter T_MIN_MS = 200,
  parameter MAX_RETRIES = 10,
  parameter ACK_DELAY_MS = 2,
  parameter IDLE_MS = 10000,
  parameter IMG_BYTES = 65536,
  parameter MAX_NEURONS = 2048, parameter MAX_SYNAPSES = 1048576, parameter MAX_INPUTS = 1024,
  parameter MAX_OUTPUTS = 256, parameter MAX_FRAME_RATE = 100000,
  parameter ID_LEN = 8, parameter [8*32-1:0] BOARD_ID = "nla-up5k"
) (
  input          clk,
  input          rst,
  // frame_rx
  input          rx_frame_valid,
  input  [12:0]  rx_frame_len,
  input          rx_frame_buf,
  output         rx_frame_release,
  input          rx_reject,
  input  [2:0]   rx_reject_reason,
  input          rx_overrun,
  output         rx_rd_buf,
  output [12:0]  rx_rd_addr,
  input  [7:0]   rx_rd_data,
  input          rx_activity,
  // frame_tx
  output         tx_start,
  output [15:0]  tx_base,
  output [12:0]  tx_len,
  input          tx_busy,
  input  [15:0]  tx_rd_addr,
  output [7:0]   tx_rd_data,
  // nla_core
  output         img_wr_en,
  output [16:0]  img_wr_addr,
  output [7:0]   img_wr_data,
  output         img_commit,
  output [16:0]  img_total,
  input          img_done,
  input  [1:0]   img_result,
  input  [15:0]  img_err_offset,
  input          image_loaded,
  input  [31:0]  image_crc,
  input  [15:0]  n_stim_inputs,
  input  [15:0]  n_outputs,
  input  [15:0]  n_neurons,
  output         core_reset,
  output         restore_weights,
  output         learn,
  output         param_we,
  output [15:0]  param_id,
  output [31:0]  param_value,
  output         in_we,
  output [15:0]  in_idx,
  output [23:0]  in_value,
  output         tgt_we,
  output [15:0]  tgt_idx,
  output [23:0]  tgt_value,
  output         tgt_commit,
  output         frame_go,
  input          frame_done,
  output [3:0]   probes,
  output         out_rd_req,
  output [15:0]  out_rd_idx,
  input          out_rd_valid,
  input  [23:0]  out_rd_data,
  input  [31:0]  saturations,
  input  [31:0]  frames_processed,
  // observation
  output         session_open,
  output [1:0]   board_state,
  output [15:0]  rto_ms
);
  localparam WINDOW = (QMEM - QBASE - 1) / (MAX_PAYLOAD + 3);
  localparam [7:0] WINDOW8 = WINDOW[7:0];
  wire _unused = &{1'b0, rx_reject_reason};

  wire tick;
  wire [15:0] now_ms;
  ms_clock #(.TICK_CYCLES(TICK_CYCLES)) clock (.clk(clk), .rst(rst), .tick(tick), .now_ms(now_ms));

  wire fail_session, idle_expire;
  wire end_session = fail_session | idle_expire;
  idle_timer #(.IDLE_MS(IDLE_MS)) idle (.clk(clk), .rst(rst), .tick(tick), .session_open(session_open),
    .rx_activity(rx_activity), .expire(idle_expire));

  // receive side
  wire [7:0] q_count;
  wire [7:0] credits = (q_count >= WINDOW8) ? 8'd0 : WINDOW8 - q_count;
  wire link_reset, hello_seen, ack_in_valid, ack_in_gap, ack_sched, ack_urgent, ack_gap, no_session_req;
  wire rx_len_valid;
  wire [12:0] rx_len_bytes;
  wire [15:0] link_reset_credits, expected, ack_in_ack, ack_in_credits;
  wire q_we, q_push, q_pop;
  wire [QAW-1:0] q_wa, q_wr_ptr, q_rd_ptr, q_ra;
  wire [7:0] q_wd, q_rd;
  wire [12:0] q_push_bytes, q_pop_bytes;
  link_rx #(.QAW(QAW), .QMEM(QMEM), .QBASE(QBASE)) lrx (.clk(clk), .rst(rst), .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len),
    .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(rx_rd_data), .end_session(end_session), .credits(credits),
    .session_open(session_open), .link_reset(link_reset), .link_reset_credits(link_reset_credits),
    .hello_seen(hello_seen), .expected(expected), .ack_in_valid(ack_in_valid), .ack_in_ack(ack_in_ack),
    .ack_in_credits(ack_in_credits), .ack_in_gap(ack_in_gap), .ack_sched(ack_sched), .ack_urgent(ack_urgent),
    .ack_gap(ack_gap), .no_session_req(no_session_req), .rx_len_valid(rx_len_valid),
    .rx_len_bytes(rx_len_bytes), .q_we(q_we), .q_wa(q_wa), .q_wd(q_wd), .q_push(q_push),
    .q_push_bytes(q_push_bytes), .q_wr_ptr(q_wr_ptr));
  rx_queue #(.AW(QAW), .DEPTH(QMEM), .BASE(QBASE)) rxq (.clk(clk), .rst(rst), .we(q_we), .wa(q_wa), .wd(q_wd), .push(q_push),
    .push_bytes(q_push_bytes), .wr_ptr(q_wr_ptr), .ra(q_ra), .rd(q_rd), .pop(q_pop), .pop_bytes(q_pop_bytes),
    .rd_ptr(q_rd_ptr), .count(q_count));

  // send side
  wire hello_ack_req, ha_busy, st_we, st_commit, st_slot_free;
  wire [7:0] ha_flags, st_wd;
  wire [31:0] ha_crc, ha_last;
  wire [12:0] st_wo;
  wire [RAW:0] st_room;
  wire [12:0] st_commit_len;
  link_tx #(.SAW(SAW), .RAW(RAW), .RBYTES(RBYTES), .T_MIN_MS(T_MIN_MS), .MAX_RETRIES(MAX_RETRIES), .ACK_DELAY_MS(ACK_DELAY_MS),
    .BYTE_MS_Q16(BYTE_MS_Q16), .MAX_NEURONS(MAX_NEURONS), .MAX_SYNAPSES(MAX_SYNAPSES), .MAX_INPUTS(MAX_INPUTS),
    .MAX_OUTPUTS(MAX_OUTPUTS), .MAX_FRAME_RATE(MAX_FRAME_RATE), .WINDOW(WINDOW), .MAX_PAYLOAD(MAX_PAYLOAD),
    .ID_LEN(ID_LEN), .BOARD_ID(BOARD_ID)) ltx (.clk(clk), .rst(rst), .tick(tick), .now_ms(now_ms),
    .session_open(session_open), .link_reset(link_reset), .link_reset_credits(link_reset_credits),
    .end_session(end_session), .fail_session(fail_session), .expected(expected), .credits(credits),
    .ack_in_valid(ack_in_valid), .ack_in_ack(ack_in_ack), .ack_in_credits(ack_in_credits),
    .ack_in_gap(ack_in_gap), .ack_sched(ack_sched | rx_reject | rx_overrun), .ack_urgent(ack_urgent),
    .ack_gap(ack_gap), .no_session_req(no_session_req), .rx_len_valid(rx_len_valid),
    .rx_len_bytes(rx_len_bytes), .hello_ack_req(hello_ack_req), .ha_busy(ha_busy), .ha_flags(ha_flags), .ha_crc(ha_crc),
    .ha_last(ha_last), .st_we(st_we), .st_wo(st_wo), .st_wd(st_wd), .st_commit(st_commit),
    .st_commit_len(st_commit_len), .st_room(st_room), .st_slot_free(st_slot_free),
    .tx_start(tx_start), .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy), .tx_rd_addr(tx_rd_addr),
    .tx_rd_data(tx_rd_data), .rto_ms(rto_ms));

  session #(.QAW(QAW), .QMEM(QMEM), .QBASE(QBASE), .RAW(RAW), .HAW(HAW), .MAX_PAYLOAD(MAX_PAYLOAD), .IMG_BYTES(IMG_BYTES)) sess (
    .clk(clk), .rst(rst), .q_ra(q_ra), .q_rd(q_rd), .q_count(q_count), .q_rd_ptr(q_rd_ptr),
    .q_wr_ptr(q_wr_ptr), .q_pop(q_pop), .q_pop_bytes(q_pop_bytes), .hello_seen(hello_seen),
    .hello_ack_req(hello_ack_req), .ha_busy(ha_busy), .ha_flags(ha_flags), .ha_crc(ha_crc), .ha_last(ha_last),
    .st_we(st_we), .st_wo(st_wo), .st_wd(st_wd), .st_commit(st_commit), .st_commit_len(st_commit_len),
    .st_room(st_room), .st_slot_free(st_slot_free),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(img_commit),
    .img_total(img_total), .img_done(img_done), .img_result(img_result), .img_err_offset(img_err_offset),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs),
    .n_outputs(n_outputs), .n_neurons(n_neurons), .core_reset(core_reset),
    .restore_weights(restore_weights), .learn(learn), .param_we(param_we), .param_id(param_id),
    .param_value(param_value), .in_we(in_we), .in_idx(in_idx), .in_value(in_value), .tgt_we(tgt_we),
    .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit), .frame_go(frame_go),
    .frame_done(frame_done), .probes(probes), .out_rd_req(out_rd_req), .out_rd_idx(out_rd_idx),
    .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data), .saturations(saturations),
    .frames_processed(frames_processed), .board_state(board_state));
endmodule
