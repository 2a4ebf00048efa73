// board_top: the reference FPGA board (iCE40 UP5K, iCEBreaker): UART pins -> frame_rx (UART receiver,
// COBS, CRC, two frame buffers) -> cpu_link (the link layer and session as firmware on the soft RV32I,
// gateware/firmware/) -> nla_core, and cpu_link -> frame_tx (CRC, COBS, UART transmitter) -> UART pin.
// A power-on reset holds everything for 2**POR_BITS cycles after configuration (the external rst, active
// high, extends it). The capabilities are declared here once and passed to nla_core (what its memories
// hold); the firmware announces them in HELLO_ACK from its board parameters
// (gateware/firmware/rv32/cpulink_board.h, checked equal to these by test/gateware/cpu-board-image.test.ts).
// cpu_link's code and data are one SPRAM: in simulation it starts with the committed image
// gateware/firmware/cpulink_board.hex (`CPU_LINK_FW, which host/board/verilate.ts defines); on the chip it
// must be copied in from the SPI flash at boot (gateware/flash_boot.v: see cpu_link.v's boot port).
// board_link (the same ports, in RTL) remains the reference of the session tests. LEDs: session open,
// streaming.
module board_top #(
  parameter CLK_HZ = 12000000,
  parameter BAUD = 115200,
  parameter MAX_PAYLOAD = 1024,
  parameter MAX_NEURONS = 64,
  parameter MAX_INPUTS = 32,
  parameter MAX_OUTPUTS = 16,
  parameter MAX_SYNAPSES = 4096,
  parameter IMG_BYTES = 32768,
  parameter MAX_FRAME_RATE = 1000,
  parameter POR_BITS = 8
) (
  input  clk,
  input  rst,
  input  uart_rx_pin,
  output uart_tx_pin,
  output led_session,
  output led_streaming
);
  /* verilator lint_on PINCONNECTEMPTY */
  // ---- power-on reset ----
  reg [POR_BITS:0] por = {(POR_BITS + 1){1'b0}};
  always @(posedge clk) if (!por[POR_BITS]) por <= por + 1'b1;
  reg rst_q = 1'b1;
  always @(posedge clk) rst_q <= rst || !por[POR_BITS];

  // ---- frame_rx / frame_tx ----
  wire rx_frame_valid, rx_frame_buf, rx_frame_release, rx_reject, rx_overrun, rx_rd_buf, rx_activity;
  wire rx_framing_error;               // a dropped byte: the block then fails a later check (3.5)
  wire [12:0] rx_frame_len, rx_rd_addr;
  wire [2:0] rx_reject_reason;
  wire [7:0] rx_rd_data;
  wire tx_start, tx_busy;
  wire [15:0] tx_base, tx_rd_addr;
  wire [12:0] tx_len;
  wire [7:0] tx_rd_data;
  frame_rx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MAX_PAYLOAD(MAX_PAYLOAD)) u_rx (.clk(clk), .rst(rst_q),
    .uart_rx_pin(uart_rx_pin), .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len),
    .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release), .rx_reject(rx_reject),
    .rx_reject_reason(rx_reject_reason), .rx_overrun(rx_overrun), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(rx_rd_data), .rx_activity(rx_activity),
    .rx_framing_error(rx_framing_error));
  frame_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_tx (.clk(clk), .rst(rst_q), .tx_start(tx_start),
    .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy), .tx_rd_addr(tx_rd_addr), .tx_rd_data(tx_rd_data),
    .uart_tx_pin(uart_tx_pin));

  // ---- core ----
  wire img_wr_en, img_done, image_loaded, core_reset, restore_weights, learn, param_we;
  wire in_we, tgt_we, tgt_commit, frame_go, frame_done, frame_busy, out_rd_req, out_rd_valid;
  wire [16:0] img_wr_addr;
  wire [7:0] img_wr_data;
  wire cpu_we, cpu_st_rd;                 // the firmware loader's raw write port and staging read
  wire [2:0] cpu_mem;
  wire [13:0] cpu_addr;
  wire [31:0] cpu_wd;
  wire [16:0] cpu_st_addr;
  wire [7:0] cpu_st_byte;
  wire [1:0] board_state;
  wire [15:0] n_stim_inputs, n_outputs, n_neurons, param_id, in_idx, tgt_idx, out_rd_idx;
  wire [15:0] rto_ms;
  wire [31:0] image_crc, param_value, saturations, frames_processed;
  wire [23:0] in_value, tgt_value, out_rd_data;
  wire [3:0] probes;
  wire _unused = &{1'b0, rx_framing_error, frame_busy, rto_ms};
  nla_core #(.MAX_NEURONS(MAX_NEURONS), .MAX_INPUTS(MAX_INPUTS), .MAX_OUTPUTS(MAX_OUTPUTS),
    .MAX_SYNAPSES(MAX_SYNAPSES), .IMG_BYTES(IMG_BYTES), .MAX_PAYLOAD(MAX_PAYLOAD),
    .MAX_FRAME_RATE(MAX_FRAME_RATE)) u_core (.clk(clk), .rst(rst_q),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .cpu_we(cpu_we),
    .cpu_mem(cpu_mem), .cpu_addr(cpu_addr), .cpu_wd(cpu_wd), .cpu_st_rd(cpu_st_rd), .cpu_st_addr(cpu_st_addr),
    .cpu_st_byte(cpu_st_byte), .img_done(img_done),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
    .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(frame_go), .frame_busy(frame_busy), .frame_done(frame_done), .probes(probes),
    .out_rd_req(out_rd_req), .out_rd_idx(out_rd_idx), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
    .saturations(saturations), .frames_processed(frames_processed));

  // ---- link layer and session: the firmware on the soft processor (its image loader too: img_commit unused) ----
  /* verilator lint_off PINCONNECTEMPTY */
  cpu_link #(.TICK_CYCLES(CLK_HZ / 1000), .BYTE_MS_Q16(655360000 / BAUD), .MAX_PAYLOAD(MAX_PAYLOAD),
    .IMG_BYTES(IMG_BYTES), .MAX_NEURONS(MAX_NEURONS), .MAX_SYNAPSES(MAX_SYNAPSES), .MAX_INPUTS(MAX_INPUTS),
    .MAX_OUTPUTS(MAX_OUTPUTS), .MAX_FRAME_RATE(MAX_FRAME_RATE), .ID_LEN(8), .BOARD_ID("nla-up5k")) u_link (
    .clk(clk), .rst(rst_q), .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len),
    .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release), .rx_reject(rx_reject),
    .rx_reject_reason(rx_reject_reason), .rx_overrun(rx_overrun), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(rx_rd_data), .rx_activity(rx_activity), .tx_start(tx_start),
    .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy), .tx_rd_addr(tx_rd_addr), .tx_rd_data(tx_rd_data),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(),
    .img_total(), .img_result(2'd0), .img_err_offset(16'd0), .cpu_we(cpu_we),
    .cpu_mem(cpu_mem), .cpu_addr(cpu_addr), .cpu_wd(cpu_wd), .cpu_st_rd(cpu_st_rd), .cpu_st_addr(cpu_st_addr),
    .cpu_st_byte(cpu_st_byte), .img_done(img_done),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
    .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(frame_go), .frame_done(frame_done), .probes(probes), .out_rd_req(out_rd_req),
    .out_rd_idx(out_rd_idx), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
    .saturations(saturations), .frames_processed(frames_processed), .session_open(led_session),
    .board_state(board_state), .rto_ms(rto_ms));
  assign led_streaming = (board_state == 2'd2);
endmodule
