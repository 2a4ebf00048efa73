/* vcore_iss.c: vcore_image_check() run as RV32I machine code. Linked with vcore_tb.c and vcore_driver.c in place of
 * vcore_image.c and vcore_prog_check.c: the cross-compiled check (vcore_image.c, vcore_prog_check.c and
 * rv32/vcore_entry.c, linked with rv32/link.ld, loaded at address 0 from VI_IMAGE_PATH) runs in the RV32I simulator of
 * rv32_exec.h with the build and the image copied into its memory; the view it leaves is copied back (the structs
 * hold fixed-width fields only, laid out alike by both compilers). The instructions of each check are counted
 * (VI_STATS set: printed on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "vcore_image.h"

#ifndef VI_IMAGE_PATH
#error "VI_IMAGE_PATH: the RV32I image (objcopy -O binary)"
#endif
#define MEM_BYTES 0x20000u
#define STACK_TOP 0xE000u
#define VI_BUILD 0xF000u
#define VI_VIEW  0xF100u
#define VI_IMG   0x10000u
#define MAGIC_RA 0xFFFFFFF0u

static uint8_t mem[MEM_BYTES];
static uint32_t x[32], pc;
static int loaded;
static unsigned long long icount;
static uint32_t low_sp;

static void die(const char *why, uint32_t a) {
  fprintf(stderr, "vcore_iss: %s at pc 0x%08x (0x%08x)\n", why, pc, a);
  exit(4);
}
static uint32_t ld(uint32_t a, int n) {
  uint32_t v = 0;
  if (a > MEM_BYTES - (uint32_t)n) die("load outside memory", a);
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | mem[a + (uint32_t)i];
  return v;
}
static void st(uint32_t a, uint32_t v, int n) {
  if (a > MEM_BYTES - (uint32_t)n) die("store outside memory", a);
  if (a >= VI_IMG) die("store into the image", a);
  if (a >= STACK_TOP - 0x2000u && a < STACK_TOP && a < low_sp) low_sp = a;   /* the deepest stack store */
  for (int i = 0; i < n; i++) mem[a + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}
#define RV_EXEC_MEM_BYTES MEM_BYTES
#include "rv32_exec.h"

int vcore_image_check(const uint8_t *img, uint32_t len, const vcore_build *b, vcore_image_view *out) {
  if (!loaded) {
    FILE *f = fopen(VI_IMAGE_PATH, "rb");
    size_t n;
    if (!f) die("cannot open the image " VI_IMAGE_PATH, 0);
    n = fread(mem, 1, STACK_TOP, f);
    fclose(f);
    if (n == 0) die("empty image", 0);
    loaded = 1;
  }
  if (len > MEM_BYTES - VI_IMG) die("image larger than the window", len);
  memcpy(mem + VI_BUILD, b, sizeof *b);
  memcpy(mem + VI_IMG, img, len);
  memset(mem + VI_VIEW, 0, sizeof *out);
  unsigned long long before = icount;
  low_sp = STACK_TOP;
  x[1] = MAGIC_RA;
  x[2] = STACK_TOP;
  x[10] = len;
  pc = 0;
  run_until_return();
  memcpy(out, mem + VI_VIEW, sizeof *out);
  if (getenv("VI_STATS")) fprintf(stderr, "rv32i instructions %llu stack %u\n", icount - before, STACK_TOP - low_sp);
  return (int)x[10];
}

const char *vcore_field_name(int code) {
  (void)code;
  return "";
}
