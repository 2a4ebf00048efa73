// spram: one iCE40 UP5K single-port RAM (SB_SPRAM256KA), 16K x 16 bits with a nibble write mask.
// Synchronous: the word at `addr` appears on `rd` the cycle after it is presented (read when !we).
// Under yosys (SYNTHESIS defined) it instantiates the hard macro; elsewhere a behavioural model.
module spram (
  input             clk,
  input      [13:0] addr,
  input      [15:0] wd,
  input      [3:0]  wmask,  // nibble write enables, bit k = bits 4k+3..4k
  input             we,
  output     [15:0] rd
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
  always @(posedge clk) begin
    if (we) begin
      for (k = 0; k < 4; k = k + 1)
        if (wmask[k]) mem[addr][4*k +: 4] <= wd[4*k +: 4];
    end else q <= mem[addr];
  end
  assign rd = q;
`endif
endmodule
