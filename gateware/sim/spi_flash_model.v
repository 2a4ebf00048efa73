// spi_flash_model: a behavioural SPI NOR flash (W25Q128JV-like, single I/O) for cpu_link's boot ROM's
// tests, strict about the protocol. Simulation only (not synthesizable).
// Commands: 0xAB RELEASE POWER-DOWN, 0xB9 POWER-DOWN, 0x03 READ (24-bit address, then data from that
// address on, wrapping at SIZE); any other command is a protocol error.
// It samples csn/sck/mosi with the system clock `clk` (oversampling: the master must hold each level at
// least one clk cycle) and counts in `errors` (with a $display) every:
//   - CS falling or rising while SCK is high (mode 0: SCK idles low);
//   - MOSI changing in the same sample as SCK rises (no setup time) or while SCK is high (no hold);
//   - frame ending inside a command/address byte; unknown command;
//   - command other than 0xAB while powered down (it is ignored: MISO stays 1, so READ returns 0xFF), or
//     a frame started within TRES1 clk cycles after the 0xAB frame ended (tRES1: also ignored).
// It starts powered down (START_DOWN = 1: the iCE40 sends 0xB9 after configuring itself).
// MISO: the data bit is driven from the falling edge (SCK low) until the rising edge; while SCK is high
// the model drives pseudo-random garbage, so a master sampling anywhere but the rising edge gets garbage
// (stricter than a real flash, which holds the bit until the next falling edge). 1 when CS is high.
// Contents: 0xFF (erased), then $readmemh of the file named by the define SPI_FLASH_HEX, else by the
// plusarg +flash=<file> (byte a line;
// `@addr` lines place data). Counters for the testbench: reads (READ frames), read_addr (address of the
// last one), read_bytes (whole bytes it clocked out), powered_down.
module spi_flash_model #(
  parameter SIZE = 2097152,   // bytes, a power of two
  parameter AW = 21,          // log2(SIZE)
  parameter TRES1 = 36,       // clk cycles from the end of the 0xAB frame until a command is accepted
  parameter START_DOWN = 1
) (
  input             clk,
  input             csn,
  input             sck,
  input             mosi,
  output            miso,
  output reg [31:0] errors,
  output reg [31:0] reads,
  output reg [23:0] read_addr,
  output reg [31:0] read_bytes,
  output reg        powered_down
);
  reg [7:0] mem [0:SIZE-1];
  reg [8*256-1:0] file;
  integer i;
  initial begin
    for (i = 0; i < SIZE; i = i + 1) mem[i] = 8'hFF;
`ifdef SPI_FLASH_HEX
    $readmemh(`SPI_FLASH_HEX, mem);   // a build-time file (a top whose driver takes no plusargs: board_sim)
`else
    if ($value$plusargs("flash=%s", file)) $readmemh(file, mem);
`endif
    errors = 0; reads = 0; read_addr = 0; read_bytes = 0; powered_down = (START_DOWN != 0);
  end

  reg        p_csn = 1'b1, p_sck = 1'b0, p_mosi = 1'b0;
  reg [31:0] nbits = 0;        // bits clocked in this frame
  reg [22:0] sh = 0;           // the bits in before the current one, MSB first
  reg [7:0]  cmd = 0;
  reg        ignored = 0;      // this frame is ignored (powered down / within tRES1)
  reg        data_ph = 0;      // READ: data phase
  reg [AW-1:0] addr = 0;
  reg [2:0]  dbit = 0;         // data bits already sampled of the current byte
  reg [31:0] since_wake = 0;   // clk cycles since the 0xAB frame ended
  reg        waking = 0;
  reg [15:0] lfsr = 16'hACE1;
  reg [63:0] cyc = 0;

  wire [7:0] cur = mem[addr];
  assign miso = (csn || !data_ph) ? 1'b1 : sck ? lfsr[0] : cur[3'd7 - dbit];

  always @(posedge clk) begin
    cyc <= cyc + 1;
    lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
    if (waking) begin
      since_wake <= since_wake + 1;
      if (since_wake + 1 >= TRES1) waking <= 1'b0;
    end
    p_csn <= csn; p_sck <= sck; p_mosi <= mosi;
    if (p_csn && !csn) begin
      // frame start
      if (sck) begin errors <= errors + 1; $display("spi_flash_model: CS fell with SCK high (cycle %0d)", cyc); end
      nbits <= 0; data_ph <= 1'b0; dbit <= 3'd0; ignored <= 1'b0;
      if (waking) begin
        ignored <= 1'b1; errors <= errors + 1;
        $display("spi_flash_model: a frame %0d cycles after RELEASE POWER-DOWN (tRES1 is %0d): ignored (cycle %0d)", since_wake, TRES1, cyc);
      end
    end else if (!p_csn && csn) begin
      // frame end
      if (p_sck || sck) begin errors <= errors + 1; $display("spi_flash_model: CS rose with SCK high (cycle %0d)", cyc); end
      if (!data_ph && nbits[2:0] != 3'd0) begin
        errors <= errors + 1; $display("spi_flash_model: frame ended after %0d bits, inside a command/address byte (cycle %0d)", nbits, cyc);
      end
      if (!ignored && nbits >= 8 && cmd == 8'hAB && powered_down) begin powered_down <= 1'b0; waking <= 1'b1; since_wake <= 0; end
      if (!ignored && nbits >= 8 && cmd == 8'hB9) powered_down <= 1'b1;
      data_ph <= 1'b0;
    end else if (!csn && !p_csn) begin
      if (!p_sck && sck) begin
        // rising edge: MOSI sampled; the master sampled MISO
        if (mosi != p_mosi) begin errors <= errors + 1; $display("spi_flash_model: MOSI changed with the rising SCK edge (no setup; cycle %0d)", cyc); end
        sh <= {sh[21:0], mosi};
        nbits <= nbits + 1;
        if (nbits == 7) begin
          cmd <= {sh[6:0], mosi};
          if (!ignored) begin
            if (powered_down && {sh[6:0], mosi} != 8'hAB) begin
              ignored <= 1'b1; errors <= errors + 1;
              $display("spi_flash_model: command %02h while powered down: ignored (cycle %0d)", {sh[6:0], mosi}, cyc);
            end else if ({sh[6:0], mosi} != 8'h03 && {sh[6:0], mosi} != 8'hAB && {sh[6:0], mosi} != 8'hB9) begin
              ignored <= 1'b1; errors <= errors + 1;
              $display("spi_flash_model: unknown command %02h (cycle %0d)", {sh[6:0], mosi}, cyc);
            end
          end
        end
        if (nbits == 31 && cmd == 8'h03 && !ignored) begin
          addr <= {sh[AW-2:0], mosi};
          read_addr <= {sh[22:0], mosi};
          reads <= reads + 1;
          read_bytes <= 0;
          data_ph <= 1'b1;
          dbit <= 3'd0;
        end
        if (data_ph) begin
          dbit <= dbit + 1'b1;
          if (dbit == 3'd7) begin addr <= addr + 1'b1; read_bytes <= read_bytes + 1; end
        end
      end else if (p_sck && sck && mosi != p_mosi) begin
        errors <= errors + 1; $display("spi_flash_model: MOSI changed while SCK was high (no hold; cycle %0d)", cyc);
      end
    end
  end
endmodule
