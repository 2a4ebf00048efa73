// session_harness: board_link with the behavioural core_stub, for the Verilator testbench
// (gateware/sim/session_tb.cpp), which plays frame_rx and frame_tx at their ports, and for yosys.
// Defined SESSION_HARNESS_CPU, cpu_link (the soft processor running gateware/firmware/) takes board_link's
// place; its clock then runs a realistic TICK_CYCLES per ms (12 000 at 12 MHz), and so that the stand-in
// core keeps the frame time it has at 20 cycles per ms (FRAME_CYCLES: 10 ms), frame_go reaches core_stub
// FRAME_DELAY cycles late (0 at 20 cycles per ms; core_stub's own counter is 16 bits).
module session_harness #(
  parameter TICK_CYCLES = 20,
  parameter T_MIN_MS = 200,
  parameter IDLE_MS = 10000,
  parameter MAX_RETRIES = 10,
  parameter QAW = 12,
  parameter QMEM = 3584,
  parameter QBASE = 502,
  parameter RAW = 11,
  parameter RBYTES = 1536,
  parameter SAW = 3,
  parameter HAW = 9,
  parameter MAX_PAYLOAD = 1024,
  parameter IMG_BYTES = 16384,
  parameter FRAME_CYCLES = 200,
  parameter FRAME_DELAY = FRAME_CYCLES * (TICK_CYCLES / 20) - FRAME_CYCLES
) (
  input          clk,
  input          rst,
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
  output         tx_start,
  output [15:0]  tx_base,
  output [12:0]  tx_len,
  input          tx_busy,
  input  [15:0]  tx_rd_addr,
  output [7:0]   tx_rd_data,
  output         session_open,
  output [1:0]   board_state,
  output [15:0]  rto_ms
);
  wire img_wr_en, img_commit, img_done, image_loaded, core_reset, restore_weights, learn, param_we;
  wire in_we, tgt_we, tgt_commit, frame_go, frame_done, frame_busy, out_rd_req, out_rd_valid;
  wire [16:0] img_wr_addr, img_total;
  wire [7:0] img_wr_data;
  wire [1:0] img_result;
  wire [15:0] img_err_offset, n_stim_inputs, n_outputs, n_neurons, param_id, in_idx, tgt_idx, out_rd_idx;
  wire [31:0] image_crc, param_value, saturations, frames_processed;
  wire [23:0] in_value, tgt_value, out_rd_data;
  wire [3:0] probes;
  wire _unused = &{1'b0, frame_busy};
`ifdef SESSION_HARNESS_CPU
  cpu_link
`else
  board_link
`endif
    #(.TICK_CYCLES(TICK_CYCLES), .T_MIN_MS(T_MIN_MS), .IDLE_MS(IDLE_MS), .MAX_RETRIES(MAX_RETRIES),
    .QAW(QAW), .QMEM(QMEM), .QBASE(QBASE), .RAW(RAW), .RBYTES(RBYTES), .SAW(SAW), .HAW(HAW), .MAX_PAYLOAD(MAX_PAYLOAD), .IMG_BYTES(IMG_BYTES),
    .MAX_NEURONS(255), .MAX_SYNAPSES(4096), .MAX_INPUTS(64), .MAX_OUTPUTS(16), .MAX_FRAME_RATE(1000),
    .ID_LEN(8), .BOARD_ID("nla-stub")) link (
    .clk(clk), .rst(rst),
`ifdef SESSION_HARNESS_CPU
    .flash_csn(), .flash_sck(), .flash_mosi(), .flash_miso(1'b1), .led_red(), .led_green(),   // the firmware is preloaded: no boot
`endif
    .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len),
    .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release), .rx_reject(rx_reject),
    .rx_reject_reason(rx_reject_reason), .rx_overrun(rx_overrun), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(rx_rd_data), .rx_activity(rx_activity), .tx_start(tx_start),
    .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy), .tx_rd_addr(tx_rd_addr), .tx_rd_data(tx_rd_data),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(img_commit),
    .img_total(img_total), .img_done(img_done), .img_result(img_result), .img_err_offset(img_err_offset),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
    .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(frame_go), .frame_done(frame_done), .probes(probes), .out_rd_req(out_rd_req),
    .out_rd_idx(out_rd_idx), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
`ifdef SESSION_HARNESS_CPU
    // the firmware is built without FW_CORE_LOADER here: core_stub validates and installs (img_commit)
    .cpu_we(), .cpu_mem(), .cpu_addr(), .cpu_wd(), .cpu_st_rd(), .cpu_st_addr(), .cpu_st_byte(8'd0),
    .cpu_st_we(), .cpu_st_wd(), .cpu_st_wait(1'b0), .core_acc(), .core_we(), .core_idx(), .core_wdata(),
    .core_rdata(32'd0),
`endif
    .saturations(saturations), .frames_processed(frames_processed), .session_open(session_open),
    .board_state(board_state), .rto_ms(rto_ms));
  reg [23:0] go_wait;
  always @(posedge clk)
    if (rst) go_wait <= 24'd0;
    else if (frame_go) go_wait <= FRAME_DELAY + 1;
    else if (go_wait != 24'd0) go_wait <= go_wait - 24'd1;
  wire stub_go = (FRAME_DELAY == 0) ? frame_go : (go_wait == 24'd1);
  core_stub #(.MAX_INPUTS(64), .MAX_OUTPUTS(16), .IMG_BYTES(IMG_BYTES), .FRAME_CYCLES(FRAME_CYCLES)) core (.clk(clk), .rst(rst),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(img_commit),
    .img_total(img_total), .img_done(img_done), .img_result(img_result), .img_err_offset(img_err_offset),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
    .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(stub_go), .frame_busy(frame_busy), .frame_done(frame_done), .probes(probes),
    .out_rd_req(out_rd_req), .out_rd_idx(out_rd_idx), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
    .saturations(saturations), .frames_processed(frames_processed));
endmodule
