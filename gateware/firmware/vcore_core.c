/* vcore_core.c: see vcore_core.h. hal.h's image and core calls over the vector core's driver. */
#include "hal.h"
#include "config.h"
#include "vcore_core.h"
#include "vcore_driver.h"

#ifndef VCORE_IMG_WINDOW
#define VCORE_IMG_WINDOW 0x80030000u   /* cpu_link's region 3: byte i of the program SPRAM (loads and byte stores) */
#endif
/* the two image buffers in the window (above the program's 2^(PAW+3) halfwords), IMG_BYTES each */
static const uint32_t buf_at[2] = { VCORE_BUF0, VCORE_BUF0 + IMG_BYTES };

static const vcore_build board = {
  1, VCORE_WEIGHT_SHIFT, VCORE_WEIGHT_BITS, VCORE_OPERAND_BITS, VCORE_FACTOR_BITS, VCORE_N_BANKS, VCORE_INSTRUCTIONS,
  VCORE_BANK_WORDS, VCORE_BANK_BITS, VCORE_READ_BANKS, VCORE_K_REGS, VCORE_WEIGHT_WORDS, VCORE_TABLE_WORDS,
};

static vcore_driver drv;
static vcore_image_view views[2];
static uint8_t active = 2;            /* the running image's buffer (2: none) */
static uint8_t staged, learn_on, result;
static uint8_t running, run_probes;    /* a frame computes on the core (hal_frame_go .. hal_frame_done), its probes */
static uint16_t err_off;
static uint32_t fault;                 /* the last frame's fault: pc + 1, 0 when it halted */
static int32_t in_buf[CAP_MAX_INPUTS], tgt_buf[CAP_MAX_OUTPUTS], out_buf[3 * CAP_MAX_OUTPUTS + CAP_MAX_NEURONS];

static uint8_t *win(uint8_t b) { return (uint8_t *)(VCORE_IMG_WINDOW + buf_at[b]); }
static int32_t sext24(uint32_t v) { return (int32_t)(v << 8) >> 8; }

/* the computing frame to its end (its outputs kept for hal_output_read): before any other access to the core */
static void settle(void) {
  while (running && !hal_frame_done()) {}
}

void hal_img_write(uint32_t addr, uint8_t byte) { win(active == 0 ? 1 : 0)[addr] = byte; }
void hal_img_commit(uint32_t total) {
  uint8_t b = active == 0 ? 1 : 0;
  settle();
  int r = vcore_image_check(win(b), total, &board, &views[b]);
  result = 0;
  if (r != VF_OK) {
    result = 1;
    err_off = views[b].err_off == VC_NO_OFFSET ? 0xFFFFu : (uint16_t)views[b].err_off;
  } else if (views[b].n_rin > CAP_MAX_INPUTS || views[b].n_out > CAP_MAX_OUTPUTS || views[b].n_all_u > CAP_MAX_NEURONS ||
             vcore_driver_init(&drv, win(b), &views[b], VCORE_WEIGHT_WORDS) != VD_OK) {
    /* more values than the session's buffers (the capabilities HELLO_ACK announces) or more β readers than the
     * driver keeps (init then changed nothing): a capacity; err_off the interface map or the reader list */
    result = 2;
    err_off = (uint16_t)(views[b].n_rin > CAP_MAX_INPUTS ? views[b].rin_at : views[b].n_out > CAP_MAX_OUTPUTS ? views[b].out_at
                         : views[b].n_all_u > CAP_MAX_NEURONS ? views[b].all_u_at : views[b].readers_at);
  } else {
    active = b;                        /* the core's memories change now: a failed install leaves no image */
    if (vcore_install(&drv) != VD_OK) {
      active = 2;
      result = 1;
      err_off = 0;
    }
  }
  staged = 1;
}
int hal_img_done(uint8_t *res, uint16_t *off) {
  if (!staged) return 0;
  staged = 0;
  *res = result;
  *off = err_off;
  return 1;
}

int hal_image_loaded(void) { return active < 2; }
uint32_t hal_image_crc(void) { return active < 2 ? views[active].source_image_id : 0; }
uint16_t hal_n_stim_inputs(void) { return active < 2 ? views[active].n_rin : 0; }
uint16_t hal_n_outputs(void) { return active < 2 ? views[active].n_out : 0; }
uint16_t hal_n_neurons(void) { return active < 2 ? views[active].n_all_u : 0; }
void hal_core_reset(int restore_weights) {
  settle();
  vcore_reset(&drv);
  if (restore_weights) vcore_reload_weights(&drv);
}
void hal_set_learn(int learn) { learn_on = (uint8_t)(learn != 0); }
int hal_param_write(uint16_t id, uint32_t value) {
  settle();
  return vcore_set_param(&drv, id, value) != VD_OK;
}
void hal_input_write(uint16_t idx, uint32_t v24) { in_buf[idx] = sext24(v24); }
void hal_target_write(uint16_t idx, uint32_t v24) { tgt_buf[idx] = sext24(v24); }
void hal_target_commit(void) {
  settle();
  vcore_set_targets(&drv, tgt_buf);
}
/* the frame starts on the core and the session goes on (the link, the last frame's OUTPUT_FRAME) while it computes;
 * hal_frame_done reads STATUS once a call and, at the run's end, the probes */
void hal_frame_go(uint8_t probes) {
  settle();
  vcore_frame_start(&drv, in_buf, learn_on);
  run_probes = probes;
  running = 1;
}
int hal_frame_done(void) {
  uint32_t n;
  int r;
  if (!running) return 1;
  r = vcore_frame_poll(&drv, run_probes, out_buf, &n);
  if (r == VD_BUSY) return 0;
  running = 0;
  fault = r == VD_OK ? 0 : drv.err_pc + 1u;
  return 1;
}
uint32_t hal_output_read(uint16_t idx) { return (uint32_t)out_buf[idx] & 0xFFFFFFu; }
uint32_t hal_frames_processed(void) { return drv.frames; }
uint32_t hal_saturations(void) {
  settle();
  return active < 2 ? vcore_saturations(&drv) : 0;
}
uint32_t vcore_core_frame_fault(void) { return fault; }

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
uint16_t vcore_core_info(uint8_t *p) {
  uint32_t b;
  p[0] = 2;                            /* vector-core images */
  p[1] = board.number_format;
  p[2] = board.weight_shift; p[3] = board.weight_bits; p[4] = board.operand_bits; p[5] = board.factor_bits;
  put16(p + 6, board.instructions);
  p[8] = (uint8_t)board.k_regs;
  put16(p + 9, board.weight_words);
  put16(p + 11, board.table_words);
  p[13] = board.n_banks;
  for (b = 0; b < board.n_banks; b++) {
    put16(p + 14 + 3 * b, board.bank_words[b]);
    p[16 + 3 * b] = board.bank_bits[b];
  }
  for (b = 0; b < 5u; b++) p[14 + 3 * board.n_banks + b] = board.read_banks[b];   /* the read ports (5.18) */
  return (uint16_t)(19 + 3 * board.n_banks);
}
