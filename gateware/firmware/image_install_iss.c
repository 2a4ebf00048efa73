/* image_install_iss.c: image_install() run as RV32I machine code. Linked with image_install_tb.c in place
 * of image_install.c: the cross-compiled image (image_install.c + rv32/ii_mmio.c, rv32/link.ld, loaded at
 * address 0 from II_IMAGE_PATH) runs in a small RV32I simulator (the decoder of rv32_iss.c), its staging
 * window and raw port answered by the harness's hal_stage_rd / hal_core_wr; the instructions of each call
 * are counted (II_STATS: printed on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "image_install.h"

#ifndef II_IMAGE_PATH
#error "II_IMAGE_PATH: the RV32I image (objcopy -O binary)"
#endif
#define MEM_BYTES 0x10000u
#define STACK_TOP 0xE000u
#define II_STAGE 0x20000u
#define II_PORT  0x30000u
#define MAGIC_RA 0xFFFFFFF0u

static uint8_t mem[MEM_BYTES];
static uint32_t x[32], pc, port[3];
static int loaded;
static unsigned long long icount;

static void die(const char *why, uint32_t a) {
  fprintf(stderr, "image_install_iss: %s at pc 0x%08x (0x%08x)\n", why, pc, a);
  exit(4);
}
static uint32_t ld(uint32_t a, int n) {
  if (a >= II_STAGE && a < II_STAGE + 0x20000u) {
    if (n != 1) die("staging window: byte loads only", a);
    return hal_stage_rd(a - II_STAGE);
  }
  if (a > MEM_BYTES - (uint32_t)n) die("load outside memory", a);
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | mem[a + (uint32_t)i];
  return v;
}
static void st(uint32_t a, uint32_t v, int n) {
  if (a >= II_PORT && a < II_PORT + 12) {
    if (n != 4 || (a & 3)) die("port: word stores only", a);
    port[(a - II_PORT) >> 2] = v;
    if (a == II_PORT + 8) hal_core_wr(port[0], port[1], v);
    return;
  }
  if (a > MEM_BYTES - (uint32_t)n) die("store outside memory", a);
  for (int i = 0; i < n; i++) mem[a + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}
static inline int32_t sx(uint32_t v, int bits) { return (int32_t)(v << (32 - bits)) >> (32 - bits); }

static void run_until_return(void) {
  while (pc != MAGIC_RA) {
    if (pc > MEM_BYTES - 4 || (pc & 3)) die("fetch outside memory", pc);
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
      default: die("illegal instruction", in);
    }
    if (wr && rd) x[rd] = v;
    pc = npc;
  }
}

int image_install(uint32_t total, uint16_t *err_off) {
  if (!loaded) {
    FILE *f = fopen(II_IMAGE_PATH, "rb");
    if (!f) die("cannot open the image " II_IMAGE_PATH, 0);
    size_t n = fread(mem, 1, STACK_TOP, f);
    fclose(f);
    if (n == 0) die("empty image", 0);
    loaded = 1;
  }
  unsigned long long before = icount;
  x[1] = MAGIC_RA;
  x[2] = STACK_TOP;
  x[10] = total;
  pc = 0;
  run_until_return();
  if (getenv("II_STATS")) fprintf(stderr, "rv32i instructions %llu\n", icount - before);
  *err_off = (uint16_t)x[10];
  return (int)(x[10] >> 16);
}
