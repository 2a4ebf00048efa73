// vcore: the vector core's sequencer around the element pipeline (stage 2), UP5K16. It fetches the encoded program
// (hardware-models/fixed-point/core-program-encode.ts: 128 bits an instruction), runs the control instructions
// (LOOP/NEXT with a 2-level stack, JNL from `learn`, JMP, HALT), and issues the elements of E ops to one
// vcore_elem: address generation (base + i, broadcast), the operand reads from the vector banks (vcore_banks:
// one read + one write port each), the has-target mask, em = K·m as two mac terms + bubble + epilogue, and the
// write-back with the saturation counter. Hazards: the pipeline drains between instructions.
// MV, DOT, PLAS and ACT are not executed here yet: they stop the core with `trap` = 1 and trap_pc = their pc; the
// host (the testbench) does the instruction on the banks through the host port and pulses `resume`.
// Host port (while idle or trapped): bank words read (host_rdata the cycle after host_addr/host_bank) and
// written; K registers, the loop counts (steps, iterations) and the program loaded; the saturation counter set.
`timescale 1ns / 1ps
module vcore #(
    parameter NB = 6,        // vector banks (the program's banks)
    parameter D = 42,        // bank word width (UP5K16: every stored value below 2^41)
    // vcore_elem's width: em = K·m's running sum reaches 2^42 (K < 2^15, |m| ≤ 2^27 at the U rail: the hot image)
    parameter ED = 43,
    parameter PAW = 7,       // program address bits (128 instructions)
    parameter XS = 4         // vcore_elem's X slice
) (
    input  wire           clk,
    input  wire           start,
    input  wire [9:0]     start_pc,
    input  wire           learn,
    output wire           busy,
    output reg            done,
    output reg            trap,
    output reg  [9:0]     trap_pc,
    input  wire           resume,
    // program, K registers, loop counts
    input  wire           prog_we,
    input  wire [PAW-1:0] prog_addr,
    input  wire [127:0]   prog_wdata,
    input  wire           k_we,
    input  wire [3:0]     k_addr,
    input  wire [14:0]    k_wdata,
    input  wire           par_we,
    input  wire           par_sel,  // 0 steps per frame, 1 iterations
    input  wire [15:0]    par_wdata,
    // host access to the banks and the saturation counter
    input  wire           host_we,
    input  wire [2:0]     host_bank,
    input  wire [7:0]     host_addr,
    input  wire [D-1:0]   host_wdata,
    output wire [D-1:0]   host_rdata,
    input  wire           sat_we,
    input  wire [31:0]    sat_wdata,
    output reg  [31:0]    sat,
    output reg  [31:0]    cycles
);
  localparam S_IDLE = 3'd0, S_FETCH = 3'd1, S_DEC = 3'd2, S_ISSUE = 3'd3, S_DRAIN = 3'd4, S_TRAP = 3'd5;
  localparam OP_HALT = 4'd0, OP_E = 4'd1, OP_LOOP = 4'd6, OP_NEXT = 4'd7, OP_JNL = 4'd8, OP_JMP = 4'd9;

  reg [2:0]   state = S_IDLE;
  reg [9:0]   pc = 10'd0;
  // unused fields: a_neg (the unit has no negated A), X's pre-adder (never emitted), use_exp (folded into u)
  /* verilator lint_off UNUSEDSIGNAL */
  reg [127:0] ir = 128'd0;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [127:0] pm[0:(1<<PAW)-1];
  reg [14:0]  kr[0:15];
  reg [15:0]  steps = 16'd0, iters = 16'd0;
  reg [9:0]   lp_top0 = 10'd0, lp_top1 = 10'd0;
  reg [15:0]  lp_left0 = 16'd0, lp_left1 = 16'd0;
  reg [1:0]   sp = 2'd0;

  assign busy = state != S_IDLE;
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

  // ---- issue: element i, slot (em: 0..3)
  reg  [8:0] i = 9'd0;
  reg  [1:0] slot = 2'd0;
  wire [7:0] ii = i[7:0];
  wire [7:0] a_w = aword + ii;
  wire [7:0] x_w = xmode == 2'd1 ? xword + ii : xword;
  wire [7:0] y_w = ymode == 2'd1 ? yword + ii : yword;
  wire [7:0] s_w = ymode == 2'd1 ? sword + ii : sword;
  wire [7:0] m_w = mword + ii;
  wire xv = xmode == 2'd1 || xmode == 2'd2;
  wire yv = ymode == 2'd1 || ymode == 2'd2;

  // ---- banks
  reg  [NB*8-1:0] raddr;
  wire [NB*D-1:0] rdata;
  reg             bwe;
  reg  [2:0]      bwbank;
  reg  [7:0]      bwaddr;
  reg  [D-1:0]    bwdata;
  integer b;
  always @* begin
    for (b = 0; b < NB; b = b + 1) begin
      raddr[b*8+:8] = host_addr;
      if (!host) begin
        if (mask_en && mbank == b[2:0]) raddr[b*8+:8] = m_w;
        if (ysub_en && yv && sbank == b[2:0]) raddr[b*8+:8] = s_w;
        if (yv && ybank == b[2:0]) raddr[b*8+:8] = y_w;
        if (xv && xbank == b[2:0]) raddr[b*8+:8] = x_w;
        if (a_en && abank == b[2:0]) raddr[b*8+:8] = a_w;
      end
    end
  end
  vcore_banks #(.NB(NB), .DEPTH(256), .AW(8), .D(D)) banks (
      .clk(clk), .raddr(raddr), .rdata(rdata), .we(bwe), .wbank(bwbank), .waddr(bwaddr), .wdata(bwdata));
  reg [2:0] host_bank_q = 3'd0;
  always @(posedge clk) host_bank_q <= host_bank;
  function [D-1:0] word_of(input [NB*D-1:0] r, input [2:0] bk);
    integer j;
    begin
      word_of = {D{1'b0}};
      for (j = 0; j < NB; j = j + 1)
        if (bk == j[2:0]) word_of = r[j*D+:D];
    end
  endfunction
  assign host_rdata = word_of(rdata, host_bank_q);

  // ---- the issued element (the cycle after its reads)
  reg       iv = 1'b0;
  reg [1:0] islot = 2'd0;
  wire [D-1:0] a_rd = word_of(rdata, abank);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [D-1:0] x_rd = word_of(rdata, xbank);  // X and ysub enter vcore_elem as 32 bits
  wire [D-1:0] y_rd = word_of(rdata, ybank);
  wire [D-1:0] s_rd = word_of(rdata, sbank);
  /* verilator lint_on UNUSEDSIGNAL */
  wire [D-1:0] m_rd = word_of(rdata, mbank);
  reg  [D-1:0] a_d1 = {D{1'b0}}, a_d2 = {D{1'b0}};
  wire maskok = !mask_en || m_rd != {D{1'b0}};
  wire e0 = em && islot == 2'd0, e1 = em && islot == 2'd1, e3 = em && islot == 2'd3;
  wire in_valid = iv && !(em && islot == 2'd2);
  wire el_a_en = em ? e3 && a_en : a_en;
  wire el_p_en = em ? (e3 ? maskok : 1'b1) : xmode != 2'd0 && ymode != 2'd0 && maskok;
  wire el_p_neg = em ? e3 && p_neg : p_neg;
  wire el_x_k = xmode == 2'd3 && !one && !e3;
  wire el_x_one = !em && one;
  wire el_x_clip = !em && xv && xclip;
  wire el_x_sl = !em && xs != 4'd0;
  wire el_y_shl8 = !em && yshl8;
  wire el_y_sub_en = !em && ysub_en;
  wire el_y_clip = !em && yclip;
  wire [3:0] el_ys = em ? 4'd0 : ys;
  wire [5:0] el_u = e0 ? 6'd15 : e1 ? 6'd0 : e3 ? u - 6'd15 : u;
  wire [2:0] el_clamp = em && !e3 ? 3'd0 : clampk;
  wire el_count = em ? e3 && count : count;
  wire wtag = in_valid && (!em || e3);
  wire            out_valid;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [ED-1:0]   out;  // a stored result fits D bits (the clamps; unclamped temporaries below 2^41)
  /* verilator lint_on UNUSEDSIGNAL */
  wire [1:0]      inc;
  vcore_elem #(.D(ED), .XS(XS)) elem (
      .clk(clk), .in_valid(in_valid), .a({{(ED-D){a_d2[D-1]}}, a_d2}), .x(x_rd[31:0]), .y({{(ED-D){y_rd[D-1]}}, y_rd}), .ysub(s_rd[31:0]), .kmant(kr[xword[3:0]]),
      .a_en(el_a_en), .p_en(el_p_en), .p_neg(el_p_neg), .mac(e1), .epi(e3), .y_lo(e0), .y_hi(e1),
      .x_k(el_x_k), .x_one(el_x_one), .x_clip(el_x_clip), .x_sl(el_x_sl), .y_shl8(el_y_shl8), .y_sub_en(el_y_sub_en),
      .y_clip(el_y_clip), .ys(el_ys), .u(el_u), .clamp(el_clamp), .count(el_count),
      .out_valid(out_valid), .out(out), .inc(inc));

  // ---- write-back: the results of the write-tagged elements, in order, at dst + widx
  reg [3:0] wt = 4'd0;
  reg [8:0] widx = 9'd0;
  always @* begin
    bwe = host ? host_we : out_valid && wt[3];
    bwbank = host ? host_bank : dbank;
    bwaddr = host ? host_addr : dword + widx[7:0];
    bwdata = host ? host_wdata : out[D-1:0];
  end

  wire last = i == n - 9'd1 && (!em || slot == 2'd3);
  always @(posedge clk) begin
    done <= 1'b0;
    if (prog_we) pm[prog_addr] <= prog_wdata;
    if (k_we) kr[k_addr] <= k_wdata;
    if (par_we) begin
      if (par_sel) iters <= par_wdata;
      else steps <= par_wdata;
    end
    a_d1 <= a_rd;
    a_d2 <= a_d1;
    wt <= {wt[2:0], wtag};
    iv <= state == S_ISSUE;
    islot <= slot;
    if (sat_we) sat <= sat_wdata;
    else if (out_valid) sat <= sat + {30'd0, inc};
    if (out_valid && wt[3]) widx <= widx + 9'd1;
    if (!host) cycles <= cycles + 32'd1;
    case (state)
      S_IDLE:
        if (start) begin
          pc <= start_pc;
          sp <= 2'd0;
          cycles <= 32'd0;
          state <= S_FETCH;
        end
      S_FETCH: begin
        ir <= pm[pc[PAW-1:0]];
        state <= S_DEC;
      end
      S_DEC: begin
        state <= S_FETCH;
        pc <= pc + 10'd1;
        case (op)
          OP_HALT: begin
            state <= S_IDLE;
            pc <= pc;
            done <= 1'b1;
          end
          OP_LOOP:
            if ((lp_iters ? iters : steps) == 16'd0) pc <= lp_end;
            else begin
              if (sp == 2'd0) begin
                lp_top0 <= pc + 10'd1;
                lp_left0 <= lp_iters ? iters : steps;
              end else begin
                lp_top1 <= pc + 10'd1;
                lp_left1 <= lp_iters ? iters : steps;
              end
              sp <= sp + 2'd1;
            end
          OP_NEXT:
            if (sp == 2'd2) begin
              if (lp_left1 > 16'd1) begin
                lp_left1 <= lp_left1 - 16'd1;
                pc <= lp_top1;
              end else sp <= 2'd1;
            end else begin
              if (lp_left0 > 16'd1) begin
                lp_left0 <= lp_left0 - 16'd1;
                pc <= lp_top0;
              end else sp <= 2'd0;
            end
          OP_JNL: if (!learn) pc <= jto;
          OP_JMP: pc <= jto;
          OP_E:
            if (n != 9'd0) begin
              pc <= pc;
              i <= 9'd0;
              slot <= 2'd0;
              widx <= 9'd0;
              state <= S_ISSUE;
            end
          default: begin
            pc <= pc;
            trap <= 1'b1;
            trap_pc <= pc;
            state <= S_TRAP;
          end
        endcase
      end
      S_ISSUE: begin
        if (em && slot != 2'd3) slot <= slot + 2'd1;
        else begin
          slot <= 2'd0;
          i <= i + 9'd1;
        end
        if (last) state <= S_DRAIN;
      end
      S_DRAIN:
        if (widx == n) begin
          pc <= pc + 10'd1;
          state <= S_FETCH;
        end
      S_TRAP:
        if (resume) begin
          trap <= 1'b0;
          pc <= pc + 10'd1;
          state <= S_FETCH;
        end
      default: state <= S_IDLE;
    endcase
  end
endmodule
