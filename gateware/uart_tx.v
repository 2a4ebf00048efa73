// uart_tx: 8N1 UART transmitter (docs/protocol.md section 2). A fractional baud tick (phase
// accumulator, CLK_HZ/BAUD clocks per bit on average, jitter < 1 clock) times the bits. One holding
// register: in_ready is high while it is empty, so a writer that refills it within a byte time keeps
// the line busy without gaps. busy is high while a byte is held or being shifted out (stop bit included).
module uart_tx #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,   // accepted when in_ready
    input  wire [7:0] in_byte,
    output wire       in_ready,
    output wire       busy,
    output reg        tx_pin
);
    function integer gcd;
        input integer a, b;
        integer x, y, t;
        begin
            x = a;
            y = b;
            while (y != 0) begin t = x % y; x = y; y = t; end
            gcd = x;
        end
    endfunction

    function integer clog2;
        input integer v;
        integer r;
        begin
            r = 0;
            while ((1 << r) < v) r = r + 1;
            clog2 = r;
        end
    endfunction

    localparam integer INC_RAW = BAUD;
    // the phase accumulator counts in units of gcd(CLK_HZ, INC): 12 MHz and 921600 baud need 10 bits
    localparam integer G = gcd(CLK_HZ, INC_RAW);
    localparam integer MOD_I = CLK_HZ / G;
    localparam integer INC_I = INC_RAW / G;
    localparam integer WRAP_I = MOD_I - INC_I;
    localparam integer PW = clog2(MOD_I + 1);            // phase accumulator width
    localparam [PW-1:0] P_INC = INC_I[PW-1:0];           // phase += INC each clock; a tick on each wrap at MOD
    localparam [PW-1:0] P_WRAP = WRAP_I[PW-1:0];

    reg [PW-1:0] phase;
    reg        tick;
    reg        hold_full;
    reg [7:0]  hold;
    reg [8:0]  shift;     // {stop, data}: the bits after the one on the pin, LSB first
    reg [3:0]  bits_left; // bits still to send including the stop bit; 0 = idle

    assign in_ready = !hold_full;
    assign busy = hold_full || (bits_left != 4'd0);

    always @(posedge clk) begin
        if (rst) begin
            phase <= {PW{1'b0}};
            tick <= 1'b0;
        end else if (phase >= P_WRAP) begin
            phase <= phase - P_WRAP;
            tick <= 1'b1;
        end else begin
            phase <= phase + P_INC;
            tick <= 1'b0;
        end
    end

    // the line idles high from configuration on, not only once the power-on reset has ended (an iCE40
    // flip-flop powers up 0: a low tx_pin until then is a break, or a stray byte, to the host)
    initial tx_pin = 1'b1;

    always @(posedge clk) begin
        if (rst) begin
            hold_full <= 1'b0;
            hold <= 8'd0;
            shift <= 9'h1ff;
            bits_left <= 4'd0;
            tx_pin <= 1'b1;
        end else begin
            if (in_valid && !hold_full) begin
                hold <= in_byte;
                hold_full <= 1'b1;
            end
            if (tick) begin
                if (bits_left != 4'd0) begin
                    // bits_left = 1 means the stop bit (already on the pin) has just ended
                    tx_pin <= (bits_left == 4'd1) ? 1'b1 : shift[0];
                    shift <= {1'b1, shift[8:1]};
                    bits_left <= bits_left - 4'd1;
                    if (bits_left == 4'd1 && hold_full) begin
                        tx_pin <= 1'b0;
                        shift <= {1'b1, hold};
                        bits_left <= 4'd10;
                        hold_full <= 1'b0;
                    end
                end else if (hold_full) begin
                    tx_pin <= 1'b0; // start bit
                    shift <= {1'b1, hold};
                    bits_left <= 4'd10;
                    hold_full <= 1'b0;
                end
            end
        end
    end
endmodule
