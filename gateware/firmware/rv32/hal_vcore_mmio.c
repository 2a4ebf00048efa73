/* rv32/hal_vcore_mmio.c: vcore_driver.h's HAL as loads and stores of the vector core's registers
 * (rv32/hal_vcore_mmio.h; gateware/vcore/vcore_coreio.v). Each call makes exactly the accesses of MmioPort
 * (hardware-models/fixed-point/vcore-mmio.ts), in its order and with its values: test/fixed-point/vcore-hal.test.ts
 * compares the two access logs line for line and replays this one on the RTL. VC_STORE/VC_LOAD are the only
 * accesses: on the board volatile stores and loads at VCORE_MMIO_BASE + 4 * idx; a native build defines them first
 * (vcore_mmio_log.h: a logging bus). */
#include "../vcore_driver.h"
#include "hal_vcore_mmio.h"

#ifndef VC_STORE
#define VC_STORE(idx, v) (*(volatile uint32_t *)(VCORE_MMIO_BASE + 4u * (idx)) = (uint32_t)(v))
#define VC_LOAD(idx) (*(volatile const uint32_t *)(VCORE_MMIO_BASE + 4u * (idx)))
#endif

void hal_vcore_prog_write(uint32_t halfword, uint32_t value) { VC_STORE(VC_PROG, halfword << 16 | (value & 0xFFFFu)); }
void hal_vcore_k_write(uint32_t k, uint32_t mant) { VC_STORE(VC_K, k << 16 | mant); }
void hal_vcore_par_write(uint32_t sel, uint32_t value) { VC_STORE(VC_PAR, sel << 16 | value); }

/* BADDR, then the low 32 bits (BLO), then the high bits (BHI): each sets its lane of the word; BHI is written for every
 * value (the high lane keeps what it held otherwise) */
void hal_vcore_bank_write(uint32_t bank, uint32_t word, int32_t value) {
  VC_STORE(VC_BADDR, bank << 8 | word);
  VC_STORE(VC_BLO, (uint32_t)value);
  VC_STORE(VC_BHI, value < 0 ? 0xFFFFFFFFu : 0u);
}
/* BADDR, then BLO and BHI (the high bits sign-extended by the window) */
int64_t hal_vcore_bank_read(uint32_t bank, uint32_t word) {
  uint32_t lo, hi;
  VC_STORE(VC_BADDR, bank << 8 | word);
  lo = VC_LOAD(VC_BLO);
  hi = VC_LOAD(VC_BHI);
  return (int64_t)((uint64_t)hi << 32 | lo);
}

/* WADDR is written before every W access (a read too): the window's address is never assumed */
void hal_vcore_w_write(uint32_t addr, int32_t value) {
  VC_STORE(VC_WADDR, addr);
  VC_STORE(VC_WDATA, (uint32_t)value);
}
int32_t hal_vcore_w_read(uint32_t addr) {
  VC_STORE(VC_WADDR, addr);
  return (int32_t)VC_LOAD(VC_WDATA);
}
void hal_vcore_clip_top_write(uint32_t k, int32_t top) { hal_vcore_w_write(VC_W_CLIP_TOPS + k, top); }
void hal_vcore_knot_write(uint32_t i, uint32_t word) { hal_vcore_w_write(VC_W_KNOTS + i, (int32_t)word); }

void hal_vcore_sat_write(uint32_t value) { VC_STORE(VC_SAT, value); }
uint32_t hal_vcore_sat_read(void) { return VC_LOAD(VC_SAT); }

/* RUN at pc (learn: the frame learns); the run's STATUS polls count from here */
static unsigned long polls;
static uint32_t run_pc;
void hal_vcore_run_start(uint32_t pc, int learn) {
  VC_STORE(VC_RUN, (learn ? 1u << 16 : 0u) | pc);
  polls = 0;
  run_pc = pc;
}

/* one STATUS read of the run hal_vcore_run_start began: VD_BUSY while it runs, VD_OK once done; a trap is VD_RUN_TRAP
 * (*err_pc the trapping instruction), no done within VC_MAX_POLLS reads VD_RUN_NO_HALT (*err_pc the run's entry). The
 * bound counts reads, as MmioPort's maxPolls does: polled once a main-loop pass by the session (vcore_core.c), a core
 * that never halts is reported after 2^24 main-loop passes instead of 2^24 reads in hal_vcore_run's tight loop. */
int hal_vcore_run_poll(uint32_t *err_pc) {
  uint32_t s = VC_LOAD(VC_STATUS);
  if (s & VC_ST_TRAP) {
    *err_pc = s >> 16 & 0x3FFu;
    return VD_RUN_TRAP;
  }
  if (s & VC_ST_DONE) return VD_OK;
  if (++polls < VC_MAX_POLLS) return VD_BUSY;
  *err_pc = run_pc;
  return VD_RUN_NO_HALT;
}

/* RUN, then STATUS until the run ends (hal_vcore_run_poll's result) */
int hal_vcore_run(uint32_t pc, int learn, uint32_t *err_pc) {
  int r;
  hal_vcore_run_start(pc, learn);
  while ((r = hal_vcore_run_poll(err_pc)) == VD_BUSY) {}
  return r;
}
