/* vcore_tb.c: native harness of vcore_image.c, vcore_prog_check.c and vcore_driver.c (host cc; built by
 * test/gateware/vcore-firmware.test.ts). Reads lines on stdin, answers on stdout:
 *   B fmt wshift wbits obits fbits instructions nbanks (words bits) x 8 kregs weightWords tableWords (read mask) x 5
 *                      the build (the read masks of the operand roles A, X, Y, S, M)
 *   C <hex>            check an image: "R code offset a b op" (code 0: accepted; offset -1: the image as a whole)
 *   V v1 v2 ...        the values the core answers the driver's next reads with, in order (a read past them fails)
 *   D <hex>            check, bind and install the image (the accesses are logged)
 *   S | W | P id value | T v... | F learn probes v... | Q probes | G | J k
 *                      reset, reload weights, SET_PARAM ("p result"), targets, a frame ("o n v..."), probes
 *                      ("o n v..."), saturations ("g v"), projection k's weights ("j n v...")
 * The logging HAL prints every port access as one line, as the TypeScript logging port does:
 *   pw h v | kw k m | ct k top | par s v | bw b w v | br b w v | ww a v | wr a v | kn i word | sw v | sr v | run pc learn
 * With VCORE_ISS the check runs as rv32i machine code (vcore_iss.c) instead of the native vcore_image_check.
 * With VT_MMIO the HAL is rv32/hal_vcore_mmio.c (compiled with -include vcore_mmio_log.h) and the log is its register
 * accesses, as the TypeScript RecordingBus prints them: "w idx value" a store, "r idx value" a load (hex), "p" a
 * STATUS load (the values of the loads are the V values, in order).
 * A run that fails prints "x result err_pc" after the command (install, S, F). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "vcore_driver.h"

#define MAX_IMG 65536
#define MAX_VALS 65536   /* numbers a line */
static uint8_t img[MAX_IMG];
static vcore_build build;
static vcore_driver drv;
static vcore_image_view dview;
static int64_t *rdq;
static size_t rdn, rdi;

static void die(const char *why) {
  printf("E %s\n", why);
  exit(1);
}
static int64_t next_read(void) {
  if (rdi >= rdn) die("a read past the values given");
  return rdq[rdi++];
}

#ifdef VT_MMIO
/* the logging bus of rv32/hal_vcore_mmio.c (vcore_mmio_log.h) */
void vt_store(uint32_t idx, uint32_t v) { printf("w %x %x\n", idx, v); }
uint32_t vt_load(uint32_t idx) {
  uint32_t v = (uint32_t)next_read();
  if (idx == 17u) printf("p\n");
  else printf("r %x %x\n", idx, v);
  return v;
}
#else
void hal_vcore_prog_write(uint32_t h, uint32_t v) { printf("pw %u %u\n", h, v); }
void hal_vcore_k_write(uint32_t k, uint32_t m) { printf("kw %u %u\n", k, m); }
void hal_vcore_clip_top_write(uint32_t k, int32_t top) { printf("ct %u %d\n", k, top); }
void hal_vcore_par_write(uint32_t s, uint32_t v) { printf("par %u %u\n", s, v); }
void hal_vcore_bank_write(uint32_t b, uint32_t w, int32_t v) { printf("bw %u %u %d\n", b, w, v); }
int64_t hal_vcore_bank_read(uint32_t b, uint32_t w) {
  int64_t v = next_read();
  printf("br %u %u %lld\n", b, w, (long long)v);
  return v;
}
void hal_vcore_w_write(uint32_t a, int32_t v) { printf("ww %u %d\n", a, v); }
int32_t hal_vcore_w_read(uint32_t a) {
  int32_t v = (int32_t)next_read();
  printf("wr %u %d\n", a, v);
  return v;
}
void hal_vcore_knot_write(uint32_t i, uint32_t w) { printf("kn %u %u\n", i, w); }
void hal_vcore_sat_write(uint32_t v) { printf("sw %u\n", v); }
uint32_t hal_vcore_sat_read(void) {
  uint32_t v = (uint32_t)next_read();
  printf("sr %u\n", v);
  return v;
}
int hal_vcore_run(uint32_t pc, int learn, uint32_t *err_pc) {
  (void)err_pc;
  printf("run %u %d\n", pc, learn);
  return VD_OK;
}
void hal_vcore_run_start(uint32_t pc, int learn) { printf("run %u %d\n", pc, learn); }
int hal_vcore_run_poll(uint32_t *err_pc) {
  (void)err_pc;
  return VD_OK;
}
#endif

static uint32_t hex(const char *s) {
  uint32_t n = 0;
  unsigned b;
  while (s[0] && s[1] && n < MAX_IMG && sscanf(s, "%2x", &b) == 1) {
    img[n++] = (uint8_t)b;
    s += 2;
  }
  return n;
}

/* the integers after the command letter */
static size_t ints(char *s, int64_t *out, size_t max) {
  size_t n = 0;
  char *e;
  for (;;) {
    long long v = strtoll(s, &e, 10);
    if (e == s || n >= max) return n;
    out[n++] = v;
    s = e;
  }
}

static void print_vals(char tag, const int32_t *v, uint32_t n) {
  uint32_t i;
  printf("%c %u", tag, n);
  for (i = 0; i < n; i++) printf(" %d", v[i]);
  printf("\n");
}

static void command(char *line, int64_t *a, int32_t *v) {
  size_t n = ints(line + 1, a, MAX_VALS), i;
  vcore_image_view view;
  int r;
  for (i = 0; i < n; i++) v[i] = (int32_t)a[i];
  switch (line[0]) {
    case 'B': {
      int k;
      if (n != 7 + 16 + 3 + 5) die("B: 31 numbers");
      build.number_format = (uint8_t)a[0]; build.weight_shift = (uint8_t)a[1]; build.weight_bits = (uint8_t)a[2];
      build.operand_bits = (uint8_t)a[3]; build.factor_bits = (uint8_t)a[4]; build.instructions = (uint16_t)a[5];
      build.n_banks = (uint8_t)a[6];
      for (k = 0; k < 8; k++) { build.bank_words[k] = (uint16_t)a[7 + 2 * k]; build.bank_bits[k] = (uint8_t)a[8 + 2 * k]; }
      build.k_regs = (uint16_t)a[23]; build.weight_words = (uint16_t)a[24]; build.table_words = (uint32_t)a[25];
      for (k = 0; k < 5; k++) build.read_banks[k] = (uint8_t)a[26 + k];
      break;
    }
    case 'C': {
      uint32_t len = hex(line + 2);
      r = vcore_image_check(img, len, &build, &view);
      printf("R %d %d %u %u %u\n", r, r == VF_SHORT ? -1 : (int)view.err_off, view.err_a, view.err_b, view.err_op);
      break;
    }
    case 'V':   /* appends */
      rdq = realloc(rdq, (rdn + n + 1) * sizeof *rdq);
      memcpy(rdq + rdn, a, n * sizeof *rdq);
      rdn += n;
      break;
    case 'D': {
      uint32_t len = hex(line + 2);
      if ((r = vcore_image_check(img, len, &build, &dview)) != VF_OK) die("D: the image is refused");
      if (vcore_driver_init(&drv, img, &dview, build.weight_words) != VD_OK) die("D: too many beta readers");
      vcore_install(&drv);
      break;
    }
    case 'S': vcore_reset(&drv); break;
    case 'W': vcore_reload_weights(&drv); break;
    case 'P': printf("p %d\n", vcore_set_param(&drv, (uint32_t)a[0], (uint32_t)a[1])); break;
    case 'T': vcore_set_targets(&drv, v); break;
    case 'F': { int32_t out[4096]; print_vals('o', out, vcore_frame(&drv, v + 2, (int)a[0], (uint32_t)a[1], out)); break; }
    case 'Q': { int32_t out[4096]; print_vals('o', out, vcore_probe(&drv, (uint32_t)a[0], out)); break; }
    case 'G': printf("g %u\n", vcore_saturations(&drv)); break;
    case 'J': { int32_t out[4096]; print_vals('j', out, vcore_weights(&drv, (uint32_t)a[0], out)); break; }
    default: break;
  }
  if (strchr("DSF", line[0]) && drv.run_err != VD_OK) printf("x %d %u\n", drv.run_err, drv.err_pc);
}

int main(void) {
  static char line[2 * MAX_IMG + 16];
  static int64_t a[MAX_VALS];
  static int32_t v[MAX_VALS];
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (len) command(line, a, v);
  }
  return 0;
}
