/* rv32_exec.h: the RV32I instruction decoder and executor shared by the instruction-set simulators
 * (rv32_iss.c: the protocol firmware; image_install_iss.c: the image loader). Include it after defining
 * what it runs on: `mem`-backed `ld(addr, bytes)` and `st(addr, value, bytes)` (the memory map, MMIO
 * included), `die(why, value)` (does not return), the registers `x[32]`, `pc`, the counter `icount`,
 * MAGIC_RA (the return address that ends a call), RV_EXEC_MEM_BYTES (fetches must lie below it) and,
 * optionally, RV_EXEC_ECALL(a7, a0, a1) (the value an ECALL returns in a0; without it ECALL is illegal).
 * run_until_return() executes from pc until pc == MAGIC_RA, counting instructions in icount. */
#ifndef RV32_EXEC_H
#define RV32_EXEC_H

static inline int32_t sx(uint32_t v, int bits) { return (int32_t)(v << (32 - bits)) >> (32 - bits); }

static void run_until_return(void) {
  while (pc != MAGIC_RA) {
    if (pc > RV_EXEC_MEM_BYTES - 4 || (pc & 3)) die("fetch outside memory", pc);
    uint32_t in = ld(pc, 4), npc = pc + 4;
    uint32_t op = in & 0x7f, rd = (in >> 7) & 31, f3 = (in >> 12) & 7, r1 = (in >> 15) & 31, r2 = (in >> 20) & 31;
    uint32_t a = x[r1], b = x[r2], v = 0;
    int wr = 1;
    int32_t ii = (int32_t)in >> 20;
    icount++;
    switch (op) {
      case 0x37: v = in & 0xFFFFF000u; break;
      case 0x17: v = pc + (in & 0xFFFFF000u); break;
      case 0x6F: {
        uint32_t j = ((in >> 31) & 1) << 20 | ((in >> 12) & 0xFF) << 12 | ((in >> 20) & 1) << 11 | ((in >> 21) & 0x3FF) << 1;
        v = pc + 4;
        npc = pc + (uint32_t)sx(j, 21);
        break;
      }
      case 0x67: v = pc + 4; npc = (a + (uint32_t)ii) & ~1u; break;
      case 0x63: {
        uint32_t bo = ((in >> 31) & 1) << 12 | ((in >> 7) & 1) << 11 | ((in >> 25) & 0x3F) << 5 | ((in >> 8) & 0xF) << 1;
        int t;
        wr = 0;
        switch (f3) {
          case 0: t = a == b; break;
          case 1: t = a != b; break;
          case 4: t = (int32_t)a < (int32_t)b; break;
          case 5: t = (int32_t)a >= (int32_t)b; break;
          case 6: t = a < b; break;
          case 7: t = a >= b; break;
          default: die("bad branch", in); t = 0;
        }
        if (t) npc = pc + (uint32_t)sx(bo, 13);
        break;
      }
      case 0x03: {
        uint32_t ad = a + (uint32_t)ii;
        switch (f3) {
          case 0: v = (uint32_t)sx(ld(ad, 1), 8); break;
          case 1: v = (uint32_t)sx(ld(ad, 2), 16); break;
          case 2: v = ld(ad, 4); break;
          case 4: v = ld(ad, 1); break;
          case 5: v = ld(ad, 2); break;
          default: die("bad load", in);
        }
        break;
      }
      case 0x23: {
        uint32_t ad = a + (uint32_t)(((int32_t)in >> 25) << 5 | (int32_t)((in >> 7) & 31));
        wr = 0;
        if (f3 > 2) die("bad store", in);
        st(ad, b, 1 << f3);
        break;
      }
      case 0x13: {
        uint32_t sh = r2;
        switch (f3) {
          case 0: v = a + (uint32_t)ii; break;
          case 1: v = a << sh; break;
          case 2: v = (int32_t)a < ii; break;
          case 3: v = a < (uint32_t)ii; break;
          case 4: v = a ^ (uint32_t)ii; break;
          case 5: v = (in >> 30) & 1 ? (uint32_t)((int32_t)a >> sh) : a >> sh; break;
          case 6: v = a | (uint32_t)ii; break;
          default: v = a & (uint32_t)ii; break;
        }
        break;
      }
      case 0x33: {
        if ((in >> 25) & ~0x20u) die("not RV32I (M extension?)", in);
        int alt = (in >> 30) & 1;
        switch (f3) {
          case 0: v = alt ? a - b : a + b; break;
          case 1: v = a << (b & 31); break;
          case 2: v = (int32_t)a < (int32_t)b; break;
          case 3: v = a < b; break;
          case 4: v = a ^ b; break;
          case 5: v = alt ? (uint32_t)((int32_t)a >> (b & 31)) : a >> (b & 31); break;
          case 6: v = a | b; break;
          default: v = a & b; break;
        }
        break;
      }
      case 0x0F: wr = 0; break;
#ifdef RV_EXEC_ECALL
      case 0x73:
        if (in != 0x00000073u) die("not an ecall", in);
        rd = 10;
        v = RV_EXEC_ECALL(x[17], x[10], x[11]);
        break;
#endif
      default: die("illegal instruction", in);
    }
    if (wr && rd) x[rd] = v;
    pc = npc;
  }
}

#endif
