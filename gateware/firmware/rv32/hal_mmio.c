/* hal_mmio.c: a PROPOSED memory map for the HAL on the board (not yet wired to any gateware: the CPU and
 * its bus are being built in gateware/cpu/). Every port of frame_rx, frame_tx, the ms clock and nla_core
 * that board_link drives today becomes a 32-bit register at HAL_IO_BASE; frame_rx's current buffer is
 * readable at HAL_RX_WINDOW; frame_tx reads the frame to send from CPU memory (FTX_ADDR, FTX_LEN) while
 * busy. Used for `make size-board`: the firmware's size with a realistic HAL (a register access is a
 * load or store, lui + lw/sw). */
#include "../hal.h"
#include "../fw.h"

#ifndef HAL_IO_BASE
#define HAL_IO_BASE 0x40000000u
#endif
#ifndef HAL_RX_WINDOW
#define HAL_RX_WINDOW 0x40010000u
#endif
#define R(n) (*(volatile uint32_t *)(HAL_IO_BASE + 4u * (n)))
enum {
  FRX_STATUS,      /* r: bit 31 a frame is held (the oldest), bits 12..0 its length */
  FRX_RELEASE,     /* w: release it */
  FRX_EVENTS,      /* r: HAL_EV_* since the last read (cleared by the read) */
  FTX_STATUS,      /* r: bit 0 busy */
  FTX_ADDR,        /* w: the frame's address in CPU memory */
  FTX_START,       /* w: its length: starts frame_tx */
  MS_NOW,          /* r: the 1 ms clock (16 bits) */
  IMG_WR,          /* w: bits 16..0 staging address (IMG_ADDR latched by IMG_ADDR), 7..0 data */
  IMG_ADDR,        /* w: the staging address of the next IMG_WR (auto-increments) */
  IMG_COMMIT,      /* w: total bytes: validate and install */
  IMG_STATUS,      /* r: bit 31 done (cleared by the read), bits 17..16 result, 15..0 error offset */
  CORE_INFO,       /* r: bit 0 image loaded */
  CORE_CRC,        /* r */
  CORE_NSTIM,      /* r */
  CORE_NOUT,       /* r */
  CORE_NNEUR,      /* r */
  CORE_CTRL,       /* w: bit 0 reset, bit 1 restore weights; bit 8 learn (level, written with bit 9) */
  PARAM_ID,        /* w */
  PARAM_VALUE,     /* w: writes the parameter */
  IN_WR,           /* w: bits 31..24 index (< 256), 23..0 value */
  TGT_WR,          /* w: likewise */
  TGT_COMMIT,      /* w */
  FRAME_GO,        /* w: probes */
  FRAME_STATUS,    /* r: bit 0 done (cleared by the read) */
  OUT_IDX,         /* w: starts an output read */
  OUT_VALUE,       /* r: bit 31 valid, 23..0 value */
  CORE_FRAMES,     /* r */
  CORE_SATURATIONS /* r */
};

int hal_rx_frame(const uint8_t **data) {
  uint32_t s = R(FRX_STATUS);
  if (!(s >> 31)) return -1;
  *data = (const uint8_t *)HAL_RX_WINDOW;
  return (int)(s & 0x1FFF);
}
void hal_rx_release(void) { R(FRX_RELEASE) = 1; }
unsigned hal_rx_events(void) { return R(FRX_EVENTS); }
int hal_tx_busy(void) { return (int)(R(FTX_STATUS) & 1); }
void hal_tx_start(const uint8_t *data, uint16_t len) { R(FTX_ADDR) = (uint32_t)data; R(FTX_START) = len; }
uint16_t hal_now_ms(void) { return (uint16_t)R(MS_NOW); }
void hal_img_write(uint32_t addr, uint8_t byte) {
  static uint32_t next = 0xFFFFFFFFu;
  if (addr != next) R(IMG_ADDR) = addr;
  R(IMG_WR) = byte;
  next = addr + 1;
}
void hal_img_commit(uint32_t total) { R(IMG_COMMIT) = total; }
int hal_img_done(uint8_t *result, uint16_t *err_off) {
  uint32_t s = R(IMG_STATUS);
  if (!(s >> 31)) return 0;
  *result = (uint8_t)((s >> 16) & 3);
  *err_off = (uint16_t)s;
  return 1;
}
int hal_image_loaded(void) { return (int)(R(CORE_INFO) & 1); }
uint32_t hal_image_crc(void) { return R(CORE_CRC); }
uint16_t hal_n_stim_inputs(void) { return (uint16_t)R(CORE_NSTIM); }
uint16_t hal_n_outputs(void) { return (uint16_t)R(CORE_NOUT); }
uint16_t hal_n_neurons(void) { return (uint16_t)R(CORE_NNEUR); }
void hal_core_reset(int restore_weights) { R(CORE_CTRL) = 1u | (restore_weights ? 2u : 0u); }
void hal_set_learn(int learn) { R(CORE_CTRL) = (learn ? 0x100u : 0u) | 0x200u; }
int hal_param_write(uint16_t id, uint32_t value) { R(PARAM_ID) = id; R(PARAM_VALUE) = value; return 0; }
void hal_input_write(uint16_t idx, uint32_t v24) { R(IN_WR) = (uint32_t)idx << 24 | (v24 & 0xFFFFFF); }
void hal_target_write(uint16_t idx, uint32_t v24) { R(TGT_WR) = (uint32_t)idx << 24 | (v24 & 0xFFFFFF); }
void hal_target_commit(void) { R(TGT_COMMIT) = 1; }
void hal_frame_go(uint8_t probes) { R(FRAME_GO) = probes; }
int hal_frame_done(void) { return (int)(R(FRAME_STATUS) & 1); }
uint32_t hal_output_read(uint16_t idx) {
  uint32_t v;
  R(OUT_IDX) = idx;
  while (!((v = R(OUT_VALUE)) >> 31)) {}
  return v & 0xFFFFFF;
}
uint32_t hal_frames_processed(void) { return R(CORE_FRAMES); }
uint32_t hal_saturations(void) { return R(CORE_SATURATIONS); }

/* reset: the stack at the top of RAM, then the main loop (bss is zeroed by the start code below) */
extern uint8_t _bss_start[], _bss_end[], _stack_top[];
__attribute__((naked, section(".text.entry"))) void _start(void) {
  __asm__ volatile("la sp, _stack_top\n la t0, _bss_start\n la t1, _bss_end\n"
                   "1: bgeu t0, t1, 2f\n sw zero, 0(t0)\n addi t0, t0, 4\n j 1b\n"
                   "2: call fw_main\n3: j 3b\n");
}
