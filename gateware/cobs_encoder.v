// cobs_encoder: streaming COBS encoder (docs/protocol.md section 3.3) with the exact output of the
// reference encoder host/protocol/cobs.ts, followed by the 0x00 frame delimiter. Input bytes of a
// frame (in_last on the final one) are collected into groups in a 2 x 256-byte ping-pong buffer
// (one EBR): a group ends at a 0x00 (code = length + 1, the zero implied), at 254 non-zero bytes
// (code 0xFF, a new group follows) or at the frame end. As the reference does, a frame that ends
// with a 0x00 or with a full 254-byte group gets a final empty group `01`. While one group is sent
// (code byte, then its bytes) the next one is filled, so the output keeps up with a slow sink
// (a UART); the filler takes one byte per clock while a half is free.
module cobs_encoder (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    input  wire [7:0] in_byte,
    input  wire       in_last,     // with in_valid: the frame's last byte
    output wire       in_ready,
    output wire       out_valid,
    output reg  [7:0] out_byte,
    input  wire       out_ready,
    output reg        frame_done   // pulse: the delimiter was accepted by the sink
);
    // no_rw_check: no read-during-write bypass (about 45 cells). The filler writes only a half that is
    // not full; the sender reads only a full half (it waits in S_WAIT otherwise), so a used read never
    // meets a write at its address.
    (* no_rw_check *) reg [7:0] gbuf [0:511];

    // filler
    reg       fh;            // half being filled
    reg [7:0] fcnt;          // bytes in the group being filled
    reg [1:0] half_full;
    reg [7:0] code0, code1;  // group code of each half
    reg [1:0] extra01;       // after this group: an empty final group `01`
    reg [1:0] final_grp;     // after this group (and its extra 01): the delimiter

    assign in_ready = !half_full[fh];

    wire       take = in_valid && in_ready;
    wire       close_zero = (in_byte == 8'd0);
    wire       close_full = !close_zero && (fcnt == 8'd253);
    wire       close_now = close_zero || close_full || in_last;
    wire [7:0] close_code = close_zero ? fcnt + 8'd1 : (close_full ? 8'hFF : fcnt + 8'd2);

    always @(posedge clk) begin
        if (take && !close_zero) gbuf[{fh, fcnt}] <= in_byte;
    end

    // sender
    localparam [2:0] S_WAIT = 3'd0, S_CODE = 3'd1, S_RD = 3'd2, S_OUT = 3'd3, S_END = 3'd4,
                     S_EXTRA = 3'd5, S_DELIM = 3'd6;
    reg [2:0] state;
    reg       sh;            // half being sent
    reg [7:0] sidx;          // next data byte of the group
    reg [7:0] rd;

    wire [7:0] scode = sh ? code1 : code0;
    wire       free_half = (out_ready && (state == S_DELIM || (state == S_EXTRA && !final_grp[sh]))) ||
                           (state == S_END && !extra01[sh] && !final_grp[sh]);

    always @(posedge clk) rd <= gbuf[{sh, sidx}];

    assign out_valid = (state == S_CODE) || (state == S_OUT) || (state == S_EXTRA) || (state == S_DELIM);
    always @* begin
        case (state)
            S_CODE:  out_byte = scode;
            S_OUT:   out_byte = rd;
            S_EXTRA: out_byte = 8'h01;
            default: out_byte = 8'h00;
        endcase
    end

    always @(posedge clk) begin
        frame_done <= 1'b0;
        if (rst) begin
            fh <= 1'b0;
            fcnt <= 8'd0;
            half_full <= 2'b00;
            code0 <= 8'd1;
            code1 <= 8'd1;
            extra01 <= 2'b00;
            final_grp <= 2'b00;
            state <= S_WAIT;
            sh <= 1'b0;
            sidx <= 8'd0;
        end else begin
            // filler
            if (take) begin
                if (close_now) begin
                    half_full[fh] <= 1'b1;
                    if (fh) code1 <= close_code; else code0 <= close_code;
                    extra01[fh] <= in_last && (close_zero || close_full);
                    final_grp[fh] <= in_last;
                    fh <= !fh;
                    fcnt <= 8'd0;
                end else fcnt <= fcnt + 8'd1;
            end
            // sender
            case (state)
                S_WAIT: if (half_full[sh]) state <= S_CODE;
                S_CODE: if (out_ready) begin
                    sidx <= 8'd0;
                    state <= (scode == 8'd1) ? S_END : S_RD;
                end
                S_RD: state <= S_OUT;
                S_OUT: if (out_ready) begin
                    sidx <= sidx + 8'd1;
                    state <= (sidx + 8'd2 == scode) ? S_END : S_RD;
                end
                S_END: state <= extra01[sh] ? S_EXTRA : (final_grp[sh] ? S_DELIM : S_WAIT);
                S_EXTRA: if (out_ready) state <= final_grp[sh] ? S_DELIM : S_WAIT;
                S_DELIM: if (out_ready) begin
                    state <= S_WAIT;
                    frame_done <= 1'b1;
                end
                default: state <= S_WAIT;
            endcase
            if (free_half) begin
                half_full[sh] <= 1'b0;
                sh <= !sh;
            end
        end
    end
endmodule
