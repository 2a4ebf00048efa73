/* rv32/ii_mmio.c: image_install.c's proposed HAL as memory-mapped accesses, and the entry point, for the
 * RV32I build that image_install_iss.c runs (linked with rv32/link.ld: rv_entry at address 0).
 *   the staging memory: a byte window at II_STAGE (a load byte per hal_stage_rd)
 *   the raw write port: three words at II_PORT (mem, addr, value; the store of value writes) */
#include "../image_install.h"

#define II_STAGE 0x20000u
#define II_PORT  0x30000u

uint8_t hal_stage_rd(uint32_t addr) { return *(volatile uint8_t *)(II_STAGE + addr); }

void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value) {
  volatile uint32_t *p = (volatile uint32_t *)II_PORT;
  p[0] = mem;
  p[1] = addr;
  p[2] = value;
}

/* a0 = the staged image's length; returns result << 16 | error offset */
__attribute__((section(".text.entry"))) uint32_t rv_entry(uint32_t total) {
  uint16_t off;
  int r = image_install(total, &off);
  return ((uint32_t)r << 16) | off;
}
