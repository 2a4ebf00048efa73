// cpu_link_rom: cpu_link's boot ROM: 256 x 16 bits in one iCE40 EBR (SB_RAM40_4K), its contents set by the
// bitstream from cpu_link_rom.vh (generated from gateware/firmware/rv32/boot_rom.S: make -C gateware/firmware
// install-boot-rom), words past the code 0. Read as cpu_link reads its SPRAM: the word at `addr` on `rd` the cycle
// after (a registered read), so a 32-bit access is the low half, then the high half.
module cpu_link_rom (
  input             clk,
  input      [7:0]  addr,
  output reg [15:0] rd
);
  reg [15:0] rom [0:255];
  integer i;
  initial begin
    for (i = 0; i < 256; i = i + 1) rom[i] = 16'h0000;
`include "cpu_link_rom.vh"
  end
  always @(posedge clk) rd <= rom[addr];
endmodule
