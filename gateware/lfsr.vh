// lfsr.vh: a maximal-length Fibonacci LFSR (XNOR form, taps of Xilinx XAPP 052) of LW bits (3..20) as a
// counter without a carry chain: lfsr_step advances it, lfsr_after(n) is the state n steps after all
// zeros (an XNOR LFSR's lock-up state is all ones, so all zeros is a valid start), computed at
// elaboration. It visits 2**LW - 1 states. Included inside a module that defines localparam LW.
function [19:0] lfsr_taps(input integer w);
  case (w)
    3: lfsr_taps = 20'h00006;  4: lfsr_taps = 20'h0000C;  5: lfsr_taps = 20'h00014;  6: lfsr_taps = 20'h00030;
    7: lfsr_taps = 20'h00060;  8: lfsr_taps = 20'h000B8;  9: lfsr_taps = 20'h00110; 10: lfsr_taps = 20'h00240;
    11: lfsr_taps = 20'h00500; 12: lfsr_taps = 20'h00829; 13: lfsr_taps = 20'h0100D; 14: lfsr_taps = 20'h02015;
    15: lfsr_taps = 20'h06000; 16: lfsr_taps = 20'h0D008; 17: lfsr_taps = 20'h12000; 18: lfsr_taps = 20'h20400;
    19: lfsr_taps = 20'h40023; default: lfsr_taps = 20'h90000;
  endcase
endfunction
localparam [19:0] LFSR_T = lfsr_taps(LW);
function [LW-1:0] lfsr_step(input [LW-1:0] s);
  lfsr_step = {s[LW-2:0], ~^(s & LFSR_T[LW-1:0])};
endfunction
function [LW-1:0] lfsr_after(input integer n);
  integer j;
  reg [LW-1:0] s;
  begin
    s = {LW{1'b0}};
    for (j = 0; j < n; j = j + 1) s = lfsr_step(s);
    lfsr_after = s;
  end
endfunction
