/* hal_cpulink.c: the HAL of hal.h on gateware/cpu_link.v's memory-mapped peripherals (the soft RV32I
 * running the firmware in place of board_link), with the reset code and the main loop. Memory map and
 * registers: see the header of gateware/cpu_link.v (and cpu_link_rx.v, cpu_link_tx.v, cpu_link_coreio.v).
 * Linked with rv32/cpulink.ld (code, data, bss and stack in the 32 KiB SPRAM). */
#include "../hal.h"
#include "../fw.h"
#include "../frame_encode.h"

#define IO_BASE 0x80000000u
#define RX_WIN_BASE ((const uint8_t *)0x80010000u)
#define TX_WIN_BASE ((volatile uint8_t *)0x80020000u)
#define ST_WIN_BASE ((volatile const uint8_t *)0x80030000u)
#define R(n) (*(volatile uint32_t *)(IO_BASE + 4u * (n)))
enum {
  RX_STATUS = 0, RX_RELEASE = 1, RX_EVENTS = 2, TX_STATUS = 3, TX_START = 4, MS_NOW = 5, OBS = 6,
  IMG_WR = 7, IMG_COMMIT = 8, IMG_STATUS = 9, CORE_INFO = 10, CORE_CRC = 11, CORE_NSTIM = 12, CORE_NOUT = 13,
  CORE_NNEUR = 14, CORE_CTRL = 15, PARAM_ID = 16, PARAM_VALUE = 17, IDX = 18, IN_VALUE = 19, TGT_VALUE = 20,
  TGT_COMMIT = 21, FRAME_GO = 22, FRAME_STATUS = 23, OUT_REQ = 24, OUT_VALUE = 25, FRAMES = 26, SATURATIONS = 27,
  CORE_WD = 29, CORE_PORT = 30
};

int hal_rx_frame(const uint8_t **data) {
  uint32_t s = R(RX_STATUS);
  if (!(s >> 31)) return -1;
  *data = RX_WIN_BASE;
  /* 11 + the header's length field (bytes 9, 10): frame_rx announces a frame only when it matches the bytes received */
  return 11 + (RX_WIN_BASE[9] | RX_WIN_BASE[10] << 8);
}
void hal_rx_release(void) { R(RX_RELEASE) = 1; }
unsigned hal_rx_events(void) { return R(RX_EVENTS); }
int hal_tx_busy(void) { return (int)(R(TX_STATUS) & 1); }
static void show(void);
/* frame_tx reads cpu_link_tx's buffer: the frame is copied there (so it may change once started). The
 * observation ports are refreshed first (a HELLO_ACK leaves with session_open already shown). HAL_TX_RAW (the board:
 * rv32/cpulink_*board.h, where board_top sends the buffer as it is, frame_tx_raw): the frame goes there as it goes on
 * the line, COBS(frame || CRC-32) || 0x00 (frame_encode.h). */
void hal_tx_start(const uint8_t *data, uint16_t len) {
  volatile uint8_t *d = TX_WIN_BASE;
  show();
#ifdef HAL_TX_RAW
  R(TX_START) = frame_encode(d, data, len);
#else
  const uint8_t *end = data + len;
  while (data != end) *d++ = *data++;
  R(TX_START) = len;
#endif
}
uint16_t hal_now_ms(void) { return (uint16_t)R(MS_NOW); }
/* the core's calls: nla_core's registers (with FW_VCORE the vector core's, vcore_core.c) */
#if !FW_VCORE
void hal_img_write(uint32_t addr, uint8_t byte) { R(IMG_WR) = addr << 8 | byte; }
void hal_img_commit(uint32_t total) { R(IMG_COMMIT) = total; }
int hal_img_done(uint8_t *result, uint16_t *err_off) {
  uint32_t s = R(IMG_STATUS);
  if (!(s >> 31)) return 0;
  *result = (uint8_t)((s >> 16) & 3);
  *err_off = (uint16_t)s;
  return 1;
}
/* the firmware loader's (FW_CORE_LOADER; image_install.h): the staging window, and the raw write port
 * (CORE_PORT sets the memory and address, each CORE_WD store writes: two stores a write) */
#ifndef HAL_STAGE_WINDOW   /* (otherwise inline: hal.h) */
uint8_t hal_stage_rd(uint32_t addr) { return ST_WIN_BASE[addr]; }
void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value) { R(CORE_PORT) = mem << 16 | addr; R(CORE_WD) = value; }
#endif
int hal_image_loaded(void) { return (int)(R(CORE_INFO) & 1); }
uint32_t hal_image_crc(void) { return R(CORE_CRC); }
uint16_t hal_n_stim_inputs(void) { return (uint16_t)R(CORE_NSTIM); }
uint16_t hal_n_outputs(void) { return (uint16_t)R(CORE_NOUT); }
uint16_t hal_n_neurons(void) { return (uint16_t)R(CORE_NNEUR); }
void hal_core_reset(int restore_weights) { R(CORE_CTRL) = 1u | (restore_weights ? 2u : 0u); }
void hal_set_learn(int learn) { R(CORE_CTRL) = (learn ? 0x100u : 0u) | 0x200u; }
int hal_param_write(uint16_t id, uint32_t value) { R(PARAM_ID) = id; R(PARAM_VALUE) = value; return 0; }
void hal_input_write(uint16_t idx, uint32_t v24) { R(IDX) = idx; R(IN_VALUE) = v24; }
void hal_target_write(uint16_t idx, uint32_t v24) { R(IDX) = idx; R(TGT_VALUE) = v24; }
void hal_target_commit(void) { R(TGT_COMMIT) = 1; }
void hal_frame_go(uint8_t probes) { R(FRAME_GO) = probes; }
int hal_frame_done(void) { return (int)(R(FRAME_STATUS) & 1); }
#ifndef HAL_OUT_REQ   /* (otherwise inline: hal.h) */
uint32_t hal_output_read(uint16_t idx) {
  uint32_t v;
  R(OUT_REQ) = idx;
  while (!((v = R(OUT_VALUE)) >> 31)) {}
  return v & 0xFFFFFF;
}
#endif
uint32_t hal_frames_processed(void) { return R(FRAMES); }
uint32_t hal_saturations(void) { return R(SATURATIONS); }
#endif

/* what board_link shows on its ports (session_open, board_state, rto_ms): after every poll and at every frame start */
static void show(void) {
  R(OBS) = (uint32_t)fw_rto_ms() << 16 | (uint32_t)fw_board_state() << 1 | (fw_session_open() ? 1u : 0u);
}
void cpulink_main(void) {
  fw_init();
  show();
  for (;;) {
    fw_poll();
    show();
  }
}

/* reset: the stack at the top of the SPRAM, bss zeroed, then the main loop */
__attribute__((naked, section(".text.entry"))) void _start(void) {
  __asm__ volatile("la sp, _stack_top\n la t0, _bss_start\n la t1, _bss_end\n"
                   "1: bgeu t0, t1, 2f\n sw zero, 0(t0)\n addi t0, t0, 4\n j 1b\n"
                   "2: call cpulink_main\n3: j 3b\n");
}
