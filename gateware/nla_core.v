// nla_core: the fixed-point NLA core of docs/protocol.md section 11, bit-exact with
// hardware-models/fixed-point/core.ts, with the board image of section 10 staged (img_wr_*). The
// image is validated (10.4 and the capacity check of 6.3) and installed by the firmware loader
// (gateware/firmware/image_install.c): it reads the staged bytes through the staging read (cpu_st_*)
// and writes the installed state through the raw write port (cpu_we/cpu_mem/cpu_addr/cpu_wd, one
// write a cycle, the core idle):
//   cpu_mem 0 WMEM  nla_wmem word cpu_addr (W 0.., W0 4096.., tables 8192 + 1024 slot)
//           1 AW_LO the low 32 bits of an aw_mem word, held; 2 AW_HI writes aw_mem[addr] = {wd, held}
//           3 FB    fb_mem[addr] = {wd[23] (bias), wd[NB-1:0]} (output map, populations of the units)
//           4 REG   addr 0..10: a_steps a_iters a_relax a_beta a_nin a_nst a_nn a_no a_nproj a_crc a_nsyn;
//                   16 + j: {j_lrn, j_pg, j_pre} of projection j
//           5 CTL   addr 0 BEGIN: image_loaded = 0; addr 1 END: REST, EACT, then image_loaded = 1 and
//                   img_done pulses (the end of the install's rest)
//
// Architecture: one sequential datapath around one registered multiplier (nla_mul, 48x25 bits)
// and one 64-bit accumulator. A step is a fixed sequence of phases (see `P_*` below): element-wise
// phases walk the neuron (or input) vectors, one element at a time; pass phases compute the forward
// sums F(x) or transposed sums Tr(x) over the projections' weights, one multiply-accumulate per cycle
// (pipelined). Weight registers W (Q3.28), the image's weights W0 and the activation tables live in
// nla_wmem (two SPRAMs); the staged image in one SPRAM (byte-addressed, 16-bit words); the
// per-neuron and per-input vectors in small synchronous RAMs (EBR). The datapath weight
// Wq = datapath(W) is computed from W on every read, so it always equals core.ts's wq.
// Timing convention: every memory address is a register; data is valid two states after the state
// that set the address; a product is valid two states after the state that set its operands.
// Interface and timing: docs/fpga.md ("Fixed-point core", "Interface").
module nla_core #(
  parameter MAX_NEURONS  = 64,     // neuron vectors (hidden + output)
  parameter MAX_INPUTS   = 32,     // input units, stimulus and bias
  parameter MAX_OUTPUTS  = 16,
  parameter MAX_SYNAPSES = 4096,   // weight registers over all projections (W and W0 regions of nla_wmem)
  parameter MAX_POPS     = 8,      // population records held
  parameter MAX_PROJ     = 8,      // projection records held
  parameter MAX_TABLES   = 4,      // populations with a table activation
  parameter IMG_BYTES    = 32768,  // staging memory (one SPRAM)
  /* verilator lint_off UNUSEDPARAM */
  parameter MAX_PAYLOAD  = 1024,   // the board's largest payload (6.3): checked by the firmware loader now
  /* verilator lint_on UNUSEDPARAM */
  // number format (hardware-models/fixed-point/format.ts): 0 WIDE (docs/protocol.md 11), 1 UP5K16 (every
  // multiplier operand a rounded, saturating signed 16-bit slice: one 16x16 multiplier, 41-bit sums,
  // a 44-bit rounding unit)
  parameter FORMAT       = 0,
  /* verilator lint_off UNUSEDPARAM */
  parameter MAX_FRAME_RATE = 1000  // announced by the session (HELLO_ACK); informational here
  /* verilator lint_on UNUSEDPARAM */
) (
  input             clk,
  input             rst,
  // image staging
  input             img_wr_en,
  input      [16:0] img_wr_addr,
  input      [7:0]  img_wr_data,
  // the firmware loader's raw write port and staging read (one staged byte, valid the cycle after cpu_st_rd)
  input             cpu_we,
  input      [2:0]  cpu_mem,
  input      [13:0] cpu_addr,
  input      [31:0] cpu_wd,
  input             cpu_st_rd,
  input      [16:0] cpu_st_addr,
  output     [7:0]  cpu_st_byte,
  output reg        img_done,
  output            image_loaded,
  output     [31:0] image_crc,
  output     [15:0] n_stim_inputs,
  output     [15:0] n_outputs,
  output     [15:0] n_neurons,
  // control
  input             core_reset,
  input             restore_weights,
  input             learn,
  input             param_we,
  input      [15:0] param_id,
  /* verilator lint_off UNUSEDSIGNAL */ // BETA_Q16 uses 24 bits, ITERATIONS 16
  input      [31:0] param_value,
  /* verilator lint_on UNUSEDSIGNAL */
  // one frame
  input             in_we,
  input      [15:0] in_idx,
  input      [23:0] in_value,
  input             tgt_we,
  input      [15:0] tgt_idx,
  input      [23:0] tgt_value,
  input             tgt_commit,
  input             frame_go,
  output            frame_busy,
  output reg        frame_done,
  // probes
  /* verilator lint_off UNUSEDSIGNAL */ // ALL_U (bit 3) is what remains after bits 0..2
  input      [3:0]  probes,
  /* verilator lint_on UNUSEDSIGNAL */
  input             out_rd_req,
  input      [15:0] out_rd_idx,
  output reg        out_rd_valid,
  output reg [23:0] out_rd_data,
  // status
  output     [31:0] saturations,
  output     [31:0] frames_processed
);
  // ---------------------------------------------------------------- sizes and constants
  localparam NB = (MAX_NEURONS  > 1) ? $clog2(MAX_NEURONS)  : 1;
  localparam IB = (MAX_INPUTS   > 1) ? $clog2(MAX_INPUTS)   : 1;
  localparam OB = (MAX_OUTPUTS  > 1) ? $clog2(MAX_OUTPUTS)  : 1;
  localparam PB = (MAX_POPS     > 1) ? $clog2(MAX_POPS)     : 1;
  localparam JB = (MAX_PROJ     > 1) ? $clog2(MAX_PROJ)     : 1;
  localparam TB = (MAX_TABLES   > 1) ? $clog2(MAX_TABLES)   : 1;
  localparam [13:0] W0BASE = 14'd4096;   // W0 region of nla_wmem (MAX_SYNAPSES <= 4096)
  localparam [13:0] TBASE  = 14'd8192;   // tables: TBASE + slot*1024 + table*257 + knot

  // ---------------------------------------------------------------- arithmetic of section 11.2
  function gtc;                     // x > c (unsigned) for a constant c: a chain of AND/OR gates, no carry chain
    input [31:0] x;
    input [31:0] c;
    integer i;
    reg r;
    begin
      r = 1'b0;
      for (i = 0; i < 32; i = i + 1) r = c[i] ? (x[i] & r) : (x[i] | r);
      gtc = r;
    end
  endfunction

  // ---------------------------------------------------------------- memories
  // Vector memories (EBR). Vectors that are never read in the same phase share one memory, one
  // after the other by address (neuron block 0, neuron block 1 at MAX_NEURONS, input block after
  // them); the phase selects the block each memory reads (the sel_* below). Written words keep the
  // vector's width in their low bits.
  localparam AW = $clog2(2 * MAX_NEURONS + MAX_INPUTS + MAX_PROJ + 2 * MAX_POPS);
  localparam N2 = 2 * MAX_NEURONS;
  localparam AD = 1 << AW;                         // depth of the shared memories (one EBR deep)
  /* verilator lint_off WIDTH */
  localparam [AW-1:0] B1 = MAX_NEURONS;            // neuron block 1, or the inputs after block 0
  localparam [AW-1:0] B2 = N2;                     // the inputs after block 1
  /* verilator lint_on WIDTH */
  // addresses in the shared memories (macros, not functions: Verilator 5.006 loses memory writes
  // whose index is a function call)
  `define NLA_AN(i)  ({{(AW-NB){1'b0}}, i})
  `define NLA_AN2(i) (B1 + {{(AW-NB){1'b0}}, i})
  `define NLA_AI(i)  (B1 + {{(AW-IB){1'b0}}, i})
  `define NLA_AI2(i) (B2 + {{(AW-IB){1'b0}}, i})
  `define NLA_AN3(i) (B2 + {{(AW-NB){1'b0}}, i})
  `define NLA_REC(i) (B2 + {{(AW-JB){1'b0}}, i})
  `define NLA_POP(i) (B2 + MAX_PROJ + {{(AW-PB){1'b0}}, i})
  // ug: u (U) | r-bar_in (U) at 0.., g (D) | a (D) at B2..; mc: c (U), then kappa | source of the
  // next pass (g, v or a) at 0.., <m> = shr(m, 8) | u*prev at B2.. (EB reads the two halves in
  // different states: sel_ga, sel_mup)
  reg [27:0] ug_mem [0:AD-1];
  reg [28:0] mc_mem [0:AD-1];
  // rc: rho (S, +2^19 possible) | {has target, u*} at 0.., rho'' | s_in = shr(r-bar_in, 8) at B2..
  // (a pass reads rho or s_in by the projection's kind; EB reads rho'' at uc 6 only: sel_csi)
  reg [28:0] rc_mem [0:AD-1];
  reg [27:0] meb_mem [0:AD-1];                     // m (U) | e-bar (U) | delta (D) in block 2
  // pd: p (D) | b (D) | d_in (D) at 0.., rho' | held raw inputs (S) at BD.. (EB and EH read rho' up
  // to uc 2, then p or b: sel_dri; EB keeps rho' in msr for its second product)
  localparam [AW-1:0] BD = N2 + MAX_INPUTS;
  reg [23:0] pd_mem [0:AD-1];
  reg [63:0] aw_mem  [0:AD-1];                     // raw sums of the last pass | wt (learning), read at ara | projection records
  // INPUT_FRAME values in stimulus order (0.., read at ibra) and TARGET_FRAME values (FH.., read at
  // ei in TGT): one memory with one write port (in_we and tgt_we never come in the same cycle)
  // ... and at B2.. the population of each neuron | input unit (written at install, when the session
  // writes no values: the installer waits for a cycle without in_we/tgt_we; read by DIN, EB, EACT)
  /* verilator lint_off WIDTH */
  localparam [AW-1:0] FH = MAX_INPUTS;             // targets at FH.., the output map (unit of each
  localparam [AW-1:0] FO = MAX_INPUTS + MAX_OUTPUTS;  // output) at FO.. (MAX_INPUTS + 2 MAX_OUTPUTS <= N2)
  /* verilator lint_on WIDTH */
  reg [23:0] fb_mem [0:AD-1];

  reg rec_rd; reg [JB-1:0] rec_a;   // read a projection record (aw_mem)
  // one unit address for every vector read (neurons: nra; inputs: its low bits; the accumulator
  // words: the same unit, except a pass's row word)
  reg [NB-1:0] nra; reg [IB-1:0] ibra;
  wire [IB-1:0] ira = nra[IB-1:0];
  wire [NB-1:0] ara = nra;
  wire [NB-1:0] aw_ra;
  wire [AW-1:0] fb_ra;   // fb read address (nla_core_ru.vh)   // accumulator word read: ara, or in a pass the row's word two stages after issue
  wire sel_pop, sel_in, sel_b1, sel_us, sel_ga, sel_mup, sel_csi, sel_dri, sel_np, sel_eb, sel_dl, sel_c, sel_a, sel_di, sel_din, sel_wt;   // block selects (nla_core_ru.vh)
  reg [27:0] ug_q, meb_q;
  reg [28:0] mc_q;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [27:0] urb_q = ug_q, mup_q = mc_q[27:0];
  wire [23:0] ga_q = ug_q[23:0];
  wire [28:0] cxn_q = mc_q;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [28:0] rc_q;
  wire [28:0] rus_q = rc_q;
  wire [20:0] csi_q = rc_q[20:0];
  reg [23:0] pd_q;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [23:0] pbd_q = pd_q;
  wire [20:0] dri_q = pd_q[20:0];
  wire [PB-1:0] npi_q = fb_q[PB-1:0];
  /* verilator lint_on UNUSEDSIGNAL */
  reg [63:0] aw_q;
  reg [23:0] fb_q;
  always @(posedge clk) begin
    ug_q  <= ug_mem[sel_ga ? (B2 + (sel_a ? `NLA_AN2(nra) : `NLA_AN(nra))) : sel_in ? `NLA_AI(ira) : `NLA_AN(nra)];
    rc_q  <= rc_mem[sel_csi ? (B2 + (sel_b1 ? `NLA_AN(nra) : `NLA_AI(ira))) : sel_us ? `NLA_AN2(nra) : `NLA_AN(nra)];
    meb_q <= meb_mem[sel_dl ? `NLA_AN3(nra) : sel_eb ? `NLA_AN2(nra) : `NLA_AN(nra)];
    mc_q  <= mc_mem[sel_mup ? (B2 + (sel_b1 ? `NLA_AN2(nra) : `NLA_AN(nra))) : sel_c ? `NLA_AN(nra) : `NLA_AN2(nra)];
    pd_q  <= pd_mem[sel_dri ? (BD + (sel_din ? `NLA_AI(ira) : `NLA_AN(nra))) : sel_a ? `NLA_AN2(nra) : sel_di ? `NLA_AI2(ira) : `NLA_AN(nra)];
    aw_q  <= aw_mem[rec_rd ? `NLA_REC(rec_a) : sel_pop ? `NLA_POP(npi_q) : sel_wt ? `NLA_AN2(ara) : `NLA_AN(aw_ra)];
    fb_q  <= fb_mem[fb_ra];
  end
  /* verilator lint_off UNUSEDSIGNAL */ // the views use the low bits of the shared words
  wire signed [19:0] ib_q = fb_q[19:0];
  wire signed [23:0] tg_q = fb_q;
  wire          bias_q = fb_q[23];                                   // the input unit is a bias unit (fb, population word)
  wire          ht_q = rus_q[28];                                     // has_t of the unit (block 1)
  wire signed [27:0] u_q = urb_q, rb_q = urb_q, us_q = rus_q[27:0], m_q = meb_q, eb_q = meb_q, up_q = mup_q;
  wire signed [27:0] c_q = cxn_q[27:0];
  wire signed [23:0] dl_q = meb_q[23:0];
  wire [NB-1:0] r_qo = aw_q[RQ +: NB], r_po = aw_q[RP +: NB];       // projection record fields
  wire [NB:0]   r_rows = aw_q[RR +: NB + 1], r_cols = aw_q[RC +: NB + 1];
  wire [SB-1:0] r_wb = aw_q[RW +: SB];
  wire [23:0]   r_eta = aw_q[RE +: 24];
  wire [23:0]   pr_dec = aw_q[23:0];                                 // population record fields
  wire signed [20:0] pr_top = aw_q[44:24];
  wire [1:0]    pr_act = aw_q[46:45];
  wire [TB-1:0] pr_tab = aw_q[47 +: TB];
  wire signed [28:0] xn_q = cxn_q;
  wire signed [20:0] rho_q = rus_q[20:0], ms_q = mup_q[20:0], dr_q = dri_q, cu_q = csi_q, sin_q = csi_q;
  wire signed [19:0] rin_q = dri_q[19:0];
  wire signed [23:0] g_q = ga_q, a_q = ga_q, p_q = pbd_q, b_q = pbd_q, din_q = pbd_q;
  wire [PB-1:0] np_q = npi_q, ip_q = npi_q;
  wire signed [63:0] acc_q = aw_q;
  wire signed [47:0] wt_q = aw_q[47:0];
  /* verilator lint_on UNUSEDSIGNAL */
  // 64-bit signed views of the read data (the datapath computes in 64 bits; not every view needs
  // every bit)
  /* verilator lint_off UNUSEDSIGNAL */
  /* verilator lint_off WIDTH */ // sign extension of the words to 64 bits is the point
  wire signed [63:0] U = u_q, DL = dl_q, RHO = rho_q, DR = dr_q, CU = cu_q, M = m_q, MS = ms_q;
  wire signed [63:0] C = c_q, US = us_q, UP = up_q, B = b_q, G = g_q, P = p_q, A = a_q, XN = xn_q;
  wire signed [63:0] ACC = acc_q, WT = wt_q, RIN = rin_q, RB = rb_q, DI = din_q, SIN = sin_q;
  /* verilator lint_on WIDTH */
  /* verilator lint_on UNUSEDSIGNAL */

  // weight / table memory (single port) and the staged image (single port, 16-bit words)
  reg  [13:0] wma; reg wm_we; reg [31:0] wm_wd;
  wire [31:0] wm_rd;
  nla_wmem wmem (.clk(clk), .addr(wma), .we(wm_we), .wd(wm_wd), .rd(wm_rd));
  /* verilator lint_off WIDTH */ // sign extension
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [63:0] WM = $signed(wm_rd);
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on WIDTH */
  // datapath weight: min(shr(W, 12), 2^19 - 1)
  /* verilator lint_off UNUSEDSIGNAL */ // the rounded-off bits; WQ: 20 bits used
  wire signed [20:0] wq_raw = $signed({wm_rd[31], wm_rd[31:12]}) + $signed({20'd0, wm_rd[11]});   // shr(W, 12): 21 bits
  wire signed [19:0] wq_sat = (!wq_raw[20] && wq_raw[19]) ? 20'sd524287 : wq_raw[19:0];   // wq_raw > 2^19 - 1
  /* verilator lint_off WIDTH */ // sign extension
  wire signed [63:0] WQ = wq_sat;
  /* verilator lint_on WIDTH */
  // UP5K16: Wq = sat16(shr(W, 15)), Q2.13 (not counted)
  wire signed [17:0] wq16_raw = $signed({wm_rd[31], wm_rd[31:15]}) + $signed({17'd0, wm_rd[14]});
  wire signed [15:0] WQ16 = (wq16_raw[17:15] == {3{wq16_raw[17]}}) ? wq16_raw[15:0] : (wq16_raw[17] ? 16'sh8000 : 16'sh7fff);
  /* verilator lint_on UNUSEDSIGNAL */

  // the staged image: written by the session (img_wr_*), read by the firmware loader (cpu_st_rd: the
  // byte at cpu_st_addr is on cpu_st_byte the next cycle, while cpu_st_addr is held)
  wire [15:0] st_rd_word;
  /* verilator lint_off UNUSEDSIGNAL */ // bytes beyond IMG_BYTES are not written
  wire [16:0] st_addr = cpu_st_rd ? cpu_st_addr : img_wr_addr;
  /* verilator lint_on UNUSEDSIGNAL */
  wire        st_we   = img_wr_en && !cpu_st_rd && !gtc({15'd0, img_wr_addr}, IMG_BYTES - 1);
  spram stage (.clk(clk), .addr(st_addr[14:1]), .wd({img_wr_data, img_wr_data}),
               .wmask(st_addr[0] ? 4'b1100 : 4'b0011), .we(st_we), .rd(st_rd_word));
  assign cpu_st_byte = cpu_st_addr[0] ? st_rd_word[15:8] : st_rd_word[7:0];
  reg [31:0] aw_lo;           // the raw port's held low half of an aw_mem word

  // the multiplier
  reg  signed [47:0] ma;
  reg  signed [24:0] mb;
  wire signed [63:0] mp;
  nla_mul #(.FORMAT(FORMAT)) mul (.clk(clk), .a(ma), .b(mb), .p(mp));

  // ---------------------------------------------------------------- installed image (active)
  reg        loaded;
  reg [31:0] a_crc;
  reg [15:0] a_steps, a_iters;
  reg [IB:0] a_nin, a_nst;                 // counts of the installed image (within the capacity)
  reg [NB:0] a_nn;
  reg [OB:0] a_no;
  reg [JB:0] a_nproj;
  reg [3:0]  a_relax;
  reg [23:0] a_beta;
  // population records (decay, activation, clip top, table slot): one word each in aw_mem at
  // B2 + MAX_PROJ + population, read by DIN, EB and EACT through the unit's population index
  // projection records: pre/stimulus/learning flags in registers; the rest, one 64-bit word each,
  // in the accumulator memory's free block (aw_mem at B2 + projection), read at a projection's start
  reg        j_pre  [0:MAX_PROJ-1];
  reg        j_pg   [0:MAX_PROJ-1];       // presynaptic population is a stimulus population
  reg        j_lrn  [0:MAX_PROJ-1];       // etaDtQ24 != 0
  localparam SB = $clog2(MAX_SYNAPSES);   // first weight register of a projection: < MAX_SYNAPSES
  localparam RQ = 0, RP = NB, RR = 2 * NB, RC = 3 * NB + 1, RW = 4 * NB + 2, RE = 4 * NB + 2 + SB;
  // record word: {eta 24, wb SB, cols NB+1, rows NB+1, post offset NB, pre offset NB} (RE + 24 <= 64)

  assign image_loaded  = loaded;
  assign image_crc     = a_crc;
  assign n_stim_inputs = {{(15-IB){1'b0}}, a_nst};
  assign n_outputs     = {{(15-OB){1'b0}}, a_no};
  assign n_neurons     = {{(15-NB){1'b0}}, a_nn};

  // The sequencer computes in 64-bit signed arithmetic: narrower operands (memory words, counters)
  // are extended by the Verilog rules on purpose and results are cut to their format after the
  // saturation; some 64-bit temporaries use fewer bits.
  /* verilator lint_off WIDTH */
  /* verilator lint_off UNUSEDSIGNAL */
  `include "nla_core_fsm.vh"
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on WIDTH */
  `undef NLA_AN
  `undef NLA_AN2
  `undef NLA_AI
  `undef NLA_AI2
  `undef NLA_AN3
  `undef NLA_REC
  `undef NLA_POP
endmodule
