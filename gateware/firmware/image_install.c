/* image_install.c: nla_core's image loader (gateware/nla_core_load.vh) as firmware; see image_install.h.
 * C99, rv32i without multiply (the one product, rows*cols, is a shift-and-add loop), no libc. The code
 * follows the RTL state by state (the V_* names in the comments), so that the checks, their order, the
 * result codes and the byte offsets are the RTL's. */
#include "image_install.h"

/* ---- the core's widths and addresses (nla_core.v localparams) ---- */
#define CL2(x) ((x) <= 1 ? 0 : (x) <= 2 ? 1 : (x) <= 4 ? 2 : (x) <= 8 ? 3 : (x) <= 16 ? 4 : (x) <= 32 ? 5 : \
  (x) <= 64 ? 6 : (x) <= 128 ? 7 : (x) <= 256 ? 8 : (x) <= 512 ? 9 : (x) <= 1024 ? 10 : (x) <= 2048 ? 11 : \
  (x) <= 4096 ? 12 : (x) <= 8192 ? 13 : (x) <= 16384 ? 14 : (x) <= 32768 ? 15 : (x) <= 65536 ? 16 : 17)
#define BITS(x) ((x) > 1 ? CL2(x) : 1)
#define NB BITS(II_MAX_NEURONS)
#define SB CL2(II_MAX_SYNAPSES)
#define B1 (II_MAX_NEURONS)                       /* input units' block in fb after B2 */
#define B2 (2 * II_MAX_NEURONS)                   /* fb: units' populations; aw: records */
#define FO (II_MAX_INPUTS + II_MAX_OUTPUTS)       /* fb: the output map */
#define AW_REC B2                                 /* aw: projection records */
#define AW_POP (B2 + II_MAX_PROJ)                 /* aw: population records */
#define W0BASE 4096u
#define TBASE 8192u
#define RP NB                                     /* projection record fields (bit positions) */
#define RR (2 * NB)
#define RC (3 * NB + 1)
#define RW (4 * NB + 2)
#define RE (4 * NB + 2 + SB)
#define PAYQ (II_MAX_PAYLOAD >= 10 ? (II_MAX_PAYLOAD - 10) / 3 : 0)
#define MASK(n) ((1u << (n)) - 1u)

typedef struct { uint8_t kind; uint16_t size, off; uint32_t fan; } pop_t;   /* the RTL's scratch word */

static pop_t pops[II_MAX_POPS];
static uint32_t pos, body_end, fstart;
static uint8_t chk, code;
static uint16_t eoff;

static const uint32_t crc_tab[16] = {   /* CRC-32 (reflected 0xEDB88320) of one nibble */
  0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
  0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};

#define FAIL(c, o) do { code = (uint8_t)(c); eoff = (uint16_t)(o); return -1; } while (0)
#define RD(n, v) do { if (rd((n), &(v))) return -1; } while (0)

/* rd: n bytes little-endian at pos; with chk, a field that reaches the trailer is refused at its first byte
 * (F_FS; the RTL stops at the first byte at or past the trailer, and reads change nothing) */
static int rd(unsigned n, uint32_t *v) {
  uint32_t x = 0, p = pos;
  unsigned k;
  fstart = p;
  if (chk && p + n > body_end) FAIL(1, p);
  for (k = 0; k < 8 * n; k += 8) x |= (uint32_t)hal_stage_rd(p++) << k;
  pos = p;
  *v = x;
  return 0;
}

/* V_STR: skip a string (u8 length, bytes); ending past the trailer refuses it at the byte after the length */
static int str(void) {
  uint32_t n;
  RD(1, n);
  if (pos + n > body_end) FAIL(1, pos);
  pos += n;
  return 0;
}

static uint32_t mul16(uint32_t a, uint32_t b) {   /* a * b for 16-bit a, b (rv32i has no multiply) */
  uint32_t r = 0;
  while (b) {
    if (b & 1u) r += a;
    a <<= 1;
    b >>= 1;
  }
  return r;
}

static void wr64(uint32_t addr, uint32_t lo, uint32_t hi) {
  hal_core_wr(II_MEM_AW_LO, addr, lo);
  hal_core_wr(II_MEM_AW_HI, addr, hi);
}

/* one pass over the records from byte 12 (pass 1: checks only; pass 2, inst: the writes) */
static int pass(int inst, uint32_t crc) {
  uint32_t v, nin, nst, nn, no, npop, nproj, k, kind, size, off, act, dec, top = 0, tab = 0, ntab = 0;
  uint32_t cnt_in = 0, cnt_n = 0, cnt_st = 0, syn = 0;
  pos = 12;
  RD(4, v); if (v == 0) FAIL(1, fstart);                                      /* V_DT */
  RD(2, v); if (v == 0) FAIL(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_STEPS, v);   /* V_SPF */
  RD(2, v); if (v == 0) FAIL(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_ITERS, v);   /* V_IT */
  RD(1, v); if (v > 15) FAIL(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_RELAX, v);   /* V_RS */
  RD(1, v);                                                                   /* V_RSV */
  RD(4, v); if (v >> 24) FAIL(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_BETA, v);   /* V_BETA */
  RD(2, nin); RD(2, nst);
  RD(2, nn); if (nn == 0) FAIL(1, fstart);
  RD(2, no);
  if (no == 0 || no > nn) FAIL(1, fstart);
  if (no > II_MAX_OUTPUTS) FAIL(2, fstart);
  RD(2, npop);
  if (npop == 0 || npop > 1024) FAIL(1, fstart);
  if (npop > II_MAX_POPS) FAIL(2, fstart);
  RD(2, nproj);
  if (nproj > II_MAX_PROJ) FAIL(2, fstart);
  if (inst) {
    hal_core_wr(II_MEM_REG, II_REG_NIN, nin); hal_core_wr(II_MEM_REG, II_REG_NST, nst);
    hal_core_wr(II_MEM_REG, II_REG_NN, nn); hal_core_wr(II_MEM_REG, II_REG_NO, no);
    hal_core_wr(II_MEM_REG, II_REG_NPROJ, nproj);
  }
  if (str()) return -1;
  /* ---- population records */
  for (k = 0; k < npop; k++) {
    RD(1, kind); if (kind > 3) FAIL(1, fstart);                               /* V_PKIND */
    RD(2, size); if (size == 0) FAIL(1, fstart);                              /* V_PSIZE */
    RD(2, off); if (off != (kind <= 1 ? cnt_in : cnt_n)) FAIL(1, fstart);     /* V_POFF */
    pops[k].kind = (uint8_t)kind; pops[k].size = (uint16_t)size; pops[k].off = (uint16_t)off; pops[k].fan = 0;
    if (kind <= 1) cnt_in = (cnt_in + size) & 0x1ffffu; else cnt_n = (cnt_n + size) & 0x1ffffu;
    if (kind == 0) cnt_st = (cnt_st + size) & 0x1ffffu;
    RD(4, dec); if (dec >> 24) FAIL(1, fstart);                               /* V_PDEC */
    RD(1, act);                                                               /* V_PACT */
    if (act > 2 || (kind <= 1 && act != 0)) FAIL(1, fstart);
    if (act == 1) {                                                           /* V_PTOP */
      RD(4, v); if (v >> 31) FAIL(1, fstart);
      top = v > 524288u ? 524288u : v;
    }
    if (str()) return -1;                       /* a table's source, else the name */
    if (act == 2) {                                                           /* V_PTAB0, V_PTAB1 */
      uint32_t ti, a;
      if (ntab == II_MAX_TABLES) FAIL(2, pos);
      tab = ntab++;
      a = TBASE + (tab << 10);
      for (ti = 0; ti < 771; ti++) {
        RD(4, v);
        if ((v >> 19) != 0 && (v >> 19) != 0x1fffu) FAIL(1, fstart);          /* outside Q3.16 */
        if (inst) hal_core_wr(II_MEM_WMEM, a + ti, v);
      }
      if (str()) return -1;                     /* the name */
    }
    if (inst)                                                                 /* V_PEND: {tab, act, top, dec} */
      wr64(AW_POP + k, dec | ((act == 1 ? top : 0) << 24),
           ((act == 1 ? top : 0) >> 8) | (act << 13) | ((act == 2 ? tab : 0) << 15));
  }
  if (cnt_in != nin || cnt_n != nn || cnt_st != nst) FAIL(1, pos);            /* V_SUMS */
  /* ---- outputs */
  for (k = 0; k < no; k++) {                                                  /* V_OUT .. V_OUT3 */
    uint32_t p, ok = 0;
    RD(2, v);
    for (p = 0; p < npop; p++)
      if (pops[p].kind == 3 && v >= pops[p].off && v - pops[p].off < pops[p].size) ok = 1;
    if (v >= nn || !ok) FAIL(1, fstart);
    if (inst) hal_core_wr(II_MEM_FB, FO + k, v & MASK(NB));
  }
  /* ---- projection records */
  for (k = 0; k < nproj; k++) {
    uint32_t pre, rows, cols, eta, rc, wend, qo, po, pg;
    pop_t *q, *pp;
    RD(1, pre); if (pre > 1) FAIL(1, fstart);                                 /* V_JPRE */
    RD(2, v); if (v >= npop) FAIL(1, fstart);                                 /* V_JPREP, V_JPREP2 */
    q = &pops[v];
    if ((q->kind <= 1) != (pre == 0)) FAIL(1, fstart);
    pg = q->kind == 0; qo = q->off; cols = q->size;
    RD(2, v); if (v >= npop) FAIL(1, fstart);                                 /* V_JPOST, V_JPOST2 */
    pp = &pops[v];
    if (pp->kind <= 1) FAIL(1, fstart);
    po = pp->off; rows = pp->size;
    RD(2, v); if (v != rows) FAIL(1, fstart);                                 /* V_JROWS */
    RD(2, v); if (v != cols) FAIL(1, fstart);                                 /* V_JCOLS */
    RD(4, eta); if (eta >> 24) FAIL(1, fstart);                               /* V_JETA */
    if (str()) return -1;
    rc = mul16(rows, cols);                                                   /* V_JW */
    wend = pos + ((rc & 0xffffu) << 2);
    if ((rc >> 15) || wend > body_end) FAIL(1, pos + ((body_end - pos) & ~3u));
    if (!inst) { pp->fan = (pp->fan + cols) & 0x1ffffu; pos = wend; }
    else {
      uint32_t i, w, lo, hi;
      /* record word {eta @RE, first weight @RW, cols @RC, rows @RR, post offset @RP, pre offset @0} */
      uint64_t r = ((uint64_t)eta << RE) | ((uint64_t)(syn & MASK(SB)) << RW) | ((uint64_t)(cols & MASK(NB + 1)) << RC) |
                   ((uint64_t)(rows & MASK(NB + 1)) << RR) | ((uint64_t)(po & MASK(NB)) << RP) | (uint64_t)(qo & MASK(NB));
      lo = (uint32_t)r; hi = (uint32_t)(r >> 32);
      wr64(AW_REC + k, lo, hi);
      hal_core_wr(II_MEM_REG, II_REG_J + k, pre | (pg << 1) | ((eta != 0) << 2));
      for (i = 0; i < rc; i++) {                                              /* I_W1 .. I_W3 */
        RD(4, w);
        hal_core_wr(II_MEM_WMEM, syn + i, w);
        hal_core_wr(II_MEM_WMEM, W0BASE | (syn + i), w);
      }
    }
    syn = (syn + rc) & 0x1ffffu;
  }
  for (k = 0; k < npop; k++) if (pops[k].fan > 1024) FAIL(1, pos);            /* V_FAN */
  if (pos != body_end) FAIL(1, pos);                                          /* V_END */
  if (nn > II_MAX_NEURONS || syn > II_MAX_SYNAPSES || nin > II_MAX_INPUTS || no > II_MAX_OUTPUTS ||
      II_MAX_PAYLOAD < 10 || nst > PAYQ) FAIL(2, 0);                          /* V_CAP (6.3) */
  if (inst) {
    hal_core_wr(II_MEM_REG, II_REG_CRC, crc);
    hal_core_wr(II_MEM_REG, II_REG_NSYN, syn);
    for (k = 0; k < npop; k++) {                                              /* I_N1 .. I_N3 */
      uint32_t u, base = pops[k].kind >= 2 ? B2 : B2 + B1, val = k | (pops[k].kind == 1 ? 1u << 23 : 0);
      for (u = 0; u < pops[k].size; u++) hal_core_wr(II_MEM_FB, base + pops[k].off + u, val);
    }
  }
  return 0;
}

int image_install(uint32_t total, uint16_t *err_off) {
  uint32_t v, crc = 0xFFFFFFFFu, i;
  total &= 0x1ffffu;
  body_end = (total - 4) & 0x1ffffu;
  chk = 1; pos = 0; code = 0; eoff = 0;
  if (total < 48) { code = 1; eoff = 0; goto out; }                           /* V_START */
  if (total > II_IMG_BYTES) { code = 2; eoff = 8; goto out; }
  if (rd(4, &v)) goto out;
  if (v != 0x49414C4Eu) { code = 1; eoff = 0; goto out; }                     /* V_MAGIC */
  if (rd(2, &v)) goto out;
  if (v != 1) { code = 1; eoff = 4; goto out; }                               /* V_VER */
  if (rd(2, &v)) goto out;                                                    /* V_FLAGS */
  if (rd(4, &v)) goto out;
  if (v != total) { code = 1; eoff = 8; goto out; }                           /* V_TOT */
  for (i = 0; i < body_end; i++) {                                            /* V_CRC0 .. V_CRC3 */
    uint32_t b = hal_stage_rd(i);
    crc = crc_tab[(crc ^ b) & 15u] ^ (crc >> 4);
    crc = crc_tab[(crc ^ (b >> 4)) & 15u] ^ (crc >> 4);
  }
  crc = ~crc;
  pos = body_end; chk = 0;
  if (rd(4, &v)) goto out;
  if (v != crc) { code = 1; eoff = (uint16_t)body_end; goto out; }            /* V_CRCCMP */
  chk = 1;
  if (pass(0, crc)) goto out;                                                 /* pass 1: the checks */
  hal_core_wr(II_MEM_CTL, II_CTL_BEGIN, 0);
  if (pass(1, crc)) goto out;                                                 /* pass 2: the same bytes, valid */
  hal_core_wr(II_MEM_CTL, II_CTL_END, 0);
out:
  *err_off = eoff;
  return code;
}
