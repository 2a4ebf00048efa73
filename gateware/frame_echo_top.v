// frame_echo_top: test top for the link blocks. Every good frame frame_rx receives is sent back
// unchanged by frame_tx (read straight out of the receive buffer, which is released when the echo has
// left the line). Every reject, overrun or framing error schedules a report frame (type 0x7F, 8-byte
// payload: last reject reason, then 8-bit running counts of oversized, cobs, short, length, crc,
// overrun and framing errors), sent when no echo is waiting; reports coalesce.
module frame_echo_top #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200,
    parameter integer OVERSAMPLE = 16,
    parameter integer MAX_PAYLOAD = 1024
) (
    input  wire clk,
    input  wire rst,
    input  wire uart_rx_pin,
    output wire uart_tx_pin
);
    localparam [7:0] REPORT_TYPE = 8'h7F;
    localparam [12:0] REPORT_LEN = 13'd19;  // 11 + 8

    wire        rx_frame_valid, rx_frame_buf, rx_reject, rx_overrun, rx_activity_unused, rx_framing_error;
    wire [12:0] rx_frame_len;
    wire [2:0]  rx_reject_reason;
    wire [7:0]  rx_rd_data;
    reg         rx_frame_release;
    reg         rd_buf;

    wire        tx_busy;
    /* verilator lint_off UNUSEDSIGNAL */  // the echo reads frame_rx's 13-bit buffer address space only
    wire [15:0] tx_rd_addr;
    /* verilator lint_on UNUSEDSIGNAL */
    reg  [7:0]  rep_data;
    reg         tx_start;
    reg  [12:0] tx_len;
    reg         sending_report;

    frame_rx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD), .OVERSAMPLE(OVERSAMPLE), .MAX_PAYLOAD(MAX_PAYLOAD)) u_rx (
        .clk(clk), .rst(rst), .uart_rx_pin(uart_rx_pin),
        .rx_frame_valid(rx_frame_valid), .rx_frame_len(rx_frame_len), .rx_frame_buf(rx_frame_buf),
        .rx_frame_release(rx_frame_release), .rx_reject(rx_reject), .rx_reject_reason(rx_reject_reason),
        .rx_overrun(rx_overrun), .rx_rd_buf(rd_buf), .rx_rd_addr(tx_rd_addr[12:0]), .rx_rd_data(rx_rd_data),
        .rx_activity(rx_activity_unused), .rx_framing_error(rx_framing_error)
    );

    frame_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_tx (
        .clk(clk), .rst(rst), .tx_start(tx_start), .tx_base(16'd0), .tx_len(tx_len), .tx_busy(tx_busy),
        .tx_rd_addr(tx_rd_addr), .tx_rd_data(sending_report ? rep_data : rx_rd_data), .uart_tx_pin(uart_tx_pin)
    );

    // frames waiting to be echoed, oldest first (frame_rx announces them in buffer order)
    reg [12:0] len_b0, len_b1;
    reg        eptr;
    reg [1:0]  pend_n;
    // reject report
    reg        report_due;
    reg [7:0]  last_reason;
    reg [7:0]  n_over, n_cobs, n_short, n_len, n_crc, n_overrun, n_framing;

    always @(posedge clk) begin
        case (tx_rd_addr[4:0])
            5'd0: rep_data <= 8'd1;
            5'd1: rep_data <= REPORT_TYPE;
            5'd9: rep_data <= 8'd8;
            5'd11: rep_data <= last_reason;
            5'd12: rep_data <= n_over;
            5'd13: rep_data <= n_cobs;
            5'd14: rep_data <= n_short;
            5'd15: rep_data <= n_len;
            5'd16: rep_data <= n_crc;
            5'd17: rep_data <= n_overrun;
            5'd18: rep_data <= n_framing;
            default: rep_data <= 8'd0;
        endcase
    end

    localparam [1:0] E_IDLE = 2'd0, E_BUSY = 2'd1;
    reg [1:0] est;

    always @(posedge clk) begin
        tx_start <= 1'b0;
        rx_frame_release <= 1'b0;
        if (rst) begin
            len_b0 <= 13'd0;
            len_b1 <= 13'd0;
            eptr <= 1'b0;
            pend_n <= 2'd0;
            report_due <= 1'b0;
            last_reason <= 8'd0;
            {n_over, n_cobs, n_short, n_len, n_crc, n_overrun, n_framing} <= 56'd0;
            est <= E_IDLE;
            rd_buf <= 1'b0;
            tx_len <= 13'd0;
            sending_report <= 1'b0;
        end else begin
            if (rx_reject) begin
                report_due <= 1'b1;
                last_reason <= {5'd0, rx_reject_reason};
                case (rx_reject_reason)
                    3'd1: n_over <= n_over + 8'd1;
                    3'd2: n_cobs <= n_cobs + 8'd1;
                    3'd3: n_short <= n_short + 8'd1;
                    3'd4: n_len <= n_len + 8'd1;
                    default: n_crc <= n_crc + 8'd1;
                endcase
            end
            if (rx_overrun) begin
                report_due <= 1'b1;
                last_reason <= 8'd6;
                n_overrun <= n_overrun + 8'd1;
            end
            if (rx_framing_error) begin
                report_due <= 1'b1;
                n_framing <= n_framing + 8'd1;
            end
            if (rx_frame_valid) begin
                if (rx_frame_buf) len_b1 <= rx_frame_len; else len_b0 <= rx_frame_len;
            end
            case (est)
                E_IDLE: if (!tx_start) begin
                    if (pend_n != 2'd0) begin
                        tx_start <= 1'b1;
                        tx_len <= eptr ? len_b1 : len_b0;
                        rd_buf <= eptr;
                        sending_report <= 1'b0;
                        est <= E_BUSY;
                    end else if (report_due && !rx_reject && !rx_overrun && !rx_framing_error) begin
                        tx_start <= 1'b1;
                        tx_len <= REPORT_LEN;
                        sending_report <= 1'b1;
                        report_due <= 1'b0;
                        est <= E_BUSY;
                    end
                end
                default: if (!tx_busy && !tx_start) begin
                    est <= E_IDLE;
                    if (!sending_report) begin
                        rx_frame_release <= 1'b1;
                        eptr <= !eptr;
                    end
                end
            endcase
            pend_n <= pend_n + (rx_frame_valid ? 2'd1 : 2'd0) -
                      ((est != E_IDLE && !tx_busy && !tx_start && !sending_report) ? 2'd1 : 2'd0);
        end
    end
endmodule
