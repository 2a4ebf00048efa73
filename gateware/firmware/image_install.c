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

static const uint32_t crc_tab[256] = {   /* CRC-32 (reflected 0xEDB88320) of one byte */
  0x00000000u, 0x77073096u, 0xEE0E612Cu, 0x990951BAu, 0x076DC419u, 0x706AF48Fu, 0xE963A535u, 0x9E6495A3u,
  0x0EDB8832u, 0x79DCB8A4u, 0xE0D5E91Eu, 0x97D2D988u, 0x09B64C2Bu, 0x7EB17CBDu, 0xE7B82D07u, 0x90BF1D91u,
  0x1DB71064u, 0x6AB020F2u, 0xF3B97148u, 0x84BE41DEu, 0x1ADAD47Du, 0x6DDDE4EBu, 0xF4D4B551u, 0x83D385C7u,
  0x136C9856u, 0x646BA8C0u, 0xFD62F97Au, 0x8A65C9ECu, 0x14015C4Fu, 0x63066CD9u, 0xFA0F3D63u, 0x8D080DF5u,
  0x3B6E20C8u, 0x4C69105Eu, 0xD56041E4u, 0xA2677172u, 0x3C03E4D1u, 0x4B04D447u, 0xD20D85FDu, 0xA50AB56Bu,
  0x35B5A8FAu, 0x42B2986Cu, 0xDBBBC9D6u, 0xACBCF940u, 0x32D86CE3u, 0x45DF5C75u, 0xDCD60DCFu, 0xABD13D59u,
  0x26D930ACu, 0x51DE003Au, 0xC8D75180u, 0xBFD06116u, 0x21B4F4B5u, 0x56B3C423u, 0xCFBA9599u, 0xB8BDA50Fu,
  0x2802B89Eu, 0x5F058808u, 0xC60CD9B2u, 0xB10BE924u, 0x2F6F7C87u, 0x58684C11u, 0xC1611DABu, 0xB6662D3Du,
  0x76DC4190u, 0x01DB7106u, 0x98D220BCu, 0xEFD5102Au, 0x71B18589u, 0x06B6B51Fu, 0x9FBFE4A5u, 0xE8B8D433u,
  0x7807C9A2u, 0x0F00F934u, 0x9609A88Eu, 0xE10E9818u, 0x7F6A0DBBu, 0x086D3D2Du, 0x91646C97u, 0xE6635C01u,
  0x6B6B51F4u, 0x1C6C6162u, 0x856530D8u, 0xF262004Eu, 0x6C0695EDu, 0x1B01A57Bu, 0x8208F4C1u, 0xF50FC457u,
  0x65B0D9C6u, 0x12B7E950u, 0x8BBEB8EAu, 0xFCB9887Cu, 0x62DD1DDFu, 0x15DA2D49u, 0x8CD37CF3u, 0xFBD44C65u,
  0x4DB26158u, 0x3AB551CEu, 0xA3BC0074u, 0xD4BB30E2u, 0x4ADFA541u, 0x3DD895D7u, 0xA4D1C46Du, 0xD3D6F4FBu,
  0x4369E96Au, 0x346ED9FCu, 0xAD678846u, 0xDA60B8D0u, 0x44042D73u, 0x33031DE5u, 0xAA0A4C5Fu, 0xDD0D7CC9u,
  0x5005713Cu, 0x270241AAu, 0xBE0B1010u, 0xC90C2086u, 0x5768B525u, 0x206F85B3u, 0xB966D409u, 0xCE61E49Fu,
  0x5EDEF90Eu, 0x29D9C998u, 0xB0D09822u, 0xC7D7A8B4u, 0x59B33D17u, 0x2EB40D81u, 0xB7BD5C3Bu, 0xC0BA6CADu,
  0xEDB88320u, 0x9ABFB3B6u, 0x03B6E20Cu, 0x74B1D29Au, 0xEAD54739u, 0x9DD277AFu, 0x04DB2615u, 0x73DC1683u,
  0xE3630B12u, 0x94643B84u, 0x0D6D6A3Eu, 0x7A6A5AA8u, 0xE40ECF0Bu, 0x9309FF9Du, 0x0A00AE27u, 0x7D079EB1u,
  0xF00F9344u, 0x8708A3D2u, 0x1E01F268u, 0x6906C2FEu, 0xF762575Du, 0x806567CBu, 0x196C3671u, 0x6E6B06E7u,
  0xFED41B76u, 0x89D32BE0u, 0x10DA7A5Au, 0x67DD4ACCu, 0xF9B9DF6Fu, 0x8EBEEFF9u, 0x17B7BE43u, 0x60B08ED5u,
  0xD6D6A3E8u, 0xA1D1937Eu, 0x38D8C2C4u, 0x4FDFF252u, 0xD1BB67F1u, 0xA6BC5767u, 0x3FB506DDu, 0x48B2364Bu,
  0xD80D2BDAu, 0xAF0A1B4Cu, 0x36034AF6u, 0x41047A60u, 0xDF60EFC3u, 0xA867DF55u, 0x316E8EEFu, 0x4669BE79u,
  0xCB61B38Cu, 0xBC66831Au, 0x256FD2A0u, 0x5268E236u, 0xCC0C7795u, 0xBB0B4703u, 0x220216B9u, 0x5505262Fu,
  0xC5BA3BBEu, 0xB2BD0B28u, 0x2BB45A92u, 0x5CB36A04u, 0xC2D7FFA7u, 0xB5D0CF31u, 0x2CD99E8Bu, 0x5BDEAE1Du,
  0x9B64C2B0u, 0xEC63F226u, 0x756AA39Cu, 0x026D930Au, 0x9C0906A9u, 0xEB0E363Fu, 0x72076785u, 0x05005713u,
  0x95BF4A82u, 0xE2B87A14u, 0x7BB12BAEu, 0x0CB61B38u, 0x92D28E9Bu, 0xE5D5BE0Du, 0x7CDCEFB7u, 0x0BDBDF21u,
  0x86D3D2D4u, 0xF1D4E242u, 0x68DDB3F8u, 0x1FDA836Eu, 0x81BE16CDu, 0xF6B9265Bu, 0x6FB077E1u, 0x18B74777u,
  0x88085AE6u, 0xFF0F6A70u, 0x66063BCAu, 0x11010B5Cu, 0x8F659EFFu, 0xF862AE69u, 0x616BFFD3u, 0x166CCF45u,
  0xA00AE278u, 0xD70DD2EEu, 0x4E048354u, 0x3903B3C2u, 0xA7672661u, 0xD06016F7u, 0x4969474Du, 0x3E6E77DBu,
  0xAED16A4Au, 0xD9D65ADCu, 0x40DF0B66u, 0x37D83BF0u, 0xA9BCAE53u, 0xDEBB9EC5u, 0x47B2CF7Fu, 0x30B5FFE9u,
  0xBDBDF21Cu, 0xCABAC28Au, 0x53B39330u, 0x24B4A3A6u, 0xBAD03605u, 0xCDD70693u, 0x54DE5729u, 0x23D967BFu,
  0xB3667A2Eu, 0xC4614AB8u, 0x5D681B02u, 0x2A6F2B94u, 0xB40BBE37u, 0xC30C8EA1u, 0x5A05DF1Bu, 0x2D02EF8Du};

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
        c = crc_tab[(c ^ b) & 255u] ^ (c >> 8);
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
