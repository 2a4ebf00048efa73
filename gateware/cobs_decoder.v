// cobs_decoder: streaming COBS decoder (docs/protocol.md section 3.3). Feed the line bytes of a block
// one at a time; a 0x00 ends the block. Each non-zero input yields at most one output byte the next
// cycle (a data byte, or the implied 0x00 of the previous group, emitted when a code byte shows that
// more bytes follow), so the decoder never stalls. Both trailing forms after a 0xFF group (with and
// without a final 01 code) decode to the same bytes. At the delimiter blk_end pulses (one cycle after)
// with blk_empty (no byte before it: idle) and blk_malformed (the block ended inside a group: c - 1
// data bytes were not all there). A 0x00 code or a 0x00 among the data cannot occur: 0x00 ends the block.
module cobs_decoder (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    input  wire [7:0] in_byte,
    output reg        out_valid,     // decoded byte
    output reg  [7:0] out_byte,
    output reg        blk_end,       // pulse: the block ended (its last out_valid came earlier)
    output reg        blk_empty,     // with blk_end: nothing before the delimiter
    output reg        blk_malformed  // with blk_end: COBS malformed (truncated group)
);
    reg [7:0] remaining;  // data bytes still due in the current group; 0: next byte is a code
    reg       group_ff;   // the current group's code was 0xFF (no implied zero after it)
    reg       started;    // a code byte has been seen in this block

    always @(posedge clk) begin
        out_valid <= 1'b0;
        blk_end <= 1'b0;
        if (rst) begin
            remaining <= 8'd0;
            group_ff <= 1'b0;
            started <= 1'b0;
            out_byte <= 8'd0;
            blk_empty <= 1'b0;
            blk_malformed <= 1'b0;
        end else if (in_valid) begin
            if (in_byte == 8'd0) begin
                blk_end <= 1'b1;
                blk_empty <= !started;
                blk_malformed <= (remaining != 8'd0);
                remaining <= 8'd0;
                group_ff <= 1'b0;
                started <= 1'b0;
            end else if (remaining == 8'd0) begin
                // code byte: the previous group (if any, and not a 0xFF group) ended with a zero
                if (started && !group_ff) begin
                    out_valid <= 1'b1;
                    out_byte <= 8'd0;
                end
                group_ff <= (in_byte == 8'hFF);
                remaining <= in_byte - 8'd1;
                started <= 1'b1;
            end else begin
                out_valid <= 1'b1;
                out_byte <= in_byte;
                remaining <= remaining - 8'd1;
            end
        end
    end
endmodule
