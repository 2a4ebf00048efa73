// nla_core_ru.vh: operand selection of the shared rounding/saturation unit nla_rsat (included in
// nla_core; see nla_core_fsm.vh). Every rounding, shift and saturation of the sequencer goes through
// this one unit: the state (phase, uc, ts, cph) selects its operands; the clocked process
// (nla_core_step.vh, nla_core_elem.vh) takes ru_y / ru_raw / ru_oor in the same state.
// which block of each shared vector memory the phase reads (nla_core.v, "Vector memories")
assign sel_pop = (ph == DIN && uc == 5'd2) || (ph == EB && uc == 5'd8) || (ph == EACT && uc == 5'd2); // aw: population record
assign sel_in  = (ph == DIN) || (ph == ERB);                 // urb: r-bar_in
assign sel_b1  = (ph == EB);                                 // mup: u*prev; csi: rho''
assign sel_us  = (ph == EB) || (ph == EH) || (ph == TGT);     // rus: {has_t, u*}
assign sel_csi = (ph == EB) ? (uc == 5'd5)                  // rc: rho'' (EB: read at uc 5), s_in
               : ((ph == PA) || (ph == TERMS) || (ph == PLAS)) && !c_pre;
assign sel_dri = (ph == DIN) || (ph == EV) || ((ph == EB || ph == EH) && uc <= 5'd2);  // pd: rho', r_in
assign sel_np  = (ph == DIN) || (ph == EB) || (ph == EACT);  // fb: population indices
assign aw_ra   = is_pass ? pd2 : ara;
// fb: population indices (DIN, EB, EACT), TGT: the output map at uc 0, then the target; idle: the
// output map of the probe asked for; else the held value ibra
assign fb_ra = sel_np ? (B2 + (sel_din ? `NLA_AI(ira) : `NLA_AN(nra)))
             : (ph == TGT) ? (((uc == 5'd0) ? FO : FH) + {{(AW-OB){1'b0}}, ei[OB-1:0]})
             : (ph == IDLE) ? (FO + {{(AW-OB){1'b0}}, pq[OB-1:0]})
             : (ph == REST || (ph == INCPY && uc == 5'd0)) ? (B2 + `NLA_AI(ei[IB-1:0]))   // bias flags
             : {{(AW-IB){1'b0}}, ibra};
assign sel_ga  = (ph == EB && uc >= 5'd4) || (ph == EH);       // ug: g, a (EB: u read at uc 2, g at uc 5)
assign sel_mup = (ph == PC) || (ph == TERMS) || (ph == PLAS) || (ph == EB && uc == 5'd3); // mc: <m>, u*prev (EB: at uc 3)
assign sel_eb  = (ph == IDLE);                               // meb: e-bar (probes)
assign sel_dl  = (ph == EV) || (ph == EA) || (ph == EH) || (ph == EU);   // meb: delta
assign sel_c   = (ph == EB) || (ph == EH);                   // cxn: c (else the pass source)
assign sel_a   = (ph == EH);                                 // ga: a; pbd: b
assign sel_di  = (ph == PG) || (ph == ERB);                  // pbd: d_in
assign sel_din = (ph == DIN);                                // dri, npi: inputs
assign sel_wt  = (ph == EB) || (ph == TERMS && ts == 3'd4); // aw: wt
localparam [2:0] SAT_NONE = 3'd0, SAT_U = 3'd1, SAT_D = 3'd2, SAT_S = 3'd3, SAT_R = 3'd4, SAT_I32 = 3'd5;
reg signed [63:0] ru_a, ru_x;
reg signed [5:0] ru_s;
reg       ru_neg;
reg [2:0] ru_sat;
wire signed [63:0] ru_raw, ru_y;
wire      ru_oor;
nla_rsat #(.FORMAT(FORMAT)) ru (.a(ru_a), .x(ru_x), .s(ru_s), .neg(ru_neg), .sat(ru_sat), .raw(ru_raw), .y(ru_y), .oor(ru_oor));
reg signed [63:0] T;          // running exact sum of an element (EB, EH) or a sum of squares (TERMS)
reg signed [27:0] E;          // e-bar (EB) or the clamped H delta (EH) of the element
wire signed [63:0] EV64 = E;
wire signed [24:0] BMX = B[24:0] - EV64[24:0];   // b - H delta (EH): both in D, 25 bits
wire signed [63:0] BMXS = $signed({{23{BMX[24]}}, BMX, 16'd0}) >>> a_relax;   // (b - H delta) 2^(16 - relaxShift)
wire signed [63:0] MPR = n_r ? mp : 64'sd0;
wire signed [24:0] DRX = (ph == EB && uc == 5'd5) ? {{4{msr[20]}}, msr}   /* msr: EB keeps rho' here */ : DR[24:0];
// the multiplier's x operand (pass source; the learning terms' and updates' rates): PA the presynaptic
// rate (rho of neurons, s_in of inputs); PG d_in; PC <m>; PP/PF/PT the pass source (g, v, a);
// TERMS m, x of the rank-one terms; PLAS x
wire signed [63:0] XOP = ((ph == PC) || (ph == TERMS && (ts == 3'd2 || ts == 3'd3))) ? MS
                       : ((ph == PP) || (ph == PF) || (ph == PT)) ? XN
                       : (ph == PG) ? DI : (c_pre ? RHO : SIN);
// UP5K16: two operand slicers, OPA = op(sa_x, sa_s) and OPB = op(sb_x, sb_s) = sat16(shr(x, s)) as
// {clamped, value} (format.ts op), their inputs chosen by the state: OPA takes the multiplier's port a
// (and the pass operand; <m>, the pass sources and s_in are stored as slices, rho and d_in are sliced
// here) and the slices of ru_y the element phases store or count; SB port b and EM's rho
reg signed [43:0] sa_x, sb_x;
reg [3:0] sa_s;
reg       sb_5;
wire pass_src = (ph == PA) || (ph == PG) || (ph == PC) || (ph == PP) || (ph == PF) || (ph == PT) || (ph == PLAS)
              || (ph == TERMS && uc == 5'd2);
always @* begin
  sa_x = ru_y[43:0]; sa_s = 4'd5;
  if (pass_src) begin
    if ((ph == PC) || (ph == TERMS && (ts == 3'd2 || ts == 3'd3))) begin sa_x = MS[43:0]; sa_s = 4'd0; end
    else if ((ph == PP) || (ph == PF) || (ph == PT)) begin sa_x = XN[43:0]; sa_s = 4'd0; end
    else if (ph == PG) begin sa_x = DI[43:0]; sa_s = 4'd5; end
    else if (c_pre) begin sa_x = RHO[43:0]; sa_s = 4'd4; end
    else begin sa_x = SIN[43:0]; sa_s = 4'd0; end
  end else case (ph)
    DIN: sa_s = (uc == 5'd2) ? 4'd11 : (uc == 5'd3) ? 4'd4 : 4'd5;   // r_in - r-bar_in ; s_in ; d_in
    EM: sa_s = 4'd12;                                                 // m
    TERMS: if (uc == 5'd5) sa_s = 4'd8;                               // R, M ; (uc 4) rank terms
    EV: if (uc == 5'd2) sa_x = DL[43:0];                              // delta ; p
    EB: case (uc)
      5'd2, 5'd6: begin sa_x = C[43:0]; sa_s = 4'd12; end             // c
      5'd3, 5'd4: begin sa_x = DIFF[43:0]; sa_s = 4'd12; end          // u* - u, u* - u*prev
      5'd5: sa_x = DIFF[43:0];                                        // p - wt
      default: sa_s = 4'd11;                                          // f (uc 9)
    endcase
    EH: case (uc)
      5'd3: begin sa_x = C[43:0]; sa_s = 4'd0; end                    // kappa
      5'd4: sa_x = DL[43:0];                                          // delta ; (uc 2) q
      default: ;
    endcase
    default: ;                                                        // g, a (EG2, EA)
  endcase
  sb_x = {{19{DRX[24]}}, DRX}; sb_5 = 1'b0;                                    // rho'
  if (ph == EM) sb_x = RHO[43:0];
  else if (ph == EB && uc == 5'd6) sb_x = CU[43:0];                   // rho''
  else if (ph == EH && uc == 5'd3) begin sb_x = DL[43:0]; sb_5 = 1'b1; end   // delta
end
// slice = ((x >>> (s - 1)) + 1) >>> 1 (s = 0: x): the 18-bit window y = x[s+16 : s-1] (s = 0: {x[16:0], 0})
// holds x >>> (s - 1) exactly when x[43 : s+16] all equal the sign (else it saturates); one 18-bit
// incrementer, r = (y + 1) >>> 1 in 17 bits, in range when its top two bits agree (y = -2^16 - 1 rounds to
// -2^15: in range)
wire [43:0] sa_q = ~(sa_x ^ {44{sa_x[43]}});   // bit i equals the sign
wire [43:0] sb_q = ~(sb_x ^ {44{sb_x[43]}});
reg [17:0] sa_w;
reg        sa_ok;
always @* begin
  case (sa_s)
    4'd0: begin sa_w = {sa_x[16:0], 1'b0}; sa_ok = &sa_q[43:16]; end
    4'd4: begin sa_w = sa_x[20:3];  sa_ok = &sa_q[43:20]; end
    4'd8: begin sa_w = sa_x[24:7];  sa_ok = &sa_q[43:24]; end
    4'd11: begin sa_w = sa_x[27:10]; sa_ok = &sa_q[43:27]; end
    4'd12: begin sa_w = sa_x[28:11]; sa_ok = &sa_q[43:28]; end
    default: begin sa_w = sa_x[21:4]; sa_ok = &sa_q[43:21]; end
  endcase
end
wire [17:0] sb_w = sb_5 ? sb_x[21:4] : sb_x[20:3];
wire        sb_ok = sb_5 ? &sb_q[43:21] : &sb_q[43:20];
/* verilator lint_off UNUSEDSIGNAL */
wire [17:0] sa_r = sa_w + 18'd1, sb_r = sb_w + 18'd1;
/* verilator lint_on UNUSEDSIGNAL */
wire [16:0] OPA = (sa_ok && sa_r[17] == sa_r[16]) ? {1'b0, sa_r[16:1]} : {1'b1, sa_x[43] ? 16'h8000 : 16'h7fff};
wire [16:0] OPB = (sb_ok && sb_r[17] == sb_r[16]) ? {1'b0, sb_r[16:1]} : {1'b1, sb_x[43] ? 16'h8000 : 16'h7fff};
// UP5K16: the factor selected (UF) as mantissa 2^e, mantissa < 2^15 rounded (format.ts factorOf): the
// leading one gives e0; shr(UF, e0) rounds up to 2^15 only when the kept bits are all ones: then e0 + 1 and 2^14
reg [3:0] fx_e0;
reg [24:0] fx_y;
/* verilator lint_off UNUSEDSIGNAL */
reg [24:0] fx_r;
/* verilator lint_on UNUSEDSIGNAL */
integer fq;
always @* begin
  fx_e0 = 4'd0;
  for (fq = 15; fq <= 23; fq = fq + 1) if (UF[fq]) fx_e0 = fq - 14;
  fx_y = (fx_e0 == 4'd0) ? {UF, 1'b0} : ({1'b0, UF} >> (fx_e0 - 4'd1));
  fx_r = (fx_y + 25'd1) >> 1;
end
wire [3:0]  FX_E = fx_r[15] ? fx_e0 + 4'd1 : fx_e0;
wire [14:0] FX_M = fx_r[15] ? 15'd16384 : fx_r[14:0];
// the multiplier's difference operand: EB u* - u, u* - u*prev, p - wt; EACT T1 - T0 of a table
// (one subtractor, its operands chosen)
wire signed [47:0] DIFF_A = (ph == EACT) ? WM[47:0] : (uc == 5'd5) ? P[47:0] : US[47:0];
wire signed [47:0] DIFF_B = (ph == EACT) ? {{27{msr[20]}}, msr} : (uc == 5'd5) ? WT[47:0] : (uc == 5'd3) ? U[47:0] : UP[47:0];
wire signed [47:0] DIFF = DIFF_A - DIFF_B;
// the multiplier's unsigned factor: c_eta (TERMS, PLAS), the population decay (DIN, EB 9), else beta
wire [23:0] UF = ((ph == TERMS) || (ph == PLAS)) ? c_eta : ((ph == DIN) || (uc == 5'd9)) ? pr_dec : a_beta;
always @* begin
  ru_a = 64'sd0; ru_x = 64'sd0; ru_s = 5'd0; ru_neg = 1'b0; ru_sat = SAT_NONE;
  case (ph)
    IDLE: begin ru_x = (rd_kind == 2'd2) ? $signed({{36{eb_q[27]}}, eb_q}) : U; ru_s = 5'd8; ru_sat = SAT_S; end
    TGT: begin ru_x = $signed({{40{tg_q[23]}}, tg_q}); ru_sat = SAT_S; end
    DIN: case (uc)
      5'd2: begin ru_a = RIN <<< 8; ru_neg = 1'b1; ru_x = RB; end
      5'd3: begin ru_x = RB; ru_s = 5'd8; end
      default: begin ru_x = mp; ru_s = 5'd24; ru_sat = SAT_D; end
    endcase
    EM: begin ru_a = U; ru_neg = 1'b1; ru_x = ACC; ru_s = 5'd8; ru_sat = SAT_U; end
    EG1: begin ru_x = ACC; ru_s = 5'd16; end
    EG2: begin ru_x = ACC; ru_s = learn_f ? 5'd0 : 5'd16; ru_sat = SAT_D; end
    EC: begin ru_x = ACC; ru_s = 5'd8; ru_sat = SAT_U; end
    EP: begin ru_x = ACC; ru_s = 5'd16; ru_sat = SAT_D; end
    EB: case (uc)
      5'd4: begin ru_x = mp; ru_s = 5'd16; end
      5'd5: begin ru_a = T; ru_x = MPR; ru_s = 5'd16; ru_sat = SAT_U; end
      5'd6: begin ru_a = G; ru_x = MPR; ru_s = 5'd16; end
      5'd7: begin ru_a = T; ru_neg = 1'b1; ru_x = mp; ru_s = 5'd16; end
      5'd8: begin ru_x = mp; ru_s = 5'd24; end
      5'd9: begin ru_a = M; ru_neg = 1'b1; ru_x = EV64; ru_sat = SAT_U; end
      default: begin ru_a = T; ru_neg = 1'b1; ru_x = mp; ru_s = 5'd24; ru_sat = SAT_D; end
    endcase
    EV: begin ru_x = mp; ru_s = 5'd16; end
    EA: begin ru_a = DL; ru_neg = 1'b1; ru_x = ACC; ru_s = 5'd16; ru_sat = SAT_D; end
    EH: case (uc)
      5'd2: begin ru_x = ACC; ru_s = 5'd16; ru_sat = SAT_D; end
      5'd4: begin ru_a = A; ru_neg = 1'b1; ru_x = mp; ru_s = 5'd16; end
      5'd5: begin ru_a = T; ru_neg = 1'b1; ru_x = mp; ru_s = 5'd16; end
      5'd6: begin ru_a = T; ru_x = MPR; ru_s = 5'd16; ru_sat = SAT_D; end
      default: begin ru_a = DL; ru_x = BMXS; ru_s = 5'd16; ru_sat = SAT_D; end   // shr(v, s) = shr(v 2^(16-s), 16)
    endcase
    EU: begin ru_a = U; ru_x = DL; ru_sat = SAT_U; end
    ERB: begin ru_a = RB; ru_x = DI; ru_sat = SAT_U; end
    EACT: begin
      if (uc == 5'd2) begin ru_x = U; ru_s = 5'd8; ru_sat = SAT_S; end
      else begin ru_a = qw1; ru_x = mp; ru_s = 5'd12; end
    end
    TERMS: begin
      if (ts == 3'd1 || ts == 3'd3) begin
        if (uc == 5'd5) begin ru_x = T; ru_s = 5'd16; end
        else begin ru_a = T; ru_x = mp; end
      end else begin
        ru_x = mp; ru_s = 5'd16;
        if (uc == 5'd4) ru_sat = SAT_R;
        else ru_a = (ts == 3'd2) ? ACC : WT;
      end
    end
    PLAS: begin
      ru_x = mp;
      if (cph == 2'd0) begin ru_a = qw2; ru_s = 5'd12; ru_sat = SAT_I32; end
      else ru_s = 5'd16;
    end
    default: ;
  endcase
  if (FORMAT == 1) begin
    // UP5K16: each product's shift less its operands' slice shifts and its factor's exponent (format.ts)
    case (ph)
      DIN: if (uc != 5'd2 && uc != 5'd3) ru_s = 6'sd13 - FE;            // d_in: 24 - 11 - e
      EM, EC: ru_s = 6'sd1;                                              // 13 - 8 - 4 ; 13 - 12
      EG1: ru_s = 6'sd8;
      EG2: ru_s = learn_f ? 6'sd0 : 6'sd8;
      EP, EA: ru_s = 6'sd8;
      EV: ru_s = 6'sd7;
      EB: case (uc)
        5'd4: ru_s = 6'sd0;                                              // rho' c
        5'd5, 5'd6: ru_s = 6'sd4 - FE;                                   // beta (u* - u), beta du*
        5'd7: ru_s = 6'sd7;                                              // rho' (p - wt)
        5'd8: ru_s = 6'sd6;                                              // kappa = rho'' c
        5'd9: ;
        default: ru_s = 6'sd13 - FE;                                     // k f
      endcase
      EH: case (uc)
        5'd2: ru_s = 6'sd8;
        5'd4: ru_s = 6'sd7;                                              // rho' q
        5'd5: ru_s = 6'sd13;                                             // kappa delta
        5'd6: ru_s = 6'sd11 - FE;                                        // beta delta
        default: ;
      endcase
      TERMS: begin
        if (ts == 3'd1 || ts == 3'd3) begin if (uc == 5'd5) ru_s = 6'sd8; end
        else ru_s = (uc == 5'd4) ? 6'sd4 : (6'sd11 - FE);
      end
      EACT: begin
        if (uc == 5'd10) begin ru_a = T; ru_x = mp; ru_s = 6'sd0; end          // the two partial products
        else if (uc == 5'd11) begin ru_a = {{43{msr[20]}}, msr}; ru_x = T; ru_s = 6'sd12; end   // T0 + shr(dT frac, 12)
      end
      PLAS: begin
        ru_a = 64'sd0; ru_x = T; ru_s = 6'sd16; ru_sat = SAT_NONE;
        if (uc == 5'd5) begin ru_a = T; ru_x = mp; ru_s = 6'sd0; end           // the two partial products
        else if (ts == 3'd2 && uc == 5'd6) begin ru_a = {{32{qw2[31]}}, qw2}; ru_s = 6'sd16 - FE; ru_sat = SAT_I32; end   // W + shr(em x, 16 - e)
      end
      default: ;
    endcase
  end
end
