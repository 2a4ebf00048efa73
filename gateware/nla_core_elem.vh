// nla_core_elem.vh: element-wise phases of nla_core (included; see nla_core_fsm.vh). Element ei's
// vector words are valid from uc = 2; `go`/`enext` below end the element. Formulas: protocol.md 11.5.
h_ = 64'sd0;   // 1: element finished
case (ph)
  DIN: begin      // d_in = sat_D(shr((r_in 2^8 - r_in_bar) k_in, 24)); s_in = shr(r_in_bar, 8)
    if (uc == 5'd2) begin mas = 3'd2; uc <= 5'd3; end                         // population record read
    else if (uc == 5'd3) begin
      mbs = 3'd4; begin csi_we = 1'b1; csi_wa = `NLA_AI(ei[IB-1:0]); csi_wd = ru_y[20:0]; end uc <= 5'd4;
      if (FORMAT == 1) begin csi_wd = {{5{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16]; end   // UP5K16: s_in stored as its slice
    end
    else if (uc == 5'd4) uc <= 5'd5;
    else begin
      if (bias_q) begin pbd_we = 1'b1; pbd_wa = `NLA_AI2(ei[IB-1:0]); pbd_wd = 24'sd0; end
      else begin
        begin pbd_we = 1'b1; pbd_wa = `NLA_AI2(ei[IB-1:0]); pbd_wd = ru_y[23:0]; end sinc = sinc + ru_oor;
        if (FORMAT == 1) sinc = sinc + OPA[16];   // UP5K16: the slice of d_in the pass takes
      end
      h_ = 64'sd1;
    end
  end
  EM: begin       // m = sat_U(u - shr(A, 8)); <m> = shr(m, 8)
    sinc = sinc + ru_oor;
    begin meb_we = 1'b1; meb_wa = `NLA_AN(ei[NB-1:0]); meb_wd = ru_y[27:0]; end begin mup_we = 1'b1; mup_wa = `NLA_AN(ei[NB-1:0]); mup_wd = shr8m(ru_y[27:0]); end
    if (FORMAT == 1) begin   // UP5K16: mOp = op(m, 12) stored; the slice of rho the passes take, counted once a step
      mup_wd = {{12{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16];
      sinc = sinc + OPB[16];
    end
    begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end h_ = 64'sd1;
  end
  EG1: begin      // g = shr(G, 16) (terms are added before the saturation); wt is 0 here (EB cleared it)
    begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = ru_y; end h_ = 64'sd1;
  end
  EG2: begin      // g = sat_D(g); without learning EG1 is skipped and g = sat_D(shr(G, 16)) here
    sinc = sinc + ru_oor;
    begin ga_we = 1'b1; ga_wa = `NLA_AN(ei[NB-1:0]); ga_wd = ru_y[23:0]; end begin cxn_we = 1'b1; cxn_wa = `NLA_AN2(ei[NB-1:0]); cxn_wd = ru_y[28:0]; end
    if (FORMAT == 1) begin cxn_wd = {{13{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16]; end   // UP5K16: the pass source op(g, 5)
    begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end h_ = 64'sd1;
  end
  EC: begin       // c = sat_U(shr(Tr(<m>), 8))
    sinc = sinc + ru_oor;
    begin cxn_we = 1'b1; cxn_wa = `NLA_AN(ei[NB-1:0]); cxn_wd = ru_y[28:0]; end begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end h_ = 64'sd1;
  end
  EP: begin       // p = sat_D(shr(Tr(g), 16))
    sinc = sinc + ru_oor;
    begin pbd_we = 1'b1; pbd_wa = `NLA_AN(ei[NB-1:0]); pbd_wd = ru_y[23:0]; end begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end h_ = 64'sd1;
  end
  EB: begin       // e-bar, f, b, kappa (step 5); products are consumed two states after issue
    case (uc)
      5'd2: begin mas = 3'd5; mbs = 3'd3; n_r <= ht_q; msr <= dr_q; uc <= 5'd3; end
      5'd3: begin mas = 3'd6; mbs = 3'd4; uc <= 5'd4; end
      5'd4: begin T <= ru_y; mas = 3'd6; mbs = 3'd4; uc <= 5'd5; end   // T = shr(c rho', 16)
      5'd5: begin       // e-bar = sat_U(T + [target] shr((u* - u) beta, 16))
        sinc = sinc + ru_oor; begin meb_we = 1'b1; meb_wa = `NLA_AN2(ei[NB-1:0]); meb_wd = ru_y[27:0]; end E <= ru_y[27:0];
        mas = 3'd6; mbs = 3'd3; uc <= 5'd6;
      end
      5'd6: begin T <= ru_y; mas = 3'd5; mbs = 3'd5; uc <= 5'd7; end   // T = g + [target] shr((u* - u*prev) beta, 16)
      5'd7: begin T <= ru_y; uc <= 5'd8; end                                  // T -= shr((p - wt) rho', 16)
      5'd8: begin begin cxn_we = 1'b1; cxn_wa = `NLA_AN(ei[NB-1:0]); cxn_wd = ru_y[28:0]; end uc <= 5'd9; end            // kappa = shr(c rho'', 24)
      5'd9: begin sinc = sinc + ru_oor; mas = 3'd2; mbs = 3'd4; uc <= 5'd10; end  // sat_U(m - e-bar)
      5'd10: uc <= 5'd11;
      default: begin    // b = sat_D(T - shr((m - e-bar) k, 24))
        sinc = sinc + ru_oor; begin pbd_we = 1'b1; pbd_wa = `NLA_AN2(ei[NB-1:0]); pbd_wd = ru_y[23:0]; end
        if (n_r) begin mup_we = 1'b1; mup_wa = `NLA_AN2(ei[NB-1:0]); mup_wd = us_q; end
        begin aw_we = 1'b1; aw_wa = `NLA_AN2(ei[NB-1:0]); aw_wd = 64'sd0; end   // wt = 0 after its last read of the step (11.6: wt starts at 0)
        h_ = 64'sd1;
      end
    endcase
  end
  EV: begin       // v = shr(rho' delta, 16), the source of F(v)
    if (uc == 5'd2) begin mas = 3'd7; mbs = 3'd3; uc <= 5'd3; end
    else if (uc == 5'd3) uc <= 5'd4;
    else begin
      begin cxn_we = 1'b1; cxn_wa = `NLA_AN2(ei[NB-1:0]); cxn_wd = ru_y[28:0]; end h_ = 64'sd1;
      if (FORMAT == 1) begin cxn_wd = {{13{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16]; end   // UP5K16: op(p, 5)
    end
  end
  EA: begin       // a = sat_D(delta - shr(F(v), 16))
    sinc = sinc + ru_oor;
    begin ga_we = 1'b1; ga_wa = `NLA_AN2(ei[NB-1:0]); ga_wd = ru_y[23:0]; end begin cxn_we = 1'b1; cxn_wa = `NLA_AN2(ei[NB-1:0]); cxn_wd = ru_y[28:0]; end
    if (FORMAT == 1) begin cxn_wd = {{13{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16]; end   // UP5K16: the pass source op(a, 5)
    begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end h_ = 64'sd1;
  end
  EH: begin       // q, H delta, delta += shr(b - H delta, s)
    case (uc)
      5'd2: begin       // q = sat_D(shr(Tr(a), 16))
        sinc = sinc + ru_oor;
        mas = 3'd2; mbs = 3'd3; begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end
        n_r <= ht_q; uc <= 5'd3;
      end
      5'd3: begin mas = 3'd5; mbs = 3'd6; uc <= 5'd4; end
      5'd4: begin T <= ru_y; mas = 3'd7; mbs = 3'd4; uc <= 5'd5; end  // T = a - shr(q rho', 16)
      5'd5: begin T <= ru_y; uc <= 5'd6; end                                        // T -= shr(c delta, 16)
      5'd6: begin sinc = sinc + ru_oor; E <= ru_y[27:0]; uc <= 5'd7; end             // H delta = sat_D(T + [target] shr(delta beta, 16))
      default: begin
        sinc = sinc + ru_oor; begin meb_we = 1'b1; meb_wa = `NLA_AN3(ei[NB-1:0]); meb_wd = ru_y[27:0]; end h_ = 64'sd1;   // delta (read as 24 bits)
      end
    endcase
  end
  EU: begin       // u = sat_U(u + delta)
    sinc = sinc + ru_oor; begin urb_we = 1'b1; urb_wa = `NLA_AN(ei[NB-1:0]); urb_wd = ru_y[27:0]; end h_ = 64'sd1;
  end
  ERB: begin      // r_in_bar = sat_U(r_in_bar + d_in)
    sinc = sinc + ru_oor; begin urb_we = 1'b1; urb_wa = `NLA_AI(ei[IB-1:0]); urb_wd = ru_y[27:0]; end h_ = 64'sd1;
  end
  EACT: begin     // rho, rho', rho'' at x = shr(u, 8) (11.4)
    if (uc == 5'd2) begin     // x and sat_S(x); the population record is read
      T <= ru_raw; E <= ru_y[27:0];
      // table: x + 2^19 in 0 .. 2^20 (x = sat_S(x) here when it matters): the low 21 bits of the sum
      kk <= {ru_raw[20] ^ ru_raw[19], ~ru_raw[19], ru_raw[18:12]}; fr <= ru_raw[11:0];
      uc <= 5'd13;
    end else if (uc == 5'd13) begin
      x_ = T;
      if (pr_act == 2'd0) begin
        begin rus_we = 1'b1; rus_wa = `NLA_AN(ei[NB-1:0]); rus_wd = E[20:0]; end begin dri_we = 1'b1; dri_wa = `NLA_AN(ei[NB-1:0]); dri_wd = 21'sd65536; end
        h_ = 64'sd1;   // rho'' stays 0 (REST wrote it)
      end else if (pr_act == 2'd1) begin
        // x = shr(u, 8) fits 22 bits: clamp to [0, top] (rho), slope 1 inside (rho')
        y_ = T[21] ? 64'sd0 : ($signed(T[21:0]) > $signed({pr_top[20], pr_top})) ? pr_top : T;
        begin rus_we = 1'b1; rus_wa = `NLA_AN(ei[NB-1:0]); rus_wd = y_[20:0]; end
        begin dri_we = 1'b1; dri_wa = `NLA_AN(ei[NB-1:0]); dri_wd = (!T[21] && !($signed(T[21:0]) > $signed({pr_top[20], pr_top}))) ? 21'sd65536 : 21'sd0; end
        h_ = 64'sd1;   // rho'' stays 0 (REST wrote it)
      end else begin
        tbase <= TBASE | {pr_tab, 10'd0};   // slot < 8: no carry
        uc <= 5'd3; ts <= 3'd0;
      end
    end else if (FORMAT == 1) begin
      // UP5K16: the three lerps one after the other (table ts), each T0 + shr((T1 - T0) frac, 12) from two
      // partial products (T1 - T0 = d_hi 2^8 + d_lo: the difference has up to 21 bits)
      if (uc == 5'd3 || uc == 5'd4) begin
        tko = {1'b0, kk} + ((uc == 5'd4 && kk != 9'd256) ? 10'd1 : 10'd0)
            + (ts[1:0] == 2'd0 ? 10'd0 : ts[1:0] == 2'd1 ? 10'd257 : 10'd514);
        wma <= {tbase[13:10], tko};
      end
      if (uc == 5'd5) msr <= WM[20:0];                                   // T0
      if (uc == 5'd6) qw2 <= WM[31:0] - {{11{msr[20]}}, msr};             // T1 - T0
      if (uc == 5'd7) begin mas = 4'd10; mbs = 4'd7; end
      if (uc == 5'd8) mas = 4'd11;
      if (uc == 5'd9) T <= mp <<< 8;
      if (uc == 5'd10) T <= ru_y;
      if (uc == 5'd11) begin
        if (ts == 3'd0) begin rus_we = 1'b1; rus_wa = `NLA_AN(ei[NB-1:0]); rus_wd = ru_y[20:0]; end
        else if (ts == 3'd1) begin dri_we = 1'b1; dri_wa = `NLA_AN(ei[NB-1:0]); dri_wd = ru_y[20:0]; end
        else begin csi_we = 1'b1; csi_wa = `NLA_AN(ei[NB-1:0]); csi_wd = ru_y[20:0]; end
        if (ts == 3'd2) h_ = 64'sd1;
        else begin ts <= ts + 3'd1; uc <= 5'd3; end
      end else uc <= uc + 5'd1;
    end else begin
      // table: the six knots T[k], T[k+1] of rho, rho', rho'' are read back to back (addresses at
      // uc 3..8, words at uc 5..10); each lerp T0 + shr((T1 - T0) frac, 12) finishes 2 states later
      if (uc <= 5'd8) begin
        z_ = {61'd0, uc - 5'd3};                          // read number 0..5
        // knot + (k < 256 and odd read) + table * 257 < 1024: the low bits of tbase are 0
        tko = {1'b0, kk} + ((z_[0] && kk != 9'd256) ? 10'd1 : 10'd0)
            + (z_[2:1] == 2'd0 ? 10'd0 : z_[2:1] == 2'd1 ? 10'd257 : 10'd514);
        wma <= {tbase[13:10], tko};
      end
      if (uc == 5'd5 || uc == 5'd7 || uc == 5'd9) msr <= WM;   // T0 (msr holds it in EACT)
      if (uc == 5'd6 || uc == 5'd8 || uc == 5'd10) begin mas = 3'd6; mbs = 3'd7; qw1 <= {{11{msr[20]}}, msr}; end   // T0 kept in qw1 (PLAS's)
      if (uc == 5'd8)  begin rus_we = 1'b1; rus_wa = `NLA_AN(ei[NB-1:0]); rus_wd = ru_y[20:0]; end
      if (uc == 5'd10) begin dri_we = 1'b1; dri_wa = `NLA_AN(ei[NB-1:0]); dri_wd = ru_y[20:0]; end
      if (uc == 5'd12) begin begin csi_we = 1'b1; csi_wa = `NLA_AN(ei[NB-1:0]); csi_wd = ru_y[20:0]; end h_ = 64'sd1; end
      else uc <= uc + 5'd1;
    end
  end
  default: go = 1'b1;
endcase
if (h_ != 64'sd0) begin
  if (ei + 16'd1 >= en) go = 1'b1;
  else begin   // present the next element's address now: its data is valid at uc = 2
    ei <= ei + 16'd1; uc <= 5'd1;
    x_ = {48'd0, ei + 16'd1}; nra <= x_[NB-1:0];
  end
end
