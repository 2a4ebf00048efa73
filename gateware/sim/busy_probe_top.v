// busy_probe_top: simulation-only top that checks board_sim's sim_busy support. After reset it keeps
// sim_busy high for BUSY_CYCLES clocks with the line idle, then sends the byte 0x5A. A harness that
// honours sim_busy runs the clock through the busy stretch and delivers the byte.
module busy_probe_top #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 921600,
    parameter integer BUSY_CYCLES = 300000
) (
    input  wire clk,
    input  wire rst,
    /* verilator lint_off UNUSEDSIGNAL */  // the probe sends only
    input  wire uart_rx_pin,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire uart_tx_pin,
    output wire sim_busy
);
    localparam [31:0] BUSY_N = BUSY_CYCLES;
    reg [31:0] count;
    reg        sent;
    wire       ready, busy_unused;

    assign sim_busy = (count < BUSY_N);

    always @(posedge clk) begin
        if (rst) begin
            count <= 32'd0;
            sent <= 1'b0;
        end else begin
            if (sim_busy) count <= count + 32'd1;
            if (!sim_busy && ready) sent <= 1'b1;
        end
    end

    uart_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_tx (
        .clk(clk), .rst(rst), .in_valid(!sim_busy && !sent), .in_byte(8'h5A), .in_ready(ready),
        .busy(busy_unused), .tx_pin(uart_tx_pin)
    );
endmodule
