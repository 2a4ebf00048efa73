// boot_rom_tb: cpu_link with its boot ROM (BOOT_ROM = 1, the vector core's register bus unanswered, no frames)
// reading sim/spi_flash_model.v (Verilator top; boot_rom_tb.cpp toggles clk). The processor starts in the ROM
// (gateware/firmware/rv32/boot_rom.S, through cpu_link_rom.vh). Plusargs: +flash=<hex> (the model's contents),
// +out=<file>, +nwords=<n> (SPRAM words dumped), +max_cycles=<n>. The SPRAM starts filled with 16'hDEAD. Runs until
// an LED lights: at the green one the SPRAM is dumped and the run ends once the processor fetches address 0 (or
// 1000 cycles later); after the red one it runs 20 000 cycles more (the green one must stay dark). Writes to +out:
//   R <green> <red> <cycles to the LED> <flash protocol errors> <READ frames> <read address (hex)> <bytes read>
//     <SPRAM stores> <stores not to the next byte> <both LEDs> <powered down> <fetched 0 after green>
//     <ROM stores> <SPI pins idle at the end>
//   then the first nwords SPRAM words (at the green LED; at the end otherwise), one hex word a line, then END.
module boot_rom_tb #(
  parameter FLASH_START_DOWN = 1   // 0: the flash is awake at start (a bitstream packed with icepack -s)
) (
  input clk
);
  wire csn, sck, mosi, miso, red, green;
  reg rst = 1'b1;
  /* verilator lint_off PINCONNECTEMPTY */
  cpu_link #(.VCORE(1), .BOOT_ROM(1)) dut (.clk(clk), .rst(rst),
    .flash_csn(csn), .flash_sck(sck), .flash_mosi(mosi), .flash_miso(miso), .led_red(red), .led_green(green),
    .rx_frame_valid(1'b0), .rx_frame_len(13'd0), .rx_frame_buf(1'b0), .rx_frame_release(), .rx_reject(1'b0),
    .rx_reject_reason(3'd0), .rx_overrun(1'b0), .rx_rd_buf(), .rx_rd_addr(), .rx_rd_data(8'd0), .rx_activity(1'b0),
    .tx_start(), .tx_base(), .tx_len(), .tx_busy(1'b0), .tx_rd_addr(16'd0), .tx_rd_data(),
    .img_wr_en(), .img_wr_addr(), .img_wr_data(), .img_commit(), .img_total(), .img_result(2'd0), .img_err_offset(16'd0),
    .cpu_we(), .cpu_mem(), .cpu_addr(), .cpu_wd(), .cpu_st_rd(), .cpu_st_addr(), .cpu_st_byte(8'd0), .cpu_st_we(),
    .cpu_st_wd(), .cpu_st_wait(1'b0), .core_acc(), .core_we(), .core_idx(), .core_wdata(), .core_rdata(32'd0),
    .img_done(1'b0), .image_loaded(1'b0), .image_crc(32'd0), .n_stim_inputs(16'd0), .n_outputs(16'd0), .n_neurons(16'd0),
    .core_reset(), .restore_weights(), .learn(), .param_we(), .param_id(), .param_value(), .in_we(), .in_idx(), .in_value(),
    .tgt_we(), .tgt_idx(), .tgt_value(), .tgt_commit(), .frame_go(), .frame_done(1'b0), .probes(), .out_rd_req(),
    .out_rd_idx(), .out_rd_valid(1'b0), .out_rd_data(24'd0), .saturations(32'd0), .frames_processed(32'd0),
    .session_open(), .board_state(), .rto_ms());
  /* verilator lint_on PINCONNECTEMPTY */
  wire [31:0] f_errors, f_reads, f_bytes;
  wire [23:0] f_addr;
  wire f_down;
  spi_flash_model #(.TRES1(36), .START_DOWN(FLASH_START_DOWN)) flash (.clk(clk), .csn(csn), .sck(sck), .mosi(mosi), .miso(miso),
    .errors(f_errors), .reads(f_reads), .read_addr(f_addr), .read_bytes(f_bytes), .powered_down(f_down));

  integer i, fd, nwords, max_cycles;
  reg [8*256-1:0] out;
  reg [15:0] snap [0:16383];
  reg [31:0] cyc = 0, stores = 0, disorder = 0, rom_stores = 0, finish_at = 0, led_cycles = 0;
  reg seen_green = 0, seen_red = 0, ended = 0, fetched0 = 0;
  initial begin
    for (i = 0; i < 16384; i = i + 1) dut.ram.mem[i] = 16'hDEAD;
    if (!$value$plusargs("nwords=%d", nwords)) nwords = 0;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 20000000;
    if (!$value$plusargs("out=%s", out)) out = "boot_rom_tb.out";
  end
  // a completed store to the SPRAM (a byte at a time from the ROM: each to the next byte address) or to the ROM
  wire st_done = dut.mem_valid && dut.mem_ready && dut.mem_wstrb != 4'd0 && !dut.mem_addr[31];
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    cyc <= cyc + 1;
    if (cyc == 4) rst <= 1'b0;
    if (st_done && !seen_green) begin
      if (dut.mem_addr[15]) rom_stores <= rom_stores + 1;
      else begin
        stores <= stores + 1;
        if (dut.mem_addr != stores || dut.mem_wstrb != (4'd1 << dut.mem_addr[1:0])) disorder <= disorder + 1;
      end
    end
    if (green) seen_green <= 1'b1;
    if (red) seen_red <= 1'b1;
    if (!ended && (green || red)) begin
      ended <= 1'b1; led_cycles <= cyc - 5; finish_at <= cyc + (green ? 1000 : 20000);
      if (green) for (i = 0; i < 16384; i = i + 1) snap[i] = dut.ram.mem[i];
    end
    if (seen_green && !fetched0 && dut.mem_valid && dut.mem_wstrb == 4'd0 && dut.mem_addr == 32'd0) fetched0 <= 1'b1;
    if ((ended && (cyc == finish_at || (seen_green && fetched0))) || cyc == max_cycles) begin
      if (!seen_green) for (i = 0; i < 16384; i = i + 1) snap[i] = dut.ram.mem[i];
      fd = $fopen(out, "w");
      $fwrite(fd, "R %0d %0d %0d %0d %0d %06h %0d %0d %0d %0d %0d %0d %0d %0d\n", seen_green, seen_red,
              ended ? led_cycles : cyc, f_errors, f_reads, f_addr, f_bytes, stores, disorder, seen_green && seen_red,
              f_down, fetched0, rom_stores, csn && !sck && !mosi);
      for (i = 0; i < nwords; i = i + 1) $fwrite(fd, "%04h\n", snap[i]);
      $fwrite(fd, "END\n");
      $fclose(fd);
      $finish;
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
