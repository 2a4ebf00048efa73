/* hal_ecall.c: the HAL of hal.h as `ecall`s into the RV32I instruction-set simulator (rv32_iss.c), and the
 * entry point it calls (rv_entry, placed at address 0). Stands for the memory-mapped registers of the
 * real board: each call costs a few instructions, as a register access would. */
#include "../hal.h"
#include "../fw.h"
#include "hal_calls.h"

static inline uint32_t ec(uint32_t id, uint32_t a, uint32_t b, uint32_t c) {
  register uint32_t a0 __asm__("a0") = a;
  register uint32_t a1 __asm__("a1") = b;
  register uint32_t a2 __asm__("a2") = c;
  register uint32_t a7 __asm__("a7") = id;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

int hal_rx_frame(const uint8_t **data) {
  int n = (int)ec(HC_RX_FRAME, 0, 0, 0);
  *data = (const uint8_t *)RV_RX_AREA;
  return n;
}
void hal_rx_release(void) { ec(HC_RX_RELEASE, 0, 0, 0); }
unsigned hal_rx_events(void) { return ec(HC_RX_EVENTS, 0, 0, 0); }
int hal_tx_busy(void) { return (int)ec(HC_TX_BUSY, 0, 0, 0); }
void hal_tx_start(const uint8_t *data, uint16_t len) { ec(HC_TX_START, (uint32_t)data, len, 0); }
uint16_t hal_now_ms(void) { return (uint16_t)ec(HC_NOW_MS, 0, 0, 0); }
void hal_img_write(uint32_t addr, uint8_t byte) { ec(HC_IMG_WRITE, addr, byte, 0); }
void hal_img_commit(uint32_t total) { ec(HC_IMG_COMMIT, total, 0, 0); }
int hal_img_done(uint8_t *result, uint16_t *err_off) {
  uint32_t r = ec(HC_IMG_DONE, 0, 0, 0);
  if (!(r >> 31)) return 0;
  *result = (uint8_t)(r >> 16);
  *err_off = (uint16_t)r;
  return 1;
}
int hal_image_loaded(void) { return (int)ec(HC_IMAGE_LOADED, 0, 0, 0); }
uint32_t hal_image_crc(void) { return ec(HC_IMAGE_CRC, 0, 0, 0); }
uint16_t hal_n_stim_inputs(void) { return (uint16_t)ec(HC_N_STIM, 0, 0, 0); }
uint16_t hal_n_outputs(void) { return (uint16_t)ec(HC_N_OUT, 0, 0, 0); }
uint16_t hal_n_neurons(void) { return (uint16_t)ec(HC_N_NEUR, 0, 0, 0); }
void hal_core_reset(int restore_weights) { ec(HC_CORE_RESET, (uint32_t)restore_weights, 0, 0); }
void hal_set_learn(int learn) { ec(HC_SET_LEARN, (uint32_t)learn, 0, 0); }
int hal_param_write(uint16_t id, uint32_t value) { return (int)ec(HC_PARAM_WRITE, id, value, 0); }
void hal_input_write(uint16_t idx, uint32_t v24) { ec(HC_INPUT_WRITE, idx, v24, 0); }
void hal_target_write(uint16_t idx, uint32_t v24) { ec(HC_TARGET_WRITE, idx, v24, 0); }
void hal_target_commit(void) { ec(HC_TARGET_COMMIT, 0, 0, 0); }
void hal_frame_go(uint8_t probes) { ec(HC_FRAME_GO, probes, 0, 0); }
int hal_frame_done(void) { return (int)ec(HC_FRAME_DONE, 0, 0, 0); }
uint32_t hal_output_read(uint16_t idx) { return ec(HC_OUTPUT_READ, idx, 0, 0); }
uint32_t hal_frames_processed(void) { return ec(HC_FRAMES_PROCESSED, 0, 0, 0); }
uint32_t hal_saturations(void) { return ec(HC_SATURATIONS, 0, 0, 0); }

__attribute__((section(".text.entry"))) uint32_t rv_entry(uint32_t what) {
  switch (what) {
    case RV_INIT: fw_init(); return 0;
    case RV_POLL: fw_poll(); return 0;
    case RV_SESSION_OPEN: return (uint32_t)fw_session_open();
    case RV_BOARD_STATE: return fw_board_state();
    default: return fw_rto_ms();
  }
}
