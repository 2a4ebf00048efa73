// nla_core: the fixed-point NLA core of docs/protocol.md section 11, bit-exact with
// hardware-models/fixed-point/core.ts, with the board image of section 10 staged (img_wr_*),
// validated (10.4 and the capacity check of 6.3) and installed by the core itself.
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
// Interface and timing: /work/prompts/gw-interfaces.md (nla_core), docs/fpga.md ("Fixed-point core").
module nla_core #(
  parameter MAX_NEURONS  = 64,     // neuron vectors (hidden + output)
  parameter MAX_INPUTS   = 32,     // input units, stimulus and bias
  parameter MAX_OUTPUTS  = 16,
  parameter MAX_SYNAPSES = 4096,   // weight registers over all projections (W and W0 regions of nla_wmem)
  parameter MAX_POPS     = 8,      // population records held
  parameter MAX_PROJ     = 8,      // projection records held
  parameter MAX_TABLES   = 4,      // populations with a table activation
  parameter IMG_BYTES    = 32768,  // staging memory (one SPRAM)
  parameter MAX_PAYLOAD  = 1024,   // the board's largest payload: an INPUT_FRAME must fit (6.3)
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
  input             img_commit,
  input      [16:0] img_total,
  output reg        img_done,
  output reg [1:0]  img_result,
  output reg [15:0] img_err_offset,
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
  function [31:0] crc_byte;              // CRC-32 (IEEE, reflected) of one more byte
    input [31:0] c;
    input [7:0] b;
    integer k;
    reg [31:0] t;
    begin
      t = c ^ {24'd0, b};
      for (k = 0; k < 8; k = k + 1) t = t[0] ? (32'hEDB88320 ^ (t >> 1)) : (t >> 1);
      crc_byte = t;
    end
  endfunction

  // ---------------------------------------------------------------- memories
  // neuron vectors, read at nra
  reg signed [27:0] u_mem  [0:MAX_NEURONS-1];  // u (U)
  reg signed [23:0] dl_mem [0:MAX_NEURONS-1];  // delta (D)
  reg signed [20:0] rho_mem[0:MAX_NEURONS-1];  // rho (S, +2^19 possible)
  reg signed [20:0] dr_mem [0:MAX_NEURONS-1];  // rho'
  reg signed [20:0] cu_mem [0:MAX_NEURONS-1];  // rho''
  reg signed [27:0] m_mem  [0:MAX_NEURONS-1];  // m (U)
  reg signed [20:0] ms_mem [0:MAX_NEURONS-1];  // <m> = shr(m, 8)
  reg signed [27:0] eb_mem [0:MAX_NEURONS-1];  // e-bar (U)
  reg signed [23:0] b_mem  [0:MAX_NEURONS-1];  // b (D)
  reg signed [27:0] c_mem  [0:MAX_NEURONS-1];  // c (U), then kappa
  reg signed [23:0] g_mem  [0:MAX_NEURONS-1];  // g (D)
  reg signed [23:0] p_mem  [0:MAX_NEURONS-1];  // p (D)
  reg signed [23:0] a_mem  [0:MAX_NEURONS-1];  // a (D)
  reg signed [28:0] xn_mem [0:MAX_NEURONS-1];  // source of the next pass (g, v or a)
  reg signed [27:0] us_mem [0:MAX_NEURONS-1];  // u*
  reg signed [27:0] up_mem [0:MAX_NEURONS-1];  // u*prev
  reg [PB-1:0]      np_mem [0:MAX_NEURONS-1];  // population of each neuron
  // neuron accumulators, read at ara
  reg signed [63:0] acc_mem[0:MAX_NEURONS-1];  // raw sums of the last pass
  reg signed [47:0] wt_mem [0:MAX_NEURONS-1];  // wt (learning)
  // input vectors, read at ira
  reg signed [19:0] rin_mem[0:MAX_INPUTS-1];   // held raw inputs (S)
  reg signed [27:0] rb_mem [0:MAX_INPUTS-1];   // r-bar_in (U)
  reg signed [23:0] din_mem[0:MAX_INPUTS-1];   // d_in (D)
  reg signed [20:0] sin_mem[0:MAX_INPUTS-1];   // s_in = shr(r-bar_in, 8)
  reg [PB-1:0]      ip_mem [0:MAX_INPUTS-1];   // population of each input unit
  reg signed [19:0] ib_mem [0:MAX_INPUTS-1];   // INPUT_FRAME values in stimulus order, read at ibra

  reg [NB-1:0] nra; reg [NB-1:0] ara; reg [IB-1:0] ira; reg [IB-1:0] ibra;
  reg signed [27:0] u_q, m_q, eb_q, c_q, us_q, up_q;
  reg signed [23:0] dl_q, b_q, g_q, p_q, a_q;
  reg signed [20:0] rho_q, dr_q, cu_q, ms_q;
  reg signed [28:0] xn_q;
  reg [PB-1:0] np_q, ip_q;
  reg signed [63:0] acc_q;
  reg signed [47:0] wt_q;
  reg signed [19:0] rin_q, ib_q;
  reg signed [27:0] rb_q;
  reg signed [23:0] din_q;
  reg signed [20:0] sin_q;
  always @(posedge clk) begin
    u_q <= u_mem[nra];   dl_q <= dl_mem[nra]; rho_q <= rho_mem[nra]; dr_q <= dr_mem[nra];
    cu_q <= cu_mem[nra]; m_q <= m_mem[nra];   ms_q <= ms_mem[nra];   eb_q <= eb_mem[nra];
    b_q <= b_mem[nra];   c_q <= c_mem[nra];   g_q <= g_mem[nra];     p_q <= p_mem[nra];
    a_q <= a_mem[nra];   xn_q <= xn_mem[nra]; us_q <= us_mem[nra];   up_q <= up_mem[nra];
    np_q <= np_mem[nra];
    acc_q <= acc_mem[ara]; wt_q <= wt_mem[ara];
    rin_q <= rin_mem[ira]; rb_q <= rb_mem[ira]; din_q <= din_mem[ira]; sin_q <= sin_mem[ira];
    ip_q <= ip_mem[ira];
    ib_q <= ib_mem[ibra];
  end
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
  wire signed [63:0] WM = $signed(wm_rd);
  /* verilator lint_on WIDTH */
  // datapath weight: min(shr(W, 12), 2^19 - 1)
  /* verilator lint_off UNUSEDSIGNAL */ // the rounded-off bits; WQ: 20 bits used
  wire signed [32:0] wq_rnd = $signed({wm_rd[31], wm_rd}) + 33'sd2048;
  wire signed [20:0] wq_raw = wq_rnd[32:12];                  // shr(W, 12): 21 bits
  wire signed [19:0] wq_sat = (wq_raw > 21'sd524287) ? 20'sd524287 : wq_raw[19:0];
  /* verilator lint_off WIDTH */ // sign extension
  wire signed [63:0] WQ = wq_sat;
  /* verilator lint_on WIDTH */
  /* verilator lint_on UNUSEDSIGNAL */

  reg  [16:0] sra;            // staged byte address read by the validator/installer
  reg         st_rd;          // validator owns the staging port
  wire [15:0] st_rd_word;
  /* verilator lint_off UNUSEDSIGNAL */ // bytes beyond IMG_BYTES are not written
  wire [16:0] st_addr = st_rd ? sra : img_wr_addr;
  /* verilator lint_on UNUSEDSIGNAL */
  wire        st_we   = img_wr_en && !st_rd && (img_wr_addr < IMG_BYTES);
  spram stage (.clk(clk), .addr(st_addr[14:1]), .wd({img_wr_data, img_wr_data}),
               .wmask(st_addr[0] ? 4'b1100 : 4'b0011), .we(st_we), .rd(st_rd_word));
  wire [7:0] st_byte = sra[0] ? st_rd_word[15:8] : st_rd_word[7:0];

  // the multiplier
  reg  signed [47:0] ma;
  reg  signed [24:0] mb;
  wire signed [63:0] mp;
  nla_mul mul (.clk(clk), .a(ma), .b(mb), .p(mp));

  // ---------------------------------------------------------------- installed image (active)
  reg        loaded;
  reg [31:0] a_crc;
  reg [15:0] a_steps, a_iters, a_nin, a_nst, a_nn, a_no, a_nproj;
  reg [3:0]  a_relax;
  reg [23:0] a_beta;
  reg [23:0] p_dec  [0:MAX_POPS-1];
  reg [1:0]  p_act  [0:MAX_POPS-1];
  reg signed [20:0] p_top [0:MAX_POPS-1];
  reg [TB-1:0] p_tab [0:MAX_POPS-1];
  reg        j_pre  [0:MAX_PROJ-1];
  reg        j_pg   [0:MAX_PROJ-1];       // presynaptic population is a stimulus population
  reg [15:0] j_qo   [0:MAX_PROJ-1];       // presynaptic unit offset
  reg [15:0] j_po   [0:MAX_PROJ-1];       // postsynaptic neuron offset
  reg [15:0] j_rows [0:MAX_PROJ-1];
  reg [15:0] j_cols [0:MAX_PROJ-1];
  reg [23:0] j_eta  [0:MAX_PROJ-1];
  reg [15:0] j_wb   [0:MAX_PROJ-1];
  reg [NB-1:0] o_idx [0:MAX_OUTPUTS-1];
  reg [IB-1:0] s2i  [0:MAX_INPUTS-1];       // stimulus value k -> input unit
  reg [MAX_NEURONS-1:0] is_out, has_t;
  reg [MAX_INPUTS-1:0]  is_bias;
  reg signed [23:0] tbuf [0:MAX_OUTPUTS-1]; // TARGET_FRAME values

  assign image_loaded  = loaded;
  assign image_crc     = a_crc;
  assign n_stim_inputs = a_nst;
  assign n_outputs     = a_no;
  assign n_neurons     = a_nn;

  // ---------------------------------------------------------------- staged image (validator)
  // Validation reads the records twice: pass 1 checks them (keeping only what the checks need, the
  // s*/sp_* registers below); pass 2 (after every check passed) reads them again and installs them
  // into the registers above, the weights and the tables on the way.
  reg [31:0] s_crc;
  reg [15:0] s_nin, s_nst, s_nn, s_no, s_npop, s_nproj;
  reg [1:0]  sp_kind [0:MAX_POPS-1];
  reg [15:0] sp_size [0:MAX_POPS-1];
  reg [15:0] sp_off  [0:MAX_POPS-1];
  reg [16:0] sp_fan  [0:MAX_POPS-1];        // fan-in of the population's neurons
  reg        cj_pre;                        // the projection record being read
  reg [PB-1:0] cj_post;
  reg [15:0] cj_rows, cj_cols;
  reg [16:0] cj_rc;                         // rows*cols (capped: the capacity check rejects more)
  reg [13:0] cj_wb;
  reg [TB-1:0] ct_slot;                     // table slot being installed
  reg        inst;                          // pass 2: install

  // The sequencer computes in 64-bit signed arithmetic: narrower operands (memory words, counters)
  // are extended by the Verilog rules on purpose and results are cut to their format after the
  // saturation; some 64-bit temporaries use fewer bits.
  /* verilator lint_off WIDTH */
  /* verilator lint_off UNUSEDSIGNAL */
  `include "nla_core_fsm.vh"
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on WIDTH */
endmodule
