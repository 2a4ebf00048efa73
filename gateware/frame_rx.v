// frame_rx: receives frames from the UART pin (docs/protocol.md section 3.5). Line bytes go through
// the streaming COBS decoder and the CRC-32 as they arrive; decoded bytes are written into one of two
// frame buffers (ping-pong, CAP = 11 + MAX_PAYLOAD bytes each, the CRC is not stored). At each 0x00
// the block is examined with the checks of section 3.5 in order: empty (ignored), oversized (more than
// MAX_ENCODED non-zero bytes, as host/protocol/frame.ts counts them), cobs, short, length, crc.
// A good frame is announced by rx_frame_valid (one clock after the delimiter's stop bit was sampled);
// its buffer stays held until rx_frame_release. Buffers are released in the order they were announced
// (a release frees the oldest held buffer). A good frame that arrives while both buffers are held is
// dropped with rx_overrun. Bytes with a framing error are dropped (rx_framing_error pulse); the
// checks then reject the damaged block.
module frame_rx #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200,
    parameter integer OVERSAMPLE = 16,
    parameter integer MAX_PAYLOAD = 1024
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        uart_rx_pin,
    output reg         rx_frame_valid,    // 1-cycle pulse: a good frame is ready in buffer rx_frame_buf
    output reg  [12:0] rx_frame_len,      // 11 + payload length (valid with the pulse)
    output reg         rx_frame_buf,
    input  wire        rx_frame_release,  // 1-cycle pulse: the oldest held buffer is free again
    output reg         rx_reject,         // 1-cycle pulse: a non-empty block was rejected
    output reg  [2:0]  rx_reject_reason,  // 1 oversized, 2 cobs, 3 short, 4 length, 5 crc
    output reg         rx_overrun,        // 1-cycle pulse: a good frame was dropped (both buffers held)
    input  wire        rx_rd_buf,
    input  wire [12:0] rx_rd_addr,
    output reg  [7:0]  rx_rd_data,        // registered: data for the address of the previous cycle
    output wire        rx_activity,       // 1-cycle pulse on every correctly framed byte
    output wire        rx_framing_error   // 1-cycle pulse: a byte with a low stop bit was dropped
);
    function integer clog2;
        input integer v;
        integer r;
        begin
            r = 0;
            while ((1 << r) < v) r = r + 1;
            clog2 = r;
        end
    endfunction

    localparam integer CAP = 11 + MAX_PAYLOAD;                  // stored bytes per buffer
    localparam integer RAW_MAX = CAP + 4;                        // header + payload + CRC
    localparam integer MAX_ENCODED = RAW_MAX + (RAW_MAX + 253) / 254 + 2;
    localparam integer AW = clog2(2 * CAP);
    localparam integer CW = AW;                  // block byte counters (2 * CAP > MAX_ENCODED + 1)
    localparam [CW-1:0] ENC_LIMIT = MAX_ENCODED[CW-1:0];
    localparam [CW-1:0] DEC_MIN = 15;
    localparam [CW-1:0] CAP_A = CAP[CW-1:0];
    localparam [15:0] MAX_PAYLOAD_W = MAX_PAYLOAD[15:0];

    // UART and decoder
    wire       b_valid;
    wire [7:0] b_byte;
    wire       d_valid, blk_end, blk_empty, blk_malformed;
    wire [7:0] d_byte;
    wire [31:0] crc_unused;
    wire       crc_residue_ok;

    uart_rx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD), .OVERSAMPLE(OVERSAMPLE)) u_uart (
        .clk(clk), .rst(rst), .rx_pin(uart_rx_pin), .out_valid(b_valid), .out_byte(b_byte),
        .framing_error(rx_framing_error)
    );
    assign rx_activity = b_valid;

    cobs_decoder u_dec (
        .clk(clk), .rst(rst), .in_valid(b_valid), .in_byte(b_byte), .out_valid(d_valid), .out_byte(d_byte),
        .blk_end(blk_end), .blk_empty(blk_empty), .blk_malformed(blk_malformed)
    );

    crc32 u_crc (
        .clk(clk), .rst(rst), .init(blk_end), .en(d_valid), .data(d_byte), .crc(crc_unused), .residue_ok(crc_residue_ok)
    );

    // block state
    reg [CW-1:0] enc_n;      // non-zero line bytes of this block (saturates at ENC_LIMIT + 1)
    reg [CW-1:0] dec_n;      // decoded bytes (saturates)
    reg [15:0]   len_field;
    reg          drop;       // both buffers were held when the block began
    // buffer ownership: a 2-entry FIFO of held buffers
    reg          rptr;       // oldest held buffer
    reg [1:0]    held_n;
    wire         wbuf = rptr ^ held_n[0];

    // the checks, registered: the block's counters settle at least a byte time before its delimiter
    wire [15:0] dec_n16 = {{(16 - CW){1'b0}}, dec_n};
    reg oversized, short_blk, bad_len, crc_ok;
    always @(posedge clk) begin
        oversized <= (enc_n > ENC_LIMIT);
        short_blk <= (dec_n < DEC_MIN);
        bad_len <= (len_field > MAX_PAYLOAD_W) || (dec_n16 != len_field + 16'd15);
        crc_ok <= crc_residue_ok;
    end

    // frame memory (EBR): write the decoded bytes, read port for the session
    // no_rw_check: no read-during-write bypass (about 45 cells). A read and a write never meet at one
    // address when the read is used: bytes are written only into the buffer being filled, and the
    // session reads only a held (announced, not yet released) buffer, which is never written.
    (* no_rw_check *) reg [7:0] mem [0:2 * CAP - 1];
    wire [AW-1:0] wr_addr = (wbuf ? CAP_A : {AW{1'b0}}) + dec_n;
    /* verilator lint_off UNUSEDSIGNAL */  // the top bits are unused: 2 * CAP needs at most 14 address bits
    wire [15:0]   rd_off = {3'd0, rx_rd_addr};
    /* verilator lint_on UNUSEDSIGNAL */
    wire [AW-1:0] rd_addr = (rx_rd_buf ? CAP_A : {AW{1'b0}}) + rd_off[AW-1:0];
    wire          wr_en = d_valid && !drop && (dec_n < CAP_A);

    always @(posedge clk) begin
        if (wr_en) mem[wr_addr] <= d_byte;
        rx_rd_data <= mem[rd_addr];
    end

    wire frame_good = blk_end && !blk_empty && !oversized && !blk_malformed && !short_blk && !bad_len && crc_ok;
    wire announce = frame_good && !drop;
    wire release_ok = rx_frame_release && (held_n != 2'd0);

    always @(posedge clk) begin
        rx_frame_valid <= 1'b0;
        rx_reject <= 1'b0;
        rx_overrun <= 1'b0;
        if (rst) begin
            enc_n <= {CW{1'b0}};
            dec_n <= {CW{1'b0}};
            len_field <= 16'd0;
            drop <= 1'b0;
            rptr <= 1'b0;
            held_n <= 2'd0;
            rx_frame_len <= 13'd0;
            rx_frame_buf <= 1'b0;
            rx_reject_reason <= 3'd0;
        end else begin
            if (b_valid && b_byte != 8'd0) begin
                if (enc_n == {CW{1'b0}}) drop <= (held_n == 2'd2);
                if (enc_n <= ENC_LIMIT) enc_n <= enc_n + 1'b1;
            end
            if (d_valid) begin
                if (dec_n <= ENC_LIMIT) dec_n <= dec_n + 1'b1;
                if (dec_n == 9) len_field[7:0] <= d_byte;
                if (dec_n == 10) len_field[15:8] <= d_byte;
            end
            if (blk_end) begin
                enc_n <= {CW{1'b0}};
                dec_n <= {CW{1'b0}};
                len_field <= 16'd0;
                if (!blk_empty) begin
                    if (oversized || blk_malformed || short_blk || bad_len || !crc_ok) begin
                        rx_reject <= 1'b1;
                        rx_reject_reason <= oversized ? 3'd1 : blk_malformed ? 3'd2 : short_blk ? 3'd3 :
                                            bad_len ? 3'd4 : 3'd5;
                    end else if (drop) rx_overrun <= 1'b1;
                    else begin
                        rx_frame_valid <= 1'b1;
                        rx_frame_len <= len_field[12:0] + 13'd11;
                        rx_frame_buf <= wbuf;
                    end
                end
            end
            held_n <= held_n + (announce ? 2'd1 : 2'd0) - (release_ok ? 2'd1 : 2'd0);
            if (release_ok) rptr <= !rptr;
        end
    end
endmodule
