// flash_boot_tb: gateware/flash_boot.v reading spi_flash_model into a 16K x 16 RAM model (Verilator top;
// flash_boot_tb.cpp toggles clk). Plusargs: +flash=<hex> (the model's contents), +out=<file>,
// +nwords=<n> (RAM words dumped), +max_cycles=<n>. Runs until done or error, then 2000 cycles more
// (done must not follow error, nor error follow done), and writes to +out:
//   R <done> <error> <cycles to done/error> <flash protocol errors> <READ frames> <read address (hex)>
//     <bytes read> <RAM writes> <writes out of order> <done and error both seen> <powered down>
//   then the first nwords RAM words, one hex word a line (unwritten words read DEAD).
module flash_boot_tb #(
  parameter [23:0] OFFSET = 24'h100000,
  parameter MAX_BYTES = 32768,
  parameter SCK_DIV = 1,
  parameter WAKE_CYCLES = 48,
  parameter FLASH_START_DOWN = 1   // 0: the flash is awake at start (a bitstream packed with icepack -s)
) (
  input clk
);
  wire csn, sck, mosi, miso, we, done, error;
  wire [13:0] waddr;
  wire [15:0] wd;
  reg rst = 1'b1;
  flash_boot #(.OFFSET(OFFSET), .MAX_BYTES(MAX_BYTES), .AW(14), .SCK_DIV(SCK_DIV), .WAKE_CYCLES(WAKE_CYCLES)) dut (
    .clk(clk), .rst(rst), .spi_csn(csn), .spi_sck(sck), .spi_mosi(mosi), .spi_miso(miso),
    .ram_we(we), .ram_addr(waddr), .ram_wd(wd), .done(done), .error(error));
  wire [31:0] f_errors, f_reads, f_bytes;
  wire [23:0] f_addr;
  wire f_down;
  spi_flash_model #(.TRES1(36), .START_DOWN(FLASH_START_DOWN)) flash (.clk(clk), .csn(csn), .sck(sck), .mosi(mosi), .miso(miso),
    .errors(f_errors), .reads(f_reads), .read_addr(f_addr), .read_bytes(f_bytes), .powered_down(f_down));

  reg [15:0] ram [0:16383];
  integer i, fd, nwords, max_cycles;
  reg [8*256-1:0] out;
  reg [31:0] cyc = 0, writes = 0, disorder = 0, finish_at = 0, end_cycles = 0;
  reg seen_done = 0, seen_error = 0, ended = 0;
  initial begin
    for (i = 0; i < 16384; i = i + 1) ram[i] = 16'hDEAD;
    if (!$value$plusargs("nwords=%d", nwords)) nwords = 0;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 2000000;
    if (!$value$plusargs("out=%s", out)) out = "flash_boot_tb.out";
  end
  always @(posedge clk) begin
    cyc <= cyc + 1;
    if (cyc == 4) rst <= 1'b0;
    if (we) begin
      ram[waddr] <= wd;
      writes <= writes + 1;
      if ({18'd0, waddr} != writes) disorder <= disorder + 1;
    end
    if (done) seen_done <= 1'b1;
    if (error) seen_error <= 1'b1;
    if (!ended && (done || error)) begin ended <= 1'b1; end_cycles <= cyc - 5; finish_at <= cyc + 2000; end
    if ((ended && cyc == finish_at) || cyc == max_cycles) begin
      fd = $fopen(out, "w");
      $fwrite(fd, "R %0d %0d %0d %0d %0d %06h %0d %0d %0d %0d %0d\n", seen_done, seen_error, ended ? end_cycles : cyc,
              f_errors, f_reads, f_addr, f_bytes, writes, disorder, seen_done && seen_error, f_down);
      for (i = 0; i < nwords; i = i + 1) $fwrite(fd, "%04h\n", ram[i]);
      $fwrite(fd, "END\n");
      $fclose(fd);
      $finish;
    end
  end
endmodule
