// cpu_link: in place of board_link (its ports and parameters, and for nla_core without its loader the raw
// write port and staging read that the firmware loader uses) made of the soft RV32I processor
// (cpu/rv32_core.v), ONE SPRAM for its code and data (cpu_link_ram) and memory-mapped peripherals that
// implement the firmware's HAL (gateware/firmware/hal.h) in hardware; the link layer and session are the
// firmware of gateware/firmware/ (the same C sources as the native and instruction-set-simulator boards),
// built with gateware/firmware/rv32/hal_cpulink.c and rv32/cpulink.ld.
// Memory map (address bit 31 selects the I/O space):
//   0x0000_0000 .. 0x0000_7FFF  SPRAM, 16K x 16: a 32-bit read takes 3 cycles (low half, high half, data),
//                               a write 2 (the two halves, each with its byte strobes)
//   0x0000_8000 .. 0x0000_81FF  with BOOT_ROM: the boot ROM (cpu_link_rom, 256 x 16, read as the SPRAM; repeated up
//                               to 0xFFFF; stores are dropped), where the processor starts
//   0x8000_0000 + 4n            registers (1 cycle after the request): n = 0..2 cpu_link_rx, 3..4
//                               cpu_link_tx, 5 MS_NOW (r, the 1 ms clock), 6 OBS (w: bit 0 session_open,
//                               bits 2..1 board_state, 31..16 rto_ms: what the firmware shows), 7..27
//                               cpu_link_coreio, 28 BYTE_MS (r, the parameter BYTE_MS_Q16: the line time
//                               of a byte, so that one firmware image serves every baud rate), 31 BOOT_IO
//                               (with BOOT_ROM: the flash pins and LEDs, below)
//   0x8001_0000 + i             receive window: byte i of the oldest held frame (frame_rx's buffer through
//                               rx_rd_addr/rx_rd_data; the byte is repeated in all four lanes; loads only)
//   0x8002_0000 + i             transmit window: byte i of cpu_link_tx's buffer (byte stores only)
//   0x8003_0000 + i             staging window: byte i of nla_core's staged image (cpu_st_rd/cpu_st_addr/
//                               cpu_st_byte; loads only): what the firmware loader (image_install.c) reads;
//                               with VCORE = 1 the image window: byte i of the vector core's program SPRAM
//                               (loads, and byte stores through cpu_st_we/cpu_st_wd), where the firmware keeps
//                               its two image buffers (vcore_core.c); an access waits while cpu_st_wait is high
//                               (the core runs: the SPRAM is its program's)
// VCORE = 0: the core registers 7..27 are cpu_link_coreio's (nla_core's ports); VCORE = 1: they are the core_*
// bus (board_top puts gateware/vcore/vcore_coreio.v on it) and nla_core's ports are tied off.
// Parameters: TICK_CYCLES sizes the ms clock here and BYTE_MS_Q16 is register 28; all others are the
// firmware's (config.h; the board's in firmware/rv32/cpulink_board.h, compiled into the image) and are not
// used by the gateware.
module cpu_link #(
  parameter TICK_CYCLES = 12000,
  parameter BYTE_MS_Q16 = 711,
  parameter VCORE = 0,
  // 1: the boot ROM (cpu_link_rom at 0x8000, where the processor starts) and register 31 BOOT_IO on the flash pins and
  // LEDs (board_top on the chip, whose SPRAM starts empty); 0: the processor starts at 0 (the SPRAM preloaded)
  parameter BOOT_ROM = 0,
  /* verilator lint_off UNUSEDPARAM */
  parameter MAX_PAYLOAD = 1024,
  parameter QAW = 12,
  parameter QMEM = 3584,
  parameter QBASE = 502,
  parameter RAW = 11,
  parameter RBYTES = 1536,
  parameter SAW = 3,
  parameter HAW = 10,
  parameter T_MIN_MS = 200,
  parameter MAX_RETRIES = 10,
  parameter ACK_DELAY_MS = 2,
  parameter IDLE_MS = 10000,
  parameter IMG_BYTES = 65536,
  parameter MAX_NEURONS = 2048, parameter MAX_SYNAPSES = 1048576, parameter MAX_INPUTS = 1024,
  parameter MAX_OUTPUTS = 256, parameter MAX_FRAME_RATE = 100000,
  parameter ID_LEN = 8, parameter [8*32-1:0] BOARD_ID = "nla-up5k"
  /* verilator lint_on UNUSEDPARAM */
) (
  input          clk,
  input          rst,
  // BOOT_ROM = 1: the configuration SPI flash and the two LEDs, as register 31 BOOT_IO drives them (the boot ROM's
  // code, gateware/firmware/rv32/boot_rom.S); BOOT_ROM = 0: CS high, SCK and MOSI low, the green LED lit, the red not
  output         flash_csn,
  output         flash_sck,
  output         flash_mosi,
  input          flash_miso,
  output         led_red,
  output         led_green,
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
  output         img_wr_en,
  output [16:0]  img_wr_addr,
  output [7:0]   img_wr_data,
  output         img_commit,      // a core with its own loader (core_stub): the firmware built without FW_CORE_LOADER
  output [16:0]  img_total,
  input  [1:0]   img_result,
  input  [15:0]  img_err_offset,
  output         cpu_we,          // nla_core's raw write port and staging read (the firmware loader, FW_CORE_LOADER)
  output [2:0]   cpu_mem,
  output [13:0]  cpu_addr,
  output [31:0]  cpu_wd,
  output         cpu_st_rd,
  output [16:0]  cpu_st_addr,
  input  [7:0]   cpu_st_byte,
  output         cpu_st_we,       // VCORE = 1: a byte store into the image window (cpu_st_wd at cpu_st_addr)
  output [7:0]   cpu_st_wd,
  input          cpu_st_wait,     // the window's memory is busy: the access waits (tie 0 for nla_core)
  output         core_acc,        // VCORE = 1: the core registers (idx 7..27) as a bus: an access this cycle,
  output         core_we,         // a store, the word index, the data; core_rdata is ORed into the loads
  output [4:0]   core_idx,        // of the register window (0 where the core does not answer)
  output [31:0]  core_wdata,
  input  [31:0]  core_rdata,
  input          img_done,
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
  output         session_open,
  output [1:0]   board_state,
  output [15:0]  rto_ms
);
  wire _unused = &{1'b0, rx_reject_reason, rx_frame_len};   // (the firmware reads a frame's length from its header)

  // ---- the processor
  wire        mem_valid, mem_ready;
  wire [31:0] mem_addr, mem_wdata, mem_rdata;
  wire [3:0]  mem_wstrb;
  wire        retire;
  /* verilator lint_off PINCONNECTEMPTY */
  rv32_core #(.SHIFT_STEP(8), .RESET_PC(BOOT_ROM != 0 ? 32'h0000_8000 : 32'h0000_0000)) cpu (.clk(clk), .rst(rst), .mem_valid(mem_valid), .mem_addr(mem_addr),
    .mem_wdata(mem_wdata), .mem_wstrb(mem_wstrb), .mem_ready(mem_ready), .mem_rdata(mem_rdata),
    .retire(retire), .halted());
  /* verilator lint_on PINCONNECTEMPTY */
`ifdef CPU_LINK_STATS
  // simulation only (Verilator -DCPU_LINK_STATS): clock cycles and instructions, printed at the end
  reg [63:0] n_cycles = 64'd0, n_instr = 64'd0;
  always @(posedge clk) begin
    n_cycles <= n_cycles + 64'd1;
    if (retire) n_instr <= n_instr + 64'd1;
  end
  final $display("cpu_link: %0d cycles, %0d instructions (CPI %0d.%02d)", n_cycles, n_instr,
    n_cycles / n_instr, (n_cycles * 100 / n_instr) % 100);
`endif

  // ---- bus: ph counts the cycles of the current access
  reg  [1:0] ph;
  wire io = mem_addr[31];
  wire wr = mem_wstrb != 4'b0000;
  assign mem_ready = mem_valid & (io ? (ph == 2'd1) : wr ? (ph == 2'd1) : (ph == 2'd2));
  // (an image-window access holds in ph 0 while cpu_st_wait is high)
  wire st = mem_valid & io & (mem_addr[17:16] == 2'd3);
  // (reset with the processor: it presents its first fetch while it is held in reset, and a phase left running
  // would complete that fetch early, from a stale word)
  always @(posedge clk) ph <= (rst | ~mem_valid | mem_ready | (st & cpu_st_wait)) ? 2'd0 : ph + 2'd1;

  // ---- SPRAM (and with BOOT_ROM the ROM at 0x8000, address bit 15; stores there are dropped): the low half in
  // ph 0, the high half in ph 1 (the address is stable through an access, so bit 15 also picks the data)
  wire        hi = ph != 2'd0;
  wire        rom_sel = BOOT_ROM != 0 && mem_addr[15];
  wire [15:0] spram_rd, rom_rd;
  wire [15:0] ram_rd = rom_sel ? rom_rd : spram_rd;
  reg  [15:0] lo;
  wire [1:0]  bs = hi ? mem_wstrb[3:2] : mem_wstrb[1:0];
  cpu_link_ram ram (.clk(clk), .addr({mem_addr[14:2], hi}), .wd(hi ? mem_wdata[31:16] : mem_wdata[15:0]),
    .wmask({bs[1], bs[1], bs[0], bs[0]}), .we(mem_valid & ~io & ~rom_sel & (ph != 2'd2) & (bs != 2'b00)), .rd(spram_rd));
  always @(posedge clk) if (ph == 2'd1) lo <= ram_rd;

  // ---- I/O: registers answer in ph 1 (the access completes then: side effects happen once)
  wire [1:0] region = mem_addr[17:16];
  wire acc = mem_valid & io & (ph == 2'd1) & (region == 2'd0);
  wire [4:0] idx = mem_addr[6:2];
  wire [31:0] rd_rx, rd_tx, rd_core;
  wire [15:0] now_ms;
  wire tick;
  ms_clock #(.TICK_CYCLES(TICK_CYCLES)) clock (.clk(clk), .rst(rst), .tick(tick), .now_ms(now_ms));
  reg [18:0] obs;
  always @(posedge clk)
    if (rst) obs <= 19'd0;
    else if (acc & wr & (idx == 5'd6)) obs <= {mem_wdata[31:16], mem_wdata[2:0]};
  assign session_open = obs[0];
  assign board_state = obs[2:1];
  assign rto_ms = obs[18:3];

  cpu_link_rx rxp (.clk(clk), .rst(rst), .acc(acc), .we(wr), .idx(idx), .rdata(rd_rx),
    .rx_frame_valid(rx_frame_valid), .rx_frame_buf(rx_frame_buf), .rx_frame_release(rx_frame_release),
    .rx_reject(rx_reject), .rx_overrun(rx_overrun),
    .rx_activity(rx_activity), .rx_rd_buf(rx_rd_buf));
  assign rx_rd_addr = mem_addr[12:0];   // the receive window (region 1): data the cycle after

  // the transmit buffer holds a frame, 11 + MAX_PAYLOAD bytes, or where the firmware encodes it (HAL_TX_RAW) its COBS
  // encoding with its CRC-32 and the delimiter (2^TX_AW bytes: 1024 on the board, MAX_PAYLOAD 1003)
  localparam TX_BYTES = 15 + MAX_PAYLOAD + (15 + MAX_PAYLOAD) / 254 + 2;  // (n + n / 254 + 2: frame_encode.h)
  localparam TX_AW = $clog2(TX_BYTES);
  cpu_link_tx #(.AW(TX_AW)) txp (.clk(clk), .rst(rst), .acc(acc), .we(wr), .idx(idx), .wdata(mem_wdata), .rdata(rd_tx),
    .buf_we(mem_valid & io & (ph == 2'd1) & (region == 2'd2) & wr), .buf_addr(mem_addr[TX_AW-1:0]),
    .buf_wd(mem_wdata[7:0]), .tx_start(tx_start), .tx_base(tx_base), .tx_len(tx_len), .tx_busy(tx_busy),
    .tx_rd_addr(tx_rd_addr), .tx_rd_data(tx_rd_data));

  generate if (VCORE == 0) begin : g_nla_core
    wire [15:0] vidx;
    wire [23:0] value;
    cpu_link_coreio cio (.clk(clk), .rst(rst), .acc(acc), .we(wr), .idx(idx), .wdata(mem_wdata), .rdata(rd_core),
      .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(img_commit),
      .img_total(img_total), .img_done(img_done), .img_result(img_result), .img_err_offset(img_err_offset),
      .cpu_we(cpu_we), .cpu_mem(cpu_mem), .cpu_addr(cpu_addr), .cpu_wd(cpu_wd),
      .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs),
      .n_neurons(n_neurons), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
      .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .tgt_we(tgt_we),
      .vidx(vidx), .value(value), .tgt_commit(tgt_commit), .frame_go(frame_go), .frame_done(frame_done),
      .probes(probes), .out_rd_req(out_rd_req), .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data),
      .saturations(saturations), .frames_processed(frames_processed));
    assign in_idx = vidx;
    assign tgt_idx = vidx;
    assign out_rd_idx = vidx;
    assign in_value = value;
    assign tgt_value = value;
    assign {core_acc, core_we, core_idx, core_wdata} = {1'b0, 1'b0, 5'd0, 32'd0};
    wire _unused_vcore = &{1'b0, core_rdata};
  end else begin : g_vcore
    assign core_acc = acc;
    assign core_we = wr;
    assign core_idx = idx;
    assign core_wdata = mem_wdata;
    assign rd_core = core_rdata;
    assign {img_wr_en, img_wr_addr, img_wr_data, img_commit, img_total, cpu_we, cpu_mem, cpu_addr, cpu_wd} = 94'd0;
    assign {core_reset, restore_weights, learn, param_we, param_id, param_value} = 52'd0;
    assign {in_we, in_idx, in_value, tgt_we, tgt_idx, tgt_value, tgt_commit, frame_go, probes, out_rd_req, out_rd_idx} = 105'd0;
    wire _unused_nla = &{1'b0, img_done, img_result, img_err_offset, image_loaded, image_crc, n_stim_inputs, n_outputs,
      n_neurons, frame_done, out_rd_valid, out_rd_data, saturations, frames_processed};
  end endgenerate

  // ---- the boot ROM and BOOT_IO (register 31): a store sets bit 0 CS, 1 SCK, 7 MOSI, 2 the red LED, 3 the green
  // one (reset: CS high, the rest low); a load reads MISO in bit 0 (the flash drives it from SCK's falling edge)
  wire boot_miso;
  generate if (BOOT_ROM != 0) begin : g_boot_rom
    cpu_link_rom boot_rom (.clk(clk), .addr({mem_addr[8:2], hi}), .rd(rom_rd));
    reg [4:0] bio;
    always @(posedge clk)
      if (rst) bio <= 5'b00001;
      else if (acc & wr & (idx == 5'd31)) bio <= {mem_wdata[7], mem_wdata[3:0]};
    assign {flash_mosi, led_green, led_red, flash_sck, flash_csn} = bio;
    assign boot_miso = flash_miso;
  end else begin : g_no_boot_rom
    assign rom_rd = 16'd0;
    assign {flash_mosi, led_green, led_red, flash_sck, flash_csn} = 5'b01001;
    assign boot_miso = 1'b0;
    wire _unused_miso = flash_miso;
  end endgenerate

  wire [31:0] byte_ms = BYTE_MS_Q16;
  wire [31:0] rd_regs = rd_rx | rd_tx | rd_core | ((idx == 5'd5) ? {16'd0, now_ms} : 32'd0) |
    ((idx == 5'd28) ? byte_ms : 32'd0) | {31'd0, idx == 5'd31 && boot_miso};
  // the staging window (region 3): a load byte reads nla_core's staged image at its offset (the address in
  // ph 0, the byte in ph 1, when the access completes)
  assign cpu_st_rd = st & ~wr & ~cpu_st_wait;
  assign cpu_st_we = st & wr & (ph == 2'd0) & ~cpu_st_wait;
  assign cpu_st_wd = mem_wdata[7:0];
  assign cpu_st_addr = {2'd0, mem_addr[14:0]};
  assign mem_rdata = ~io ? {ram_rd, lo} : (region == 2'd1) ? {4{rx_rd_data}} : (region == 2'd3) ? {4{cpu_st_byte}} : rd_regs;
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_bus = ^{mem_addr[30:18], mem_addr[15], mem_addr[1:0], tick, mem_wdata[15:3], retire};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
