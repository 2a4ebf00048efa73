// uart_rx: 8N1 UART receiver with OVERSAMPLE x oversampling (docs/protocol.md section 2).
// A fractional (phase-accumulator) tick generator makes OS ticks per bit at any CLK_HZ/BAUD ratio;
// OS = OVERSAMPLE (16) when CLK_HZ >= 16 * BAUD, else 8, else 4 (CLK_HZ must be >= 4 * BAUD).
// The input is synchronised by two flip-flops. A start bit is detected on a low sample and
// validated at mid-bit (a glitch returns to idle); data bits are sampled at mid-bit, LSB first; the stop bit is checked at mid-bit: high -> out_valid pulse with
// out_byte, low -> framing_error pulse (no byte), then the receiver waits for the line to go high.
module uart_rx #(
    parameter integer CLK_HZ = 12000000,
    parameter integer BAUD = 115200,
    parameter integer OVERSAMPLE = 16
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx_pin,
    output reg        out_valid,     // 1-cycle pulse: out_byte holds a correctly framed byte
    output reg  [7:0] out_byte,
    output reg        framing_error  // 1-cycle pulse: the stop bit was low (byte discarded)
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

    // oversampling actually used: OVERSAMPLE, halved until the clock can make the ticks
    // (12 MHz: 16x up to 750000 baud, 8x at 921600 baud)
    localparam integer OS = (CLK_HZ >= OVERSAMPLE * BAUD) ? OVERSAMPLE :
                            (CLK_HZ >= (OVERSAMPLE / 2) * BAUD) ? OVERSAMPLE / 2 : OVERSAMPLE / 4;
    localparam integer INC_RAW = OS * BAUD;
    // the phase accumulator counts in units of gcd(CLK_HZ, INC): 12 MHz and 921600 baud need 10 bits
    localparam integer G = gcd(CLK_HZ, INC_RAW);
    localparam integer MOD_I = CLK_HZ / G;
    localparam integer INC_I = INC_RAW / G;
    localparam integer WRAP_I = MOD_I - INC_I;
    localparam integer PW = clog2(MOD_I + 1);            // phase accumulator width
    localparam [PW-1:0] P_INC = INC_I[PW-1:0];           // phase += INC each clock; a tick on each wrap at MOD
    localparam [PW-1:0] P_WRAP = WRAP_I[PW-1:0];
    localparam integer MID_I = OS / 2 - 1;
    localparam integer LAST_I = OS - 1;
    localparam [4:0] MID = MID_I[4:0];   // last sub count of the first half bit
    localparam [4:0] LAST = LAST_I[4:0];

    localparam [2:0] S_IDLE = 3'd0, S_START = 3'd1, S_DATA = 3'd2, S_STOP = 3'd3, S_BREAK = 3'd4;

    reg [1:0]  sync;
    reg [PW-1:0] phase;
    reg        tick;
    reg [2:0]  state;
    reg [4:0]  sub;       // oversample count within the bit
    reg [2:0]  bit_idx;
    reg [7:0]  shift;

    wire rx = sync[1];

    always @(posedge clk) begin
        if (rst) begin
            sync <= 2'b11;
            phase <= {PW{1'b0}};
            tick <= 1'b0;
        end else begin
            sync <= {sync[0], rx_pin};
            if (phase >= P_WRAP) begin
                phase <= phase - P_WRAP;
                tick <= 1'b1;
            end else begin
                phase <= phase + P_INC;
                tick <= 1'b0;
            end
        end
    end

    always @(posedge clk) begin
        out_valid <= 1'b0;
        framing_error <= 1'b0;
        if (rst) begin
            state <= S_IDLE;
            sub <= 5'd0;
            bit_idx <= 3'd0;
            shift <= 8'd0;
            out_byte <= 8'd0;
        end else if (tick) begin
            case (state)
                S_IDLE: if (!rx) begin state <= S_START; sub <= 5'd1; end
                S_START: begin
                    if (sub == MID) begin
                        // mid start bit: still low -> a real start bit
                        state <= rx ? S_IDLE : S_DATA;
                        sub <= 5'd0;
                        bit_idx <= 3'd0;
                    end else sub <= sub + 5'd1;
                end
                S_DATA: begin
                    if (sub == LAST) begin
                        sub <= 5'd0;
                        shift <= {rx, shift[7:1]};
                        if (bit_idx == 3'd7) state <= S_STOP;
                        bit_idx <= bit_idx + 3'd1;
                    end else sub <= sub + 5'd1;
                end
                S_STOP: begin
                    if (sub == LAST) begin
                        sub <= 5'd0;
                        if (rx) begin
                            out_valid <= 1'b1;
                            out_byte <= shift;
                            state <= S_IDLE;
                        end else begin
                            framing_error <= 1'b1;
                            state <= S_BREAK;
                        end
                    end else sub <= sub + 5'd1;
                end
                default: if (rx) state <= S_IDLE; // S_BREAK: wait for the line to return high
            endcase
        end
    end
endmodule
