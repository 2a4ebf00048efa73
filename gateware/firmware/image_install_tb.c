/* image_install_tb.c: native harness of image_install.c (host cc; test/gateware/core-install-tb.ts builds it).
 * Reads the script of gateware/sim/core_install_tb.cpp ("I <hex>") and prints the same lines: the result,
 * and for an installed image the registers and memories as the raw write port left them (the models of
 * the port: aw_mem, fb_mem, nla_wmem, the registers; each starts at 0 and keeps what earlier images wrote).
 * Checks the port's protocol too: every write between II_CTL_BEGIN and II_CTL_END, an aw_mem high half
 * right after its low half, addresses within the memories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "image_install.h"

#ifndef II_AD
#define II_AD 256   /* depth of aw_mem and fb_mem (1 << AW) */
#endif
#define AD II_AD
static uint8_t stage[II_IMG_BYTES];
static uint64_t aw[AD];
static uint32_t fb[AD], wm[16384], regs[64];
static uint32_t lo_held, lo_addr, in_install, reads, writes;
static int lo_valid;

static void die(const char *why, uint32_t a) {
  printf("E %s %u\n", why, (unsigned)a);
  exit(1);
}

uint8_t hal_stage_rd(uint32_t addr) {
  reads++;
  return stage[addr % II_IMG_BYTES];
}

void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value) {
  writes++;
  if (mem == II_MEM_CTL) {
    if (addr == II_CTL_BEGIN) { if (in_install) die("BEGIN twice", addr); in_install = 1; }
    else if (addr == II_CTL_END) { if (!in_install) die("END without BEGIN", addr); in_install = 0; }
    else die("bad CTL", addr);
    return;
  }
  if (!in_install) die("write outside BEGIN..END", mem);
  if (mem != II_MEM_AW_HI && lo_valid) die("aw_mem low half not followed by its high half", lo_addr);
  switch (mem) {
    case II_MEM_WMEM: if (addr >= 16384) die("wmem address", addr); wm[addr] = value; break;
    case II_MEM_AW_LO: if (addr >= AD) die("aw_mem address", addr); lo_held = value; lo_addr = addr; lo_valid = 1; break;
    case II_MEM_AW_HI:
      if (!lo_valid || addr != lo_addr) die("aw_mem high half without its low half", addr);
      aw[addr] = ((uint64_t)value << 32) | lo_held; lo_valid = 0; break;
    case II_MEM_FB: if (addr >= AD || value >> 24) die("fb_mem address or value", addr); fb[addr] = value; break;
    case II_MEM_REG: if (addr >= 64) die("register", addr); regs[addr] = value; break;
    default: die("bad memory", mem);
  }
}

int main(void) {
  static char line[2 * II_IMG_BYTES + 2 * 65536 + 16];
  while (fgets(line, sizeof line, stdin)) {
    size_t n, i, len = strlen(line);
    uint16_t off;
    int r;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (len < 2 || line[0] != 'I') continue;
    n = (len - 2) / 2;
    for (i = 0; i < n; i++) {
      unsigned b;
      sscanf(line + 2 + 2 * i, "%2x", &b);
      if (i < II_IMG_BYTES) stage[i] = (uint8_t)b;   /* bytes beyond the staging memory are not written */
    }
    reads = writes = 0;
#ifndef II_ISS_BUILD
    if (getenv("II_SLICE")) {   /* the job a slice at a time: II_SLICE staged bytes per poll */
      uint32_t slice = (uint32_t)strtoul(getenv("II_SLICE"), NULL, 10), polls = 0;
      image_install_start((uint32_t)n);
      while ((r = image_install_poll(slice, &off)) == II_BUSY) polls++;
      if (image_install_poll(slice, &off) != II_IDLE) die("the job did not end", 0);
      if (getenv("II_STATS")) fprintf(stderr, "polls %u\n", polls);
    } else
#endif
    r = image_install((uint32_t)n, &off);
    if (in_install || lo_valid) die("install left open", 0);
    printf("R %d %d %d %u\n", r, off, r == 0, (unsigned)regs[II_REG_CRC]);
    if (r == 0) {
      unsigned jp = 0, jg = 0, jl = 0, j;
      for (j = 0; j < II_MAX_PROJ; j++) {
        jp |= (regs[II_REG_J + j] & 1u) << j;
        jg |= ((regs[II_REG_J + j] >> 1) & 1u) << j;
        jl |= ((regs[II_REG_J + j] >> 2) & 1u) << j;
      }
      printf("G %u %u %u %u %u %u %u %u %u %u %u %u %u %u\n", regs[II_REG_STEPS], regs[II_REG_ITERS], regs[II_REG_RELAX],
             regs[II_REG_BETA], regs[II_REG_NIN], regs[II_REG_NST], regs[II_REG_NN], regs[II_REG_NO], regs[II_REG_NPROJ],
             regs[II_REG_CRC], regs[II_REG_NSYN], jp, jg, jl);
      printf("A");
      for (i = 0; i < AD; i++) printf(" %llx", (unsigned long long)aw[i]);
      printf("\nB");
      for (i = 0; i < AD; i++) printf(" %x", fb[i]);
      printf("\nW");
      for (i = 0; i < 16384; i++) printf(" %x", wm[i]);
      printf("\n");
    }
    if (getenv("II_STATS")) fprintf(stderr, "bytes %u reads %u writes %u\n", (unsigned)n, reads, writes);
    fflush(stdout);
  }
  return 0;
}
