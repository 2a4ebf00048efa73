// vcore_elem_tb: iverilog testbench of gateware/vcore/vcore_elem.v, one element a cycle.
// +a, +x, +xsub, +y, +ysub: 48-bit two's complement operands (hex, one element a line, +n<name> entries);
// +ctl: the control word of each element (bit layout below); +k: the factor's mantissa (15 bits).
// Writes "<out hex 48 bits> <inc>" per element to +out, then "END".
`timescale 1ns / 1ps
module vcore_elem_tb;
    reg clk = 1'b0;
    always #5 clk = !clk;
    reg [1023:0] fa, fx, fxs, fy, fys, fctl, fk, fout;
    integer n, fd, i, got, nv;
    reg [47:0] va [0:524287];
    reg [47:0] vx [0:524287];
    reg [47:0] vxs [0:524287];
    reg [47:0] vy [0:524287];
    reg [47:0] vys [0:524287];
    reg [47:0] vctl [0:524287];
    reg [47:0] vk [0:524287];

    reg in_valid = 1'b0;
    reg [47:0] a = 0, x = 0, xsub = 0, y = 0, ysub = 0, ctl = 0, k = 0;
    wire out_valid;
    wire [41:0] out42;
    wire [47:0] out = {{6{out42[41]}}, out42};
    wire [1:0] inc;
    // ctl bits: 0 a_en, 1 mac, 2 p_en, 3 p_neg, 4 x_k, 5 x_one, 6 epi, 7 y_lo, 8 x_clip, 12:9 xs (0 or the unit's XS),
    // 13 y_shl8, 14 y_sub_en, 15 y_clip, 19:16 ys, 25:20 u (the shift: product 15 + sh − exp, bypass sh),
    // 26 y_hi, 29:27 clamp, 30 count, 31 a bubble (no element issued this cycle), 32 epi_fwd
    vcore_elem dut (.clk(clk), .in_valid(in_valid), .a(a[41:0]), .x(x[31:0]), .y(y[41:0]), .ysub(ysub[31:0]),
        .kmant(k[14:0]),
        .a_en(ctl[0]), .mac(ctl[1]), .epi(ctl[6]), .epi_fwd(ctl[32]), .y_lo(ctl[7]), .y_hi(ctl[26]), .p_en(ctl[2]), .p_neg(ctl[3]), .x_k(ctl[4]), .x_one(ctl[5]),
        .x_clip(ctl[8]), .x_sl(ctl[12:9] != 4'd0), .y_shl8(ctl[13]),
        .y_sub_en(ctl[14]), .y_clip(ctl[15]), .ys(ctl[19:16]), .u(ctl[25:20]),
        .clamp(ctl[29:27]), .count(ctl[30]), .out_valid(out_valid), .out(out42), .inc(inc));

    always @(posedge clk) if (out_valid) begin
        $fdisplay(fd, "%012x %0d", out, inc);
        got = got + 1;
    end

    initial begin
        if (!$value$plusargs("a=%s", fa) || !$value$plusargs("x=%s", fx) || !$value$plusargs("xsub=%s", fxs) ||
            !$value$plusargs("y=%s", fy) || !$value$plusargs("ysub=%s", fys) || !$value$plusargs("ctl=%s", fctl) ||
            !$value$plusargs("k=%s", fk) || !$value$plusargs("out=%s", fout) || !$value$plusargs("na=%d", n)) begin
            $display("missing plusargs");
            $finish;
        end
        $readmemh(fa, va);
        $readmemh(fx, vx);
        $readmemh(fxs, vxs);
        $readmemh(fy, vy);
        $readmemh(fys, vys);
        $readmemh(fctl, vctl);
        $readmemh(fk, vk);
        fd = $fopen(fout, "w");
        got = 0;
        nv = 0;
        for (i = 0; i < n; i = i + 1) if (!vctl[i][31]) nv = nv + 1;
        // A enters two cycles after the element's other operands (the core reads it late)
        for (i = 0; i < n + 2; i = i + 1) begin
            @(negedge clk);
            in_valid = i < n && !vctl[i][31];
            if (i < n) begin
                x = vx[i]; xsub = vxs[i]; y = vy[i]; ysub = vys[i]; ctl = vctl[i]; k = vk[i];
            end
            if (i >= 2) a = va[i - 2];
        end
        while (got < nv) @(negedge clk);
        $fdisplay(fd, "END");
        $fclose(fd);
        $finish;
    end
endmodule
