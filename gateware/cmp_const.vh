// cmp_const.vh: v >= c for a constant c, written as a chain of ANDs and ORs (from the least significant
// bit: where c has a 1, v must have it too and the rest compare >=; where c has a 0, a 1 in v decides).
// yosys maps a plain `v >= c` to a carry chain (a logic cell per bit); this folds into a few LUTs.
// Operands up to 32 bits (zero-extended). Included inside a module.
function ge_c(input [31:0] v, input [31:0] c);
  integer gi;
  reg g;
  begin
    g = 1'b1;
    for (gi = 0; gi < 32; gi = gi + 1) g = c[gi] ? (v[gi] & g) : (v[gi] | g);
    ge_c = g;
  end
endfunction
