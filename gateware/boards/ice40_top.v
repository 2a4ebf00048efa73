// ice40_top: board wrapper for iCE40 boards. Instantiates the top named by the macro BOARD_TOP
// (read_verilog -DBOARD_TOP=frame_echo_top) with CLK_HZ and BAUD, holds it in reset for 2^RST_BITS
// clocks after configuration (power-on reset: the boards have no reset line), and registers the UART
// input once at the pin (the top synchronises it further).
// With the macro BOARD_TOP_FLASH defined (host/fpga/ice40-build.ts defines it for a top that has the
// port flash_miso: board_top) the top also gets the configuration SPI flash (flash_csn, flash_sck,
// flash_mosi, flash_miso: cpu_link's boot ROM reads the soft processor's firmware from it) and drives
// the LEDs led_red_n (boot failed) and led_green_n (firmware running); pins in boards/<board>.pcf.
module ice40_top #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 921600,
    parameter integer RST_BITS = 8
) (
`ifdef BOARD_TOP_FLASH
    output wire flash_csn,
    output wire flash_sck,
    output wire flash_mosi,
    input  wire flash_miso,
    output wire led_red_n,
    output wire led_green_n,
`endif
    input  wire clk_12m,
    input  wire uart_rx,
    output wire uart_tx
);
    reg [RST_BITS:0] por = {(RST_BITS + 1){1'b0}};  // iCE40 flip-flops configure to 0
    wire rst = !por[RST_BITS];
    always @(posedge clk_12m) if (rst) por <= por + 1'b1;

    reg rx_q = 1'b1;
    always @(posedge clk_12m) rx_q <= uart_rx;

`ifdef BOARD_TOP_FLASH
    /* verilator lint_off PINCONNECTEMPTY */
    `BOARD_TOP #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_top (
        .clk(clk_12m), .rst(rst), .uart_rx_pin(rx_q), .uart_tx_pin(uart_tx), .led_session(), .led_streaming(),
        .flash_csn(flash_csn), .flash_sck(flash_sck), .flash_mosi(flash_mosi), .flash_miso(flash_miso),
        .led_red_n(led_red_n), .led_green_n(led_green_n)
    );
    /* verilator lint_on PINCONNECTEMPTY */
`else
    `BOARD_TOP #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_top (
        .clk(clk_12m), .rst(rst), .uart_rx_pin(rx_q), .uart_tx_pin(uart_tx)
    );
`endif
endmodule
