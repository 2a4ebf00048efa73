// flash_boot: copies the soft CPU's firmware from the configuration SPI flash into its RAM after reset.
// The iCE40 puts the flash into deep power-down after configuring itself, so it first sends RELEASE
// POWER-DOWN (0xAB, a CS frame of its own) and waits WAKE_CYCLES (tRES1: 3 us for the W25Q128JV of the
// iCEBreaker), then ONE READ (0x03, 24-bit address OFFSET) frame reads the image in order:
//   bytes 0..3   magic "NLFW" (0x4E 0x4C 0x46 0x57)
//   bytes 4..7   payload length in bytes, little-endian: even, 2 .. MAX_BYTES
//   bytes 8..11  CRC-32 (IEEE, as gateware/crc32.v and core/crc32.ts) of the payload, little-endian
//   bytes 12..   the payload, written as 16-bit little-endian words to RAM word 0, 1, 2 ... (ram_addr,
//                ram_wd, ram_we: one-cycle pulses; the address is held while ram_we is high)
// (host/fpga/firmware-image.ts builds this image; `nla fpga flash --firmware` writes it at OFFSET.)
// A bad magic or length ends the read at once; a CRC that does not match ends it after the payload.
// Either raises `error` (held until reset) and never `done`: the CPU is to be held in reset until `done`
// (no silent wrong firmware; an LED can show `error`). After done/error the flash stays deselected
// (CS high, SCK low, MOSI low) and awake.
// SPI mode 0, MSB first: SCK idles low, MOSI changes while SCK is low, MISO is sampled at the clock
// edge that raises SCK (the flash drives it from the falling edge before). SCK = clk / (2 * SCK_DIV):
// 6 MHz at 12 MHz with SCK_DIV 1, far below the READ command's limit (50 MHz on W25Q128JV).
// Boot time: ~16 * SCK_DIV clock cycles per byte: 16 KiB in ~262 000 cycles, 21.9 ms at 12 MHz.
// Size (yosys 0.23 synth_ice40, sim/flash_boot_measure.sh): 225 LUT4, 34 carry, 158 FF, 306 packed cells.
// Tested: test/gateware/flash-boot.test.ts (Verilator, sim/flash_boot_tb.v with sim/spi_flash_model.v).
module flash_boot #(
  parameter [23:0] OFFSET = 24'h100000, // byte address of the image in the flash (after the bitstream)
  parameter MAX_BYTES = 32768,          // largest payload accepted (the RAM's size; a power of two >= 4)
  parameter AW = 14,                    // RAM word address width (MAX_BYTES <= 2 << AW)
  parameter SCK_DIV = 1,                // clock cycles per SCK half period (>= 1)
  parameter WAKE_CYCLES = 48            // wait after 0xAB: >= tRES1 (3 us = 36 cycles at 12 MHz)
) (
  input               clk,
  input               rst,
  output reg          spi_csn,
  output reg          spi_sck,
  output reg          spi_mosi,
  input               spi_miso,
  output reg          ram_we,
  output reg [AW-1:0] ram_addr,
  output reg [15:0]   ram_wd,
  output reg          done,
  output reg          error
);
  localparam [31:0] MAGIC = 32'h57464C4E;  // "NLFW" read little-endian
  localparam LW = $clog2(MAX_BYTES + 1);
  localparam DW = (SCK_DIV > 1) ? $clog2(SCK_DIV) : 1;
  localparam WW = $clog2(WAKE_CYCLES + 1);
  /* verilator lint_off WIDTH */  // integer parameters truncated to the counters' widths (they fit)
  localparam [DW-1:0] DIV_LAST = SCK_DIV - 1;
  localparam [WW-1:0] WAKE_N = WAKE_CYCLES;
  localparam [LW-1:0] ONE = 1;
  /* verilator lint_on WIDTH */
  localparam [2:0] S_WAKE = 3'd0, S_XFER = 3'd1, S_DESEL = 3'd2, S_WAIT = 3'd3, S_CHECK = 3'd4,
                   S_DONE = 3'd5, S_ERR = 3'd6;

  reg [2:0]    st;
  reg [DW-1:0] div;
  reg [WW-1:0] wait_n;
  reg [6:0]    si;        // the bits of the byte being received
  reg [2:0]    bc;        // bits of the current byte already clocked
  reg [2:0]    cmd_left;  // command/address bytes still to clock out in this frame
  reg          rd;        // this frame is the READ (else the wake-up)
  reg          stop;      // end the frame after this byte's falling edge
  reg          bad;       // ...and fail
  reg [3:0]    hdr;       // header bytes received (12 = payload)
  reg [31:0]   hw;        // header word being assembled (little-endian): magic, length, then the CRC
  reg [LW-1:0] left;      // payload bytes still to receive
  reg          odd;       // a low byte is held in `lo`
  reg [7:0]    lo;

  wire       tick = (div == DIV_LAST);
  // the command bits, MSB first: wake-up 0xAB, READ 0x03 + OFFSET. At a falling edge k bits of the frame
  // are clocked (k = (bytes sent) * 8 + bc); the next bit is cmd_word[31 - k], selected by {cmd_left, bc}
  // (no shift register: a constant multiplexer)
  wire [31:0] cmd_word = rd ? {8'h03, OFFSET} : {8'hAB, 24'd0};
  wire [1:0]  cmd_byte = rd ? cmd_left[1:0] - 2'd1 : 2'd3;
  wire [4:0]  cmd_idx = {cmd_byte, ~bc};
  wire [7:0] byte_in = {si, spi_miso};
  wire [31:0] word_in = {byte_in, hw[31:8]};
  wire       last_bit = (bc == 3'd7);
  // word_in > MAX_BYTES, for MAX_BYTES a power of two (bit LW-1 alone): no 32-bit magnitude comparator
  wire       too_long = (word_in[31:LW-1] != 0) && (word_in[LW-2:0] != 0 || word_in[31:LW] != 0);
  wire       data_byte = rd && (cmd_left == 3'd0) && last_bit && !spi_sck && tick && st == S_XFER;
  wire       payload_byte = data_byte && (hdr == 4'd12);

  wire [31:0] crc;
  /* verilator lint_off UNUSEDSIGNAL */
  wire        crc_residue;  // unused: the CRC is compared with the header's, not as a residue
  /* verilator lint_on UNUSEDSIGNAL */
  crc32 crc_u (.clk(clk), .rst(rst), .init(1'b0), .en(payload_byte), .data(byte_in), .crc(crc),
               .residue_ok(crc_residue));

  always @(posedge clk) begin
    ram_we <= 1'b0;
    if (ram_we) ram_addr <= ram_addr + 1'b1;
    div <= tick ? {DW{1'b0}} : div + 1'b1;
    if (rst) begin
      st <= S_WAKE; spi_csn <= 1'b1; spi_sck <= 1'b0; spi_mosi <= 1'b0; done <= 1'b0; error <= 1'b0;
      ram_addr <= {AW{1'b0}}; ram_wd <= 16'd0; div <= {DW{1'b0}}; wait_n <= {WW{1'b0}};
      si <= 7'd0; bc <= 3'd0; cmd_left <= 3'd0; rd <= 1'b0; stop <= 1'b0; bad <= 1'b0;
      hdr <= 4'd0; hw <= 32'd0; left <= {LW{1'b0}}; odd <= 1'b0; lo <= 8'd0;
    end else case (st)
      // one frame: RELEASE POWER-DOWN (0xAB); MOSI set up a whole SCK half period before the first edge
      S_WAKE: if (tick) begin
        spi_csn <= 1'b0; spi_mosi <= 1'b1; cmd_left <= 3'd1; rd <= 1'b0; bc <= 3'd0;  // 0xAB
        st <= S_XFER;
      end
      S_XFER: if (tick) begin
        if (!spi_sck) begin
          // rising edge: the flash samples MOSI, we sample MISO
          spi_sck <= 1'b1;
          si <= byte_in[6:0];
          bc <= bc + 1'b1;
          if (last_bit) begin
            if (cmd_left != 3'd0) begin
              cmd_left <= cmd_left - 1'b1;
              if (!rd) stop <= 1'b1;  // the wake-up frame is its one command byte
            end else if (hdr != 4'd12) begin
              hw <= word_in;
              hdr <= hdr + 1'b1;
              if (hdr == 4'd3 && word_in != MAGIC) begin stop <= 1'b1; bad <= 1'b1; end
              if (hdr == 4'd7) begin
                left <= word_in[LW-1:0];
                if (word_in == 32'd0 || word_in[0] || too_long) begin stop <= 1'b1; bad <= 1'b1; end
              end
            end else begin
              left <= left - 1'b1;
              if (left == ONE) stop <= 1'b1;
              odd <= ~odd;
              if (odd) begin ram_wd <= {byte_in, lo}; ram_we <= 1'b1; end
              else lo <= byte_in;
            end
          end
        end else begin
          // falling edge: the next bit on MOSI (zeros after the command and address)
          spi_sck <= 1'b0;
          spi_mosi <= (cmd_left != 3'd0) && cmd_word[cmd_idx];
          if (stop) st <= S_DESEL;
        end
      end
      // CS rises with SCK low, a half period after the last falling edge
      S_DESEL: if (tick) begin
        spi_csn <= 1'b1; spi_mosi <= 1'b0; stop <= 1'b0;
        st <= !rd ? S_WAIT : bad ? S_ERR : S_CHECK;
        wait_n <= {WW{1'b0}};
      end
      // tRES1 after the wake-up, then the READ frame: 0x03, OFFSET[23:0]
      S_WAIT: if (wait_n == WAKE_N) begin
        if (tick) begin
          spi_csn <= 1'b0; spi_mosi <= 1'b0; cmd_left <= 3'd4; rd <= 1'b1; bc <= 3'd0;  // 0x03
          hdr <= 4'd0; odd <= 1'b0; st <= S_XFER;
        end
      end else wait_n <= wait_n + 1'b1;
      S_CHECK: if (crc == hw) begin done <= 1'b1; st <= S_DONE; end else st <= S_ERR;
      S_ERR: error <= 1'b1;
      default: ;
    endcase
  end
endmodule
