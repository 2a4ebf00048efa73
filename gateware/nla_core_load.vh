// nla_core_load.vh: image validation (docs/protocol.md 10.4, capacity 6.3) and installation
// (included in nla_core's VAL phase). The staged bytes are read one at a time (3 cycles a byte).
// Pass 1 (inst = 0) checks everything, keeping only what the checks need (s*, cj_*, and one scratch
// word per population in aw_mem: kind, size, offset, fan-in, read back through srd); only once
// the whole image is valid, pass 2 (inst = 1) reads the records again from the header on and installs
// them into the running core's registers, the weights (W, W0) and the tables on the way.
// Checks beyond image-codec.ts (they keep the datapath exact; the compiler never violates them):
// table values within Q3.16, clip topQ >= 0, etaDtQ24 < 2^24. Limits of this build (CAPACITY):
// nPopulations <= MAX_POPS, nProjections <= MAX_PROJ, table populations <= MAX_TABLES.
if (rdp) begin   // reading a field (rd): 3 cycles a byte
  if (rph == 2'd0) begin
    if (chk && pos >= body_end) fail(2'd1, F_FS);
    else rph <= 2'd1;
  end else if (rph == 2'd1) rph <= 2'd2;
  else begin
    case (vcnt[1:0])       // fv was cleared by rd: byte lane vcnt
      2'd0: fv[7:0] <= st_byte;
      2'd1: fv[15:8] <= st_byte;
      2'd2: fv[23:16] <= st_byte;
      default: fv[31:24] <= st_byte;
    endcase
    pos <= pos + 17'd1; vcnt <= vcnt + 3'd1; rph <= 2'd0;
    if (vcnt + 3'd1 == nbytes(vs)) rdp <= 1'b0;
  end
end else case (vs)
  V_START: begin
    body_end <= commit_total - 17'd4; chk <= 1'b1; pos <= 17'd0; inst <= 1'b0;
    if (!gtc(commit_total, 47)) fail(2'd1, F_0);
    else if (gtc(commit_total, IMG_BYTES)) fail(2'd2, F_8);
    else rd(3'd4, V_MAGIC);
  end
  V_MAGIC: if (fv != 32'h49414C4E) fail(2'd1, F_0); else rd(3'd2, V_VER);
  V_VER:   if (fv != 32'd1) fail(2'd1, F_4); else rd(3'd2, V_FLAGS);
  V_FLAGS: rd(3'd4, V_TOT);
  V_TOT: begin
    if (fv != {15'd0, commit_total}) fail(2'd1, F_8);
    else begin crc <= 32'hFFFFFFFF; pos <= 17'd0; vs <= V_CRC0; end
  end
  V_CRC0: begin
    if (pos == body_end) begin chk <= 1'b0; rd(3'd4, V_CRCCMP); end
    else vs <= V_CRC1;
  end
  V_CRC1: vs <= V_CRC2;
  V_CRC2: begin crc <= crc_next; fv[3:0] <= st_byte[7:4]; pos <= pos + 17'd1; vs <= V_CRC3; end
  V_CRC3: begin crc <= crc_next; vs <= V_CRC0; end
  V_CRCCMP: begin
    if (fv != ~crc) fail(2'd1, F_BE);
    else begin chk <= 1'b1; pos <= 17'd12; rd(3'd4, V_DT); end
  end
  V_DT:   if (fv == 32'd0) fail(2'd1, F_FS); else rd(3'd2, V_SPF);
  V_SPF:  if (fv == 32'd0) fail(2'd1, F_FS); else begin if (inst) a_steps <= fv[15:0]; rd(3'd2, V_IT); end
  V_IT:   if (fv == 32'd0) fail(2'd1, F_FS); else begin if (inst) a_iters <= fv[15:0]; rd(3'd1, V_RS); end
  V_RS:   if (gtc(fv, 15)) fail(2'd1, F_FS); else begin if (inst) a_relax <= fv[3:0]; rd(3'd1, V_RSV); end
  V_RSV:  rd(3'd4, V_BETA);
  V_BETA: if (fv[31:24] != 8'd0) fail(2'd1, F_FS); else begin if (inst) a_beta <= fv[23:0]; rd(3'd2, V_NIN); end
  V_NIN:  begin s_nin <= fv[15:0]; if (inst) a_nin <= fv[15:0]; rd(3'd2, V_NST); end
  V_NST:  begin s_nst <= fv[15:0]; if (inst) a_nst <= fv[15:0]; rd(3'd2, V_NN); end
  V_NN:   if (fv == 32'd0) fail(2'd1, F_FS); else begin s_nn <= fv[15:0]; if (inst) a_nn <= fv[15:0]; rd(3'd2, V_NO); end
  V_NO: begin
    if (fv[15:0] == 16'd0 || fv[15:0] > s_nn) fail(2'd1, F_FS);   // (a 2-byte field: fv[31:16] = 0)
    else if (gtc(fv, MAX_OUTPUTS)) fail(2'd2, F_FS);
    else begin s_no <= fv[15:0]; if (inst) a_no <= fv[15:0]; rd(3'd2, V_NP); end
  end
  V_NP: begin
    if (fv == 32'd0 || gtc(fv, 1024)) fail(2'd1, F_FS);
    else if (gtc(fv, MAX_POPS)) fail(2'd2, F_FS);
    else begin s_npop <= fv[15:0]; rd(3'd2, V_NPJ); end
  end
  V_NPJ: begin
    if (gtc(fv, MAX_PROJ)) fail(2'd2, F_FS);
    else begin
      s_nproj <= fv[15:0]; if (inst) a_nproj <= fv[15:0]; sret <= V_POP; rd(3'd1, V_STR);
      kv <= 16'd0; cnt_in <= 17'd0; cnt_n <= 17'd0; cnt_st <= 17'd0; ntab <= 0;
    end
  end
  V_STR: begin   // skip a string of fv bytes, then continue at sret
    y_ = {47'd0, pos} + {56'd0, fv[7:0]};
    if (y_[17:0] > {1'b0, body_end}) fail(2'd1, F_POS);
    else begin pos <= y_[16:0]; vs <= sret; end
  end
  // ---- population records
  V_POP:   if (kv == s_npop) vs <= V_SUMS; else rd(3'd1, V_PKIND);
  V_PKIND: if (gtc(fv, 3)) fail(2'd1, F_FS); else begin cp_kind <= fv[1:0]; rd(3'd2, V_PSIZE); end
  V_PSIZE: if (fv == 32'd0) fail(2'd1, F_FS); else begin cp_size <= fv[15:0]; rd(3'd2, V_POFF); end
  V_POFF: begin
    if ({1'b0, fv[15:0]} != ((cp_kind <= 2'd1) ? cnt_in : cnt_n)) fail(2'd1, F_FS);
    else begin
      // scratch word of population kv: fan-in 0, offset, size, kind
      aw_we = 1'b1; aw_wa = `NLA_SCR(kv[PB-1:0]); aw_wd = {30'd0, fv[15:0], cp_size, cp_kind};
      if (cp_kind <= 2'd1) cnt_in <= cnt_in + {1'b0, cp_size};
      else cnt_n <= cnt_n + {1'b0, cp_size};
      if (cp_kind == 2'd0) cnt_st <= cnt_st + {1'b0, cp_size};
      rd(3'd4, V_PDEC);
    end
  end
  V_PDEC: if (fv[31:24] != 8'd0) fail(2'd1, F_FS); else begin cp_dec <= fv[23:0]; rd(3'd1, V_PACT); end
  V_PACT: begin
    if (gtc(fv, 2)) fail(2'd1, F_FS);
    else if (cp_kind <= 2'd1 && fv != 32'd0) fail(2'd1, F_FS);
    else begin
      cp_act <= fv[1:0];
      if (fv == 32'd1) rd(3'd4, V_PTOP);
      else begin sret <= (fv == 32'd2) ? V_PTAB0 : V_PEND; rd(3'd1, V_STR); end
    end
  end
  V_PTOP: begin
    if (fv[31]) fail(2'd1, F_FS);
    else begin
      cp_top <= gtc(fv, 524288) ? 21'sd524288 : fv[20:0];
      sret <= V_PEND; rd(3'd1, V_STR);
    end
  end
  V_PTAB0: begin
    if (ntab == MAX_TABLES) fail(2'd2, F_POS);
    else begin
      cp_tab <= ntab[TB-1:0];
      ct_slot <= ntab[TB-1:0]; ntab <= ntab + 1'b1;
      ti <= 10'd0; rd(3'd4, V_PTAB1);
    end
  end
  V_PTAB1: begin
    if (fv[31:19] != {13{fv[31]}}) fail(2'd1, F_FS);   // outside Q3.16
    else begin
      // pass 2: value ti -> TBASE + slot*1024 + ti
      if (inst) begin wma <= {TBASE[13:10] + {{(4-TB){1'b0}}, ct_slot}, ti}; wm_we <= 1'b1; wm_wd <= fv; end
      if (ti == 10'd770) begin sret <= V_PEND; rd(3'd1, V_STR); end
      else begin ti <= ti + 10'd1; rd(3'd4, V_PTAB1); end
    end
  end
  V_PEND: begin
    if (inst) begin aw_we = 1'b1; aw_wa = `NLA_POP(kv[PB-1:0]); aw_wd = {{(64-47-TB){1'b0}}, cp_tab, cp_act, cp_top, cp_dec}; end
    kv <= kv + 16'd1; vs <= V_POP;
  end
  V_SUMS: begin
    if (cnt_in != {1'b0, s_nin} || cnt_n != {1'b0, s_nn} || cnt_st != {1'b0, s_nst}) fail(2'd1, F_POS);
    else begin kv <= 16'd0; vs <= V_OUT; end
  end
  // ---- outputs
  V_OUT: if (kv == s_no) begin kv <= 16'd0; syn <= 32'd0; vs <= V_PJ; end else rd(3'd2, V_OUT1);
  V_OUT1: begin kc <= 0; okr <= 1'b0; vs <= V_OUT2; end
  V_OUT3: begin  // population kc's scratch word is in aw_q
    if (sc_kind == 2'd3 && fv[15:0] >= sc_off && fv[15:0] - sc_off < sc_size) okr <= 1'b1;
    kc <= kc + 1'b1; vs <= V_OUT2;
  end
  V_OUT2: begin  // is the output inside an output population? one population at a time
    if (kc != s_npop[PB:0]) srd(kc[PB-1:0], V_OUT3);
    else if (fv[15:0] >= s_nn || !okr) fail(2'd1, F_FS);
    else if (inst && (in_we || tgt_we)) ;   // the session writes a value: fb's write port is taken
    else begin
      if (inst) begin npi_we = 1'b1; npi_wa = FO + {{(AW-OB){1'b0}}, kv[OB-1:0]}; npi_wd = fv[NB-1:0]; end   // the output map
      kv <= kv + 16'd1; vs <= V_OUT;
    end
  end
  // ---- projection records
  V_PJ:    if (kv == s_nproj) begin kc <= 0; vs <= V_FAN; end else rd(3'd1, V_JPRE);
  V_JPRE:  if (gtc(fv, 1)) fail(2'd1, F_FS); else begin cj_pre <= fv[0]; if (inst) j_pre[kv[JB-1:0]] <= fv[0]; rd(3'd2, V_JPREP); end
  V_JPREP: if (fv[15:0] >= s_npop) fail(2'd1, F_FS); else srd(fv[PB-1:0], V_JPREP2);
  V_JPREP2: begin
    if ((sc_kind <= 2'd1) != !cj_pre) fail(2'd1, F_FS);
    else begin
      if (inst) j_pg[kv[JB-1:0]] <= (sc_kind == 2'd0);
      c_qo <= sc_off[NB-1:0];
      cj_cols <= sc_size;                   // the presynaptic size, checked against cols below
      rd(3'd2, V_JPOST);
    end
  end
  V_JPOST: if (fv[15:0] >= s_npop) fail(2'd1, F_FS); else begin cj_post <= fv[PB-1:0]; srd(fv[PB-1:0], V_JPOST2); end
  V_JPOST2: begin
    if (sc_kind <= 2'd1) fail(2'd1, F_FS);
    else begin
      c_po <= sc_off[NB-1:0]; cj_rows <= sc_size;   // the postsynaptic size, checked against rows below
      rd(3'd2, V_JROWS);
    end
  end
  V_JROWS: begin
    if (fv[15:0] != cj_rows) fail(2'd1, F_FS);
    else rd(3'd2, V_JCOLS);
  end
  V_JCOLS: begin
    if (fv[15:0] != cj_cols) fail(2'd1, F_FS);
    else rd(3'd4, V_JETA);
  end
  V_JETA: begin
    if (fv[31:24] != 8'd0) fail(2'd1, F_FS);
    else begin c_eta <= fv[23:0]; sret <= V_JW0; rd(3'd1, V_STR); end
  end
  V_JW0: srd(cj_post, V_JW);   // the postsynaptic scratch word (its fan-in), in aw_q at V_JW
  V_JW: begin    // the weights: rows*cols i32, each must end before the trailer
    rc_ = cj_rows * cj_cols;                            // the one 16x16 multiply of the loader
    wend = {2'd0, pos} + {1'b0, rc_[15:0], 2'd0};
    if (rc_[31:15] != 17'd0 || wend > {2'd0, body_end}) fail(2'd1, F_JW);
    else begin
      syn <= syn + rc_[16:0];
      if (!inst) begin  // pass 1: the postsynaptic population's fan-in += cols
        aw_we = 1'b1; aw_wa = `NLA_SCR(cj_post); aw_wd = {13'd0, sc_fan + {1'b0, cj_cols}, aw_q[33:0]};
      end
      if (inst) begin   // pass 2: copy the weights into W and W0, then the next record
        begin aw_we = 1'b1; aw_wa = `NLA_REC(kv[JB-1:0]); aw_wd = {{(64-RE-24){1'b0}}, c_eta, syn[SB-1:0], cj_cols[NB:0], cj_rows[NB:0], c_po, c_qo}; end
        j_lrn[kv[JB-1:0]] <= (c_eta != 24'd0); cj_wb <= syn[13:0]; cj_rc <= rc_[SB:0]; wi <= 0; vs <= I_W1;
      end else begin pos <= wend[16:0]; kv <= kv + 16'd1; vs <= V_PJ; end
    end
  end
  V_FAN: begin  // fan-in <= 1024, one population at a time (pass 2: all 0)
    if (kc == s_npop[PB:0]) vs <= V_END;
    else srd(kc[PB-1:0], V_FAN2);
  end
  V_FAN2: if (gtc(sc_fan, 1024)) fail(2'd1, F_POS); else begin kc <= kc + 1'b1; vs <= V_FAN; end
  V_SW1: vs <= sret2;    // srd: the scratch word is read
  V_END: if (pos != body_end) fail(2'd1, F_POS); else vs <= V_CAP;
  V_CAP: begin   // 6.3
    if (gtc(s_nn, MAX_NEURONS) || gtc(syn, MAX_SYNAPSES) || gtc(s_nin, MAX_INPUTS) || gtc(s_no, MAX_OUTPUTS) ||
        MAX_PAYLOAD < 10 || gtc(s_nst, PAYQ)) fail(2'd2, F_0);
    else if (!inst) begin
      // the image is valid: from here on it replaces the running one (pass 2 from the header on)
      inst <= 1'b1; loaded <= 1'b0; a_crc <= ~crc;   // = the trailer CRC (checked above)
      pos <= 17'd12; rd(3'd4, V_DT);
    end else begin
      a_nsyn <= syn[EW-1:0]; chk <= 1'b0; kv <= 16'd0; uv <= 16'd0; vs <= I_N1;
    end
  end
  // ---- install (pass 2): the weights of projection kv -> W and W0
  I_W1: begin
    if (wi == cj_rc) begin kv <= kv + 16'd1; vs <= V_PJ; end
    else rd(3'd4, I_W2);
  end
  I_W2: begin wma <= cj_wb + {{(13-SB){1'b0}}, wi}; wm_we <= 1'b1; wm_wd <= fv; vs <= I_W3; end
  I_W3: begin
    wma <= W0BASE | (cj_wb + {{(13-SB){1'b0}}, wi}); wm_we <= 1'b1; wm_wd <= fv;   // cj_wb + wi < MAX_SYNAPSES <= 4096
    wi <= wi + 1'b1; vs <= I_W1;
  end
  I_N1: begin    // per-unit population indices, bias flags
    if (kv == s_npop) begin
      st_rd <= 1'b0; resting <= 1'b1; installing <= 1'b1; restore_f <= 1'b0;
      tgt_pend <= 1'b0; sinc = -1;   // REST clears u* and has_t
      ph <= REST; ei <= 16'd0; uc <= 5'd0;
      en <= (s_nn > s_nin) ? s_nn : s_nin;
    end else srd(kv[PB-1:0], I_N2);
  end
  I_N2: begin cp_kind <= sc_kind; cp_size <= sc_size; cp_off <= sc_off; uv <= 16'd0; vs <= I_N3; end
  I_N3: begin
    if (uv == cp_size) begin kv <= kv + 16'd1; vs <= I_N1; end
    else if (in_we || tgt_we) ;   // the session writes a value: fb's write port is taken
    else begin
      x_ = {48'd0, cp_off + uv};
      if (cp_kind >= 2'd2) begin npi_we = 1'b1; npi_wa = B2 + `NLA_AN(x_[NB-1:0]); npi_wd = kv[PB-1:0]; end
      else begin
        begin npi_we = 1'b1; npi_wa = B2 + `NLA_AI(x_[IB-1:0]); npi_wd = kv[PB-1:0]; npi_b = (cp_kind == 2'd1); end
      end
      uv <= uv + 16'd1;
    end
  end
  default: fail(2'd1, F_0);
endcase
