// rv32_spram: program and data memory of rv32_soc in one iCE40 UP5K single-port RAM (SB_SPRAM256KA),
// 16K x 16 bits with a nibble write mask; the word at `addr` appears on `rd` the cycle after it is
// presented (read when !we). Under yosys (SYNTHESIS defined) the hard macro; elsewhere a behavioural
// model that the plusarg +firmware=<file> loads (32-bit words a line, as for rv32_ram: the low half
// at the even address).
module rv32_spram (
  input         clk,
  input  [13:0] addr,
  input  [15:0] wd,
  input  [3:0]  wmask,   // nibble write enables
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
  reg [31:0] words [0:8191];
  reg [15:0] q;
  reg [8*256-1:0] firmware;
  integer i, k;
  initial begin
    q = 16'd0;
    for (i = 0; i < 16384; i = i + 1) mem[i] = 16'd0;
    if ($value$plusargs("firmware=%s", firmware)) begin
      for (i = 0; i < 8192; i = i + 1) words[i] = 32'd0;
      $readmemh(firmware, words);
      for (i = 0; i < 8192; i = i + 1) begin
        mem[2 * i] = words[i][15:0];
        mem[2 * i + 1] = words[i][31:16];
      end
    end
  end
  always @(posedge clk) begin
    if (we) begin
      for (k = 0; k < 4; k = k + 1)
        if (wmask[k]) mem[addr][4*k +: 4] <= wd[4*k +: 4];
    end else q <= mem[addr];
  end
  assign rd = q;
`endif
endmodule
