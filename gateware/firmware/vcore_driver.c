/* vcore_driver.c: VcoreDriver (hardware-models/fixed-point/vcore-driver.ts) in C; see vcore_driver.h. Every function
 * makes the TypeScript method's port accesses in its order; the image's maps are read from the image buffer where the
 * view says (little-endian u16 addresses bank << 8 | word). */
#include "vcore_driver.h"

#define GUARD 8
#define SIGNAL_MAX ((1 << 19) - 1)
#define SIGNAL_MIN (-(1 << 19))
#define ONE (1 << 16)
#define E_U_AT 103u          /* E's folded shift u (6 bits) and use_exp (core-program-encode.ts E_FIELDS) */
#define E_USE_EXP_AT 109u
#define PLAS_U1_AT 60u       /* PLAS's folded shift u1 (6 bits) and use_exp1 */
#define PLAS_USE_EXP_AT 66u

static int32_t sat(int32_t x) { return x > SIGNAL_MAX ? SIGNAL_MAX : x < SIGNAL_MIN ? SIGNAL_MIN : x; }
/* the probes' sat(shr(x, GUARD)): rounded arithmetic shift of a bank word, saturated to Q3.16 */
static int32_t sat_shr(int64_t x) {
  int64_t y = (x + (1 << (GUARD - 1))) >> GUARD;
  return y > SIGNAL_MAX ? SIGNAL_MAX : y < SIGNAL_MIN ? SIGNAL_MIN : (int32_t)y;
}

static uint32_t img_word(const vcore_driver *d, uint32_t i) { return vc_u32(d->img + d->v->prog_at + 4u * i); }
static uint32_t reader_pc(const vcore_driver *d, uint32_t r) { return vc_u16(d->img + d->v->readers_at + 2u * r); }
static uint32_t field(const uint32_t *w, uint32_t at, uint32_t width) {
  uint32_t v = 0, b;
  for (b = 0; b < width; b++) v |= ((w[(at + b) >> 5] >> ((at + b) & 31u)) & 1u) << b;
  return v;
}
static void set_field(uint32_t *w, uint32_t at, uint32_t width, uint32_t v) {
  uint32_t b, m;
  for (b = 0; b < width; b++) {
    m = 1u << ((at + b) & 31u);
    w[(at + b) >> 5] = (v >> b) & 1u ? w[(at + b) >> 5] | m : w[(at + b) >> 5] & ~m;
  }
}
/* an address of the image's maps */
static void bank_wr(const vcore_driver *d, uint32_t at, int32_t value) {
  uint32_t a = vc_u16(d->img + at);
  hal_vcore_bank_write(a >> 8, a & 0xFFu, value);
}
static int64_t bank_rd(const vcore_driver *d, uint32_t at) {
  uint32_t a = vc_u16(d->img + at);
  return hal_vcore_bank_read(a >> 8, a & 0xFFu);
}
static int32_t k_mant(const vcore_driver *d, uint32_t k) { return (int32_t)vc_u32(d->img + d->v->k_at + 5u * k); }
static int32_t k_exp(const vcore_driver *d, uint32_t k) { return (int8_t)d->img[d->v->k_at + 5u * k + 4u]; }

int vcore_driver_init(vcore_driver *d, const uint8_t *img, const vcore_image_view *v, uint32_t weight_words) {
  uint32_t r, j;
  if (v->n_readers > VD_MAX_READERS) return VD_TOO_MANY_READERS;
  d->img = img;
  d->v = v;
  d->weight_words = weight_words;
  d->frames = 0;
  d->run_err = VD_OK;
  d->beta_exp = v->k_beta < v->n_k ? k_exp(d, v->k_beta) : 0;
  for (r = 0; r < v->n_readers; r++)
    for (j = 0; j < 4; j++) d->words[r][j] = img_word(d, 4u * reader_pc(d, r) + j);
  return VD_OK;
}

/* program halfword h as the core holds it (a β reader's from the driver's copy) */
static void write_half(const vcore_driver *d, uint32_t h, const uint32_t *reader, uint32_t j) {
  uint32_t w = reader ? reader[j] : img_word(d, h >> 1);
  hal_vcore_prog_write(h, h & 1u ? w >> 16 : w & 0xFFFFu);
}

/* whether an ACT clip reads K k as its top (vcore-image.ts clipTops): ACT is op 5, kind 1 (bits 5:4), k bits 63:59 */
static int clip_top(const vcore_driver *d, uint32_t k) {
  uint32_t pc, w[2];
  for (pc = 0; pc < d->v->n_instr; pc++) {
    w[0] = img_word(d, 4u * pc);
    w[1] = img_word(d, 4u * pc + 1u);
    if ((w[0] & 15u) == 5u && field(w, 4, 2) == 1u && field(w, 59, 5) == k) return 1;
  }
  return 0;
}

/* knot i's word: T & 0x3FFFF | (dT & 0x3FFF) << 18, dT = T[i+1] - T[i], 0 at a table's last knot (vcore-knots.ts) */
static uint32_t knot_word(const vcore_driver *d, uint32_t i) {
  const uint8_t *t = d->img + d->v->tables_at + 4u * i;
  uint32_t last, k = i;
  while (k >= VC_TABLE_KNOTS) k -= VC_TABLE_KNOTS;
  last = k == VC_TABLE_KNOTS - 1u;
  return (vc_u32(t) & 0x3FFFFu) | ((last ? 0u : vc_u32(t + 4) - vc_u32(t)) & 0x3FFFu) << 18;
}

/* a run of the core from pc: its result, kept in run_err (err_pc set by the HAL on an error) */
static int run(vcore_driver *d, uint32_t pc, int learn) {
  d->run_err = hal_vcore_run(pc, learn, &d->err_pc);
  return d->run_err;
}

int vcore_install(vcore_driver *d) {
  uint32_t pc, j, r = 0, i;
  const uint8_t *w = d->img + d->v->weights_at;
  for (pc = 0; pc < d->v->n_instr; pc++) {
    const uint32_t *reader = r < d->v->n_readers && reader_pc(d, r) == pc ? d->words[r++] : 0;
    for (j = 0; j < 8; j++) write_half(d, 8u * pc + j, reader, j >> 1);
  }
  for (i = 0; i < d->v->n_k; i++) {
    int32_t m = k_mant(d, i);
    if (!((uint32_t)m >> d->v->factor_bits)) hal_vcore_k_write(i, (uint32_t)m);
    if (clip_top(d, i)) hal_vcore_clip_top_write(i, m);
  }
  hal_vcore_par_write(0, d->v->steps_per_frame);
  hal_vcore_par_write(1, d->v->iterations);
  for (i = 0; i < d->v->n_weights; i++) {
    hal_vcore_w_write(i, (int32_t)vc_u32(w + 4u * i));
    hal_vcore_w_write(d->weight_words + i, (int32_t)vc_u32(w + 4u * i));
  }
  for (i = 0; i < d->v->n_tables; i++) hal_vcore_knot_write(i, knot_word(d, i));
  return vcore_reset(d);
}

int vcore_reset(vcore_driver *d) {
  uint32_t bank, word, k;
  for (bank = 0; bank < d->v->n_banks; bank++)
    for (word = 0; word < d->v->bank_words[bank]; word++) hal_vcore_bank_write(bank, word, 0);
  for (k = 0; k < d->v->n_bias; k++) bank_wr(d, d->v->bias_at + 2u * k, ONE << GUARD);
  hal_vcore_sat_write(0);
  d->frames = 0;
  return run(d, d->v->entry_reset, 0);
}

void vcore_reload_weights(vcore_driver *d) {
  uint32_t i;
  for (i = 0; i < d->v->n_weights; i++) hal_vcore_w_write(i, hal_vcore_w_read(d->weight_words + i));
}

/* β reader r's refolded shift for a factor exponent shift: its field's place in *at, -1 where it takes no exponent,
 * -2 where the shift leaves its 6 bits */
static int32_t refolded(const vcore_driver *d, uint32_t r, int32_t shift, uint32_t *at) {
  const uint32_t *w = d->words[r];
  int e = (w[0] & 15u) == 1u;
  int32_t u;
  *at = e ? E_U_AT : PLAS_U1_AT;
  if (!field(w, e ? E_USE_EXP_AT : PLAS_USE_EXP_AT, 1)) return -1;
  u = (int32_t)field(w, *at, 6) + d->beta_exp - shift;
  return u < 0 || u > 63 ? -2 : u;
}

/* rewrites reader r's field and the halfwords that change (low half, then high half, word by word) */
static void rewrite(vcore_driver *d, uint32_t r, uint32_t at, uint32_t u) {
  uint32_t before[4], j, pc = reader_pc(d, r), *w = d->words[r];
  for (j = 0; j < 4; j++) before[j] = w[j];
  set_field(w, at, 6, u);
  for (j = 0; j < 4; j++) {
    if ((before[j] ^ w[j]) & 0xFFFFu) write_half(d, 8u * pc + 2u * j, w, j);
    if ((before[j] ^ w[j]) >> 16) write_half(d, 8u * pc + 2u * j + 1u, w, j);
  }
}

int vcore_set_param(vcore_driver *d, uint32_t id, uint32_t value) {
  uint32_t mant = value, r, at;
  int32_t shift = 0, u;
  if (id == 3) {
    hal_vcore_par_write(1, value);
    return VD_OK;
  }
  if (id != 2) return VD_BAD_PARAM;
  while (mant >> d->v->factor_bits) {   /* factorOf: mant = shr(value, shift), rounded half up */
    shift++;
    mant = (value >> shift) + ((value >> (shift - 1)) & 1u);
  }
  for (r = 0; r < d->v->n_readers; r++)
    if (refolded(d, r, shift, &at) == -2) {
      d->err_pc = reader_pc(d, r);
      return VD_BAD_SHIFT;
    }
  for (r = 0; r < d->v->n_readers; r++)
    if ((u = refolded(d, r, shift, &at)) >= 0) rewrite(d, r, at, (uint32_t)u);
  hal_vcore_k_write(d->v->k_beta, mant);
  d->beta_exp = shift;
  return VD_OK;
}

void vcore_set_targets(vcore_driver *d, const int32_t *values) {
  uint32_t k, o;
  for (k = 0; k < d->v->n_out; k++) {
    o = d->v->out_at + 12u * k;   /* u, rho, ebar, ustar, prev, ht */
    if (values[k] == VD_NO_TARGET) {
      bank_wr(d, o + 10u, 0);
      continue;
    }
    if (!bank_rd(d, o + 10u)) bank_wr(d, o + 8u, sat(values[k]) * (1 << GUARD));
    bank_wr(d, o + 10u, 1);
    bank_wr(d, o + 6u, sat(values[k]) * (1 << GUARD));
  }
}

uint32_t vcore_frame(vcore_driver *d, const int32_t *inputs, int learn, uint32_t probes, int32_t *out) {
  uint32_t n = 0;
  vcore_frame_start(d, inputs, learn);
  while (vcore_frame_poll(d, probes, out, &n) == VD_BUSY) {}
  return n;
}

void vcore_frame_start(vcore_driver *d, const int32_t *inputs, int learn) {
  uint32_t k;
  for (k = 0; k < d->v->n_rin; k++) bank_wr(d, d->v->rin_at + 2u * k, sat(inputs[k]));
  hal_vcore_run_start(d->v->entry_frame, learn);
}

int vcore_frame_poll(vcore_driver *d, uint32_t probes, int32_t *out, uint32_t *n) {
  int r = hal_vcore_run_poll(&d->err_pc);
  if (r == VD_BUSY) return r;
  d->run_err = r;
  if (r != VD_OK) {
    *n = 0;
    return r;
  }
  d->frames++;
  *n = vcore_probe(d, probes, out);
  return r;
}

uint32_t vcore_probe(vcore_driver *d, uint32_t probes, int32_t *out) {
  uint32_t k, n = 0, o = d->v->out_at;
  if (probes & VD_PROBE_OUTPUT_U)
    for (k = 0; k < d->v->n_out; k++) out[n++] = sat_shr(bank_rd(d, o + 12u * k));
  if (probes & VD_PROBE_OUTPUT_RATE)
    for (k = 0; k < d->v->n_out; k++) out[n++] = (int32_t)(uint32_t)(uint64_t)bank_rd(d, o + 12u * k + 2u);
  if (probes & VD_PROBE_OUTPUT_ERROR)
    for (k = 0; k < d->v->n_out; k++) out[n++] = sat_shr(bank_rd(d, o + 12u * k + 4u));
  if (probes & VD_PROBE_ALL_U)
    for (k = 0; k < d->v->n_all_u; k++) out[n++] = sat_shr(bank_rd(d, d->v->all_u_at + 2u * k));
  return n;
}

uint32_t vcore_saturations(vcore_driver *d) {
  (void)d;
  return hal_vcore_sat_read();
}

uint32_t vcore_weights(vcore_driver *d, uint32_t k, int32_t *out) {
  const uint8_t *p = d->img + d->v->proj_at + 4u * k;
  uint32_t i, base = vc_u16(p), len = vc_u16(p + 2);
  for (i = 0; i < len; i++) out[i] = hal_vcore_w_read(base + i);
  return len;
}
