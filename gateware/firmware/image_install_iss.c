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
#define RV_EXEC_MEM_BYTES MEM_BYTES
#include "rv32_exec.h"

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
