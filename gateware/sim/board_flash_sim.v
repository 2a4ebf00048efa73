// board_flash_sim: the board as the chip runs it, for the co-simulation harness sim/board_sim.cpp: ice40_top
// (power-on reset, pins) around board_top with FLASH_BOOT = 1, built WITHOUT `CPU_LINK_FW (so cpu_link's
// SPRAM starts empty, as on the UP5K), and the configuration flash sim/spi_flash_model.v on its SPI pins,
// loaded from the file named by the define SPI_FLASH_HEX (the firmware image packed by
// host/fpga/firmware-image.ts at 1 MiB). Build: -DBOARD_TOP=board_top -DBOARD_TOP_FLASH
// -DSPI_FLASH_HEX="<file>" (test/gateware/flash-board.test.ts). The harness's rst is not used: the board
// has no reset line (ice40_top's power-on reset). Simulation only. Prints (stdout):
//   board_flash_sim: booted at cycle N         when led_green_n falls (the boot ROM jumps to the firmware)
//   board_flash_sim: boot error at cycle N     when led_red_n falls (the boot ROM refused the image)
//   board_flash_sim: end cycles=N red=R green=G retired=I tx_falling_edges=U flash_errors=E flash_reads=F
//     flash_bytes=B spram_reads=S       at the end (R, G: LED lit; I: instructions the CPU retired; U: falling edges on
//     uart_tx after the power-on resets, 0 = the line never left idle; S: the processor's reads from the SPRAM, its
//     fetches included: 0 = the firmware never ran, the boot ROM only stores there)
module board_flash_sim #(
  parameter CLK_HZ = 12000000,
  parameter BAUD = 921600
) (
  input  clk,
  /* verilator lint_off UNUSEDSIGNAL */
  input  rst,
  /* verilator lint_on UNUSEDSIGNAL */
  input  uart_rx_pin,
  output uart_tx_pin
);
  wire csn, sck, mosi, miso, led_red_n, led_green_n;
  ice40_top #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_board (.flash_csn(csn), .flash_sck(sck), .flash_mosi(mosi),
    .flash_miso(miso), .led_red_n(led_red_n), .led_green_n(led_green_n), .clk_12m(clk), .uart_rx(uart_rx_pin),
    .uart_tx(uart_tx_pin));
  wire [31:0] f_errors, f_reads, f_bytes;
  wire [23:0] f_addr;
  wire f_down;
  spi_flash_model #(.TRES1(36), .START_DOWN(1)) u_flash (.clk(clk), .csn(csn), .sck(sck), .mosi(mosi), .miso(miso),
    .errors(f_errors), .reads(f_reads), .read_addr(f_addr), .read_bytes(f_bytes), .powered_down(f_down));

  reg [63:0] cyc = 64'd0, retired = 64'd0, starts = 64'd0, spram_reads = 64'd0;
  reg green_seen = 1'b0, red_seen = 1'b0, tx_q = 1'b1;
  always @(posedge clk) begin
    cyc <= cyc + 64'd1;
    tx_q <= uart_tx_pin;
    // from the end of the power-on resets on (uart_tx's flip-flop configures to 0: the pin is low until then)
    if (tx_q && !uart_tx_pin && cyc >= 64'd1024) starts <= starts + 64'd1;
    if (u_board.u_top.u_link.retire) retired <= retired + 64'd1;
    if (u_board.u_top.u_link.mem_valid && u_board.u_top.u_link.mem_ready && u_board.u_top.u_link.mem_wstrb == 4'd0
        && !u_board.u_top.u_link.mem_addr[31] && !u_board.u_top.u_link.mem_addr[15]) spram_reads <= spram_reads + 64'd1;
    if (!led_green_n && !green_seen) begin green_seen <= 1'b1; $display("board_flash_sim: booted at cycle %0d", cyc); end
    if (!led_red_n && !red_seen) begin red_seen <= 1'b1; $display("board_flash_sim: boot error at cycle %0d", cyc); end
  end
  final $display("board_flash_sim: end cycles=%0d red=%0d green=%0d retired=%0d tx_falling_edges=%0d flash_errors=%0d flash_reads=%0d flash_bytes=%0d spram_reads=%0d",
    cyc, !led_red_n, !led_green_n, retired, starts, f_errors, f_reads, f_bytes, spram_reads);
  wire _unused = &{1'b0, f_addr, f_down};
endmodule
