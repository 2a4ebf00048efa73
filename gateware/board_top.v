// board_top: the reference FPGA board (iCE40 UP5K, iCEBreaker): UART pins -> frame_rx (UART receiver,
// COBS, CRC, two frame buffers) -> cpu_link (the link layer and session as firmware on the soft RV32I,
// gateware/firmware/) -> nla_core, and cpu_link (its firmware encodes each frame: CRC, COBS) -> frame_tx_raw (UART
// transmitter) -> UART pin.
// A power-on reset holds everything for 2**POR_BITS cycles after configuration (the external rst, active
// high, extends it). The capabilities are declared here once and passed to nla_core (what its memories
// hold); the firmware announces them in HELLO_ACK from its board parameters
// (gateware/firmware/rv32/cpulink_board.h, checked equal to these by test/gateware/cpu-board-image.test.ts).
// cpu_link's code and data are one SPRAM, which the bitstream cannot initialize: with FLASH_BOOT = 1 (the
// default wherever `CPU_LINK_FW is not defined, so always in synthesis) cpu_link's boot ROM (BOOT_ROM: one EBR,
// gateware/firmware/rv32/boot_rom.S) copies the firmware image from the configuration SPI flash (1 MiB, header
// "NLFW", length, CRC-32; written by `nla fpga flash --firmware`) into it and jumps to it; a bad header or CRC
// stops the processor in the ROM for good (nothing is sent on the UART) and lights the red LED (led_red_n); the
// green LED (led_green_n) lights when the firmware runs. With FLASH_BOOT = 0 (the default where `CPU_LINK_FW is
// defined: the co-simulation of host/board/verilate.ts, which preloads the SPRAM with the committed image
// gateware/firmware/cpulink_vcore.hex) there is no boot: the processor starts at 0 and the flash pins idle
// (test/gateware/flash-board.test.ts runs the FLASH_BOOT = 1 path, through ice40_top, from an empty SPRAM).
// board_link (the same ports, in RTL) remains the reference of the session tests. LEDs: session open,
// streaming.
module board_top #(
  parameter CLK_HZ = 12000000,
  parameter BAUD = 115200,
  // 1003: a frame, 11 + 1003 bytes, COBS-encoded with its CRC-32 and the delimiter (as the firmware writes it into
  // cpu_link's transmit buffer) fills 1024 bytes exactly: the transmit buffer and frame_rx's two receive buffers are
  // powers of two (no address adders, 2 + 4 EBR)
  parameter MAX_PAYLOAD = 1003,
  parameter MAX_NEURONS = 64,
  parameter MAX_INPUTS = 32,
  parameter MAX_OUTPUTS = 16,
  parameter MAX_SYNAPSES = 4096,
  parameter IMG_BYTES = 32768,
  parameter MAX_FRAME_RATE = 1000,
  parameter POR_BITS = 8,
  // 1: the vector core (gateware/vcore/, build VCORE_UP5K_BUILD) behind vcore_coreio, the firmware
  // gateware/firmware/cpulink_vcore.hex (protocol 1.1, vector-core images); 0: nla_core and cpulink_board.hex
  parameter VCORE = 1,
`ifdef CPU_LINK_FW
  parameter FLASH_BOOT = 0
`else
  parameter FLASH_BOOT = 1
`endif
) (
  input  clk,
  input  rst,
  input  uart_rx_pin,
  output uart_tx_pin,
  output led_session,
  output led_streaming,
  output flash_csn,
  output flash_sck,
  output flash_mosi,
  input  flash_miso,
  output led_red_n,
  output led_green_n
);
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
  // frame_tx_raw: the firmware encodes each frame (its CRC-32, COBS, the delimiter: HAL_TX_RAW in its board header)
  frame_tx_raw #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_tx (.clk(clk), .rst(rst_q), .tx_start(tx_start),
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
  wire cpu_st_we, cpu_st_wait, core_acc, core_we;
  wire [7:0] cpu_st_wd;
  wire [4:0] core_idx;
  wire [31:0] core_wdata, core_rdata;
  generate if (VCORE == 0) begin : g_nla_core
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
    assign cpu_st_wait = 1'b0;
    assign core_rdata = 32'd0;
    wire _unused_core = &{1'b0, cpu_st_we, cpu_st_wd, core_acc, core_we, core_idx, core_wdata};
  end else begin : g_vcore
    vcore_board #(.PROG_BYTES(2048)) u_core (.clk(clk), .rst(rst_q), .acc(core_acc), .we(core_we), .idx(core_idx),
      .wdata(core_wdata), .rdata(core_rdata), .win_rd(cpu_st_rd), .win_we(cpu_st_we), .win_addr(cpu_st_addr[14:0]),
      .win_wd(cpu_st_wd), .win_byte(cpu_st_byte), .win_wait(cpu_st_wait));
    assign {img_done, image_loaded, image_crc, n_stim_inputs, n_outputs, n_neurons, frame_busy, frame_done} = 84'd0;
    assign {out_rd_valid, out_rd_data, saturations, frames_processed} = 89'd0;
    wire _unused_core = &{1'b0, img_wr_en, img_wr_addr, img_wr_data, cpu_we, cpu_mem, cpu_addr, cpu_wd, cpu_st_addr[16:15],
      core_reset, restore_weights, learn, param_we, param_id, param_value, in_we, in_idx, in_value, tgt_we, tgt_idx,
      tgt_value, tgt_commit, frame_go, probes, out_rd_req, out_rd_idx};
  end endgenerate

  // ---- boot: cpu_link's boot ROM drives the flash pins and the LEDs (FLASH_BOOT = 0: the flash idles, green lit) ----
  wire led_red, led_green;
  assign led_red_n = ~led_red;
  assign led_green_n = ~led_green;

  // ---- link layer and session: the firmware on the soft processor (its image loader too: img_commit unused) ----
  /* verilator lint_off PINCONNECTEMPTY */
  cpu_link #(.TICK_CYCLES(CLK_HZ / 1000), .BYTE_MS_Q16(655360000 / BAUD), .VCORE(VCORE), .BOOT_ROM(FLASH_BOOT), .MAX_PAYLOAD(MAX_PAYLOAD),
    .IMG_BYTES(IMG_BYTES), .MAX_NEURONS(MAX_NEURONS), .MAX_SYNAPSES(MAX_SYNAPSES), .MAX_INPUTS(MAX_INPUTS),
    .MAX_OUTPUTS(MAX_OUTPUTS), .MAX_FRAME_RATE(MAX_FRAME_RATE), .ID_LEN(8), .BOARD_ID("nla-up5k")) u_link (
    .clk(clk), .rst(rst_q),
    .flash_csn(flash_csn), .flash_sck(flash_sck), .flash_mosi(flash_mosi), .flash_miso(flash_miso),
    .led_red(led_red), .led_green(led_green),
    .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len),
    .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release), .rx_reject(rx_reject),
    .rx_reject_reason(rx_reject_reason), .rx_overrun(rx_overrun), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(rx_rd_data), .rx_activity(rx_activity), .tx_start(tx_start),
    .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy), .tx_rd_addr(tx_rd_addr), .tx_rd_data(tx_rd_data),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(),
    .img_total(), .img_result(2'd0), .img_err_offset(16'd0), .cpu_we(cpu_we),
    .cpu_mem(cpu_mem), .cpu_addr(cpu_addr), .cpu_wd(cpu_wd), .cpu_st_rd(cpu_st_rd), .cpu_st_addr(cpu_st_addr),
    .cpu_st_byte(cpu_st_byte), .cpu_st_we(cpu_st_we), .cpu_st_wd(cpu_st_wd), .cpu_st_wait(cpu_st_wait),
    .core_acc(core_acc), .core_we(core_we), .core_idx(core_idx), .core_wdata(core_wdata), .core_rdata(core_rdata),
    .img_done(img_done),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
    .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(frame_go), .frame_done(frame_done), .probes(probes), .out_rd_req(out_rd_req),
    .out_rd_idx(out_rd_idx), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
    .saturations(saturations), .frames_processed(frames_processed), .session_open(led_session),
    .board_state(board_state), .rto_ms(rto_ms));
  /* verilator lint_on PINCONNECTEMPTY */
  assign led_streaming = (board_state == 2'd2);
endmodule
