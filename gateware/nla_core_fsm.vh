// nla_core_fsm.vh: the sequencer of nla_core (included inside the module; not a module itself).
// Phases of one step, in core.ts order (docs/protocol.md 11.5); P* are weight passes, E* element-wise:
//   TGT (targets, once per frame) INCPY (held inputs) | DIN  PA EM  PG EG1 [TERMS] EG2  PC EC  PP EP  EB
//   { EV PF EA PT EH } x K  [PLAS]  EU ERB EACT
// REST/RESTORE/EACT bring the core to rest (11.3; after RESET, and after the firmware loader's CTL END).
localparam [4:0] IDLE = 5'd0, TGT = 5'd1, INCPY = 5'd2, DIN = 5'd3, PA = 5'd4, EM = 5'd5, PG = 5'd6,
  EG1 = 5'd7, TERMS = 5'd8, EG2 = 5'd9, PC = 5'd10, EC = 5'd11, PP = 5'd12, EP = 5'd13, EB = 5'd14,
  EV = 5'd15, PF = 5'd16, EA = 5'd17, PT = 5'd18, EH = 5'd19, PLAS = 5'd20, EU = 5'd21, ERB = 5'd22,
  EACT = 5'd23, REST = 5'd24, RESTORE = 5'd25;

reg [4:0]  ph, succ;
reg [4:0]  uc;
// element counters: an element is a unit, an output or (RESTORE) a weight register
localparam EW = ((SB > NB) ? SB : NB) + 1;
reg [EW-1:0] ei, en;
reg [15:0] it, step;
reg        learn_f, resting, restore_f, installing;
reg        go_pend, rst_pend, rst_restore_pend, tgt_pend;
reg [31:0] sat_cnt, frm_cnt;
reg [EW-1:0] a_nsyn;
assign saturations      = sat_cnt;
assign frames_processed = frm_cnt;
assign frame_busy       = go_pend || (ph != IDLE);

// pass engine
reg [1:0]  ps;
reg [JB:0] pj;
reg [NB:0] ou, ic;   // row/column counters (rows, cols <= MAX_NEURONS)
reg [13:0] wa;
reg [3:0]  pv, pf, pl;
reg [NB-1:0] pd0, pd1, pd2, pd3;
reg        c_pre;
reg [NB-1:0] c_po, c_qo;
reg signed [63:0] acc;
reg [NB:0] c_rows, c_cols;
reg [13:0] c_wb;
reg [23:0] c_eta;
wire pdir = (ph == PC) || (ph == PP) || (ph == PT);            // transposed
wire is_pass = (ph == PA) || (ph == PG) || (ph == PC) || (ph == PP) || (ph == PF) || (ph == PT);
wire sel_ok = (ph == PA) ? 1'b1
            : (ph == PG) ? (!j_pre[pj[JB-1:0]] && j_pg[pj[JB-1:0]]) // d_in = 0 for bias units
            : j_pre[pj[JB-1:0]];
reg [3:0] mas, mbs;   // the multiplier's operand selects (blocking; loaded at the end of the process)
// UP5K16 (FORMAT 1): the operands as the 16x16 multiplier takes them, whether the reference counts
// their saturation (blocking), and the exponent of the factor last loaded (the product's shift is
// reduced by it when the product is consumed, two states later)
reg [16:0] oa, ob;
reg [3:0]  fe;

// element-phase temporaries
reg        n_r;
reg [8:0]  kk;
reg [11:0] fr;
reg [13:0] tbase;
reg [9:0]  tko;   // table read offset (blocking)
reg [2:0]  ts;
reg signed [20:0] msr;   // PLAS: <m> of the row; EB: rho' of the element; EACT: the table knot T0 just read
// weight-update pipeline (PLAS): beat phase, per-stage valid and register value (the address follows from wa)
reg [1:0]  cph;
reg        qv0, qv1, qv2, qv3;
reg signed [31:0] qw1, qw2;   // qw1: in EACT the table knot T0 of the lerp being computed (within Q3.16)
// blocking temporaries (combinational within one state)
reg signed [63:0] x_, y_, z_, h_;
integer sinc, k;
reg go;

// one write port per shared vector memory: the states set <mem>_we/_wa/_wd (blocking), the end of
// the clocked process writes
reg urb_we; reg [AW-1:0] urb_wa; reg [27:0] urb_wd;
reg rus_we; reg [AW-1:0] rus_wa; reg [28:0] rus_wd;
reg meb_we; reg [AW-1:0] meb_wa; reg [27:0] meb_wd;
reg mup_we; reg [AW-1:0] mup_wa; reg [27:0] mup_wd;
reg cxn_we; reg [AW-1:0] cxn_wa; reg [28:0] cxn_wd;
reg ga_we; reg [AW-1:0] ga_wa; reg [23:0] ga_wd;
reg pbd_we; reg [AW-1:0] pbd_wa; reg [23:0] pbd_wd;
reg dri_we; reg [AW-1:0] dri_wa; reg [20:0] dri_wd;
reg csi_we; reg [AW-1:0] csi_wa; reg [20:0] csi_wd;
reg npi_we; reg [AW-1:0] npi_wa; reg [NB-1:0] npi_wd; reg npi_b;   // fb, the core's side: population indices, output map
reg aw_we; reg [AW-1:0] aw_wa; reg [63:0] aw_wd;

// probes
reg [2:0]  rd_st;     // 0 idle, 4 decode (pk), 3 output map read, 5 ALL_U unit, 1 wait, 2 answer
reg [1:0]  pk;        // decode: the probe kind being tried
reg [15:0] pq;        // decode: the value number within the probes from pk on
reg [1:0]  rd_kind;   // 0 u, 1 rate, 2 error

// successor of a finished phase
always @* begin
  case (ph)
    TGT: succ = INCPY;          INCPY: succ = DIN;   DIN: succ = PA;      PA: succ = EM;
    EM: succ = PG;              PG: succ = learn_f ? EG1 : EG2;                 EG1: succ = TERMS;
    TERMS: succ = EG2;          EG2: succ = PC;      PC: succ = EC;       EC: succ = PP;
    PP: succ = EP;              EP: succ = EB;       EB: succ = EV;       EV: succ = PF;
    PF: succ = EA;              EA: succ = PT;       PT: succ = EH;
    EH: succ = (it + 16'd1 < a_iters) ? EV : (learn_f ? PLAS : EU);
    PLAS: succ = EU;            EU: succ = ERB;      ERB: succ = EACT;
    EACT: succ = resting ? IDLE : ((step + 16'd1 < a_steps) ? DIN : IDLE);
    REST: succ = restore_f ? RESTORE : EACT;         RESTORE: succ = EACT;
    default: succ = IDLE;
  endcase
end

// elements of a phase
function [15:0] count_of;
  input [4:0] p;
  begin
    case (p)
      TGT: count_of = a_no;
      INCPY, DIN, ERB: count_of = a_nin;
      REST: count_of = (a_nn > a_nin) ? a_nn : a_nin;
      RESTORE: count_of = a_nsyn;
      default: count_of = a_nn;
    endcase
  end
endfunction

wire signed [5:0] FE = {2'b00, fe};

function signed [20:0] shr8m;     // <m> = shr(m, 8) of a U value
  input signed [27:0] v;
  begin shr8m = $signed({v[27], v[27:8]}) + $signed({20'd0, v[7]}); end
endfunction

`include "nla_core_ru.vh"
`include "nla_core_step.vh"
