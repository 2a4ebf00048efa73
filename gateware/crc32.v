// crc32: byte-wise CRC-32 of docs/protocol.md section 3.2 (IEEE 802.3 / zlib: reflected polynomial
// 0xEDB88320, register initialised to 0xFFFFFFFF, final XOR 0xFFFFFFFF). One byte per clock.
// crc = the CRC of the bytes fed since init (final XOR applied); over a whole frame with its
// little-endian trailer, crc equals the residue 0x2144DF1C (residue_ok).
module crc32 (
    input  wire        clk,
    input  wire        rst,
    input  wire        init,      // register := 0xFFFFFFFF (wins over en)
    input  wire        en,        // fold data into the register
    input  wire [7:0]  data,
    output wire [31:0] crc,       // CRC of the bytes so far (final XOR applied)
    output wire        residue_ok // crc == 0x2144DF1C: a frame with its trailer checks
);
    reg [31:0] c;

    function [31:0] next_crc;
        input [31:0] cur;
        input [7:0]  d;
        integer k;
        reg [31:0] x;
        begin
            x = cur ^ {24'd0, d};
            for (k = 0; k < 8; k = k + 1)
                x = x[0] ? ((x >> 1) ^ 32'hEDB88320) : (x >> 1);
            next_crc = x;
        end
    endfunction

    always @(posedge clk) begin
        if (rst || init) c <= 32'hFFFFFFFF;
        else if (en) c <= next_crc(c, data);
    end

    assign crc = ~c;
    assign residue_ok = (c == ~32'h2144DF1C);
endmodule
