// flash_boot_synth_wrap: flash_boot writing one SPRAM (gateware/spram.v), on the iCEBreaker's pins, for
// a place-and-route measurement of the boot loader as cpu_link would use it (gateware/sim/
// flash_boot_measure.sh pnr). After done, the SPRAM is read at an address from the Pmod pins and its
// word XOR-reduced onto one pin (so that the RAM is not optimised away).
module flash_boot_synth_wrap (
  input        clk_12m,
  output       flash_csn,
  output       flash_sck,
  output       flash_mosi,
  input        flash_miso,
  output       led_red_n,
  output       led_green_n,
  input  [3:0] probe_addr,
  output       probe
);
  reg [3:0] por = 4'd0;
  wire rst = ~&por;
  always @(posedge clk_12m) if (rst) por <= por + 4'd1;
  wire we, done, error;
  wire [13:0] waddr;
  wire [15:0] wd, rd;
  flash_boot boot (.clk(clk_12m), .rst(rst), .spi_csn(flash_csn), .spi_sck(flash_sck), .spi_mosi(flash_mosi),
    .spi_miso(flash_miso), .ram_we(we), .ram_addr(waddr), .ram_wd(wd), .done(done), .error(error));
  spram ram (.clk(clk_12m), .addr(done ? {10'd0, probe_addr} : waddr), .wd(wd), .wmask(4'hF), .we(we & ~done), .rd(rd));
  assign probe = ^rd;
  assign led_red_n = ~error;
  assign led_green_n = ~done;
endmodule
