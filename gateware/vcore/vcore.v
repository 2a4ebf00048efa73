// vcore: the vector core's sequencer around the element pipeline (stage 2), UP5K16. It fetches the encoded program
// (hardware-models/fixed-point/core-program-encode.ts: 128 bits an instruction), runs the control instructions
// (LOOP/NEXT with a 2-level stack, JNL from `learn`, JMP, HALT; one cycle each once fetched), and issues to one vcore_elem, one
// slot a cycle: E ops (address generation base + i / broadcast, the has-target mask, em = K·m as two mac terms +
// the epilogue), MV (forward and transposed, partial sums, the epilogue; the weights from W,
// Wq formed on read) and DOT (Σ x·y) as mac rows. Operands come from the vector banks (vcore_banks: one read + one
// write port each); results are written back at the address each slot carries down the pipeline, and the
// saturation counter adds vcore_elem's counts. Hazards: an E/MV/DOT/PLAS/ACT issues once no bank it reads (ACT: u;
// and W for MV, PLAS, ACT) has a write in flight (RAW per bank); traps and HALT wait for the pipeline to drain.
// PLAS ('row' mode) runs as two mac terms (R[r] on Y in halves, C[c] on X), then the epilogue W + rs(sum, u1),
// saturated to int32 into W. ACT (linear, clip, table) runs as 3 slots a neuron (one per result: the banks have one
// write port) behind a 2-cycle prologue: the sequencer reads u[i] two cycles ahead of neuron i's first slot and forms
// x = shr(u, 8), the knot k and the fraction f; a table slot j (ρ, ρ', ρ'') reads the knot word at W[8192 + tb + 257j
// + k] (bits 17:0 T[k], 31:18 ΔT = T[k+1] − T[k], written by the host) and vcore_elem computes T + shr(ΔT·f, 12);
// linear and clip slots pass a value the sequencer forms (x, x clipped to [0, top], ONE or 0) as A with no product
// (linear's ρ through the S clamp); a clip top is read once from W[16352 + k]. PLAS's chain mode is not executed here: it stops
// the core with `trap` = 1 and trap_pc = its pc; the host (the testbench) does the instruction on the banks and W
// through the host port and pulses `resume`.
// Host port (while idle or trapped): bank words read (host_rdata the cycle after host_addr/host_bank) and
// written (each half, host_lane); W read and written; K registers, the loop counts (steps, iterations) and the program loaded; the
// saturation counter set. `cycles` counts the cycles of a run outside traps (a measurement, built only under
// VCORE_CYCLES). Memories (UP5K): the program in one SB_SPRAM256KA (spram.v; 16 bits a read, an instruction's 8
// halfwords read into ir after pc moves to it; the host writes it 16 bits at a time), W in two (32-bit words,
// one port), the vector banks, K and two delay rings (the write addresses in flight, A's second stage) in EBR.
`timescale 1ns / 1ps
module vcore #(
    parameter NB = 6,        // vector banks (the program's banks)
    parameter [63:0] BW = {8{8'd42}},  // their widths (8 bits each, bank b at [8b +: 8], at most D)
    // the banks each operand role reads (bit b: bank b), from the program: A (E's A, MV's partial sums and epilogue
    // A), X, Y, Y's subtrahend, mask. Each bank's read-address mux and the X, Y, subtrahend and mask read muxes cover
    // only these (A's read mux covers every bank: the host reads through it).
    parameter [7:0] RA = 8'hff, RX = 8'hff, RY = 8'hff, RS = 8'hff, RM = 8'hff,
    parameter D = 42,        // bank word width (UP5K16: every stored value below 2^41)
    // vcore_elem's width: em = K·m's running sum reaches 2^42 (K < 2^15, |m| ≤ 2^27 at the U rail: the hot image)
    parameter ED = 43,
    parameter PAW = 7,       // program address bits (128 instructions)
    parameter XS = 4,        // vcore_elem's X slice
    parameter WAW = 9,       // weight address bits
    parameter WS = 15,       // UP5K16 weightShift
    parameter WB = 16        // UP5K16 weightBits
) (
    input  wire           clk,
    input  wire           start,
    input  wire [9:0]     start_pc,
    input  wire           learn,
    output wire           busy,
    output reg            done,
    output reg            trap,
    output wire [9:0]     trap_pc,  // the trapping instruction's pc while trap is 1 (pc holds on it)
    input  wire           resume,
    // program, K registers, loop counts
    input  wire           prog_we,
    input  wire [PAW+2:0] prog_addr,   // a halfword: instruction prog_addr[PAW+2:3], bits 16·prog_addr[2:0] up
    input  wire [15:0]    prog_wdata,
    // the image buffer port (board_top: cpu_link's image window; idle only, the fetch starts again after it): the
    // program SPRAM's halfword ib_addr (the program is halfwords 0..2^(PAW+3)−1, the rest is free), written with
    // the byte enables ib_we (0: a read), read on ib_rdata the cycle after
    input  wire           ib_en,
    input  wire [13:0]    ib_addr,
    input  wire [1:0]     ib_we,
    input  wire [15:0]    ib_wdata,
    output wire [15:0]    ib_rdata,
    input  wire           k_we,
    input  wire [3:0]     k_addr,
    input  wire [14:0]    k_wdata,
    input  wire           par_we,
    input  wire           par_sel,  // 0 steps per frame, 1 iterations
    input  wire [15:0]    par_wdata,
    // host access to the banks and the saturation counter
    input  wire           host_we,
    input  wire [1:0]     host_lane,  // the lanes a host write sets: bit 0 bits 31..0, bit 1 bits D−1..32
    input  wire [2:0]     host_bank,
    input  wire [7:0]     host_addr,
    input  wire [D-1:0]   host_wdata,
    output wire [D-1:0]   host_rdata,
    // the weight registers W (32 bits; Wq = clampBits(shr(W, WS), WB) formed on every read)
    input  wire           w_we,
    input  wire [13:0]    w_addr,   // W 0.., W0 above it, knot words at 8192 + i, clip tops at 16352 + k
    input  wire [31:0]    w_wdata,
    output wire [31:0]    w_rdata,
    input  wire           sat_we,
    input  wire [31:0]    sat_wdata,
    output reg  [31:0]    sat,
    output reg  [31:0]    cycles
);
  localparam S_IDLE = 3'd0, S_DEC = 3'd2, S_ISSUE = 3'd3, S_TRAP = 3'd5;
  localparam OP_HALT = 4'd0, OP_E = 4'd1, OP_MV = 4'd2, OP_DOT = 4'd3, OP_PLAS = 4'd4, OP_ACT = 4'd5, OP_LOOP = 4'd6, OP_NEXT = 4'd7, OP_JNL = 4'd8, OP_JMP = 4'd9;

  reg [2:0]   state = S_IDLE;
  reg [9:0]   pc = 10'd0;
  // unused fields: a_neg (the unit has no negated A), X's pre-adder (never emitted), use_exp (folded into u)
  // the instruction (pc holds during an instruction), filled from the program memory after pc moves to it
  /* verilator lint_off UNUSEDSIGNAL */
  reg [127:0] ir = 128'd0;
  /* verilator lint_on UNUSEDSIGNAL */
  // the program in SPRAM (16 bits a read, 8 halfwords an instruction): when pc moves, a fetch unit fills ir with the
  // instruction at fa = pc one halfword a cycle, and decode waits (irv = 0) until it is complete. There is no prefetch
  // buffer: it would hold 112 flip-flops (112 logic cells on the iCE40) to save the 8 fetch cycles of an instruction
  // (15 % of a frame's cycles in the example).
  reg [PAW-1:0] fa = {PAW{1'b0}};
  reg [3:0]   fcnt = 4'd0, fgot = 4'd0;  // halfwords asked for / received
  reg         rv = 1'b0;
  reg [2:0]   rk = 3'd0;
  reg         irv = 1'b0;
  wire [15:0] prd;
  // (the host has the program SPRAM only while the core is idle, or trapped on a fetched instruction: a fetch then reads
  // what the host's access leaves on the port, and a run's start fetches again)
  wire [13:0] p_port = ib_en ? ib_addr : {{(11-PAW){1'b0}}, prog_we ? prog_addr : {fa, fcnt[2:0] | {3{fcnt[3]}}}};
  spram prog (.clk(clk), .addr(p_port), .wd(ib_en ? ib_wdata : prog_wdata),
    .wmask(ib_en ? {ib_we[1], ib_we[1], ib_we[0], ib_we[0]} : 4'hf), .we(prog_we | (ib_en & |ib_we)), .rd(prd));
  assign ib_rdata = prd;
  // one EBR: words 0..15 the K registers (15-bit mantissas), 16 the steps per frame, 17 the iterations; the counts' zero
  // flags are kept as they are written. A LOOP takes its count from kq, the read of the word its own ir addresses: its
  // first halfword (op, which count) lands 7 cycles before it decodes (an instruction is fetched after pc moves to it)
  (* no_rw_check *) reg [15:0] kr[0:31];  // (the host writes it only while the core is idle: no read uses a word being written)
  // the loop stack (2 levels) as a shift stack: level 0 is the innermost loop (LOOP pushes, NEXT's exit pops), so
  // NEXT reads only level 0: one decrement, one zero test. The counts' zero flags are kept as they are written.
  reg [9:0]   lp_top0 = 10'd0, lp_top1 = 10'd0;
  reg [15:0]  lp_left0 = 16'd0, lp_left1 = 16'd0;
  reg         steps_z = 1'b1, iters_z = 1'b1;
  wire [15:0] lp_dec = lp_left0 - 16'd1;  // the innermost loop's iterations left after this one (left ≥ 1)

  assign busy = state != S_IDLE;
  assign trap_pc = pc;
  wire host = state == S_IDLE || state == S_TRAP;

  // ---- the E fields (core-program-encode.ts E_FIELDS)
  wire [3:0]  op      = ir[3:0];
  wire [8:0]  n       = ir[12:4];
  wire [2:0]  dbank   = ir[23:21];
  wire [7:0]  dword   = ir[20:13];
  wire [2:0]  clampk  = ir[26:24];
  wire        count   = ir[27];
  wire        a_en    = ir[28];
  wire [2:0]  abank   = ir[39:37];
  wire [7:0]  aword   = ir[36:29];
  wire [1:0]  xmode   = ir[42:41];
  wire [2:0]  xbank   = ir[53:51];
  wire [7:0]  xword   = ir[50:43];
  wire [3:0]  xs      = ir[57:54];
  wire        xclip   = ir[58];
  wire [1:0]  ymode   = ir[73:72];
  wire [2:0]  ybank   = ir[84:82];
  wire [7:0]  yword   = ir[81:74];
  wire [3:0]  ys      = ir[88:85];
  wire        yclip   = ir[89];
  wire        yshl8   = ir[90];
  wire        ysub_en = ir[91];
  wire [2:0]  sbank   = ir[102:100];
  wire [7:0]  sword   = ir[99:92];
  wire [5:0]  u       = ir[108:103];
  wire        p_neg   = ir[110];
  wire        mask_en = ir[111];
  wire [2:0]  mbank   = ir[122:120];
  wire [7:0]  mword   = ir[119:112];
  wire        one     = ir[123];
  // control fields
  wire        lp_iters = ir[4];
  wire [9:0]  lp_end   = ir[14:5];
  wire [9:0]  jto      = ir[13:4];
  // em = K·m (a constant times an unsliced vector): two mac terms, a bubble and the epilogue per element
  wire em = xmode == 2'd3 && !one && ymode[1] != ymode[0] && !yclip;

  // MV fields
  wire        mv_t     = ir[4];
  wire        mv_init  = ir[5];
  wire [8:0]  mv_rows  = ir[14:6];
  wire [8:0]  mv_cols  = ir[23:15];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [15:0] mv_wb    = ir[39:24];  // WAW bits used
  /* verilator lint_on UNUSEDSIGNAL */
  wire [7:0]  mv_xword = ir[47:40];
  wire [2:0]  mv_xbank = ir[50:48];
  wire [7:0]  mv_cword = ir[58:51];  // partial sums (acc)
  wire [2:0]  mv_cbank = ir[61:59];
  wire        mv_epi   = ir[62];
  wire [7:0]  mv_dword = ir[70:63];
  wire [2:0]  mv_dbank = ir[73:71];
  wire [2:0]  mv_clamp = ir[76:74];
  wire        mv_count = ir[77];
  wire        mv_a_en  = ir[78];
  wire [7:0]  mv_aword = ir[86:79];
  wire [2:0]  mv_abank = ir[89:87];
  wire [5:0]  mv_sh    = ir[96:91];
  wire        mv_p_neg = ir[97];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [WAW+8:0] mv_cols_x = {{WAW{1'b0}}, mv_cols};  // cols as a weight address step (WAW bits)
  /* verilator lint_on UNUSEDSIGNAL */
  wire [8:0]  mv_outer = mv_t ? mv_cols : mv_rows;
  wire [8:0]  mv_inner = mv_t ? mv_rows : mv_cols;
  // DOT fields (dst as E's)
  wire [7:0]  dt_xword = ir[31:24];
  wire [2:0]  dt_xbank = ir[34:32];
  wire [7:0]  dt_yword = ir[42:35];
  wire [2:0]  dt_ybank = ir[45:43];
  // PLAS fields ('row' mode: W += rs(R[r]·C[c], u1); the chain mode traps)
  wire [8:0]  pl_rows  = ir[12:4];
  wire [8:0]  pl_cols  = ir[21:13];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [15:0] pl_wb    = ir[37:22];  // WAW bits used
  /* verilator lint_on UNUSEDSIGNAL */
  wire [7:0]  pl_rword = ir[45:38];
  wire [2:0]  pl_rbank = ir[48:46];
  wire [7:0]  pl_cword = ir[56:49];
  wire [2:0]  pl_cbank = ir[59:57];
  wire [5:0]  pl_u     = ir[65:60];
  wire        pl_chain = ir[72];
  // ACT fields: kind (0 linear, 1 clip, 2 table), n, u, ρ, ρ', ρ'', the clip top's index k, the table base tb
  wire [1:0]  ac_kind  = ir[5:4];
  wire [8:0]  ac_n     = ir[14:6];
  wire [7:0]  ac_uword = ir[22:15];
  wire [2:0]  ac_ubank = ir[25:23];
  wire [7:0]  ac_rword = ir[33:26];
  wire [2:0]  ac_rbank = ir[36:34];
  wire [7:0]  ac_dword = ir[44:37];
  wire [2:0]  ac_dbank = ir[47:45];
  wire [7:0]  ac_cword = ir[55:48];
  wire [2:0]  ac_cbank = ir[58:56];
  wire [4:0]  ac_k     = ir[63:59];
  wire [12:0] ac_tb    = ir[76:64];
  wire is_mv = op == OP_MV, is_dot = op == OP_DOT, is_pl = op == OP_PLAS && !pl_chain, is_act = op == OP_ACT;
  wire ac_table = ac_kind == 2'd2;

  // ---- issue: slot (o, j): E element o (em: sub-slot j 0..2); MV row/column o, term j (then the epilogue, j = cols or rows);
  // every epilogue (MV, em, PLAS) issues right behind its row's last term: vcore_elem's epi_fwd, no bubble
  // DOT term j. The slot's reads, its vcore_elem controls and its write address are formed here and registered
  // into the data cycle (the reads' results arrive then).
  reg  [8:0] o = 9'd0, j = 9'd0;
  reg  [1:0] sq = 2'd0;  // PLAS: the weight's sub-slot (two mac terms 0, 1; the epilogue 3)
  // ACT: the prologue (ap 0: u[0] read, 1: it arrives, 2: the slots; u[o + 1] is read in neuron o's slot 1), the knot
  // word base 8192 + tb + 257·j of slot j, and the neuron's x = shr(u, 8) (saturated to ±2^21 beyond u's 29 bits: every
  // kind's result is the same), knot k, fraction f; the clip top (< 2^20): W's output, which holds it in every data
  // cycle of a linear or clip ACT (its every cycle reads W at the top's address: act_wa)
  reg  [1:0] ap = 2'd0;
  reg  [13:0] abase = 14'd0;
  reg  signed [21:0] act_x = 22'sd0;
  reg  [8:0] act_k = 9'd0;
  reg  [11:0] act_f = 12'd0;
  wire [19:0] act_top;
  // the value a linear or clip slot writes (formed in its data cycle: slot c_j's neuron is still in act_x, but for
  // slot 2, whose value is 0): ρ (x; clipped to [0, top] for clip), ρ' (ONE; clip: ONE where 0 ≤ x ≤ top, else 0), ρ'' (0)
  reg  [1:0] c_j = 2'd0;
  wire act_neg = act_x[21];
  wire act_gt = $signed(act_x) > $signed({2'b00, act_top});
  wire signed [21:0] act_clip = act_neg ? 22'sd0 : act_gt ? $signed({2'b00, act_top}) : act_x;
  wire signed [21:0] act_y = c_j == 2'd0 ? (ac_kind == 2'd1 ? act_clip : act_x)
                           : c_j == 2'd1 ? (ac_kind == 2'd1 && (act_neg || act_gt) ? 22'sd0 : 22'sd65536) : 22'sd0;
  reg  [WAW-1:0] wa = {WAW{1'b0}}, wrow = {WAW{1'b0}};
  wire [7:0] oo = o[7:0], jj = j[7:0];
  // o + 1 and j + 1 (also the counters' next values): "o is the last of N" is o + 1 == N (mod 2^9, N > 0), no N − 1
  wire [8:0] o_1 = o + 9'd1, j_1 = j + 9'd1;
  wire xv = xmode == 2'd1 || xmode == 2'd2;
  wire yv = ymode == 2'd1 || ymode == 2'd2;
  wire mv_last_j = mv_epi ? j == mv_inner : j_1 == mv_inner;
  wire mv_epis = mv_epi && j == mv_inner;  // the epilogue right behind the row's last term (epi_fwd: no bubble)
  wire mv_term = !mv_epis;  // a term slot (j < inner: j runs to inner with an epilogue, to inner − 1 without)
  wire e0 = em && j == 9'd0, e1 = em && j == 9'd1, e3 = em && j == 9'd2;  // e3: the epilogue (epi_fwd, no bubble)
  // reads: A, X, Y, Y's subtrahend, mask (bank, word, enable)
  reg        ra_en, rx_en, ry_en, rs_en, rm_en;
  reg [2:0]  ra_b, rx_b, ry_b, rs_b, rm_b;
  reg [7:0]  ra_w, rx_w, ry_w, rs_w, rm_w;
  // each address is one adder after the base and index muxes (base + o, base + j, or base)
  reg [7:0]  ra_base, rx_base, ry_base, rs_base, rm_base, s_wbase;
  reg [7:0]  ra_i, rx_i, ry_i, rs_i, rm_i, s_wi;
  // the slot's controls
  reg        s_valid, s_a_en, s_p_en, s_mask, s_p_neg, s_mac, s_epi, s_epi_fwd, s_y_lo, s_y_hi, s_x_k, s_x_one, s_x_clip, s_x_sl;
  reg        s_y_shl8, s_y_sub_en, s_y_clip, s_count, s_wr, s_yw, s_aw, s_wrw, s_lerp, s_ay;
  reg [3:0]  s_ys;
  reg [5:0]  s_u;
  reg [2:0]  s_clamp;
  reg [2:0]  s_wb;
  reg [7:0]  s_ww;
  always @* begin
    ra_en = 1'b0; rx_en = 1'b0; ry_en = 1'b0; rs_en = 1'b0; rm_en = 1'b0;
    ra_b = abank; rx_b = xbank; ry_b = ybank; rs_b = sbank; rm_b = mbank;
    ra_base = aword; ra_i = oo; rx_base = xword; rx_i = xmode == 2'd1 ? oo : 8'd0;
    ry_base = yword; ry_i = ymode == 2'd1 ? oo : 8'd0; rs_base = sword; rs_i = ry_i; rm_base = mword; rm_i = oo;
    s_valid = 1'b1; s_a_en = 1'b0; s_p_en = 1'b1; s_mask = 1'b0; s_p_neg = 1'b0; s_mac = 1'b0; s_epi = 1'b0; s_epi_fwd = 1'b0;
    s_y_lo = 1'b0; s_y_hi = 1'b0; s_x_k = 1'b0; s_x_one = 1'b0; s_x_clip = 1'b0; s_x_sl = 1'b0; s_y_shl8 = 1'b0;
    s_y_sub_en = 1'b0; s_y_clip = 1'b0; s_count = 1'b0; s_wr = 1'b0; s_yw = 1'b0; s_ys = 4'd0; s_u = 6'd15;
    s_clamp = 3'd0; s_wb = dbank; s_wbase = dword; s_wi = oo; s_aw = 1'b0; s_wrw = 1'b0; s_lerp = 1'b0; s_ay = 1'b0;
    if (host) begin
      // idle or trapped: the host's bank reads go through the A role (its address mux covers every bank)
      ra_en = 1'b1; ra_b = host_bank; ra_base = host_addr; ra_i = 8'd0;
    end else if (is_act) begin
      // u[0] in the prologue, u[o + 1] in neuron o's slot 1 (it arrives in slot 2, k and f are registered for o + 1)
      ra_en = ap == 2'd0 || (ap == 2'd2 && j == 9'd1); ra_b = ac_ubank; ra_base = ac_uword; ra_i = ap == 2'd0 ? 8'd0 : o_1[7:0];
      s_valid = ap == 2'd2; s_wr = 1'b1; s_wi = oo;
      s_wb = j == 9'd0 ? ac_rbank : j == 9'd1 ? ac_dbank : ac_cbank;
      s_wbase = j == 9'd0 ? ac_rword : j == 9'd1 ? ac_dword : ac_cword;
      if (ac_table) begin
        // T + shr(ΔT·f, 12): A = T and Y = ΔT from the knot word, X = f as the constant (c_k), u = 15 + 12
        s_lerp = 1'b1; s_a_en = 1'b1; s_x_k = 1'b1; s_u = 6'd27;
      end else begin
        // the sequencer's value as A, no product; linear ρ = sat(x): the S clamp (not counted)
        s_ay = 1'b1; s_a_en = 1'b1; s_p_en = 1'b0; s_clamp = ac_kind == 2'd0 && j == 9'd0 ? 3'd3 : 3'd0;
      end
    end else if (is_pl) begin
      // W[wb + r·cols + c] = int32(W + rs(R[r]·C[c], u1)): R (28 bits) as two mac terms like em, C on X (16 bits)
      rx_en = 1'b1; rx_b = pl_cbank; rx_base = pl_cword; rx_i = jj;
      ry_en = 1'b1; ry_b = pl_rbank; ry_base = pl_rword; ry_i = oo;
      s_y_lo = sq == 2'd0; s_y_hi = sq == 2'd1; s_mac = sq == 2'd1; s_epi_fwd = sq == 2'd3;
      s_u = sq == 2'd0 ? 6'd15 : sq == 2'd1 ? 6'd0 : pl_u;
      s_a_en = sq == 2'd3; s_aw = 1'b1; s_wrw = sq == 2'd3;
    end else if (is_mv) begin
      rx_en = mv_term; rx_b = mv_xbank; rx_base = mv_xword; rx_i = jj;
      s_yw = 1'b1;
      if (mv_term) begin
        ra_en = j == 9'd0 && !mv_init; ra_b = mv_cbank; ra_base = mv_cword;
        s_a_en = ra_en; s_mac = j != 9'd0;
        s_wr = !mv_epi && j_1 == mv_inner; s_wb = mv_cbank; s_wbase = mv_cword;
      end else begin
        ra_en = mv_a_en; ra_b = mv_abank; ra_base = mv_aword;
        s_valid = mv_epis; s_a_en = mv_a_en; s_epi_fwd = 1'b1; s_p_neg = mv_p_neg; s_u = mv_sh; s_clamp = mv_clamp;
        s_count = mv_count; s_wr = mv_epis; s_wb = mv_dbank; s_wbase = mv_dword;
      end
    end else if (is_dot) begin
      rx_en = 1'b1; rx_b = dt_xbank; rx_base = dt_xword; rx_i = jj;
      ry_en = 1'b1; ry_b = dt_ybank; ry_base = dt_yword; ry_i = jj;
      s_mac = j != 9'd0; s_wr = j_1 == n; s_wi = 8'd0;
    end else if (em) begin
      // em = K·m: K·m[14:0] (u = 15), K·(m >>> 15)·2^15 (mac, u = 0), right behind them the epilogue rs(sum, u − 15)
      ry_en = 1'b1; ra_en = a_en; rm_en = mask_en;
      s_x_k = !e3; s_y_lo = e0; s_y_hi = e1; s_mac = e1; s_epi_fwd = e3;
      s_a_en = e3 && a_en; s_mask = e3 && mask_en; s_p_neg = e3 && p_neg;
      s_u = e0 ? 6'd15 : e1 ? 6'd0 : u - 6'd15; s_clamp = e3 ? clampk : 3'd0; s_count = e3 && count; s_wr = e3;
    end else begin
      ra_en = a_en; rx_en = xv; ry_en = yv; rs_en = yv && ysub_en; rm_en = mask_en;
      s_a_en = a_en; s_p_en = xmode != 2'd0 && ymode != 2'd0; s_mask = mask_en; s_p_neg = p_neg;
      s_x_k = xmode == 2'd3 && !one; s_x_one = one; s_x_clip = xv && xclip; s_x_sl = xs != 4'd0;
      s_y_shl8 = yshl8; s_y_sub_en = ysub_en; s_y_clip = yclip; s_ys = ys; s_u = u; s_clamp = clampk; s_count = count;
      s_wr = 1'b1;
    end
    ra_w = ra_base + ra_i; rx_w = rx_base + rx_i; ry_w = ry_base + ry_i; rs_w = rs_base + rs_i; rm_w = rm_base + rm_i;
    s_ww = s_wbase + s_wi;
  end

  // ---- banks
  reg  [NB*8-1:0] raddr;
  wire [NB*D-1:0] rdata;
  reg             bwe;
  reg  [1:0]      bwlane;
  reg  [2:0]      bwbank;
  reg  [7:0]      bwaddr;
  reg  [D-1:0]    bwdata;
  // each bank's read address: the role that reads it this cycle (two roles on one bank in a cycle read the same
  // word: checkRtlProgram), A by default (A covers every bank: the host reads through it)
  integer b;
  always @* begin
    for (b = 0; b < NB; b = b + 1) begin
      raddr[b*8+:8] = ra_w;
      if (RM[b] && rm_en && rm_b == b[2:0]) raddr[b*8+:8] = rm_w;
      if (RS[b] && rs_en && rs_b == b[2:0]) raddr[b*8+:8] = rs_w;
      if (RY[b] && ry_en && ry_b == b[2:0]) raddr[b*8+:8] = ry_w;
      if (RX[b] && rx_en && rx_b == b[2:0]) raddr[b*8+:8] = rx_w;
      if (RA[b] && ra_en && ra_b == b[2:0]) raddr[b*8+:8] = ra_w;
    end
  end
  vcore_banks #(.NB(NB), .DEPTH(256), .AW(8), .D(D), .BW(BW)) banks (
      .clk(clk), .raddr(raddr), .rdata(rdata), .we(bwe), .wlane(bwlane), .wbank(bwbank), .waddr(bwaddr), .wdata(bwdata));
  // the word of bank bk, among the banks of `role` (a one-hot AND-OR). Bank q stores BW_q bits and reads back
  // sign-extended: bit i of a bank with BW_q ≤ i is its sign bit, so bit i's OR takes the selected narrow banks'
  // masked signs first (the same terms for every bit of a run between two bank widths: shared) and then the data
  // bits of the banks wider than i
  function [D-1:0] word_of(input [NB*D-1:0] r, input [2:0] bk, input [7:0] role);
    integer q, i, w;
    reg t;
    begin
      for (i = 0; i < D; i = i + 1) begin
        t = 1'b0;
        for (q = 0; q < NB; q = q + 1) begin
          w = {24'd0, BW[q*8+:8]};
          if (role[q] && i >= w) t = t | (bk == q[2:0] && r[q*D+w-1]);
        end
        for (q = 0; q < NB; q = q + 1) begin
          w = {24'd0, BW[q*8+:8]};
          if (role[q] && i < w) t = t | (bk == q[2:0] && r[q*D+i]);
        end
        word_of[i] = t;
      end
    end
  endfunction

  // ---- the weight memory W in SPRAM (spram.v: 32-bit words as two SB_SPRAM256KA side by side, one port). A write
  // (PLAS's result ~5 cycles after its weight was read, or the host's) takes the port; reads happen otherwise. PLAS
  // reads a weight only in its epilogue slot (every 3rd cycle) and its write lands between the next weight's read and
  // the one after, so the one port never has a read and a write in the same cycle; MV reads W only after PLAS's writes are
  // done (W is hazard bit 7). Addresses (16K words): W at 0.., W0 (the restore copy, host only) above it, the
  // activations' knot words at 8192 + i, the clip tops at 16352 + k (the host writes them at install).
  // ACT reads W too: a knot word at 8192 + tb + 257·j + k in a table slot, and otherwise the clip top at 16352 + k
  wire [13:0]    act_wa = ap == 2'd0 || !ac_table ? {9'h1ff, ac_k} : abase + {5'd0, act_k};
  wire [13:0]    w_a = host ? w_addr : is_act ? act_wa : {{(14-WAW){1'b0}}, wa};
  wire           w_wen;
  wire [13:0]    w_wa;
  wire [31:0]    w_wd;
  wire [31:0]    wq_r;  // the word read the cycle before (held over a write)
  wire [13:0]    w_port = w_wen ? w_wa : w_a;
  spram w_lo (.clk(clk), .addr(w_port), .wd(w_wd[15:0]), .wmask(4'hf), .we(w_wen), .rd(wq_r[15:0]));
  spram w_hi (.clk(clk), .addr(w_port), .wd(w_wd[31:16]), .wmask(4'hf), .we(w_wen), .rd(wq_r[31:16]));
  assign w_rdata = wq_r;
  assign act_top = wq_r[19:0];
  // Wq = clampBits(shr(W, WS), WB): ((W >>> (WS − 1)) + 1) >>> 1, then the clamp. The increment covers only
  // t = W >>> (WS − 1)'s low WB + 1 bits (l): the bits above only decide whether the result fits WB bits (all
  // zeros or, when l carries or its top bit is set, all ones), as vcore_elem's slices
  wire signed [32:0] w_t = $signed({wq_r[31], wq_r}) >>> (WS - 1);
  wire [WB+1:0] w_l = {1'b0, w_t[WB:0]} + 1'b1;
  wire w_fits = w_l[WB+1] || w_l[WB] ? w_t[32:WB+1] == {(32-WB){1'b1}} : w_t[32:WB+1] == {(32-WB){1'b0}};
  wire [15:0] wq = w_fits ? w_l[16:1] : wq_r[31] ? 16'h8000 : 16'h7fff;

  // ---- the data cycle: the slot's controls registered, its operands from the banks (and W)
  reg        c_valid = 1'b0, c_a_en, c_p_en, c_mask, c_p_neg, c_mac, c_epi, c_epi_fwd, c_y_lo, c_y_hi, c_x_k, c_x_one, c_x_clip;
  reg        c_x_sl, c_y_shl8, c_y_sub_en, c_y_clip, c_count, c_wr = 1'b0, c_yw, c_aw, c_wrw = 1'b0;
  reg        c_lerp = 1'b0, c_ay = 1'b0, c_ur = 1'b0;
  reg [11:0] c_f;  // an ACT table slot's X: the fraction f, as vcore_elem's constant
  // a slot's write address, carried down the pipeline: {bank, word} for a bank write, the weight's address for a
  // PLAS write to W (a slot writes one or the other: one field, XA bits)
  localparam XA = WAW > 11 ? WAW : 11;
  reg [XA-1:0] c_xa;
  reg [3:0]  c_ys;
  reg [5:0]  c_u;
  reg [2:0]  c_clamp, ca_b, cx_b, cy_b, cs_b, cm_b;
  reg [15:0] kq;
  wire [14:0] c_k = kq[14:0];
  always @(posedge clk) begin
    kq <= kr[op == OP_LOOP ? {4'b1000, lp_iters} : {1'b0, xword[3:0]}];  // (an EBR's output register: kept apart from ACT's f)
    c_f <= act_f;
    c_valid <= state == S_ISSUE && s_valid;
    c_wr <= state == S_ISSUE && s_valid && s_wr;
    c_wrw <= state == S_ISSUE && s_valid && s_wrw;
    c_aw <= s_aw;
    c_lerp <= s_lerp; c_ay <= s_ay; c_j <= j[1:0];
    c_ur <= state == S_ISSUE && is_act && ra_en;
    c_xa <= s_wrw ? {{(XA-WAW){1'b0}}, wa} : {{(XA-11){1'b0}}, s_wb, s_ww};
    c_a_en <= s_a_en; c_p_en <= s_p_en; c_mask <= s_mask; c_p_neg <= s_p_neg; c_mac <= s_mac; c_epi <= s_epi; c_epi_fwd <= s_epi_fwd;
    c_y_lo <= s_y_lo; c_y_hi <= s_y_hi; c_x_k <= s_x_k; c_x_one <= s_x_one; c_x_clip <= s_x_clip; c_x_sl <= s_x_sl;
    c_y_shl8 <= s_y_shl8; c_y_sub_en <= s_y_sub_en; c_y_clip <= s_y_clip; c_count <= s_count; c_yw <= s_yw;
    c_ys <= s_ys; c_u <= s_u; c_clamp <= s_clamp;
    ca_b <= ra_b; cx_b <= rx_b; cy_b <= ry_b; cs_b <= rs_b; cm_b <= rm_b;
  end
  // the A reader covers every bank: the host's reads go through it (ca_b = host_bank while idle or trapped)
  wire [D-1:0] a_bank = word_of(rdata, ca_b, 8'hff);
  assign host_rdata = a_bank;
  // PLAS: A is the weight register; ACT: A is the knot's T (a table slot: bits 17:0 of the knot word) or the value
  // a linear or clip slot writes
  wire signed [21:0] a_act = c_lerp ? {{4{wq_r[17]}}, wq_r[17:0]} : act_y;
  wire [D-1:0] a_rd = c_lerp || c_ay ? {{(D-22){a_act[21]}}, a_act} : c_aw ? {{(D-32){wq_r[31]}}, wq_r} : a_bank;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [D-1:0] x_rd = word_of(rdata, cx_b, RX);  // X and ysub enter vcore_elem as 32 bits
  wire [D-1:0] s_rd = word_of(rdata, cs_b, RS);
  /* verilator lint_on UNUSEDSIGNAL */
  // Y: MV's Wq, a bank word; an ACT table slot's ΔT (the knot word's bits 31:18) in the low 16 bits, the only ones
  // vcore_elem uses of an unsliced, unshifted Y without a subtrahend and not bypassed
  wire [D-1:0] y_bank = c_yw ? {{(D-16){wq[15]}}, wq} : word_of(rdata, cy_b, RY);
  wire [D-1:0] y_rd = {y_bank[D-1:16], c_lerp ? {{2{wq_r[31]}}, wq_r[31:18]} : y_bank[15:0]};
  // ACT: the u word arrives (c_ur): x = shr(u, 8) = (u + 128) >>> 8 from u's low 29 bits (saturated beyond them), the
  // knot k and fraction f of rel = x + 2^19: below 0 the first knot, from 2^20 the last (f = 0: exactly T[0], T[256])
  /* verilator lint_off UNUSEDSIGNAL */
  wire [29:0] u_rs = {a_bank[28], a_bank[28:0]} + 30'd128;
  /* verilator lint_on UNUSEDSIGNAL */
  wire u_ov = a_bank[D-1:28] != {(D-28){a_bank[D-1]}};
  wire signed [21:0] u_x = u_ov ? (a_bank[D-1] ? -22'sd2097152 : 22'sd2097151) : $signed(u_rs[29:8]);
  wire u_lo = u_x[21] && u_x[20:19] != 2'b11;   // x < −2^19
  wire u_hi = !u_x[21] && u_x[20:19] != 2'b00;  // x ≥ 2^19
  always @(posedge clk) begin
    if (c_ur) begin
      act_x <= u_x;
      act_k <= u_lo ? 9'd0 : u_hi ? 9'd256 : {1'b0, ~u_x[19], u_x[18:12]};
      act_f <= u_lo || u_hi ? 12'd0 : u_x[11:0];
    end
  end
  // the mask: one nonzero flag per bank, then a 1-bit mux
  reg [7:0] nz;
  integer bz;
  always @* begin
    nz = 8'd0;
    for (bz = 0; bz < NB; bz = bz + 1) nz[bz] = RM[bz] && rdata[bz*D+:D] != {D{1'b0}};
  end
  // A two cycles later (vcore_elem takes it in its epilogue stage): bits 31:0 through a ring of 4 in two EBRs (written
  // at xp, read at xp − 1: the a_rd of two cycles before; the read's register is the EBRs' own), the rest in registers
  (* ram_style = "block", no_rw_check *) reg [31:0] aring [0:3];  // (read and write addresses always differ)
  reg  [31:0]   a_lo;
  reg  [D-33:0] a_hi1 = {(D-32){1'b0}}, a_hi2 = {(D-32){1'b0}};
  wire [D-1:0]  a_d2 = {a_hi2, a_lo};
  wire maskok = !c_mask || nz[cm_b];
  wire            out_valid;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [ED-1:0]   out;  // a stored result fits D bits (the clamps; unclamped temporaries below 2^41)
  /* verilator lint_on UNUSEDSIGNAL */
  wire [1:0]      inc;
  vcore_elem #(.D(ED), .XS(XS)) elem (
      .clk(clk), .in_valid(c_valid), .a({{(ED-D){a_d2[D-1]}}, a_d2}), .x(x_rd[31:0]), .y({{(ED-D){y_rd[D-1]}}, y_rd}),
      .ysub(s_rd[31:0]), .kmant(c_lerp ? {3'd0, c_f} : c_k),
      .a_en(c_a_en), .p_en(c_p_en && maskok), .p_neg(c_p_neg), .mac(c_mac), .epi(c_epi), .epi_fwd(c_epi_fwd), .y_lo(c_y_lo), .y_hi(c_y_hi),
      .x_k(c_x_k), .x_one(c_x_one), .x_clip(c_x_clip), .x_sl(c_x_sl), .y_shl8(c_y_shl8), .y_sub_en(c_y_sub_en),
      .y_clip(c_y_clip), .ys(c_ys), .u(c_u), .clamp(c_clamp), .count(c_count),
      .out_valid(out_valid), .out(out), .inc(inc));

  // ---- write-back: the write-tagged slots' results at the address they carry (4 cycles through vcore_elem)
  reg [3:0]  wt = 4'd0, vs = 4'd0;
  // the write addresses in flight: their banks in registers (the hazard check reads them), the whole address through a
  // ring of 4 in one EBR (xa3: the c_xa of 4 cycles before, as a 4-stage shift register would hold it: written at xp,
  // read at xp + 1, the oldest; the read's register is the EBR's own)
  reg [2:0]  xb0, xb1, xb2;
  reg [1:0]  xp = 2'd0;
  (* ram_style = "block", no_rw_check *) reg [XA-1:0] xring [0:3];  // (read and write addresses always differ)
  reg [XA-1:0] xa3;
  reg [3:0]  wtw = 4'd0;
  // PLAS's results to W, saturated to int32
  wire o_fits = out[ED-1:31] == {(ED-31){out[ED-1]}};
  assign w_wen = host ? w_we : out_valid && wtw[3];
  assign w_wa = host ? w_addr : {{(14-WAW){1'b0}}, xa3[WAW-1:0]};
  assign w_wd = host ? w_wdata : o_fits ? out[31:0] : out[ED-1] ? 32'h80000000 : 32'h7fffffff;
  always @* begin
    bwe = host ? host_we : out_valid && wt[3];
    bwlane = host ? host_lane : 2'b11;
    bwbank = host ? host_bank : xa3[10:8];
    bwaddr = host ? host_addr : xa3[7:0];
    bwdata = host ? host_wdata : out[D-1:0];
  end
  wire busy_pipe = c_valid || vs != 4'd0;
  // the banks the writes in flight go to, and the banks the decoded instruction reads: a data instruction issues as
  // soon as none of its read banks has a write in flight (a RAW hazard across the pipeline)
  function [7:0] bit_of(input en, input [2:0] bk);
    bit_of = en ? 8'd1 << bk : 8'd0;
  endfunction
  // (the write of the last stage lands at the end of this cycle: a read issued next cycle sees it)
  // (bit 7 stands for W: PLAS writes it, MV and PLAS read it; at most 7 banks)
  wire [7:0] flight = bit_of(c_wr, c_xa[10:8]) | bit_of(wt[0], xb0) | bit_of(wt[1], xb1) | bit_of(wt[2], xb2)
                    | {c_wrw | wtw[0] | wtw[1] | wtw[2], 7'd0};
  // in S_DEC the slot counters are 0, so the read roles show the instruction's first slot: every bank it reads but
  // a pass's epilogue A (read at the row's end) and W (bit 7: ACT, PLAS, MV)
  wire [7:0] reads = bit_of(ra_en, ra_b) | bit_of(rx_en, rx_b) | bit_of(ry_en, ry_b) | bit_of(rs_en, rs_b) | bit_of(rm_en, rm_b)
                   | bit_of(is_mv && mv_epi && mv_a_en, mv_abank) | {is_act || is_pl || is_mv, 7'd0};
  wire hazard = (reads & flight) != 8'd0;

  // the last slot of the instruction
  wire last = is_act ? ap == 2'd2 && o_1 == ac_n && j == 9'd2 : is_pl ? o_1 == pl_rows && j_1 == pl_cols && sq == 2'd3 : is_mv ? o_1 == mv_outer && mv_last_j : is_dot ? j_1 == n : o_1 == n && (!em || j == 9'd2);
  wire [8:0] mv_zero = mv_rows == 9'd0 || mv_cols == 9'd0 ? 9'd0 : 9'd1;
  // the next pc (a blocking temporary): when it moves, the fetch of the instruction there into ir starts
  reg [9:0] pcn;
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    pcn = pc;
    done <= 1'b0;
    // the fetch: one halfword asked for a cycle, received the next
    rv <= !fcnt[3];
    rk <= fcnt[2:0];
    if (!fcnt[3]) fcnt <= fcnt + 4'd1;
    if (rv) begin
      ir[rk*16+:16] <= prd;
      fgot <= fgot + 4'd1;
    end
    if (k_we || par_we) kr[k_we ? {1'b0, k_addr} : {4'b1000, par_sel}] <= k_we ? {1'b0, k_wdata} : par_wdata;
    if (par_we) begin
      if (par_sel) iters_z <= par_wdata == 16'd0;
      else steps_z <= par_wdata == 16'd0;
    end
    aring[xp] <= a_rd[31:0];
    a_lo <= aring[xp - 2'd1];
    a_hi1 <= a_rd[D-1:32];
    a_hi2 <= a_hi1;
    wt <= {wt[2:0], c_wr};
    wtw <= {wtw[2:0], c_wrw};
    vs <= {vs[2:0], c_valid};
    {xb2, xb1, xb0} <= {xb1, xb0, c_xa[10:8]};
    xring[xp] <= c_xa;
    xa3 <= xring[xp + 2'd1];
    xp <= xp + 2'd1;
    if (sat_we) sat <= sat_wdata;
    else if (out_valid) sat <= sat + {30'd0, inc};
`ifdef VCORE_CYCLES
    if (!host) cycles <= cycles + 32'd1;
`else
    cycles <= 32'd0;  // the cycle counter is a measurement: only in the testbench build (-DVCORE_CYCLES)
`endif
    case (state)
      S_IDLE:
        if (start) begin
          pcn = start_pc;
`ifdef VCORE_CYCLES
          cycles <= 32'd0;
`endif
          state <= S_DEC;
        end
      // control instructions run while the previous instruction drains; E, MV and DOT issue when none of the banks
      // they read has a write in flight; traps and HALT wait until the pipeline is empty
      S_DEC: if (irv) if (op == OP_LOOP || op == OP_NEXT || op == OP_JNL || op == OP_JMP || ((op == OP_E || is_mv || is_dot || is_pl || is_act) ? !hazard : !busy_pipe)) begin
        state <= S_DEC;
        pcn = pc + 10'd1;
        abase <= {1'b1, ac_tb};
        wa <= op == OP_PLAS ? pl_wb[WAW-1:0] : mv_wb[WAW-1:0];
        wrow <= mv_wb[WAW-1:0];
        case (op)
          OP_HALT: begin
            state <= S_IDLE;
            pcn = pc;
            done <= 1'b1;
          end
          OP_LOOP:
            if (lp_iters ? iters_z : steps_z) pcn = lp_end;
            else begin
              lp_top1 <= lp_top0;
              lp_left1 <= lp_left0;
              lp_top0 <= pc + 10'd1;
              lp_left0 <= kq;
            end
          OP_NEXT:
            if (lp_dec != 16'd0) begin
              lp_left0 <= lp_dec;
              pcn = lp_top0;
            end else begin
              lp_top0 <= lp_top1;
              lp_left0 <= lp_left1;
            end
          OP_JNL: if (!learn) pcn = jto;
          OP_JMP: pcn = jto;
          OP_E, OP_DOT:
            if (n != 9'd0) begin
              pcn = pc;
              state <= S_ISSUE;
            end
          OP_ACT:
            if (ac_n != 9'd0) begin
              pcn = pc;
              state <= S_ISSUE;
            end
          OP_PLAS:
            if (pl_chain) begin
              pcn = pc;
              trap <= 1'b1;
              state <= S_TRAP;
            end else if (pl_rows != 9'd0 && pl_cols != 9'd0) begin
              pcn = pc;
              state <= S_ISSUE;
            end
          OP_MV:
            if (mv_zero != 9'd0) begin
              pcn = pc;
              state <= S_ISSUE;
            end
          default: begin
            pcn = pc;
            trap <= 1'b1;
            state <= S_TRAP;
          end
        endcase
      end
      S_ISSUE: begin
        if (is_act) begin
          if (ap != 2'd2) ap <= ap + 2'd1;
          else if (j == 9'd2) begin
            j <= 9'd0;
            o <= o_1;
            abase <= {1'b1, ac_tb};
          end else begin
            j <= j_1;
            abase <= abase + 14'd257;
          end
        end else if (is_pl) begin
          sq <= sq == 2'd1 ? 2'd3 : sq + 2'd1;
          if (sq == 2'd3) begin
            wa <= wa + 1'b1;
            if (j_1 == pl_cols) begin
              j <= 9'd0;
              o <= o_1;
            end else j <= j_1;
          end
        end else if (is_mv) begin
          if (mv_last_j) begin
            j <= 9'd0;
            o <= o_1;
            if (mv_t) begin
              wa <= wrow + 1'b1;
              wrow <= wrow + 1'b1;
            end else if (mv_term) wa <= wa + 1'b1;
          end else begin
            j <= j_1;
            if (mv_term) wa <= mv_t ? wa + mv_cols_x[WAW-1:0] : wa + 1'b1;
          end
        end else if (is_dot || (em && j != 9'd2)) j <= j_1;
        else begin
          j <= 9'd0;
          o <= o_1;
        end
        // the next instruction is fetched and decoded while this one drains
        // (the slot counters return to 0 with the last slot: in S_DEC the issue logic shows slot 0's reads)
        if (last) begin
          o <= 9'd0;
          j <= 9'd0;
          sq <= 2'd0;
          ap <= 2'd0;
          pcn = pc + 10'd1;
          state <= S_DEC;
        end
      end
      S_TRAP:
        if (resume) begin
          trap <= 1'b0;
          pcn = pc + 10'd1;
          state <= S_DEC;
        end
      default: state <= S_IDLE;
    endcase
    pc <= pcn;
    // pc moves: the instruction there is fetched into ir (its first halfword lands two cycles later, after the last
    // slot's data cycle, the last use of the old one's fields); it is decoded once its 8th halfword is in
    if (pcn != pc || (state == S_IDLE && start)) begin
      irv <= 1'b0;
      fa <= pcn[PAW-1:0];
      fcnt <= 4'd0; fgot <= 4'd0; rv <= 1'b0;
    end else if (rv && fgot == 4'd7) irv <= 1'b1;
  end
  /* verilator lint_on BLKSEQ */
endmodule
