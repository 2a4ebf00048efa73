/* image_install.c: nla_core's image loader (the former RTL loader nla_core_load.vh, in git history) as firmware; see image_install.h.
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
static uint32_t spent;   /* staged bytes read since the last yield */
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
  spent += n;
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

/* ---- the loader as a resumable job (a protothread: the state is static, `lc` the line to resume at) ---- */
/* the job's state: one struct, reached through one base register (statics would cost an address each) */
static struct job_s {
  uint32_t lc, budget, total_, crc, i_, inst, v, nin, nst, nn, no, npop, nproj, k, kd, sz, of, act, dec, top, tab, ntab, cnt_in, cnt_n, cnt_st, syn, ti, ta, pre, rows, cols, eta, rc, wend, qo, po, pg;
  pop_t *q, *pp;
} job;

#define FAILJ(c, o) do { code = (uint8_t)(c); eoff = (uint16_t)(o); goto out; } while (0)
#define RDJ(n, x) do { if (rd((n), &(x))) goto out; } while (0)
#define STRJ() do { if (str()) goto out; } while (0)
/* give the caller its turn once `budget` staged bytes were read since the last turn */
#define SPENT_YIELD() do { if (spent >= budget) { spent = 0; lc = __LINE__; return II_BUSY; case __LINE__:; } } while (0)

void image_install_start(uint32_t total) {
  job.total_ = total & 0x1ffffu;
  job.lc = 1;
}

#define lc (J->lc)
#define budget (J->budget)
#define total_ (J->total_)
#define crc (J->crc)
#define i_ (J->i_)
#define inst (J->inst)
#define v (J->v)
#define nin (J->nin)
#define nst (J->nst)
#define nn (J->nn)
#define no (J->no)
#define npop (J->npop)
#define nproj (J->nproj)
#define k (J->k)
#define kd (J->kd)
#define sz (J->sz)
#define of (J->of)
#define act (J->act)
#define dec (J->dec)
#define top (J->top)
#define tab (J->tab)
#define ntab (J->ntab)
#define cnt_in (J->cnt_in)
#define cnt_n (J->cnt_n)
#define cnt_st (J->cnt_st)
#define syn (J->syn)
#define ti (J->ti)
#define ta (J->ta)
#define pre (J->pre)
#define rows (J->rows)
#define cols (J->cols)
#define eta (J->eta)
#define rc (J->rc)
#define wend (J->wend)
#define qo (J->qo)
#define po (J->po)
#define pg (J->pg)
#define q (J->q)
#define pp (J->pp)
int image_install_poll(uint32_t max_bytes, uint16_t *err_off) {
  struct job_s *const J = &job;
  budget = max_bytes ? max_bytes : 1;
  spent = 0;
  switch (lc) {
  case 0: return II_IDLE;
  case 1:
  body_end = (total_ - 4) & 0x1ffffu;
  chk = 1; pos = 0; code = 0; eoff = 0;
  if (total_ < 48) FAILJ(1, 0);                                               /* V_START */
  if (total_ > II_IMG_BYTES) FAILJ(2, 8);
  RDJ(4, v); if (v != 0x49414C4Eu) FAILJ(1, 0);                               /* V_MAGIC */
  RDJ(2, v); if (v != 1) FAILJ(1, 4);                                         /* V_VER */
  RDJ(2, v);                                                                  /* V_FLAGS */
  RDJ(4, v); if (v != total_) FAILJ(1, 8);                                    /* V_TOT */
  crc = 0xFFFFFFFFu; i_ = 0;
  while (i_ < body_end) {                                                     /* V_CRC0 .. V_CRC3 */
    {   /* a slice of at most `budget` bytes, in registers */
      uint32_t c = crc, i = i_, stop = body_end - i > budget ? i + budget : body_end;
      for (; i < stop; i++) {
        uint32_t b = hal_stage_rd(i);
        c = crc_tab[(c ^ b) & 15u] ^ (c >> 4);
        c = crc_tab[(c ^ (b >> 4)) & 15u] ^ (c >> 4);
      }
      crc = c; i_ = i;
    }
    if (i_ < body_end) { lc = __LINE__; return II_BUSY; case __LINE__:; }
  }
  crc = ~crc;
  pos = body_end; chk = 0;
  RDJ(4, v); if (v != crc) FAILJ(1, body_end);                                /* V_CRCCMP */
  chk = 1;
  /* pass 1 (inst 0) checks everything; pass 2 (inst 1) reads the same bytes again and writes */
  for (inst = 0; inst < 2; inst++) {
    if (inst) hal_core_wr(II_MEM_CTL, II_CTL_BEGIN, 0);
    top = 0; tab = 0; ntab = 0; cnt_in = 0; cnt_n = 0; cnt_st = 0; syn = 0;
    pos = 12;
    RDJ(4, v); if (v == 0) FAILJ(1, fstart);                                  /* V_DT */
    RDJ(2, v); if (v == 0) FAILJ(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_STEPS, v);   /* V_SPF */
    RDJ(2, v); if (v == 0) FAILJ(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_ITERS, v);   /* V_IT */
    RDJ(1, v); if (v > 15) FAILJ(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_RELAX, v);   /* V_RS */
    RDJ(1, v);                                                                /* V_RSV */
    RDJ(4, v); if (v >> 24) FAILJ(1, fstart); if (inst) hal_core_wr(II_MEM_REG, II_REG_BETA, v);   /* V_BETA */
    RDJ(2, nin); RDJ(2, nst);
    RDJ(2, nn); if (nn == 0) FAILJ(1, fstart);
    RDJ(2, no);
    if (no == 0 || no > nn) FAILJ(1, fstart);
    if (no > II_MAX_OUTPUTS) FAILJ(2, fstart);
    RDJ(2, npop);
    if (npop == 0 || npop > 1024) FAILJ(1, fstart);
    if (npop > II_MAX_POPS) FAILJ(2, fstart);
    RDJ(2, nproj);
    if (nproj > II_MAX_PROJ) FAILJ(2, fstart);
    if (inst) {
      hal_core_wr(II_MEM_REG, II_REG_NIN, nin); hal_core_wr(II_MEM_REG, II_REG_NST, nst);
      hal_core_wr(II_MEM_REG, II_REG_NN, nn); hal_core_wr(II_MEM_REG, II_REG_NO, no);
      hal_core_wr(II_MEM_REG, II_REG_NPROJ, nproj);
    }
    STRJ();
    /* ---- population records */
    for (k = 0; k < npop; k++) {
      RDJ(1, kd); if (kd > 3) FAILJ(1, fstart);                           /* V_PKIND */
      RDJ(2, sz); if (sz == 0) FAILJ(1, fstart);                          /* V_PSIZE */
      RDJ(2, of); if (of != (kd <= 1 ? cnt_in : cnt_n)) FAILJ(1, fstart); /* V_POFF */
      pops[k].kind = (uint8_t)kd; pops[k].size = (uint16_t)sz; pops[k].off = (uint16_t)of; pops[k].fan = 0;
      if (kd <= 1) cnt_in = (cnt_in + sz) & 0x1ffffu; else cnt_n = (cnt_n + sz) & 0x1ffffu;
      if (kd == 0) cnt_st = (cnt_st + sz) & 0x1ffffu;
      RDJ(4, dec); if (dec >> 24) FAILJ(1, fstart);                           /* V_PDEC */
      RDJ(1, act);                                                            /* V_PACT */
      if (act > 2 || (kd <= 1 && act != 0)) FAILJ(1, fstart);
      if (act == 1) {                                                         /* V_PTOP */
        RDJ(4, v); if (v >> 31) FAILJ(1, fstart);
        top = v > 524288u ? 524288u : v;
      }
      STRJ();                                   /* a table's source, else the name */
      if (act == 2) {                                                         /* V_PTAB0, V_PTAB1 */
        if (ntab == II_MAX_TABLES) FAILJ(2, pos);
        tab = ntab++;
        ta = TBASE + (tab << 10);
        for (ti = 0; ti < 771; ti++) {
          RDJ(4, v);
          if ((v >> 19) != 0 && (v >> 19) != 0x1fffu) FAILJ(1, fstart);       /* outside Q3.16 */
          if (inst) hal_core_wr(II_MEM_WMEM, ta + ti, v);
          SPENT_YIELD();
        }
        STRJ();                                 /* the name */
      }
      if (inst)                                                               /* V_PEND: {tab, act, top, dec} */
        wr64(AW_POP + k, dec | ((act == 1 ? top : 0) << 24),
             ((act == 1 ? top : 0) >> 8) | (act << 13) | ((act == 2 ? tab : 0) << 15));
    }
    if (cnt_in != nin || cnt_n != nn || cnt_st != nst) FAILJ(1, pos);         /* V_SUMS */
    /* ---- outputs */
    for (k = 0; k < no; k++) {                                                /* V_OUT .. V_OUT3 */
      uint32_t p, ok = 0;
      RDJ(2, v);
      for (p = 0; p < npop; p++)
        if (pops[p].kind == 3 && v >= pops[p].off && v - pops[p].off < pops[p].size) ok = 1;
      if (v >= nn || !ok) FAILJ(1, fstart);
      if (inst) hal_core_wr(II_MEM_FB, FO + k, v & MASK(NB));
    }
    /* ---- projection records */
    for (k = 0; k < nproj; k++) {
      RDJ(1, pre); if (pre > 1) FAILJ(1, fstart);                             /* V_JPRE */
      RDJ(2, v); if (v >= npop) FAILJ(1, fstart);                             /* V_JPREP, V_JPREP2 */
      q = &pops[v];
      if ((q->kind <= 1) != (pre == 0)) FAILJ(1, fstart);
      pg = q->kind == 0; qo = q->off; cols = q->size;
      RDJ(2, v); if (v >= npop) FAILJ(1, fstart);                             /* V_JPOST, V_JPOST2 */
      pp = &pops[v];
      if (pp->kind <= 1) FAILJ(1, fstart);
      po = pp->off; rows = pp->size;
      RDJ(2, v); if (v != rows) FAILJ(1, fstart);                             /* V_JROWS */
      RDJ(2, v); if (v != cols) FAILJ(1, fstart);                             /* V_JCOLS */
      RDJ(4, eta); if (eta >> 24) FAILJ(1, fstart);                           /* V_JETA */
      STRJ();
      rc = mul16(rows, cols);                                                 /* V_JW */
      wend = pos + ((rc & 0xffffu) << 2);
      if ((rc >> 15) || wend > body_end) FAILJ(1, pos + ((body_end - pos) & ~3u));
      if (!inst) { pp->fan = (pp->fan + cols) & 0x1ffffu; pos = wend; }
      else {
        /* record word {eta @RE, first weight @RW, cols @RC, rows @RR, post offset @RP, pre offset @0} */
        {   /* a block of its own: the job's resume label below must not jump past r's initialization (C++) */
          uint64_t r = ((uint64_t)eta << RE) | ((uint64_t)(syn & MASK(SB)) << RW) | ((uint64_t)(cols & MASK(NB + 1)) << RC) |
                       ((uint64_t)(rows & MASK(NB + 1)) << RR) | ((uint64_t)(po & MASK(NB)) << RP) | (uint64_t)(qo & MASK(NB));
          wr64(AW_REC + k, (uint32_t)r, (uint32_t)(r >> 32));
        }
        hal_core_wr(II_MEM_REG, II_REG_J + k, pre | (pg << 1) | ((eta != 0) << 2));
        for (ti = 0; ti < rc; ti++) {                                         /* I_W1 .. I_W3 */
          RDJ(4, v);
          hal_core_wr(II_MEM_WMEM, syn + ti, v);
          hal_core_wr(II_MEM_WMEM, W0BASE | (syn + ti), v);
          SPENT_YIELD();
        }
      }
      syn = (syn + rc) & 0x1ffffu;
    }
    for (k = 0; k < npop; k++) if (pops[k].fan > 1024) FAILJ(1, pos);        /* V_FAN */
    if (pos != body_end) FAILJ(1, pos);                                       /* V_END */
    if (nn > II_MAX_NEURONS || syn > II_MAX_SYNAPSES || nin > II_MAX_INPUTS || no > II_MAX_OUTPUTS ||
        II_MAX_PAYLOAD < 10 || nst > PAYQ) FAILJ(2, 0);                       /* V_CAP (6.3) */
  }
  hal_core_wr(II_MEM_REG, II_REG_CRC, crc);
  hal_core_wr(II_MEM_REG, II_REG_NSYN, syn);
  for (k = 0; k < npop; k++) {                                                /* I_N1 .. I_N3 */
    uint32_t u, base = pops[k].kind >= 2 ? B2 : B2 + B1, val = k | (pops[k].kind == 1 ? 1u << 23 : 0);
    for (u = 0; u < pops[k].size; u++) hal_core_wr(II_MEM_FB, base + pops[k].off + u, val);
  }
  hal_core_wr(II_MEM_CTL, II_CTL_END, 0);
  default:;
  }
out:
  lc = 0;
  *err_off = eoff;
  return code;
}

#undef lc
#undef budget
#undef total_
#undef crc
#undef i_
#undef inst
#undef v
#undef nin
#undef nst
#undef nn
#undef no
#undef npop
#undef nproj
#undef k
#undef kd
#undef sz
#undef of
#undef act
#undef dec
#undef top
#undef tab
#undef ntab
#undef cnt_in
#undef cnt_n
#undef cnt_st
#undef syn
#undef ti
#undef ta
#undef pre
#undef rows
#undef cols
#undef eta
#undef rc
#undef wend
#undef qo
#undef po
#undef pg
#undef q
#undef pp

int image_install(uint32_t total, uint16_t *err_off) {
  image_install_start(total);
  return image_install_poll(0xFFFFFFFFu, err_off);
}
