// ice40_top: board wrapper for iCE40 boards. Instantiates the top named by the macro BOARD_TOP
// (read_verilog -DBOARD_TOP=frame_echo_top) with CLK_HZ and BAUD, holds it in reset for 2^RST_BITS
// clocks after configuration (power-on reset: the boards have no reset line), and registers the UART
// input once at the pin (the top synchronises it further).
module ice40_top #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 921600,
    parameter integer RST_BITS = 8
) (
    input  wire clk_12m,
    input  wire uart_rx,
    output wire uart_tx
);
    reg [RST_BITS:0] por = {(RST_BITS + 1){1'b0}};  // iCE40 flip-flops configure to 0
    wire rst = !por[RST_BITS];
    always @(posedge clk_12m) if (rst) por <= por + 1'b1;

    reg rx_q = 1'b1;
    always @(posedge clk_12m) rx_q <= uart_rx;

    `BOARD_TOP #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_top (
        .clk(clk_12m), .rst(rst), .uart_rx_pin(rx_q), .uart_tx_pin(uart_tx)
    );
endmodule
