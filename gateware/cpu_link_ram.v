// cpu_link_ram: cpu_link's code and data memory: ONE iCE40 UP5K single-port RAM (SB_SPRAM256KA, 16K x 16,
// 32 KiB), as gateware/spram.v, with a nibble write mask and a registered read (the word at `addr`
// appears on `rd` the cycle after it is presented; no read in a write cycle). cpu_link makes each 32-bit
// access two 16-bit ones (low half at 2w, high half at 2w + 1).
// Simulation: loaded at start with $readmemh (16-bit words, one a line) from the file named by the
// define CPU_LINK_FW, else from the plusarg +firmware=<file>. Synthesis: SPRAM has no initial contents;
// a real board needs a boot loader that copies the image in (see docs / notes: a small boot ROM in EBR
// reading the configuration SPI flash).
module cpu_link_ram (
  input         clk,
  input  [13:0] addr,
  input  [15:0] wd,
  input  [3:0]  wmask,   // nibble write enables, bit k = bits 4k+3..4k
  input         we,
  output [15:0] rd
);
`ifdef SYNTHESIS
  SB_SPRAM256KA ram (
    .ADDRESS(addr), .DATAIN(wd), .MASKWREN(wmask), .WREN(we), .CHIPSELECT(1'b1),
    .CLOCK(clk), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(rd)
  );
`else
  reg [15:0] mem [0:16383];
  reg [15:0] q;
  integer k;
`ifdef CPU_LINK_FW
  initial $readmemh(`CPU_LINK_FW, mem);
`else
  reg [8*256-1:0] firmware;
  initial if ($value$plusargs("firmware=%s", firmware)) $readmemh(firmware, mem);
`endif
  always @(posedge clk) begin
    if (we) begin
      for (k = 0; k < 4; k = k + 1)
        if (wmask[k]) mem[addr][4*k +: 4] <= wd[4*k +: 4];
    end else q <= mem[addr];
  end
  assign rd = q;
`endif
endmodule
