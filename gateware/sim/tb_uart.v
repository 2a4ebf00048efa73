// tb_uart: iverilog testbench for uart_rx and uart_tx. Drives N bytes from +vec (hex, 9 bits each:
// bit 8 = send a low stop bit) onto uart_rx at +line_baud (the host's rate, may differ from BAUD),
// back to back; a bad byte is followed by two idle bit times. Every good byte is also sent by
// uart_tx and decoded here at +line_baud. Writes to +out: "R xx" (rx byte), "F" (rx framing error),
// "T xx" (byte decoded from tx_pin), "TF" (tx stop bit low), "I 0|1" (1: tx_pin was ever not high while the
// reset held, from time 0 on), then "END".
`timescale 1ns / 1ps
module tb_uart;
    parameter integer CLK_HZ = 12000000;
    parameter integer BAUD = 115200;

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg rx_pin = 1'b1;
    wire rx_valid, rx_ferr;
    wire [7:0] rx_byte;
    reg tx_valid = 1'b0;
    reg [7:0] tx_byte = 8'd0;
    wire tx_ready, tx_busy, tx_pin;

    uart_rx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) dut_rx (
        .clk(clk), .rst(rst), .rx_pin(rx_pin), .out_valid(rx_valid), .out_byte(rx_byte), .framing_error(rx_ferr));
    uart_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) dut_tx (
        .clk(clk), .rst(rst), .in_valid(tx_valid), .in_byte(tx_byte), .in_ready(tx_ready), .busy(tx_busy), .tx_pin(tx_pin));

    real clk_half_ns;
    real bit_ns;
    integer line_baud, n, fd, i, k, tx_i, n_tx_expected, n_tx_seen;
    reg [8:0] vec [0:4095];
    reg [7:0] good [0:4095];
    reg [1023:0] vec_file, out_file;
    reg rx_done, tx_done;

    always #(clk_half_ns) clk = !clk;

    always @(posedge clk) begin
        if (rx_valid) $fdisplay(fd, "R %02x", rx_byte);
        if (rx_ferr) $fdisplay(fd, "F");
    end

    initial begin
        clk_half_ns = 1.0e9 / CLK_HZ / 2.0;
        if (!$value$plusargs("vec=%s", vec_file)) $fatal(1, "no +vec");
        if (!$value$plusargs("out=%s", out_file)) $fatal(1, "no +out");
        if (!$value$plusargs("nvec=%d", n)) $fatal(1, "no +nvec");
        if (!$value$plusargs("line_baud=%d", line_baud)) line_baud = BAUD;
        bit_ns = 1.0e9 / line_baud;
        $readmemh(vec_file, vec, 0, n - 1);
        fd = $fopen(out_file, "w");
        n_tx_expected = 0;
        for (i = 0; i < n; i = i + 1)
            if (!vec[i][8]) begin good[n_tx_expected] = vec[i][7:0]; n_tx_expected = n_tx_expected + 1; end
        rx_done = 1'b0;
        tx_done = 1'b0;
        #(100 * clk_half_ns);
        @(posedge clk) rst <= 1'b0;
        #(3 * bit_ns);
        // receiver side: bytes back to back at the line rate
        for (i = 0; i < n; i = i + 1) begin
            rx_pin = 1'b0;
            #(bit_ns);
            for (k = 0; k < 8; k = k + 1) begin rx_pin = vec[i][k]; #(bit_ns); end
            rx_pin = !vec[i][8];
            #(bit_ns);
            if (vec[i][8]) begin rx_pin = 1'b1; #(2 * bit_ns); end
        end
        rx_pin = 1'b1;
        #(3 * bit_ns);
        rx_done = 1'b1;
    end

    // transmitter side: keep uart_tx fed
    initial begin
        tx_i = 0;
        @(negedge rst);
        while (tx_i < n_tx_expected) begin
            @(posedge clk);
            if (tx_valid && tx_ready) tx_i = tx_i + 1;
            tx_valid <= (tx_i < n_tx_expected);
            tx_byte <= good[tx_i];
        end
        @(posedge clk) tx_valid <= 1'b0;
    end

    // decoder of tx_pin at the line rate: start validated at mid-bit, data and stop sampled at mid-bit
    reg [7:0] t_byte;
    integer b;
    initial begin
        n_tx_seen = 0;
        @(negedge rst);
        while (n_tx_seen < n_tx_expected) begin
            @(negedge tx_pin);
            #(bit_ns / 2);
            if (tx_pin == 1'b0) begin
                for (b = 0; b < 8; b = b + 1) begin #(bit_ns); t_byte[b] = tx_pin; end
                #(bit_ns);
                if (tx_pin) $fdisplay(fd, "T %02x", t_byte); else $fdisplay(fd, "TF");
                n_tx_seen = n_tx_seen + 1;
            end
        end
        tx_done = 1'b1;
    end

    // tx_pin while the reset holds (from time 0, as the FPGA's configuration ends): it must idle high
    reg tx_low_in_reset = 1'b0;
    always @(tx_pin or rst) if (rst && tx_pin !== 1'b1) tx_low_in_reset = 1'b1;
    initial #1 if (tx_pin !== 1'b1) tx_low_in_reset = 1'b1;

    initial begin
        wait (rx_done && tx_done);
        #(2 * bit_ns);
        $fdisplay(fd, "I %0d", tx_low_in_reset);
        $fdisplay(fd, "END");
        $fclose(fd);
        $finish;
    end
endmodule
