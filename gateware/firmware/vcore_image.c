/* vcore_image.c: the check of a vector-core image (see vcore_image.h), in decodeVcoreImage's order: the container
 * (size, magic, version, length, CRC), the header against the build, the sections read in order (each truncation
 * refused at the field's first byte), the interface maps, the end; then the program, the K registers as their users
 * read them and the β readers (vcore_prog_check.c). C99, freestanding, rv32i without multiply. */
#include "vcore_image.h"
#include "crc32.h"

typedef struct {
  const uint8_t *b;
  uint32_t o, end;            /* the next byte; the trailer's first byte */
  vcore_image_view *v;
} rd_t;

#define FAIL(r, code, at, a, bb) do { (r)->v->err_off = (at); (r)->v->err_a = (uint16_t)(a); (r)->v->err_b = (uint16_t)(bb); return (code); } while (0)
#define TRY(x) do { int e_ = (x); if (e_) return e_; } while (0)

/* take: n bytes of field (code, a, b) at r->o, refused where they reach the trailer */
static int take(rd_t *r, uint32_t n, int code, uint32_t a, uint32_t bb, uint32_t *v) {
  uint32_t x = 0, k;
  if (r->o + n > r->end) FAIL(r, code, r->o, a, bb);
  for (k = 0; k < n; k++) x |= (uint32_t)r->b[r->o + k] << (8 * k);
  r->o += n;
  *v = x;
  return 0;
}

/* range: an unsigned field that must lie in lo..hi */
static int range(rd_t *r, uint32_t n, int code, uint32_t a, uint32_t lo, uint32_t hi, uint32_t *v) {
  uint32_t at = r->o;
  TRY(take(r, n, code, a, 0, v));
  if (*v < lo || *v > hi) FAIL(r, code, at, a, 0);
  return 0;
}

/* CRC-32 of n bytes (crc32.h) */
static uint32_t crc32(const uint8_t *p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu, i;
  for (i = 0; i < n; i++) c = crc32_byte(c, p[i]);
  return ~c;
}

/* the WHATWG UTF-8 decoder's fatal mode: 0 where p[0..n) is UTF-8 */
static int bad_utf8(const uint8_t *p, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t c = p[i++], lo = 0x80, hi = 0xBF;
    uint32_t more;
    if (c < 0x80) continue;
    if (c >= 0xC2 && c <= 0xDF) more = 1;
    else if (c >= 0xE0 && c <= 0xEF) { more = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { more = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return 1;
    for (; more; more--, lo = 0x80, hi = 0xBF)
      if (i >= n || p[i] < lo || p[i++] > hi) return 1;
  }
  return 0;
}

static int container(rd_t *r, uint32_t len) {
  uint32_t x;
  if (len < 64) FAIL(r, VF_SHORT, VC_NO_OFFSET, 0, 0);
  if (r->b[0] != 'N' || r->b[1] != 'L' || r->b[2] != 'A' || r->b[3] != 'V') FAIL(r, VF_MAGIC, 0, 0, 0);
  r->o = 4;
  TRY(range(r, 2, VF_VERSION, 0, 1, 1, &x));
  TRY(take(r, 2, VF_FLAGS, 0, 0, &x));
  TRY(take(r, 4, VF_TOTAL, 0, 0, &x));
  if (x != len) FAIL(r, VF_TOTAL, 8, 0, 0);
  if (crc32(r->b, len - 4) != vc_u32(r->b + len - 4)) FAIL(r, VF_CRC, len - 4, 0, 0);
  return 0;
}

static int header(rd_t *r, const vcore_build *b) {
  vcore_image_view *v = r->v;
  uint32_t x, nk;
  TRY(take(r, 4, VF_SOURCE, 0, 0, &v->source_image_id));
  TRY(range(r, 1, VF_NUMFMT, 0, b->number_format, b->number_format, &x));
  TRY(range(r, 1, VF_WSHIFT, 0, b->weight_shift, b->weight_shift, &x));
  TRY(range(r, 1, VF_WBITS, 0, b->weight_bits, b->weight_bits, &x));
  TRY(range(r, 1, VF_OBITS, 0, b->operand_bits, b->operand_bits, &x));
  TRY(range(r, 1, VF_FBITS, 0, b->factor_bits, b->factor_bits, &x));
  v->factor_bits = (uint8_t)x;
  TRY(range(r, 1, VF_NBANKS, 0, 1, b->n_banks, &x)); v->n_banks = (uint8_t)x;
  TRY(range(r, 2, VF_NINSTR, 0, 1, b->instructions, &x)); v->n_instr = (uint16_t)x;
  TRY(range(r, 2, VF_ENTRY_RESET, 0, 0, v->n_instr - 1u, &x)); v->entry_reset = (uint16_t)x;
  TRY(range(r, 2, VF_ENTRY_FRAME, 0, 0, v->n_instr - 1u, &x)); v->entry_frame = (uint16_t)x;
  TRY(range(r, 2, VF_STEPS, 0, 1, 0xFFFF, &x)); v->steps_per_frame = (uint16_t)x;
  TRY(range(r, 2, VF_ITERS, 0, 1, 0xFFFF, &x)); v->iterations = (uint16_t)x;
  TRY(range(r, 1, VF_NK, 0, 0, b->k_regs, &nk)); v->n_k = (uint8_t)nk;
  TRY(range(r, 1, VF_KBETA, 0, 0, nk ? nk - 1u : 0u, &x)); v->k_beta = (uint8_t)x;
  TRY(range(r, 2, VF_NW, 0, 0, b->weight_words, &x)); v->n_weights = (uint16_t)x;
  TRY(take(r, 2, VF_NPROJ, 0, 0, &x)); v->n_proj = (uint16_t)x;
  TRY(range(r, 2, VF_NTAB, 0, 0, b->table_words, &x)); v->n_tables = (uint16_t)x;
  for (; x >= 3u * VC_TABLE_KNOTS; x -= 3u * VC_TABLE_KNOTS) {}   /* whole slots of three tables */
  if (x) FAIL(r, VF_NTAB, r->o - 2u, 0, 0);
  TRY(take(r, 2, VF_NRIN, 0, 0, &x)); v->n_rin = (uint16_t)x;
  TRY(take(r, 2, VF_NBIAS, 0, 0, &x)); v->n_bias = (uint16_t)x;
  TRY(range(r, 2, VF_NOUT, 0, 1, 0xFFFF, &x)); v->n_out = (uint16_t)x;
  TRY(take(r, 2, VF_NALLU, 0, 0, &x)); v->n_all_u = (uint16_t)x;
  TRY(take(r, 2, VF_NCLEAR, 0, 0, &x)); v->n_clear = (uint16_t)x;
  TRY(range(r, 2, VF_NREADERS, 0, 0, v->n_instr, &x)); v->n_readers = (uint16_t)x;
  v->name_at = r->o;
  TRY(take(r, 1, VF_NAME_LEN, 0, 0, &x));
  if (r->o + x > r->end) FAIL(r, VF_NAME, r->o, 0, 0);
  if (bad_utf8(r->b + r->o, x)) FAIL(r, VF_NAME, r->o, 0, 0);
  r->o += x;
  return 0;
}

/* skip: count records of size bytes whose fields are not checked here, each truncation at its field */
static int skip(rd_t *r, uint32_t count, const uint8_t *sizes, const uint8_t *codes, uint32_t nf) {
  uint32_t k, f, x, total = 0;
  for (f = 0; f < nf; f++)
    for (k = 0; k < sizes[f]; k++) total += count;   /* count * record size (no multiply) */
  if (r->o + total <= r->end) {   /* all there: nothing to refuse */
    r->o += total;
    return 0;
  }
  for (k = 0; k < count; k++)
    for (f = 0; f < nf; f++) TRY(take(r, sizes[f], codes[f], k, 0, &x));
  return 0;
}

/* every table value fits a knot word's 18 signed bits, then every step ΔT = T[i+1] - T[i] (0 at a table's last knot)
 * its 14 signed bits (vcore-knots.ts knotProblem): a refusal names the knot's table word */
static int knots(rd_t *r) {
  const vcore_image_view *v = r->v;
  const uint8_t *t = r->b + v->tables_at;
  uint32_t i, k;
  int32_t x;
  for (i = 0; i < v->n_tables; i++) {
    x = (int32_t)vc_u32(t + 4u * i);
    if (x < -(1 << 17) || x >= (1 << 17)) FAIL(r, VF_TABLE, v->tables_at + 4u * i, i, 0);
  }
  for (i = 0, k = 0; i < v->n_tables; i++, k = k == VC_TABLE_KNOTS - 1u ? 0u : k + 1u) {
    x = k == VC_TABLE_KNOTS - 1u ? 0 : (int32_t)vc_u32(t + 4u * i + 4u) - (int32_t)vc_u32(t + 4u * i);
    if (x < -(1 << 13) || x >= (1 << 13)) FAIL(r, VF_TABLE, v->tables_at + 4u * i, i, 0);
  }
  return 0;
}

static int sections(rd_t *r, const vcore_build *b) {
  vcore_image_view *v = r->v;
  static const uint8_t s4[] = {4}, s41[] = {4, 1}, c_w[] = {VF_WEIGHT}, c_t[] = {VF_TABLE}, c_k[] = {VF_K_MANT, VF_K_EXP};
  uint32_t k, j, x, base;
  for (k = 0; k < v->n_banks; k++) {
    TRY(range(r, 2, VF_BANK_WORDS, k, 1, b->bank_words[k], &x)); v->bank_words[k] = (uint16_t)x;
    TRY(range(r, 1, VF_BANK_BITS, k, 1, b->bank_bits[k], &x)); v->bank_bits[k] = (uint8_t)x;
  }
  v->prog_at = r->o;
  for (k = 0; k < v->n_instr; k++)
    for (j = 0; j < 4; j++) TRY(take(r, 4, VF_INSTR_WORD, k, j, &x));
  v->k_at = r->o;
  TRY(skip(r, v->n_k, s41, c_k, 2));
  v->readers_at = r->o;
  for (k = 0; k < v->n_readers; k++) TRY(range(r, 2, VF_READER, k, 0, v->n_instr - 1u, &x));
  v->proj_at = r->o;
  for (k = 0; k < v->n_proj; k++) {
    TRY(range(r, 2, VF_PROJ_WBASE, k, 0, v->n_weights, &base));
    TRY(range(r, 2, VF_PROJ_WLEN, k, 0, v->n_weights - base, &x));
  }
  v->weights_at = r->o;
  TRY(skip(r, v->n_weights, s4, c_w, 1));
  v->tables_at = r->o;
  TRY(skip(r, v->n_tables, s4, c_t, 1));
  return knots(r);
}

/* an address (bank << 8 | word) and len words from it inside the image's banks */
static int in_banks(const vcore_image_view *v, uint32_t a, uint32_t len) {
  uint32_t bank = a >> 8;
  return bank < v->n_banks && (a & 0xFFu) + len <= v->bank_words[bank];
}

static int addrs(rd_t *r, uint32_t count, int code, uint32_t *at) {
  uint32_t k, x, o;
  *at = r->o;
  for (k = 0; k < count; k++) {
    o = r->o;
    TRY(take(r, 2, code, k, 0, &x));
    if (!in_banks(r->v, x, 1)) FAIL(r, code, o, k, 0);
  }
  return 0;
}

static int maps(rd_t *r) {
  vcore_image_view *v = r->v;
  uint32_t k, f, x, len, o;
  TRY(addrs(r, v->n_rin, VF_RIN, &v->rin_at));
  TRY(addrs(r, v->n_bias, VF_BIAS, &v->bias_at));
  v->out_at = r->o;
  for (k = 0; k < v->n_out; k++)
    for (f = 0; f < 6; f++) {
      o = r->o;
      TRY(take(r, 2, VF_OUT_U + (int)f, k, 0, &x));
      if (!in_banks(v, x, 1)) FAIL(r, VF_OUT_U + (int)f, o, k, 0);
    }
  TRY(addrs(r, v->n_all_u, VF_ALLU, &v->all_u_at));
  v->clear_at = r->o;
  for (k = 0; k < v->n_clear; k++) {
    o = r->o;
    TRY(take(r, 2, VF_CLEAR, k, 0, &x));
    TRY(take(r, 2, VF_CLEAR_LEN, k, 0, &len));
    if (!in_banks(v, x, len ? len : 1)) FAIL(r, VF_CLEAR, o, k, 0);
  }
  if (r->o != r->end) FAIL(r, VF_END, r->o, 0, 0);
  return 0;
}

int vcore_image_check(const uint8_t *img, uint32_t len, const vcore_build *b, vcore_image_view *out) {
  rd_t r;
  uint32_t x;
  r.b = img;
  r.o = 0;
  r.end = len - 4;
  r.v = out;
  out->err_op = 0;
  for (x = 0; x < 5u; x++) out->read_banks[x] = b->read_banks[x];
  TRY(container(&r, len));
  TRY(header(&r, b));
  TRY(sections(&r, b));
  TRY(maps(&r));
  return vcore_prog_check(img, out, b->factor_bits);
}

#define VCORE_FIELD_NAME(code, id, name) case code: return name;
const char *vcore_field_name(int code) {
  switch (code) {
    VCORE_FIELDS(VCORE_FIELD_NAME)
    default: return "";
  }
}
#undef VCORE_FIELD_NAME

/* the RTL names packed in code order (VCORE_RTL_NAMES numbers them 1, 2, ...): a walk over NULs, no pointer table */
#define VCORE_RTL_STR(code, id, name) name "\0"
static const char RTL_NAMES[] = VCORE_RTL_NAMES(VCORE_RTL_STR);
const char *vcore_rtl_name(int code) {
  const char *p = RTL_NAMES;
  if (code < 1 || code >= VR_COUNT) return "";
  while (--code)
    while (*p++) {}
  return p;
}
