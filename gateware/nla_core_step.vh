// nla_core_step.vh: the one clocked process of nla_core (included; see nla_core_fsm.vh).
// Blocking assignments to x_ y_ z_ h_ sinc go k are combinational temporaries of one state.
/* verilator lint_off BLKSEQ */
always @(posedge clk) begin
  go = 1'b0;
  sinc = 0;
  mas = 4'd0; mbs = 4'd0;
  urb_we = 1'b0; urb_wa = {AW{1'b0}}; urb_wd = {28{1'b0}}; rus_we = 1'b0; rus_wa = {AW{1'b0}}; rus_wd = {29{1'b0}}; meb_we = 1'b0; meb_wa = {AW{1'b0}}; meb_wd = {28{1'b0}}; mup_we = 1'b0; mup_wa = {AW{1'b0}}; mup_wd = {28{1'b0}}; cxn_we = 1'b0; cxn_wa = {AW{1'b0}}; cxn_wd = {29{1'b0}}; ga_we = 1'b0; ga_wa = {AW{1'b0}}; ga_wd = {24{1'b0}}; pbd_we = 1'b0; pbd_wa = {AW{1'b0}}; pbd_wd = {24{1'b0}}; dri_we = 1'b0; dri_wa = {AW{1'b0}}; dri_wd = {21{1'b0}}; csi_we = 1'b0; csi_wa = {AW{1'b0}}; csi_wd = {21{1'b0}}; npi_we = 1'b0; npi_wa = {AW{1'b0}}; npi_wd = {NB{1'b0}}; npi_b = 1'b0; aw_we = 1'b0; aw_wa = {AW{1'b0}}; aw_wd = {64{1'b0}};
  img_done <= 1'b0;
  frame_done <= 1'b0;
  out_rd_valid <= 1'b0;
  wm_we <= 1'b0;
  // weight-pass pipeline: issue (stage 0) -> words valid (1) -> product (3) -> accumulate; the
  // first element of a row/column adds onto its accumulator word (read at stage 2, aw_ra: valid with
  // the product), the last writes the sum back: one multiply-accumulate per cycle, rows back to back
  pv <= {pv[2:0], 1'b0}; pf <= {pf[2:0], 1'b0}; pl <= {pl[2:0], 1'b0};
  pd1 <= pd0; pd2 <= pd1; pd3 <= pd2;
  if (is_pass && pv[1]) begin mas = 3'd1; mbs = 3'd1; end
  if (is_pass && pv[3]) begin
    x_ = (pf[3] ? ACC : acc) + mp;
    if (FORMAT == 1) x_ = {{23{x_[40]}}, x_[40:0]};   // UP5K16: sums are exact in 41 bits (fan-in <= 1024)
    acc <= x_;
    if (pl[3]) begin aw_we = 1'b1; aw_wa = `NLA_AN(pd3); aw_wd = x_; end
  end

  // requests that wait for the core to be idle
  if (core_reset) begin rst_pend <= 1'b1; rst_restore_pend <= restore_weights; end
  if (tgt_commit) tgt_pend <= 1'b1;
  if (frame_go) go_pend <= 1'b1;
  if (param_we && loaded) begin
    if (param_id == 16'd2) a_beta <= param_value[23:0];
    if (param_id == 16'd3) a_iters <= param_value[15:0];
  end

  case (ph)
    // ------------------------------------------------------------ idle: dispatch, probe reads
    IDLE: begin
      if (rd_st == 3'd1) rd_st <= 3'd2;
      else if (rd_st == 3'd2) begin
        rd_st <= 3'd0;
        out_rd_valid <= 1'b1;
        if (rd_kind == 2'd1) out_rd_data <= {{3{rho_q[20]}}, rho_q};
        else out_rd_data <= ru_y[23:0];
      end else if (rd_st == 3'd3) begin nra <= fb_q[NB-1:0]; rd_st <= 3'd1; end   // the output's unit
      else if (rd_st == 3'd4) begin
        // value number pq in width(probes) order (7.4), one probe kind a cycle: OUTPUT_U, OUTPUT_RATE,
        // OUTPUT_ERROR (output number pq: fb reads its unit from the output map now), else ALL_U (unit pq)
        if (probes[pk] && pq < {{(15-OB){1'b0}}, a_no}) begin rd_kind <= pk; rd_st <= 3'd3; end
        else begin
          if (probes[pk]) pq <= pq - {{(15-OB){1'b0}}, a_no};
          if (pk == 2'd2) begin rd_kind <= 2'd0; rd_st <= 3'd5; end
          else pk <= pk + 2'd1;
        end
      end else if (rd_st == 3'd5) begin nra <= pq[NB-1:0]; rd_st <= 3'd1; end   // ALL_U: the unit
      else if (out_rd_req) begin pq <= out_rd_idx; pk <= 2'd0; rd_st <= 3'd4; end else if (rst_pend) begin
        rst_pend <= 1'b0;
        if (loaded) begin
          restore_f <= rst_restore_pend; resting <= 1'b1; installing <= 1'b0;
          ph <= REST; ei <= 16'd0; uc <= 5'd0; en <= count_of(REST);
          tgt_pend <= 1'b0; sinc = -1;   // REST clears u* and has_t
        end
      end else if (go_pend) begin
        go_pend <= 1'b0;
        if (!loaded) frame_done <= 1'b1;
        else begin
          learn_f <= learn; step <= 16'd0; it <= 16'd0; ibra <= {IB{1'b0}};
          tgt_pend <= 1'b0;
          ph <= tgt_pend ? TGT : INCPY; ei <= 16'd0; uc <= 5'd0;
          en <= tgt_pend ? count_of(TGT) : count_of(INCPY);
        end
      end
    end

    // ------------------------------------------------------------ targets (11.3), inputs
    TGT: begin
      // four cycles an output: its unit (the output map in fb, read at uc 0), then the unit's
      // {has_t, u*} word (rus block 1) and the target (fb) are read
      if (uc == 5'd0) begin
        if (ei >= en) go = 1'b1;
        else uc <= 5'd1;
      end else if (uc == 5'd1) begin nra <= fb_q[NB-1:0]; uc <= 5'd2; end
      else if (uc == 5'd2) uc <= 5'd3;
      else begin
        if (tg_q == 24'h800000) begin rus_we = 1'b1; rus_wa = `NLA_AN2(nra); rus_wd = {1'b0, us_q}; end
        else begin
          y_ = ru_y <<< 8;
          if (!ht_q) begin mup_we = 1'b1; mup_wa = `NLA_AN2(nra); mup_wd = y_[27:0]; end
          begin rus_we = 1'b1; rus_wa = `NLA_AN2(nra); rus_wd = {1'b1, y_[27:0]}; end
        end
        ei <= ei + 16'd1; uc <= 5'd0;
      end
    end
    INCPY: begin
      if (ei >= en) go = 1'b1;
      // input units in order: a stimulus unit takes the next held value (ibra counts them, from 0
      // at the frame's start), a bias unit is skipped; fb reads the unit's population word at uc 0,
      // the held value from uc 1
      else if (uc == 5'd0) uc <= 5'd1;
      else if (uc == 5'd1) begin if (bias_q) begin ei <= ei + 16'd1; uc <= 5'd0; end else uc <= 5'd2; end
      else begin begin dri_we = 1'b1; dri_wa = `NLA_AI(ei[IB-1:0]); dri_wd = ib_q; end ibra <= ibra + 1'b1; ei <= ei + 16'd1; uc <= 5'd0; end
    end

    // ------------------------------------------------------------ weight passes F / Tr
    PA, PG, PC, PP, PF, PT: begin
      if (ps == 2'd0) begin
        // next projection, once the previous one has left the pipeline (rows of two projections
        // may add onto the same accumulator word); its record is read from aw_mem (ps 1, 3)
        if (pv != 4'd0) ;
        else if (pj >= a_nproj) go = 1'b1;
        else if (!sel_ok) pj <= pj + 16'd1;
        else begin c_pre <= j_pre[pj[JB-1:0]]; rec_rd <= 1'b1; rec_a <= pj[JB-1:0]; ps <= 2'd1; end
      end else if (ps == 2'd1) ps <= 2'd3;
      else if (ps == 2'd3) begin
        c_po <= {{(16-NB){1'b0}}, r_po}; c_qo <= {{(16-NB){1'b0}}, r_qo};
        c_rows <= {{(15-NB){1'b0}}, r_rows}; c_cols <= {{(15-NB){1'b0}}, r_cols};
        c_wb <= {{(16-SB){1'b0}}, r_wb}; wa <= {{(14-SB){1'b0}}, r_wb};
        rec_rd <= 1'b0; ou <= 16'd0; ic <= 16'd0; ps <= 2'd2;
      end else begin
        // issue element (ou, ic): forward: row ou, column ic; transposed: column ou, row ic
        wma <= wa;
        x_ = pdir ? {48'd0, c_po + ic} : {48'd0, c_qo + ic};
        nra <= x_[NB-1:0];
        y_ = pdir ? {48'd0, c_qo + ou} : {48'd0, c_po + ou};
        pv[0] <= 1'b1; pd0 <= y_[NB-1:0];
        pf[0] <= (ic == 16'd0);
        pl[0] <= (ic + 16'd1 == (pdir ? c_rows : c_cols));
        if (ic + 16'd1 == (pdir ? c_rows : c_cols)) begin
          ic <= 16'd0; ou <= ou + 16'd1;
          wa <= pdir ? c_wb + {{(14-NB-1){1'b0}}, ou} + 14'd1 : wa + 14'd1;
          if (ou + 16'd1 == (pdir ? c_cols : c_rows)) begin pj <= pj + 16'd1; ps <= 2'd0; end
        end else begin
          ic <= ic + 16'd1;
          wa <= wa + (pdir ? {{(14-NB-1){1'b0}}, c_cols} : 14'd1);
        end
      end
    end

    // ------------------------------------------------------------ learning: rank-one terms (11.6)
    TERMS: begin
      case (ts)
        3'd0: begin
          if (pj >= a_nproj) go = 1'b1;
          else if (!j_lrn[pj[JB-1:0]]) pj <= pj + 16'd1;
          else begin c_pre <= j_pre[pj[JB-1:0]]; rec_rd <= 1'b1; rec_a <= pj[JB-1:0]; uc <= 5'd0; ts <= 3'd5; end
        end
        3'd5: begin   // the projection's record (aw_mem)
          if (uc == 5'd0) uc <= 5'd1;
          else begin
            c_po <= {{(16-NB){1'b0}}, r_po}; c_qo <= {{(16-NB){1'b0}}, r_qo};
            c_rows <= {{(15-NB){1'b0}}, r_rows}; c_cols <= {{(15-NB){1'b0}}, r_cols}; c_eta <= r_eta;
            rec_rd <= 1'b0; ic <= 16'd0; uc <= 5'd0; T <= 64'sd0; ts <= 3'd1;
          end
        end
        3'd1, 3'd3: begin   // R = shr(sum_c x_P^2, 16) ; M = shr(sum_r m^2, 16)
          if (uc == 5'd0) begin
            x_ = (ts == 3'd1) ? {48'd0, c_qo + ic} : {48'd0, c_po + ic};
            nra <= x_[NB-1:0]; uc <= 5'd1;
          end else if (uc == 5'd2) begin
            mas = 3'd1; mbs = 3'd2; uc <= 5'd3;   // x^2 (XOP: ts 3 <m>, else the presynaptic rate)
          end else if (uc == 5'd4) begin
            T <= ru_y;       // T + x^2
            if (ic + 16'd1 == ((ts == 3'd1) ? c_cols : c_rows)) uc <= 5'd5;
            else begin ic <= ic + 16'd1; uc <= 5'd0; end
          end else if (uc == 5'd5) begin
            T <= ru_y; ic <= 16'd0; uc <= 5'd0; ts <= ts + 3'd1;   // R or M = shr(T, 16), held in T
            if (FORMAT == 1) begin   // UP5K16: R, M = op(shr(T, 8), 8)
              T <= {{48{OPA[15]}}, OPA[15:0]}; sinc = sinc + OPA[16];
            end
          end else uc <= uc + 5'd1;
        end
        3'd2, 3'd4: begin   // g[po+r] += shr(clamp(shr(m R, 16)) e, 16) ; wt[qo+c] += shr(clamp(shr(x M, 16)) e, 16)
          if (uc == 5'd0) begin
            x_ = (ts == 3'd2) ? {48'd0, c_po + ic} : {48'd0, c_qo + ic};
            nra <= x_[NB-1:0]; uc <= 5'd1;
          end else if (uc == 5'd2) begin
            mas = 3'd3; mbs = 3'd2; uc <= 5'd3;   // XOP: ts 2 <m>, ts 4 rho
          end else if (uc == 5'd4) begin
            mas = 3'd2; mbs = 3'd4; uc <= 5'd5;
          end else if (uc == 5'd6) begin
            if (ts == 3'd2) begin aw_we = 1'b1; aw_wa = `NLA_AN(nra); aw_wd = ru_y; end
            else begin aw_we = 1'b1; aw_wa = `NLA_AN2(nra); aw_wd = ru_y; end   // wt (read as 48 bits)
            uc <= 5'd0;
            if (ic + 16'd1 == ((ts == 3'd2) ? c_rows : c_cols)) begin
              ic <= 16'd0;
              if (ts == 3'd2 && c_pre) begin T <= 64'sd0; ts <= 3'd3; end
              else begin pj <= pj + 16'd1; ts <= 3'd0; end
            end else ic <= ic + 16'd1;
          end else uc <= uc + 5'd1;
        end
        default: ts <= 3'd0;
      endcase
    end

    // ------------------------------------------------------------ learning: weight update (11.6)
    PLAS: if (FORMAT == 1) begin
      // UP5K16 ('row' plasticity): per row em = shr(e m, 16) from the whole m (two partial products,
      // m = m_hi 2^12 + m_lo), per weight W = sat32(W + shr(x em, 16 - e)) (two partial products, em =
      // em_hi 2^12 + em_lo); sequential: 7 cycles a weight
      cph <= 2'd0;   // (the WIDE pipeline's beat; unused here)
      case (ts)
        3'd0: begin
          if (pj >= a_nproj) go = 1'b1;
          else if (!j_lrn[pj[JB-1:0]]) pj <= pj + 16'd1;
          else begin c_pre <= j_pre[pj[JB-1:0]]; rec_rd <= 1'b1; rec_a <= pj[JB-1:0]; uc <= 5'd0; ts <= 3'd5; end
        end
        3'd5: begin
          if (uc == 5'd0) uc <= 5'd1;
          else begin
            c_po <= {{(16-NB){1'b0}}, r_po}; c_qo <= {{(16-NB){1'b0}}, r_qo};
            c_rows <= {{(15-NB){1'b0}}, r_rows}; c_cols <= {{(15-NB){1'b0}}, r_cols}; c_eta <= r_eta;
            wa <= {{(14-SB){1'b0}}, r_wb};
            rec_rd <= 1'b0; ou <= 16'd0; ic <= 16'd0; uc <= 5'd0; ts <= 3'd1;
          end
        end
        3'd1: begin   // row ou: em from m of the postsynaptic unit
          case (uc)
            5'd0: begin x_ = {48'd0, c_po + ou}; nra <= x_[NB-1:0]; uc <= 5'd1; end
            5'd2: begin mas = 4'd8; mbs = 4'd4; uc <= 5'd3; end   // m_hi, e
            5'd3: begin mas = 4'd9; uc <= 5'd4; end               // m_lo
            5'd4: begin T <= mp <<< 12; uc <= 5'd5; end
            5'd5: begin T <= ru_y; uc <= 5'd6; end
            5'd6: begin qw1 <= ru_y[31:0]; ic <= 16'd0; uc <= 5'd0; ts <= 3'd2; end   // em
            default: uc <= uc + 5'd1;
          endcase
        end
        default: begin   // the row's weights
          case (uc)
            5'd0: begin
              if (ic == c_cols) begin
                ic <= 16'd0;
                if (ou + 16'd1 == c_rows) begin pj <= pj + 16'd1; ts <= 3'd0; end
                else begin ou <= ou + 16'd1; ts <= 3'd1; end
              end else begin
                x_ = {48'd0, c_qo + ic}; nra <= x_[NB-1:0]; wma <= wa; uc <= 5'd1;
              end
            end
            5'd2: begin mas = 4'd1; mbs = 4'd8; qw2 <= WM[31:0]; uc <= 5'd3; end   // x, em_hi; W
            5'd3: begin mbs = 4'd9; uc <= 5'd4; end                                // em_lo
            5'd4: begin T <= mp <<< 12; uc <= 5'd5; end
            5'd5: begin T <= ru_y; uc <= 5'd6; end
            5'd6: begin
              wma <= wa; wm_we <= 1'b1; wm_wd <= ru_y[31:0];
              wa <= wa + 14'd1; ic <= ic + 16'd1; uc <= 5'd0;
            end
            default: uc <= uc + 5'd1;
          endcase
        end
      endcase
    end else begin
      case (ts)
        3'd0: begin
          if (pj >= a_nproj) go = 1'b1;
          else if (!j_lrn[pj[JB-1:0]]) pj <= pj + 16'd1;
          else begin c_pre <= j_pre[pj[JB-1:0]]; rec_rd <= 1'b1; rec_a <= pj[JB-1:0]; uc <= 5'd0; ts <= 3'd5; end
        end
        3'd5: begin   // the projection's record (aw_mem)
          if (uc == 5'd0) uc <= 5'd1;
          else begin
            c_po <= {{(16-NB){1'b0}}, r_po}; c_qo <= {{(16-NB){1'b0}}, r_qo};
            c_rows <= {{(15-NB){1'b0}}, r_rows}; c_cols <= {{(15-NB){1'b0}}, r_cols}; c_eta <= r_eta;
            wa <= {{(14-SB){1'b0}}, r_wb};
            rec_rd <= 1'b0; ou <= 16'd0; ic <= 16'd0; uc <= 5'd0; ts <= 3'd1;
          end
        end
        3'd1: begin   // row ou: read <m> of the postsynaptic unit
          if (uc == 5'd0) begin x_ = {48'd0, c_po + ou}; nra <= x_[NB-1:0]; uc <= 5'd1; end
          else if (uc == 5'd1) uc <= 5'd2;
          else begin
            msr <= ms_q; ic <= 16'd0; cph <= 2'd0;
            qv0 <= 1'b0; qv1 <= 1'b0; qv2 <= 1'b0; qv3 <= 1'b0; ts <= 3'd2;
          end
        end
        default: begin
          // the projection's weights in row-major order, one every 3 cycles (beat), 3 in flight; a
          // weight issued at beat b: b.0 read W and x; b.2 ma = <m> x; b+1.1 ma = t e; b+2.0 new W;
          // b+2.1 write W. The next row's <m> is read ahead at b.1.
          cph <= (cph == 2'd2) ? 2'd0 : cph + 2'd1;
          if (cph == 2'd0) begin
            if (ic != c_cols || ou + 16'd1 != c_rows) begin
              if (ic == c_cols) begin ou <= ou + 16'd1; msr <= ms_q; y_ = 64'sd0; end
              else y_ = {48'd0, ic};
              x_ = {48'd0, c_qo} + y_; nra <= x_[NB-1:0];
              wma <= wa; wa <= wa + 14'd1; ic <= y_[15:0] + 16'd1; qv0 <= 1'b1;
            end else begin
              qv0 <= 1'b0;
              if (!qv0 && !qv1 && !qv2 && !qv3) begin pj <= pj + 16'd1; ts <= 3'd0; uc <= 5'd0; cph <= 2'd0; end
            end
            wm_wd <= ru_y[31:0]; qv3 <= qv2;   // the new W, written at the next cycle (wm_wd holds it)
          end else if (cph == 2'd1) begin
            x_ = {48'd0, c_po + ou + 16'd1}; nra <= x_[NB-1:0];     // <m> of the next row
            if (qv1) begin mas = 3'd2; mbs = 3'd4; end
            qw2 <= qw1; qv2 <= qv1;
            // the weight issued two beats ago: issues are consecutive addresses (wa), qv1/qv0 say whether the
            // two beats since issued one
            if (qv3) begin wma <= wa - 14'd1 - {13'd0, qv1} - {13'd0, qv0}; wm_we <= 1'b1; end
          end else begin
            if (qv0) begin mas = 3'd4; mbs = 3'd2; end
            qw1 <= WM; qv1 <= qv0;
          end
        end
      endcase
    end

    // ------------------------------------------------------------ rest (11.3)
    REST: begin      // two cycles an element: the vectors that share a memory are written apart
      if (ei >= en) go = 1'b1;
      else if (uc == 5'd0) begin
        if (ei < a_nn) begin
          begin urb_we = 1'b1; urb_wa = `NLA_AN(ei[NB-1:0]); urb_wd = 28'sd0; end begin rus_we = 1'b1; rus_wa = `NLA_AN2(ei[NB-1:0]); rus_wd = 28'sd0; end
          begin mup_we = 1'b1; mup_wa = `NLA_AN2(ei[NB-1:0]); mup_wd = 28'sd0; end begin meb_we = 1'b1; meb_wa = `NLA_AN2(ei[NB-1:0]); meb_wd = 28'sd0; end begin aw_we = 1'b1; aw_wa = `NLA_AN(ei[NB-1:0]); aw_wd = 64'sd0; end
        end
        uc <= 5'd1;
      end else begin
        if (ei < a_nn) begin   // rho'' = 0: EACT writes it only for table activations
          begin aw_we = 1'b1; aw_wa = `NLA_AN2(ei[NB-1:0]); aw_wd = 64'sd0; end begin meb_we = 1'b1; meb_wa = `NLA_AN3(ei[NB-1:0]); meb_wd = 28'sd0; end
          begin csi_we = 1'b1; csi_wa = `NLA_AN(ei[NB-1:0]); csi_wd = 21'sd0; end
        end
        if (ei < a_nin) begin
          begin urb_we = 1'b1; urb_wa = `NLA_AI(ei[IB-1:0]); urb_wd = bias_q ? 28'sd16777216 : 28'sd0; end
          begin dri_we = 1'b1; dri_wa = `NLA_AI(ei[IB-1:0]); dri_wd = 21'sd0; end
        end
        ei <= ei + 16'd1; uc <= 5'd0;
      end
    end
    RESTORE: begin
      if (ei >= en) go = 1'b1;
      else case (uc)
        5'd0: begin wma <= W0BASE | {{(14-EW){1'b0}}, ei}; uc <= 5'd1; end
        5'd2: begin wma <= {{(14-EW){1'b0}}, ei}; wm_we <= 1'b1; wm_wd <= wm_rd; uc <= 5'd0; ei <= ei + 16'd1; end
        default: uc <= uc + 5'd1;
      endcase
    end

    // ------------------------------------------------------------ element-wise phases
    default: begin
      if (uc == 5'd0) begin
        if (ei >= en) go = 1'b1;
        else begin nra <= ei[NB-1:0]; uc <= 5'd1; end
      end else if (uc == 5'd1) uc <= 5'd2;
      else begin
        `include "nla_core_elem.vh"
      end
    end
  endcase

  // the firmware loader's raw write port (nla_core.v's header; the core is idle: the firmware writes
  // only between CTL BEGIN and END, with no frame, reset or probe read in flight). The vector memories
  // are written through their one write port (aw_we, npi_we: no state writes them in IDLE).
  if (cpu_we) case (cpu_mem)
    3'd0: begin wma <= cpu_addr; wm_we <= 1'b1; wm_wd <= cpu_wd; end
    3'd1: aw_lo <= cpu_wd;
    3'd2: begin aw_we = 1'b1; aw_wa = cpu_addr[AW-1:0]; aw_wd = {cpu_wd, aw_lo}; end
    3'd3: begin npi_we = 1'b1; npi_wa = cpu_addr[AW-1:0]; npi_wd = cpu_wd[NB-1:0]; npi_b = cpu_wd[23]; end
    3'd4: case (cpu_addr[4:0])
      5'd0: a_steps <= cpu_wd[15:0];
      5'd1: a_iters <= cpu_wd[15:0];
      5'd2: a_relax <= cpu_wd[3:0];
      5'd3: a_beta <= cpu_wd[23:0];
      5'd4: a_nin <= cpu_wd[IB:0];
      5'd5: a_nst <= cpu_wd[IB:0];
      5'd6: a_nn <= cpu_wd[NB:0];
      5'd7: a_no <= cpu_wd[OB:0];
      5'd8: a_nproj <= cpu_wd[JB:0];
      5'd9: a_crc <= cpu_wd;
      5'd10: a_nsyn <= cpu_wd[EW-1:0];
      default: if (cpu_addr[4]) begin
        j_pre[cpu_addr[JB-1:0]] <= cpu_wd[0]; j_pg[cpu_addr[JB-1:0]] <= cpu_wd[1]; j_lrn[cpu_addr[JB-1:0]] <= cpu_wd[2];
      end
    endcase
    default: if (cpu_addr[0]) begin   // CTL END: rest as after a RESET without restore, then image_loaded
      resting <= 1'b1; installing <= 1'b1; restore_f <= 1'b0;
      tgt_pend <= 1'b0; sinc = -1;      // REST clears u* and has_t; the counters restart
      ph <= REST; ei <= 16'd0; uc <= 5'd0;
      en <= (a_nn > a_nin) ? a_nn : a_nin;
    end else loaded <= 1'b0;            // CTL BEGIN
  endcase

  if (go) begin
    rec_rd <= 1'b0;
    ph <= succ; ei <= 16'd0; uc <= 5'd0; ps <= 2'd0; pj <= 16'd0; ts <= 3'd0; pv <= 4'd0;
    en <= count_of(succ);
    if (ph == EH) it <= (succ == EV) ? it + 16'd1 : 16'd0;
    if (ph == EACT) begin
      if (resting) begin
        resting <= 1'b0;
        if (installing) begin
          installing <= 1'b0; loaded <= 1'b1; img_done <= 1'b1;
        end
      end else if (succ == DIN) step <= step + 16'd1;
      else begin step <= 16'd0; frm_cnt <= frm_cnt + 32'd1; frame_done <= 1'b1; end
    end
  end

  // the multiplier's operands: loaded here only, from the select the state chose (0: hold)
  if (FORMAT == 1) begin
    // UP5K16: every operand a 16-bit slice (format.ts op); a clamp counts where the reference's op
    // counts it (not for the pass operands, sliced and counted once a step, nor for Wq)
    case (mas)
      4'd1, 4'd2, 4'd5, 4'd6, 4'd7: oa = OPA;   // the slice the state chose (nla_core_ru.vh)
      4'd3: oa = {1'b0, T[15:0]};                                                        // R, M (sliced)
      4'd8: oa = {1'b0, M[27:12]};                                                       // m_hi
      4'd9: oa = {5'd0, M[11:0]};                                                        // m_lo
      4'd10: oa = {1'b0, qw2[23:8]};                                                     // table difference, high
      4'd11: oa = {9'd0, qw2[7:0]};                                                      // ... low
      default: oa = 17'd0;
    endcase
    case (mbs)
      4'd1: ob = {1'b0, WQ16};
      4'd2: ob = OPA;                                                                     // x^2 (TERMS)
      4'd3, 4'd5, 4'd6: ob = OPB;                                                         // rho', rho'', delta
      4'd4: ob = {2'd0, FX_M};                                                           // factor mantissa (the exponent: fe)
      4'd7: ob = {5'd0, fr};
      4'd8: ob = {1'b0, qw1[27:12]};                                                     // em_hi
      4'd9: ob = {5'd0, qw1[11:0]};                                                      // em_lo
      default: ob = 17'd0;
    endcase
    if (mas != 4'd0) ma <= {{32{oa[15]}}, oa[15:0]};
    if (mbs != 4'd0) mb <= {{9{ob[15]}}, ob[15:0]};
    if (mbs == 4'd4) fe <= FX_E;
    if (((mas == 4'd2) && !(ph == DIN && bias_q)) || (mas == 4'd5) || ((mas == 4'd6) && (uc == 5'd5 || n_r))
        || ((mas == 4'd7) && (ph == EV || n_r))) sinc = sinc + oa[16];
    if ((mbs == 4'd3) || (mbs == 4'd5) || (mbs == 4'd6)) sinc = sinc + ob[16];
  end else begin
  case (mas)
    3'd1: ma <= XOP[47:0];
    3'd2: ma <= ru_y[47:0];
    3'd3: ma <= T[47:0];
    3'd4: ma <= {{27{msr[20]}}, msr};
    3'd5: ma <= C[47:0];
    3'd6: ma <= DIFF;
    3'd7: ma <= DL[47:0];
    default: ;
  endcase
  case (mbs)
    3'd1: mb <= WQ[24:0];
    3'd2: mb <= XOP[24:0];
    3'd3: mb <= DRX;
    3'd4: mb <= {1'b0, UF};
    3'd5: mb <= CU[24:0];
    3'd6: mb <= DL[24:0];
    3'd7: mb <= {13'd0, fr};
    default: ;
  endcase
  end

  if (sinc[31]) begin   // sinc < 0
    sat_cnt <= 32'd0; frm_cnt <= 32'd0; end
  else if (sinc != 0) begin
    if (FORMAT == 1) sat_cnt <= sat_cnt + sinc;   // UP5K16: a state may clamp several operands
    else sat_cnt <= sat_cnt + 32'd1;   // at most one clamp a cycle (sinc is 0 or 1 here)
  end

  // u, r-bar_in and g, a share ug; c, source and <m>, u*prev share mc: never written in one cycle
  if (urb_we || ga_we) ug_mem[urb_we ? urb_wa : (B2 + ga_wa)] <= urb_we ? urb_wd : {4'd0, ga_wd};
  // rho, u* and rho'', s_in share rc: never written in one cycle
  if (rus_we || csi_we) rc_mem[rus_we ? rus_wa : (B2 + csi_wa)] <= rus_we ? rus_wd : {8'd0, csi_wd};
  if (meb_we) meb_mem[meb_wa] <= meb_wd;
  if (cxn_we || mup_we) mc_mem[cxn_we ? cxn_wa : (B2 + mup_wa)] <= cxn_we ? cxn_wd : {1'b0, mup_wd};
  // fb: the session's values (written at any time), or at install the population indices
  if ((tgt_we && !gtc({16'd0, tgt_idx}, MAX_OUTPUTS - 1)) || (in_we && !gtc({16'd0, in_idx}, MAX_INPUTS - 1)) || npi_we)
    fb_mem[tgt_we ? (FH + {{(AW-OB){1'b0}}, tgt_idx[OB-1:0]}) : in_we ? {{(AW-IB){1'b0}}, in_idx[IB-1:0]} : npi_wa]
      <= tgt_we ? tgt_value
       : in_we ? ((in_value[23:19] == {5{in_value[23]}}) ? {{4{in_value[19]}}, in_value[19:0]}
                  : (in_value[23] ? {4'hF, 20'h80000} : {4'h0, 20'h7FFFF}))
       : {npi_b, {(23-NB){1'b0}}, npi_wd};
  // p, b, d_in and rho', r_in share pd: never written in one cycle
  if (pbd_we || dri_we) pd_mem[pbd_we ? pbd_wa : (BD + dri_wa)] <= pbd_we ? pbd_wd : {3'd0, dri_wd};
  if (aw_we) aw_mem[aw_wa] <= aw_wd;

  if (rst) begin
    ph <= IDLE; rec_rd <= 1'b0; loaded <= 1'b0; go_pend <= 1'b0; rst_pend <= 1'b0; tgt_pend <= 1'b0;
    rd_st <= 3'd0; sat_cnt <= 32'd0; frm_cnt <= 32'd0;
    resting <= 1'b0; installing <= 1'b0;
    a_crc <= 32'd0; a_nst <= 16'd0; a_no <= 16'd0; a_nn <= 16'd0; a_nin <= 16'd0; a_nproj <= 16'd0;
  end
end
/* verilator lint_on BLKSEQ */
