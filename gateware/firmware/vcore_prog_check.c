/* vcore_prog_check.c: the program half of the vcore image check (vcore_image.h), decodeVcoreImage's decodeChecked,
 * checkKUses and β-reader comparison (vcore-image.ts) without the program's objects. An instruction is read as the
 * field list of its op (core-program-encode.ts's table, widths below), checked against the image's memories, made
 * canonical (what encodeProgram writes for the decoded instruction: fields of a disabled part zero, the E op's folded
 * shift and ONE flag recomputed from the K registers) and re-encoded; the order of refusals is the TypeScript's:
 * any instruction that does not decode or lies outside the memories (in pc order), then any that does not re-encode
 * (a value outside its field), then the first word whose bits differ; then K, then the readers; then the RTL limits
 * (checkRtlProgram's first problem: LOOP nesting over the program, then each instruction's fields, bank accesses and
 * read ports). */
#include "vcore_image.h"

enum { OP_HALT, OP_E, OP_MV, OP_DOT, OP_PLAS, OP_ACT, OP_LOOP, OP_NEXT, OP_JNL, OP_JMP, OP_COUNT };
#define MAXF 28

static const uint8_t W_E[] = {4, 9, 11, 3, 1, 1, 11, 1, 2, 11, 4, 1, 1, 1, 11, 2, 11, 4, 1, 1, 1, 11, 6, 1, 1, 1, 11, 1};
static const uint8_t W_MV[] = {4, 1, 1, 9, 9, 16, 11, 11, 1, 11, 3, 1, 1, 11, 1, 6, 1};
static const uint8_t W_DOT[] = {4, 9, 11, 11, 11};
static const uint8_t W_PLAS[] = {4, 9, 9, 16, 11, 11, 6, 1, 5, 1, 4, 1, 6};
static const uint8_t W_ACT[] = {4, 2, 9, 11, 11, 11, 11, 5, 13};
static const uint8_t W_LOOP[] = {4, 1, 10};
static const uint8_t W_OP[] = {4};
static const uint8_t W_JMP[] = {4, 10};
static const uint8_t *const LAYOUT[OP_COUNT] = {W_OP, W_E, W_MV, W_DOT, W_PLAS, W_ACT, W_LOOP, W_OP, W_JMP, W_JMP};
static const uint8_t NFIELDS[OP_COUNT] = {1, sizeof W_E, sizeof W_MV, sizeof W_DOT, sizeof W_PLAS, sizeof W_ACT, sizeof W_LOOP, 1, 2, 2};
/* E's field indices: the sources X at 8 and Y at 15 (mode, addr-or-k, slice, clip, shl8, sub_en, sub) */
enum { E_N = 1, E_DST, E_CLAMP, E_COUNT, E_AEN, E_A, E_ANEG, E_X, E_Y = 15, E_U = 22, E_USEEXP, E_PNEG, E_MASKEN, E_MASK, E_ONE };
enum { S_MODE, S_A, S_S, S_CLIP, S_SHL8, S_SUBEN, S_SUB };
enum { MV_T = 1, MV_INIT, MV_ROWS, MV_COLS, MV_WB, MV_X, MV_ACC, MV_EPIEN, MV_DST, MV_CLAMP, MV_ECOUNT, MV_AEN, MV_A, MV_ANEG, MV_SH, MV_PNEG };
enum { PL_ROWS = 1, PL_COLS, PL_WB, PL_R, PL_C, PL_U1, PL_USEEXP1, PL_K, PL_CHAIN, PL_S };
enum { ACT_KIND = 1, ACT_N, ACT_U, ACT_K = 7, ACT_TB };

typedef struct {
  const uint8_t *img;
  const vcore_image_view *v;
  uint32_t w[4];
  uint8_t op;
  int32_t f[MAXF];
} ins_t;

static int32_t k_mant(const ins_t *s, uint32_t k) { return (int32_t)vc_u32(s->img + s->v->k_at + 5u * k); }
static int32_t k_exp(const ins_t *s, uint32_t k) { return (int8_t)s->img[s->v->k_at + 5u * k + 4u]; }

static uint32_t mul(uint32_t a, uint32_t b) {   /* rv32i has no multiply; a, b < 2^16 */
  uint32_t r = 0;
  for (; b; b >>= 1, a <<= 1)
    if (b & 1u) r += a;
  return r;
}

/* reads instruction pc's words and fields; 0, or 1 for an unknown op */
static int decode(ins_t *s, uint32_t pc) {
  uint32_t j, pos = 0, k;
  for (j = 0; j < 4; j++) s->w[j] = vc_u32(s->img + s->v->prog_at + 16u * pc + 4u * j);
  s->op = (uint8_t)(s->w[0] & 15u);
  if (s->op >= OP_COUNT) return 1;
  for (k = 0; k < NFIELDS[s->op]; k++) {   /* a field (at most 16 bits) spans at most two words */
    uint32_t x = s->w[pos >> 5] >> (pos & 31u), wd = LAYOUT[s->op][k];
    if ((pos & 31u) + wd > 32u) x |= s->w[(pos >> 5) + 1u] << (32u - (pos & 31u));
    s->f[k] = (int32_t)(x & ((1u << wd) - 1u));
    pos += wd;
  }
  return 0;
}

/* an 11-bit address and len words from it outside the image's banks */
static int span(const ins_t *s, int32_t a, uint32_t len) {
  uint32_t bank = (uint32_t)a >> 8;
  return bank >= s->v->n_banks || ((uint32_t)a & 0xFFu) + len > s->v->bank_words[bank];
}
static int src_out(const ins_t *s, const int32_t *x, uint32_t n) {
  uint32_t len = x[S_MODE] == 1 ? n : 1u;
  if (x[S_MODE] == 0) return 0;
  if (x[S_MODE] == 3) return (uint32_t)x[S_A] >= s->v->n_k;
  return span(s, x[S_A], len) || (x[S_SUBEN] && span(s, x[S_SUB], len));
}
static int w_out(const ins_t *s, int32_t wb, int32_t rows, int32_t cols) {
  return (uint32_t)wb + mul((uint32_t)rows, (uint32_t)cols) > s->v->n_weights;
}

/* whether the instruction reaches outside the image's memories (instrFault) */
static int fault(const ins_t *s) {
  const int32_t *f = s->f;
  uint32_t n = (uint32_t)f[1];
  switch (s->op) {
    case OP_E:
      return span(s, f[E_DST], n) || (f[E_AEN] && span(s, f[E_A], n)) || src_out(s, f + E_X, n) || src_out(s, f + E_Y, n) ||
             (f[E_MASKEN] && span(s, f[E_MASK], n));
    case OP_MV: {
      uint32_t nx = (uint32_t)(f[MV_T] ? f[MV_ROWS] : f[MV_COLS]), nacc = (uint32_t)(f[MV_T] ? f[MV_COLS] : f[MV_ROWS]);
      return span(s, f[MV_X], nx) || span(s, f[MV_ACC], nacc) || (f[MV_EPIEN] && span(s, f[MV_DST], nacc)) ||
             (f[MV_EPIEN] && f[MV_AEN] && span(s, f[MV_A], nacc)) || w_out(s, f[MV_WB], f[MV_ROWS], f[MV_COLS]);
    }
    case OP_DOT: return span(s, f[2], 1) || span(s, f[3], n) || span(s, f[4], n);
    case OP_PLAS:
      return span(s, f[PL_R], (uint32_t)f[PL_ROWS]) || span(s, f[PL_C], (uint32_t)f[PL_COLS]) || (uint32_t)f[PL_K] >= s->v->n_k ||
             w_out(s, f[PL_WB], f[PL_ROWS], f[PL_COLS]);
    case OP_ACT: {
      uint32_t k, m = (uint32_t)f[ACT_N];
      for (k = 0; k < 4; k++)
        if (span(s, f[ACT_U + k], m)) return 1;
      return (f[ACT_KIND] == 1 && (uint32_t)f[ACT_K] >= s->v->n_k) ||
             (f[ACT_KIND] == 2 && (uint32_t)f[ACT_TB] + 3u * VC_TABLE_KNOTS > s->v->n_tables);
    }
    case OP_LOOP: return (uint32_t)f[2] >= s->v->n_instr;
    case OP_JNL: case OP_JMP: return (uint32_t)f[1] >= s->v->n_instr;
    default: return 0;
  }
}

static void zero(int32_t *f, int from, int to) {
  for (; from <= to; from++) f[from] = 0;
}
static void canon_src(int32_t *x) {
  if (x[S_MODE] == 0) zero(x, S_A, S_SUB);
  else if (x[S_MODE] == 3) zero(x, S_S, S_SUB);
  else if (!x[S_SUBEN]) x[S_SUB] = 0;
}

/* the E op's folded shift and ONE flag as encodeProgram computes them from the decoded instruction (foldU) */
static void canon_e(const ins_t *s, int32_t *f) {
  int xk = f[E_X + S_MODE] == 3;
  uint32_t k = (uint32_t)f[E_X + S_A];
  int32_t dexp = f[E_USEEXP] && xk && k < s->v->n_k ? k_exp(s, k) : 0;   /* decode: K padded with zeros */
  int32_t sh = f[E_ONE] ? f[E_U] : f[E_U] - 15 + dexp;
  /* isOne: the bypass has no slice stage, so only an unsliced, unclipped vector Y takes it */
  int plain_y = f[E_Y + S_MODE] != 0 && f[E_Y + S_MODE] != 3 && f[E_Y + S_S] == 0 && !f[E_Y + S_CLIP];
  int one = plain_y && xk && k != s->v->k_beta && k_mant(s, k) == 1 && k_exp(s, k) == 0;
  f[E_U] = one ? sh : 15 + sh - (f[E_USEEXP] && xk ? k_exp(s, k) : 0);
  f[E_ONE] = one;
  if (!f[E_AEN]) f[E_A] = 0;
  if (!f[E_MASKEN]) f[E_MASK] = 0;
  canon_src(f + E_X);
  canon_src(f + E_Y);
}

/* the canonical fields; 1 where encodeProgram throws (a constant on Y, an E clamp or ACT kind without a code) */
static int canon(const ins_t *s, int32_t *f) {
  switch (s->op) {
    case OP_E:
      if (f[E_Y + S_MODE] == 3 || f[E_CLAMP] > 5) return 1;
      canon_e(s, f);
      return 0;
    case OP_MV:   /* an epilogue's clamp without a code re-encodes as none (encodeProgram's `?? 'none'`) */
      if (!f[MV_EPIEN]) zero(f, MV_DST, MV_PNEG);
      if (f[MV_CLAMP] > 5) f[MV_CLAMP] = 0;
      if (!f[MV_AEN]) f[MV_A] = 0;
      return 0;
    case OP_PLAS:
      if (!f[PL_CHAIN]) zero(f, PL_S, PL_S + 2);
      return 0;
    case OP_ACT: return f[ACT_KIND] == 3;
    default: return 0;
  }
}

/* re-encodes the canonical fields into out; 1 where a value does not fit its field */
static int encode(const ins_t *s, const int32_t *f, uint32_t *out) {
  uint32_t k, pos = 0;
  for (k = 0; k < 4; k++) out[k] = 0;
  for (k = 0; k < NFIELDS[s->op]; k++) {
    uint32_t wd = LAYOUT[s->op][k], x = (uint32_t)f[k];
    if (f[k] < 0 || x >> wd) return 1;
    out[pos >> 5] |= x << (pos & 31u);
    if ((pos & 31u) + wd > 32u) out[(pos >> 5) + 1u] |= x >> (32u - (pos & 31u));
    pos += wd;
  }
  return 0;
}

/* decodeChecked in one pass: a fault refuses at once (every decode and fault precedes the re-encoding in the
 * TypeScript), the first instruction that does not re-encode next, then the first word whose bits differ */
static int program(ins_t *s, vcore_image_view *v) {
  uint32_t pc, j, out[4], bad = 0xFFFFFFFFu, bad_op = 0, enc = 0xFFFFFFFFu;
  int32_t c[MAXF];
  v->err_b = 0;
  for (pc = 0; pc < v->n_instr; pc++) {
    v->err_off = v->prog_at + 16u * pc;
    v->err_a = (uint16_t)pc;
    if (decode(s, pc)) return VF_INSTR;
    if (fault(s)) { v->err_op = s->op; return VF_INSTR_OP; }
    if (enc != 0xFFFFFFFFu) continue;
    for (j = 0; j < NFIELDS[s->op]; j++) c[j] = s->f[j];
    if (canon(s, c) || encode(s, c, out)) { enc = pc; continue; }
    for (j = 0; j < 4 && bad == 0xFFFFFFFFu; j++)
      if (out[j] != s->w[j]) { bad = 4u * pc + j; bad_op = s->op; }
  }
  if (enc != 0xFFFFFFFFu) { v->err_off = v->prog_at + 16u * enc; v->err_a = (uint16_t)enc; return VF_INSTR; }
  if (bad != 0xFFFFFFFFu) {
    v->err_off = v->prog_at + 4u * bad; v->err_a = (uint16_t)(bad >> 2); v->err_b = (uint16_t)(bad & 3u); v->err_op = (uint8_t)bad_op;
    return VF_INSTR_OP_WORD;
  }
  return VF_OK;
}

/* whether an ACT clip reads K k as its top (clipTops) */
static int clip_top(ins_t *s, const vcore_image_view *v, uint32_t k) {
  uint32_t pc;
  for (pc = 0; pc < v->n_instr; pc++) {
    decode(s, pc);
    if (s->op == OP_ACT && s->f[ACT_KIND] == 1 && (uint32_t)s->f[ACT_K] == k) return 1;
  }
  return 0;
}

/* the K register instruction pc reads and its allowed mantissas (checkKUses: a factor's in 0..2^factorBits - 1, a
 * clip top's in 0..2^19 - 1, a non-negative Q3.16 signal); 0 where it reads none */
static int k_use(const ins_t *s, uint32_t factor_bits, uint32_t *k, int32_t *lo, int32_t *hi) {
  *lo = 0;
  *hi = (int32_t)((1u << factor_bits) - 1u);
  if (s->op == OP_E && s->f[E_X + S_MODE] == 3) *k = (uint32_t)s->f[E_X + S_A];
  else if (s->op == OP_PLAS) *k = (uint32_t)s->f[PL_K];
  else if (s->op == OP_ACT && s->f[ACT_KIND] == 1) { *k = (uint32_t)s->f[ACT_K]; *lo = 0; *hi = (1 << 19) - 1; }
  else return 0;
  return 1;
}

/* ---- the RTL limits (vcore-rtl-limits.ts checkRtlProgram) that an image inside its memories can still break ----
 * The memory limits (instructions, banks, K file, weights, tables, targets) are the header's and fault()'s; the K
 * mantissas k_use's; a constant on Y does not re-encode. What is left: LOOPs nested past vcore.v's two-level loop
 * stack, fields vcore_elem lacks, and the bank ports. */

#define X_SLICES (1u << 0 | 1u << 4)   /* vcore_elem's X slice mux: 0 and XS = 4 */
#define Y_SLICES (1u << 0 | 1u << 4 | 1u << 5 | 1u << 8 | 1u << 11 | 1u << 12)

/* checkInstr's fields (E's modes here are v, b or none: a constant on Y does not re-encode): an RTL name, or 0 */
static uint32_t fields(const ins_t *s) {
  const int32_t *f = s->f, *x = f + E_X, *y = f + E_Y;
  if (s->op == OP_MV) return f[MV_ANEG] ? VR_EPI_A_NEG : 0;   /* 0 without an epilogue: canon */
  if (s->op == OP_PLAS) return f[PL_CHAIN] ? VR_CHAIN : 0;
  if (s->op != OP_E) return 0;
  if (f[E_ANEG]) return VR_A_NEG;
  if (x[S_MODE] == 3 && !y[S_MODE]) return 0;
  if (x[S_MODE] == 3 && !y[S_CLIP] && !f[E_ONE])   /* em: K times an unclipped Y, no bypass */
    return y[S_S] ? VR_Y_SLICE : y[S_SUBEN] ? VR_Y_SUB : y[S_SHL8] ? VR_Y_SHL8 : f[E_U] < 15 ? VR_U : 0;
  if (x[S_MODE] && x[S_MODE] != 3) {
    if (!(X_SLICES >> x[S_S] & 1u)) return VR_X_SLICE;
    if (x[S_SUBEN]) return VR_X_SUB;
    if (x[S_SHL8]) return VR_X_SHL8;
  }
  return y[S_MODE] && !(Y_SLICES >> y[S_S] & 1u) ? VR_Y_SLICE : 0;
}

/* The bank accesses of E, MV, DOT, PLAS (checkRtlProgram's accesses()), 4 bytes each: RTL name (| the read's operand
 * role << 5: RL_A, RL_X, RL_Y, RL_S, RL_M, whose read mux must reach the bank: roleReads' order), address field,
 * enable field (0: always; NEG|i: where field i is 0; i: where it is 1 or 2, a flag or a source's mode v or b) and
 * kind: BY (I, J: a pass's inner index, C: broadcast) << 5 | the length's field (0: one word; IN, OUT: MV's inner and
 * outer count), or SRC << 5 | a source's mode field (v: n words by i; b: one word, broadcast). Per op: the reads
 * (the first `slot` of them read in one cycle), then the writes (at most one enabled). */
enum { BY_I, BY_J, BY_C, SRC };
enum { RL_A, RL_X = 1 << 5, RL_Y = 2 << 5, RL_S = 3 << 5, RL_M = 4 << 5 };
typedef char rtl_names_fit_5_bits[VR_COUNT <= 32 ? 1 : -1];   /* the names share the byte with the role */
#define NEG 0x80u
#define IN 30u
#define OUT 31u
#define K_(by, len) ((by) << 5 | (len))
static const uint8_t ACC_E[] = {VR_A | RL_A, E_A, E_AEN, K_(BY_I, E_N), VR_X_A | RL_X, E_X + S_A, E_X, K_(SRC, E_X),   /* X's sub: unread */
                                VR_Y_A | RL_Y, E_Y + S_A, E_Y, K_(SRC, E_Y), VR_Y_SUB | RL_S, E_Y + S_SUB, E_Y + S_SUBEN, K_(SRC, E_Y),
                                VR_MASK | RL_M, E_MASK, E_MASKEN, K_(BY_I, E_N), VR_DST, E_DST, 0, K_(BY_I, E_N)};
static const uint8_t ACC_MV[] = {VR_X | RL_X, MV_X, 0, K_(BY_J, IN), VR_ACC | RL_A, MV_ACC, NEG | MV_INIT, K_(BY_I, OUT),
                                 VR_EPI_A | RL_A, MV_A, MV_AEN, K_(BY_I, OUT),   /* the epilogue's A (a_en is 0 without one) */
                                 VR_EPI_DST, MV_DST, MV_EPIEN, K_(BY_I, OUT), VR_ACC, MV_ACC, NEG | MV_EPIEN, K_(BY_I, OUT)};
static const uint8_t ACC_DOT[] = {VR_X | RL_X, 3, 0, K_(BY_J, 1), VR_Y | RL_Y, 4, 0, K_(BY_J, 1), VR_DST, 2, 0, K_(BY_C, 0)};
static const uint8_t ACC_PLAS[] = {VR_PLAS_R | RL_Y, PL_R, 0, K_(BY_I, PL_ROWS), VR_PLAS_C | RL_X, PL_C, 0, K_(BY_J, PL_COLS)};
static const uint8_t *const ACC[4] = {ACC_E, ACC_MV, ACC_DOT, ACC_PLAS};
/* per op: reads, of them in the slot, all (reads and writes), and the two fields whose larger value is the count n */
static const uint8_t ACC_N[4][5] = {{5, 5, 6, E_N, E_N}, {3, 2, 5, MV_ROWS, MV_COLS}, {2, 2, 3, 1, 1}, {2, 2, 2, PL_ROWS, PL_COLS}};

typedef struct { uint32_t name, by, a, len, role; } acc_t;

/* the enabled accesses of the instruction (op m of ACC_N): reads in p[0..cut[0]) (the slot's in p[0..cut[1])), then
 * the write, if any; returns the count of all */
static uint32_t accesses(const ins_t *s, const uint8_t *m, acc_t *p, uint32_t *cut) {
  const int32_t *f = s->f;
  const uint8_t *d = ACC[s->op - OP_E];
  uint32_t k, c, by, len, t = 0;
  for (k = 0; k <= m[2]; k++, d += 4) {
    if (k == m[0]) cut[0] = t;
    if (k == m[1]) cut[1] = t;
    if (k == m[2]) break;
    c = d[2] & ~NEG;
    if (c && (d[2] & NEG ? f[c] != 0 : (uint32_t)(f[c] - 1) > 1u)) continue;
    by = d[3] >> 5;
    len = d[3] & 31u;
    if (by == SRC) by = f[len] == 1 ? BY_I : BY_C, len = E_N;
    len = len >= IN ? (uint32_t)f[len == IN ? MV_COLS - f[MV_T] : MV_ROWS + f[MV_T]] : len && by != BY_C ? (uint32_t)f[len] : 1u;
    p[t].name = d[0] & 31u; p[t].role = d[0] >> 5; p[t].a = (uint32_t)f[d[1]]; p[t].len = len; p[t].by = by;
    t++;
  }
  return t;
}

/* differ(): two accesses reach different words of one bank in some slot */
static int differ(const acc_t *p, const acc_t *q, uint32_t n) {
  if ((p->a ^ q->a) >> 8) return 0;
  if (p->by == q->by) return p->a != q->a;
  return !(n <= 1u && p->a == q->a);
}

/* checkAccess: a read of a bank an earlier read of the slot holds at another word (VF_RTL_BANK); a write over words
 * a read reads at another index (VF_RTL_WORD; reading ahead, both by the element index and the read base above the
 * write base, is allowed); then checkRoles: a read of a bank its role's read mux does not reach (VF_RTL_BANK; ACT's u
 * is an A read): the RTL name, or 0 */
static uint32_t access(const ins_t *s, uint32_t *code) {
  acc_t p[6];
  const uint8_t *m;
  uint32_t cut[2] = {0, 0}, all, k, j, rw, ww, n;
  *code = VF_RTL_BANK;
  if (s->op == OP_ACT) return s->v->read_banks[RL_A] >> ((uint32_t)s->f[ACT_U] >> 8) & 1u ? 0u : VR_U;
  if (s->op < OP_E || s->op > OP_PLAS) return 0;
  m = ACC_N[s->op - OP_E];
  n = (uint32_t)(s->f[m[3]] > s->f[m[4]] ? s->f[m[3]] : s->f[m[4]]);
  all = accesses(s, m, p, cut);
  for (k = 1; k < all; k++)   /* the slot's reads first, the write last: every port problem precedes every write's */
    for (j = 0; j < k; j++) {
      rw = p[j].a & 0xFFu;
      ww = p[k].a & 0xFFu;
      if (k < cut[1]) *code = VF_RTL_BANK;
      else if (k >= cut[0] && j < cut[0] && !((p[j].a ^ p[k].a) >> 8 || rw >= ww + p[k].len || ww >= rw + p[j].len) &&
               !(p[j].by == BY_I && p[k].by == BY_I && rw > ww)) *code = VF_RTL_WORD;
      else continue;
      if (differ(p + j, p + k, n)) return p[k].name;
    }
  *code = VF_RTL_BANK;
  for (k = 0; k < cut[0]; k++)
    if (!(s->v->read_banks[p[k].role] >> (p[k].a >> 8) & 1u)) return p[k].name;
  return 0;
}

/* checkKUses, then the β readers (exactly the instructions that read K kBeta: E's X, PLAS's k, in pc order), then the
 * RTL limits, in one pass: every register but a clip top in the K file; each register as its users read it (a
 * refusal at once); the reader list; then checkRtlProgram's first problem: a LOOP opening a third level (a level
 * closes at the first pc at or past its end) before any instruction's, else the first instruction's fields, then
 * its accesses; at the instruction's first byte */
static int k_readers_rtl(ins_t *s, vcore_image_view *v, uint32_t factor_bits) {
  uint32_t pc, k, n = 0, readers_ok = 1, open[2], d = 0, loop = 0, bad = 0xFFFFu, name = 0, code = VF_RTL, op = 0;
  int32_t lo, hi, m;
  v->err_b = 0;
  for (k = 0; k < v->n_k; k++)
    if ((uint32_t)k_mant(s, k) >> factor_bits && !clip_top(s, v, k)) { v->err_off = v->k_at + 5u * k; v->err_a = (uint16_t)k; return VF_K_MANT; }
  for (pc = 0; pc < v->n_instr; pc++) {
    decode(s, pc);
    while (d && pc >= open[d - 1u]) d--;
    if (s->op == OP_LOOP && d < 2u) open[d++] = (uint32_t)s->f[2];
    else if (s->op == OP_LOOP) {   /* a third level: the first one wins over every instruction's problem */
      if (!loop) { bad = pc; name = VR_END; code = VF_RTL; op = OP_LOOP; }
      loop = 1;
    } else if (bad == 0xFFFFu) {
      code = VF_RTL;
      if ((name = fields(s)) || (name = access(s, &code))) { bad = pc; op = s->op; }
    }
    if (!k_use(s, factor_bits, &k, &lo, &hi)) continue;
    m = k_mant(s, k);
    if (m < lo || m > hi) { v->err_off = v->k_at + 5u * k; v->err_a = (uint16_t)k; return VF_K_MANT; }
    if (s->op == OP_ACT || k != v->k_beta) continue;
    if (n >= v->n_readers || vc_u16(s->img + v->readers_at + 2u * n) != pc) readers_ok = 0;
    n++;
  }
  if (!readers_ok || n != v->n_readers) { v->err_off = v->readers_at; v->err_a = 0; return VF_READERS; }
  if (bad == 0xFFFFu) return VF_OK;
  v->err_off = v->prog_at + 16u * bad;
  v->err_a = (uint16_t)bad;
  v->err_b = (uint16_t)name;
  v->err_op = (uint8_t)op;
  return (int)code;
}

int vcore_prog_check(const uint8_t *img, vcore_image_view *v, uint32_t factor_bits) {
  ins_t s;
  int e;
  s.img = img;
  s.v = v;
  v->err_b = 0;
  if ((e = program(&s, v)) != VF_OK) return e;
  return k_readers_rtl(&s, v, factor_bits);
}
