// tb_crc_cobs: iverilog testbench for crc32, cobs_decoder and cobs_encoder, one clock per byte.
// +crc=<hex file, +ncrc entries>: 9-bit entries, a byte or 0x100 (end of message): writes
//   "C <crc> <residue_ok>" per message.
// +dec=<hex file, +ndec bytes>: the line bytes of COBS blocks with their 0x00 delimiters: writes
//   "D xx" per decoded byte and "E <empty> <malformed>" per block.
// +enc=<hex file, +nenc entries>: 9-bit entries, bit 8 = last byte of a frame: writes "X xx" per byte
//   the encoder sends (delimiters included); the sink accepts every third cycle.
// Output to +out, then "END".
`timescale 1ns / 1ps
module tb_crc_cobs;
    reg clk = 1'b0;
    reg rst = 1'b1;
    always #5 clk = !clk;

    reg [1023:0] fcrc, fdec, fenc, fout;
    integer ncrc, ndec, nenc, fd, i, frames_done, frames_total;
    reg [8:0] vcrc [0:65535];
    reg [7:0] vdec [0:65535];
    reg [8:0] venc [0:65535];

    // crc32
    reg c_init = 1'b0, c_en = 1'b0;
    reg [7:0] c_data = 8'd0;
    wire [31:0] c_crc;
    wire c_res;
    crc32 u_crc (.clk(clk), .rst(rst), .init(c_init), .en(c_en), .data(c_data), .crc(c_crc), .residue_ok(c_res));

    // decoder
    reg d_in_valid = 1'b0;
    reg [7:0] d_in = 8'd0;
    wire d_valid, d_end, d_empty, d_mal;
    wire [7:0] d_byte;
    cobs_decoder u_dec (.clk(clk), .rst(rst), .in_valid(d_in_valid), .in_byte(d_in), .out_valid(d_valid),
        .out_byte(d_byte), .blk_end(d_end), .blk_empty(d_empty), .blk_malformed(d_mal));
    always @(posedge clk) begin
        if (d_valid) $fdisplay(fd, "D %02x", d_byte);
        if (d_end) $fdisplay(fd, "E %0d %0d", d_empty, d_mal);
    end

    // encoder
    reg e_valid = 1'b0, e_last = 1'b0;
    reg [7:0] e_byte = 8'd0;
    wire e_ready, e_out_valid, e_done;
    wire [7:0] e_out;
    reg [1:0] sink_phase = 2'd0;
    wire sink_ready = (sink_phase == 2'd2);
    cobs_encoder u_enc (.clk(clk), .rst(rst), .in_valid(e_valid), .in_byte(e_byte), .in_last(e_last),
        .in_ready(e_ready), .out_valid(e_out_valid), .out_byte(e_out), .out_ready(sink_ready), .frame_done(e_done));
    always @(posedge clk) begin
        sink_phase <= (sink_phase == 2'd2) ? 2'd0 : sink_phase + 2'd1;
        if (e_out_valid && sink_ready) $fdisplay(fd, "X %02x", e_out);
        if (e_done) frames_done = frames_done + 1;
    end

    initial begin
        if (!$value$plusargs("out=%s", fout)) $fatal(1, "no +out");
        if (!$value$plusargs("ncrc=%d", ncrc)) ncrc = 0;
        if (!$value$plusargs("ndec=%d", ndec)) ndec = 0;
        if (!$value$plusargs("nenc=%d", nenc)) nenc = 0;
        if (ncrc > 0) begin if (!$value$plusargs("crc=%s", fcrc)) $fatal(1, "no +crc"); $readmemh(fcrc, vcrc, 0, ncrc - 1); end
        if (ndec > 0) begin if (!$value$plusargs("dec=%s", fdec)) $fatal(1, "no +dec"); $readmemh(fdec, vdec, 0, ndec - 1); end
        if (nenc > 0) begin if (!$value$plusargs("enc=%s", fenc)) $fatal(1, "no +enc"); $readmemh(fenc, venc, 0, nenc - 1); end
        fd = $fopen(fout, "w");
        frames_done = 0;
        frames_total = 0;
        for (i = 0; i < nenc; i = i + 1) if (venc[i][8]) frames_total = frames_total + 1;
        repeat (3) @(posedge clk);
        rst <= 1'b0;
        // CRC messages
        @(posedge clk) c_init <= 1'b1;
        for (i = 0; i < ncrc; i = i + 1) begin
            @(posedge clk);
            c_init <= 1'b0;
            c_en <= 1'b0;
            if (vcrc[i][8]) begin
                @(posedge clk);
                $fdisplay(fd, "C %08x %0d", c_crc, c_res);
                c_init <= 1'b1;
            end else begin
                c_en <= 1'b1;
                c_data <= vcrc[i][7:0];
            end
        end
        @(posedge clk) begin c_en <= 1'b0; c_init <= 1'b0; end
        // decoder
        for (i = 0; i < ndec; i = i + 1) begin
            @(posedge clk);
            d_in_valid <= 1'b1;
            d_in <= vdec[i];
        end
        @(posedge clk) d_in_valid <= 1'b0;
        repeat (3) @(posedge clk);
        // encoder
        i = 0;
        while (i < nenc) begin
            e_valid <= 1'b1;
            e_byte <= venc[i][7:0];
            e_last <= venc[i][8];
            @(posedge clk);
            if (e_ready) i = i + 1;
        end
        e_valid <= 1'b0;
        while (frames_done < frames_total) @(posedge clk);
        repeat (3) @(posedge clk);
        $fdisplay(fd, "END");
        $fclose(fd);
        $finish;
    end
endmodule
