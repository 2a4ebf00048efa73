// frame_tx: sends one raw frame (header || payload, tx_len bytes read from the session's memory at
// tx_base..) as COBS(frame || CRC-32 little-endian) || 0x00 through the UART transmitter
// (docs/protocol.md section 3). The memory is read through tx_rd_addr/tx_rd_data (data one cycle
// after the address), two clocks per byte, computing the CRC on the way; the encoder fills its next
// group while the UART sends the current one, so the line runs without gaps after the first group.
// tx_busy is high from the cycle after tx_start until the delimiter's stop bit has left the pin.
module frame_tx #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        tx_start,    // 1-cycle pulse when !tx_busy
    input  wire [15:0] tx_base,
    input  wire [12:0] tx_len,      // 11 + payload length
    output wire        tx_busy,
    output wire [15:0] tx_rd_addr,
    input  wire [7:0]  tx_rd_data,
    output wire        uart_tx_pin
);
    localparam [2:0] T_IDLE = 3'd0, T_RD = 3'd1, T_FEED = 3'd2, T_CRC = 3'd3, T_ENC = 3'd4, T_UART = 3'd5;
    reg [2:0]  state;
    reg [15:0] base;
    reg [12:0] len;
    reg [12:0] idx;
    reg [1:0]  crc_idx;

    wire [31:0] crc;
    wire        crc_residue_unused;
    wire        enc_ready, enc_frame_done;
    wire        enc_out_valid, uart_ready, uart_busy;
    wire [7:0]  enc_out_byte;

    wire        feed = (state == T_FEED) || (state == T_CRC);
    wire [7:0]  feed_byte = (state == T_FEED) ? tx_rd_data : crc[8 * crc_idx +: 8];
    wire        feed_last = (state == T_CRC) && (crc_idx == 2'd3);
    wire        fed = feed && enc_ready;

    assign tx_busy = (state != T_IDLE);
    assign tx_rd_addr = base + {3'd0, idx};

    crc32 u_crc (
        .clk(clk), .rst(rst), .init(tx_start && state == T_IDLE), .en(fed && state == T_FEED),
        .data(tx_rd_data), .crc(crc), .residue_ok(crc_residue_unused)
    );

    cobs_encoder u_enc (
        .clk(clk), .rst(rst), .in_valid(feed), .in_byte(feed_byte), .in_last(feed_last), .in_ready(enc_ready),
        .out_valid(enc_out_valid), .out_byte(enc_out_byte), .out_ready(uart_ready), .frame_done(enc_frame_done)
    );

    uart_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_uart (
        .clk(clk), .rst(rst), .in_valid(enc_out_valid), .in_byte(enc_out_byte), .in_ready(uart_ready),
        .busy(uart_busy), .tx_pin(uart_tx_pin)
    );

    always @(posedge clk) begin
        if (rst) begin
            state <= T_IDLE;
            base <= 16'd0;
            len <= 13'd0;
            idx <= 13'd0;
            crc_idx <= 2'd0;
        end else begin
            case (state)
                T_IDLE: if (tx_start) begin
                    base <= tx_base;
                    len <= tx_len;
                    idx <= 13'd0;
                    crc_idx <= 2'd0;
                    state <= (tx_len == 13'd0) ? T_CRC : T_RD;
                end
                T_RD: state <= T_FEED;
                T_FEED: if (enc_ready) begin
                    idx <= idx + 13'd1;
                    state <= (idx + 13'd1 == len) ? T_CRC : T_RD;
                end
                T_CRC: if (enc_ready) begin
                    crc_idx <= crc_idx + 2'd1;
                    if (crc_idx == 2'd3) state <= T_ENC;
                end
                T_ENC: if (enc_frame_done) state <= T_UART;
                T_UART: if (!uart_busy) state <= T_IDLE;
                default: state <= T_IDLE;
            endcase
        end
    end
endmodule
