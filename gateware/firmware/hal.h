/* hal.h: everything the firmware calls for I/O (and nothing else). On the board these are memory-mapped
 * registers of frame_rx, frame_tx, the 1 ms clock and nla_core; in the native testbench
 * (native_tb.c) they are C models of the same blocks (gateware/sim/session_tb.cpp, core_stub.v). */
#ifndef FW_HAL_H
#define FW_HAL_H
#include <stdint.h>

/* ---- frame_rx: received frames, raw header || payload, CRC already checked and stripped ---- */
/* The oldest frame not yet released: its length (11 + the header's length field), or -1 when none.
 * The bytes stay valid until hal_rx_release(). */
int hal_rx_frame(const uint8_t **data);
void hal_rx_release(void);
#define HAL_EV_REJECT   1u      /* a block was rejected (CRC, COBS, length) */
#define HAL_EV_OVERRUN  2u      /* frame_rx had no free buffer */
#define HAL_EV_ACTIVITY 4u      /* a byte was received (any) */
/* The events since the last call (read and cleared). */
unsigned hal_rx_events(void);

/* ---- frame_tx: sends a raw frame (adds CRC and COBS); one at a time ---- */
int hal_tx_busy(void);
/* Starts sending len bytes at data (only when !hal_tx_busy()); the bytes must stay unchanged until
 * hal_tx_busy() falls. */
void hal_tx_start(const uint8_t *data, uint16_t len);

/* ---- the 1 ms clock ---- */
uint16_t hal_now_ms(void);

/* ---- nla_core (ports of gateware/sim/core_stub.v / nla_core.v) ---- */
void hal_img_write(uint32_t addr, uint8_t byte);     /* staging memory (addr < IMG_BYTES) */
void hal_img_commit(uint32_t total);                 /* validate and install the staged image */
/* 1 when the commit finished: result 0 installed, 1 invalid, 2 beyond the capabilities; err_off the byte */
int hal_img_done(uint8_t *result, uint16_t *err_off);
/* FW_CORE_LOADER (config.h; the board: nla_core has no loader): the firmware loader image_install.c validates
 * and installs instead of hal_img_commit, through these two (image_install.h): a staged byte, and the core's
 * raw write port (II_MEM_*); hal_img_done then reports the end of the core's rest after the loader's CTL END */
#ifdef HAL_STAGE_WINDOW   /* (cpu_link: rv32/cpulink_board.h) the staging window and the raw port, inline */
#define hal_stage_rd(addr) ((uint8_t)((volatile const uint8_t *)(HAL_STAGE_WINDOW))[(addr)])
#define hal_core_wr(mem, addr, value) do { *(volatile uint32_t *)(HAL_CORE_PORT) = (uint32_t)(mem) << 16 | (uint32_t)(addr); \
  *(volatile uint32_t *)(HAL_CORE_WD) = (uint32_t)(value); } while (0)
#else
uint8_t hal_stage_rd(uint32_t addr);
void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value);
#endif
int hal_image_loaded(void);
uint32_t hal_image_crc(void);
uint16_t hal_n_stim_inputs(void);
uint16_t hal_n_outputs(void);
uint16_t hal_n_neurons(void);
void hal_core_reset(int restore_weights);
void hal_set_learn(int learn);
/* SET_PARAM 2, 3 (range-checked by the session): 0, or nonzero where the core refuses the value (the vector core: a
 * β whose refolded shifts leave their fields), which the session answers with ERROR BAD_PARAM */
int hal_param_write(uint16_t id, uint32_t value);
void hal_input_write(uint16_t idx, uint32_t v24);
void hal_target_write(uint16_t idx, uint32_t v24);
void hal_target_commit(void);
void hal_frame_go(uint8_t probes);                   /* compute a frame with the inputs written */
int hal_frame_done(void);                            /* 1 once, when the frame is computed */
#ifdef HAL_OUT_REQ   /* (cpu_link: rv32/cpulink_board.h) OUT_REQ and OUT_VALUE inline: a store and a poll, no call */
static inline uint32_t hal_output_read(uint16_t idx) {
  uint32_t v;
  *(volatile uint32_t *)(HAL_OUT_REQ) = idx;
  while (!((v = *(volatile uint32_t *)(HAL_OUT_REQ + 4u)) >> 31)) {}
  return v & 0xFFFFFFu;
}
#else
uint32_t hal_output_read(uint16_t idx);              /* value idx (24 bits) of the last frame */
#endif
uint32_t hal_frames_processed(void);
uint32_t hal_saturations(void);

#endif
