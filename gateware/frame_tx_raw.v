// frame_tx_raw: sends tx_len bytes read from memory at tx_base.. through the UART transmitter as they are: a frame
// its sender has already encoded, COBS(frame || CRC-32 little-endian) || 0x00 (docs/protocol.md section 3; on the
// board cpu_link's firmware encodes it, HAL_TX_RAW, and frame_tx's CRC-32 and COBS encoder are not built). The ports and
// timing are frame_tx's: the memory is read through tx_rd_addr/tx_rd_data (data one cycle after the address), and
// tx_busy is high from the cycle after tx_start until the last byte's stop bit has left the pin.
module frame_tx_raw #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        tx_start,    // 1-cycle pulse when !tx_busy
    input  wire [15:0] tx_base,
    input  wire [12:0] tx_len,      // bytes on the line, the delimiter included
    output wire        tx_busy,
    output wire [15:0] tx_rd_addr,
    input  wire [7:0]  tx_rd_data,
    output wire        uart_tx_pin
);
    localparam [1:0] T_IDLE = 2'd0, T_RD = 2'd1, T_SEND = 2'd2, T_UART = 2'd3;
    reg [1:0]  state;
    reg [15:0] base;
    reg [12:0] len;
    reg [12:0] idx;
    wire       uart_ready, uart_busy;

    assign tx_busy = (state != T_IDLE);
    assign tx_rd_addr = base + {3'd0, idx};

    uart_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_uart (
        .clk(clk), .rst(rst), .in_valid(state == T_SEND), .in_byte(tx_rd_data), .in_ready(uart_ready),
        .busy(uart_busy), .tx_pin(uart_tx_pin)
    );

    always @(posedge clk) begin
        if (rst) begin
            state <= T_IDLE;
            base <= 16'd0;
            len <= 13'd0;
            idx <= 13'd0;
        end else begin
            case (state)
                T_IDLE: if (tx_start) begin
                    base <= tx_base;
                    len <= tx_len;
                    idx <= 13'd0;
                    state <= (tx_len == 13'd0) ? T_UART : T_RD;  // (nothing to send: busy for a cycle all the same)
                end
                T_RD: state <= T_SEND;   // the byte at idx arrives
                T_SEND: if (uart_ready) begin
                    idx <= idx + 13'd1;
                    state <= (idx + 13'd1 == len) ? T_UART : T_RD;
                end
                default: if (!uart_busy) state <= T_IDLE;  // T_UART: the last stop bit leaves
            endcase
        end
    end
endmodule
