// vcore_elem: the element pipeline of the vector core (stage 2, first piece), UP5K16 number format.
// One element per cycle, 4 stages; the semantics of one element of an E instruction of
// hardware-models/fixed-point/core-program.ts (core-program-machine.ts, elem), bit for bit:
//   r = A ± rs(opX · opY, sh − [useExp]·kexp);  out = clamp_kind(r);  inc = counted clamps
// The shift is a per-instruction constant u (the firmware folds the factor's exponent in when it writes the
// factor, e.g. β by SET_PARAM): u = 15 + sh − [useExp]·kexp for a product, u = sh for the bypass (x = 1).
// opY = slice(y·2^(8·yshl8) − [ysub_en]·ysub), slice(v) = clamp16(shr(v, ys)) when yclip (counted);
// opX = the constant kmant (x_k), 1 (x_one: the multiplier is bypassed, the product is opY as is), or a
// sliced vector operand (the compiler never pre-adds on X). p_en = 0 (no product term, or the has-target mask is 0): no term, no count.
// Clamp kinds: 0 none, 1 U ±2^27, 2 D ±2^23, 3 S ±2^19, 4 OP ±2^15, 5 R28 ±2^28, 6 I32 (int32: −2^31 .. 2^31 − 1, PLAS).
// Widths: A, y (the bypass) and the result D bits signed, x and ysub 32; products 16 × 16 (one SB_MAC16).
//
// ACT and PLAS run as sequences of ordinary element issues (new: clamp kind 6 and the epi_fwd port). The table
// lookup and PLAS's W read-modify-write addressing stay outside, in the sequencer, which supplies the operands:
// ACT (x = shr(u, 8) of neuron i, ρ, ρ', ρ''), per neuron:
//   slot 1, x: bypass (x_one, p_en), y = u[i], u = 8, clamp S for linear (then out = ρ = sat(x)), none for table.
//   linear: ρ' = ONE and ρ'' = 0 are constants (the sequencer writes them, or issues bypass elements y = ONE, u = 0
//     and a_en = p_en = 0): 1 slot per neuron (+2 if the constants go through the pipeline).
//   table: the sequencer takes x from the output (4 cycles later) and forms rel = x + 2^19 (x in −2^19..2^19, u
//     being clamped U: bit 19 inverted, bit 20 = x == 2^19), the knot k = rel[20:12] (0..256) and the fraction
//     f = rel[11:0]; then per table j = 0, 1, 2 (ρ, ρ', ρ'' at tb + 257·j) one lerp element:
//       a_en, a = T[k]; p_en; X = f (unsliced); Y = T[k+1] with ysub = T[k] (y_sub_en, ys 0, no clip: |ΔT| ≤ 1024
//       in the example's tables, 16 bits); u = 15 + 12 = 27; clamp none  →  T[k] + shr(ΔT·f, 12).
//     k = 256 (then f = 0): any Y (the sequencer reads T[256] for both: the product is 0). 1 + 3 slots per
//     neuron; the x slots of a whole ACT can be issued first (n slots) and the lerps behind them (3n).
//   clip (not in the UP5K16 example): ρ = clamp(x, 0, top), ρ' = [0 ≤ x ≤ top]·ONE needs a clamp kind with the
//     rail kmant (15 FF × 3 stages and a 20-bit comparator): not built.
// PLAS 'row' (UP5K16; R = em up to 23 bits, C an operand ≤ 16 bits), per weight W[wb + r·cols + c], like em:
//   slot 1: X = C[c] (unsliced), Y = R[r] with y_lo (R[14:0]), p_en, u = 15;
//   slot 2: the same operands with y_hi (R >>> 15), mac, p_en, u = 0;
//   slot 3: epi_fwd (the epilogue right behind the hi term: no bubble), p_en, a_en with a = W (read by the
//     sequencer, 32 bits; it enters two cycles late like every A), u = sh1 − [useExp1]·exp (0..47), clamp 6
//     (int32), no count; out = the new W (write back).
//   3 slots per weight (with epi instead of epi_fwd: a bubble before it, 4; the cost model budgets 2: a single-port
//   W read and write). epi_fwd serves MV rows too (cols + 1 slots a row). PLAS 'chain' (not UP5K16):
//   p as above (clamp none) then K·op(p, slice) as an ordinary E element with x_k and u = 15 + sh2 − exp, A = W,
//   clamp 6: +1 slot (p would need to fit the slice path's 32 bits).
`timescale 1ns / 1ps
module vcore_elem #(
    // width of A, the bypass, the product and the result: UP5K16's sums are below 2^41 (format.ts)
    parameter D = 42,
    // the one slice shift of the X port (UP5K16's sS: ρ', ρ'')
    parameter XS = 4
) (
    input  wire               clk,
    input  wire               in_valid,
    input  wire signed [D-1:0] a,      // A of the element issued two cycles earlier (read late: no FFs carry it)
    input  wire signed [31:0] x,
    input  wire signed [D-1:0] y,
    input  wire signed [31:0] ysub,
    input  wire        [14:0] kmant,  // a factor's mantissa (UP5K16: 15 bits)
    // control
    input  wire               a_en, p_en, p_neg,
    // weight passes (MV): mac = add the product to the running sum (the last result, r3) instead of A (a row's
    // first term takes A: the partial sum read, or none); epi = the epilogue element of a row: its operand is the
    // row's sum (issued two cycles after the row's last term), through the bypass shift (u = sh)
    input  wire               mac, epi,
    // epi_fwd: an epilogue element issued right after the row's last term (no bubble): in stage 3 it shifts r3 (the
    // row's sum, just written) instead of q2; 0: today's epilogue (epi, two cycles after the last term)
    input  wire               epi_fwd,
    // a constant times an unsliced operand m (em = ηdt·m) as two mac terms: y_lo = m[14:0] (unsigned), y_hi = m >>> 15
    input  wire               y_lo, y_hi,
    input  wire               x_k, x_one, x_clip,
    input  wire               x_sl,   // slice X by XS
    input  wire               y_shl8, y_sub_en, y_clip,
    input  wire        [3:0]  ys,
    input  wire        [5:0]  u,      // the shift of the instruction: product 15 + sh − exp, bypass sh (see stage 3)
    input  wire        [2:0]  clamp,
    input  wire               count,
    output reg                out_valid,
    output reg  signed [D-1:0] out,
    output reg         [1:0]  inc
);
  // ---- stage 1: pre-adder and slices. Widths of the UP5K16 programs: a sliced port operand is a stored
  // value (U, D, S: at most 29 bits with the pre-adder's difference), so the slice paths are W bits; only
  // the bypass (x = 1: the operand enters the sum as is, e.g. g or Σ r̄²) carries 48 bits.
  localparam W = 32;
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [W-1:0] ypre = (y_shl8 ? (y[W-1:0] <<< 8) : y[W-1:0]) - (y_sub_en ? ysub : {W{1'b0}});
  /* verilator lint_on UNUSEDSIGNAL */
  // a slice of the format: clamp16(((v >>> (s − 1)) + 1) >>> 1) (s = 0: v) as {fits 16 bits, sign, low 16 bits}.
  // t = v >>> (s − 1) (2v for s = 0) is a mux of UP5K16's constant slice shifts (4, 5, 8, 11, 12: format.ts);
  // the increment covers only t's low 17 bits: the bits above only decide whether the result fits 16 bits.
  // X carries only ρ' and ρ'' (sliced by XS, the format's sS) or unsliced operands (the compiler's X sources), so its
  // mux has two ways (x_sl); Y takes every slice of the format.
  function [17:0] slice(input signed [W-1:0] v, input [3:0] s, input xport);
    reg signed [W:0] t, ve;
    /* verilator lint_off UNUSEDSIGNAL */
    reg [17:0] l;
    /* verilator lint_on UNUSEDSIGNAL */
    reg hz, ho;
    begin
      ve = {v[W-1], v};
      if (xport) t = s != 4'd0 ? ve >>> (XS - 1) : $signed({v, 1'b0});
      else case (s)
        4'd4: t = ve >>> 3;
        4'd5: t = ve >>> 4;
        4'd8: t = ve >>> 7;
        4'd11: t = ve >>> 10;
        4'd12: t = ve >>> 11;
        default: t = {v, 1'b0};
      endcase
      l = {1'b0, t[16:0]} + 18'd1;
      hz = t[W:17] == {(W-16){1'b0}};
      ho = t[W:17] == {(W-16){1'b1}};
      slice = {(hz && !l[17] && !l[16]) || (ho && (l[17] || l[16])), t[W], l[16:1]};
    end
  endfunction
  wire [17:0] xsl = slice(x, {3'd0, x_sl}, 1'b1);
  wire [17:0] ysl = slice(ypre, ys, 1'b0);
  wire x_sat = x_clip && !xsl[17], y_sat = y_clip && !ysl[17];
  wire signed [15:0] xop = x_sat ? (xsl[16] ? -16'sd32768 : 16'sd32767) : xsl[15:0];
  wire signed [15:0] yop = y_lo ? {1'b0, ypre[14:0]} : y_hi ? ypre[30:15] : y_sat ? (ysl[16] ? -16'sd32768 : 16'sd32767) : ysl[15:0];
  wire signed [D-1:0] ybyp = (y_shl8 || y_sub_en) ? {{(D-W){ypre[W-1]}}, ypre} : y;
  wire [1:0] inc1 = (p_en && !x_k && !x_one && x_sat ? 2'd1 : 2'd0) + (p_en && y_sat ? 2'd1 : 2'd0);

  reg        v1;
  reg signed [D-1:0] r3;  // stage 3's result: also the running sum of a weight pass
  reg signed [D-1:0] y1;
  reg signed [15:0] mx1;  // multiplier port X: the constant (15 bits) or a 16-bit slice
  reg signed [15:0] my1;
  reg        one1, p1, pn1, ae1, cnt1, mac1, epi1, epf1;
  reg        [5:0]  u1;
  reg [2:0]  cl1;
  reg [1:0]  i1;
  always @(posedge clk) begin
    v1   <= in_valid;
    y1   <= ybyp;
    mx1  <= x_k ? $signed({1'b0, kmant}) : xop;
    my1  <= yop;
    one1 <= x_one;
    mac1 <= mac;
    epi1 <= epi;
    epf1 <= epi_fwd;
    p1   <= p_en;
    pn1  <= p_neg;
    ae1  <= a_en;
    cnt1 <= count;
    u1   <= u;
    cl1  <= clamp;
    i1   <= inc1;
  end

  // ---- stage 2: the product (registered: the DSP's output register)
  reg        v2, p2, pn2, ae2, cnt2, mac2, epf2;
  reg signed [47:0] q2;
  reg        [5:0]  u2;
  reg [2:0]  cl2;
  reg [1:0]  i2;
  wire signed [31:0] prod = mx1 * my1;
  always @(posedge clk) begin
    v2   <= v1;
    q2   <= epi1 ? {{(47-D){r3[D-1]}}, r3, 1'b0} : one1 ? {{(47-D){y1[D-1]}}, y1, 1'b0} : {prod, 16'd0};
    mac2 <= mac1;
    epf2 <= epf1;
    p2   <= p1;
    pn2  <= pn1;
    ae2  <= ae1;
    cnt2 <= cnt1;
    u2   <= u1;
    cl2  <= cl1;
    i2   <= i1;
  end

  // ---- stage 3: rounding shift and the sum
  // One right shifter for both paths: q = the product·2^16 or the bypass·2 (48 bits), t = q >>> u, and the
  // rounded result (t + 1) >>> 1. Product: u = 15 + s (s = sh − exp in −15..32: a left shift by −s when the
  // factor's exponent exceeds the shift, exact since t is even then); bypass: u = sh (0..12).
  /* verilator lint_off UNUSEDSIGNAL */
  // epi_fwd: the row's sum is r3 now (its last term left stage 3 a cycle ago): it replaces q2 as the shifter's input
  wire signed [47:0] t = (epf2 ? $signed({{(47-D){r3[D-1]}}, r3, 1'b0}) : q2) >>> u2;
  /* verilator lint_on UNUSEDSIGNAL */
  // the sum with the rounding in its carry: A ± ((t + 1) >>> 1) = (2A + 1 + (t ^ np)) >>> 1 (for −P: 2A + 1 + ~t =
  // 2A − t, and A − floor((t + 1)/2) = floor((2A − t)/2)); no product term: (2A + 1) >>> 1 = A. The compiler never
  // negates A (no a_neg: its negation would need a second carry).
  wire np = p2 && pn2;
  wire [D:0] tx = p2 ? (t[D:0] ^ {(D+1){np}}) : {(D+1){1'b0}};
  wire [D:0] ax = {mac2 ? r3 : ae2 ? a : {D{1'b0}}, 1'b1};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [D:0] rr = ax + tx;
  /* verilator lint_on UNUSEDSIGNAL */
  wire signed [D-1:0] r = rr[D:1];
  reg        v3, cnt3;
  reg [2:0]  cl3;
  reg [1:0]  i3;
  always @(posedge clk) begin
    v3   <= v2;
    r3   <= r;
    cnt3 <= cnt2;
    cl3  <= cl2;
    i3   <= i2;
  end

  // ---- stage 4: clamp and count
  // out of range of a signed B-bit kind: the bits from B−1 up are not all equal to the sign (no comparators);
  // R28 is ±2^28 (both ends included): 29-bit signed plus +2^28
  // the rail of a B-bit kind: the sign from bit B−1 up, its complement below (2^(B−1) − 1 or −2^(B−1));
  // R28: 2^28 or −2^28 (bit 28 set, the sign above it, zeros below)
  reg fits;
  reg [D-1:0] rail;
  wire neg3 = r3[D-1];
  integer j;
  always @* begin
    case (cl3)
      3'd1: fits = r3[D-1:27] == {(D-27){neg3}};
      3'd2: fits = r3[D-1:23] == {(D-23){neg3}};
      3'd3: fits = r3[D-1:19] == {(D-19){neg3}};
      3'd4: fits = r3[D-1:15] == {(D-15){neg3}};
      3'd5: fits = r3[D-1:28] == {(D-28){neg3}} || r3 == 268435456 || r3 == -268435456;
      3'd6: fits = r3[D-1:31] == {(D-31){neg3}};
      default: fits = 1'b1;
    endcase
    for (j = 0; j < D; j = j + 1)
      if (cl3 == 3'd5) rail[j] = j > 28 ? neg3 : j == 28;
      else rail[j] = neg3 ^ ((cl3 == 3'd1 && j < 27) || (cl3 == 3'd2 && j < 23) || (cl3 == 3'd3 && j < 19) || (cl3 == 3'd4 && j < 15) || (cl3 == 3'd6 && j < 31));
  end
  always @(posedge clk) begin
    out_valid <= v3;
    out       <= fits ? r3 : rail;
    inc       <= i3 + (cnt3 && !fits ? 2'd1 : 2'd0);
  end
endmodule
