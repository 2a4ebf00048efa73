/* vcore_driver.h: the board firmware's use of the vector core (gateware/vcore/) through its host port: the C twin of
 * VcoreDriver (hardware-models/fixed-point/vcore-driver.ts). It copies an image that vcore_image_check accepted into
 * the core and serves the session's requests (RESET, RESET with restore, SET_PARAM BETA_Q16 and ITERATIONS,
 * TARGET_FRAME, INPUT_FRAME, probes) with the same port accesses, in the same order, with the same values, as the
 * TypeScript driver (test/gateware/vcore-firmware.test.ts compares the whole access logs). C99, freestanding, no
 * malloc: the driver's state is the struct below (the image stays in the board's image buffer and is only read).
 *
 * HAL: one call a port access (on the board: loads and stores of the core's host-port registers, rv32/hal_vcore_mmio.c).
 * Accesses other than a run's STATUS reads happen only while the core is idle; hal_vcore_run starts the core at pc and returns when it halts: VD_OK,
 * or VD_RUN_TRAP / VD_RUN_NO_HALT with *err_pc set (the driver keeps them in run_err and err_pc). The same run in two
 * halves, for a caller that works while the core computes: hal_vcore_run_start, then hal_vcore_run_poll (one STATUS
 * read each) until it returns something other than VD_BUSY; hal_vcore_run is the two with nothing in between. */
#ifndef FW_VCORE_DRIVER_H
#define FW_VCORE_DRIVER_H
#include <stdint.h>
#include "vcore_image.h"

#ifndef VD_MAX_READERS
#define VD_MAX_READERS 128   /* β readers whose program words the driver keeps (the build's program memory) */
#endif

void hal_vcore_prog_write(uint32_t halfword, uint32_t value);   /* instruction halfword >> 3, bits 16 (halfword & 7) up */
void hal_vcore_k_write(uint32_t k, uint32_t mant);              /* the K file: 0 <= mant < 2^factorBits */
void hal_vcore_clip_top_write(uint32_t k, int32_t top);         /* the top of the ACT clips that name K k */
void hal_vcore_par_write(uint32_t sel, uint32_t value);         /* 0 steps per frame, 1 iterations */
void hal_vcore_bank_write(uint32_t bank, uint32_t word, int32_t value);
int64_t hal_vcore_bank_read(uint32_t bank, uint32_t word);      /* a bank word (up to 42 bits), sign-extended */
void hal_vcore_w_write(uint32_t addr, int32_t value);           /* W at 0.., W0 at weightWords + i */
int32_t hal_vcore_w_read(uint32_t addr);
void hal_vcore_knot_write(uint32_t i, uint32_t word);           /* T & 0x3FFFF | (dT & 0x3FFF) << 18 */
void hal_vcore_sat_write(uint32_t value);
uint32_t hal_vcore_sat_read(void);
int hal_vcore_run(uint32_t pc, int learn, uint32_t *err_pc);   /* VD_OK, VD_RUN_TRAP, VD_RUN_NO_HALT */
void hal_vcore_run_start(uint32_t pc, int learn);
int hal_vcore_run_poll(uint32_t *err_pc);                      /* VD_BUSY while it runs, then as hal_vcore_run */

/* Probe bits (image.ts PROBE) and the TARGET_FRAME value that clears an output's target (core.ts NO_TARGET_Q). */
#define VD_PROBE_OUTPUT_U 1u
#define VD_PROBE_OUTPUT_RATE 2u
#define VD_PROBE_OUTPUT_ERROR 4u
#define VD_PROBE_ALL_U 8u
#define VD_NO_TARGET (-(1 << 23))

/* Results of vcore_set_param. */
#define VD_OK 0
#define VD_BAD_PARAM 1    /* not BETA_Q16 (2) or ITERATIONS (3) */
#define VD_BAD_SHIFT 2    /* a refolded shift outside its 6 bits (nothing written; err_pc names the instruction) */
#define VD_TOO_MANY_READERS 3   /* vcore_driver_init: more β readers than VD_MAX_READERS */
#define VD_RUN_TRAP 4     /* a run trapped: err_pc the trapping instruction */
#define VD_RUN_NO_HALT 5  /* a run did not halt within the HAL's bound: err_pc the run's entry */
#define VD_BUSY 6         /* hal_vcore_run_poll, vcore_frame_poll: the run goes on */

/* The driver's state (what the firmware keeps in RAM). */
typedef struct {
  const uint8_t *img;           /* the checked image */
  const vcore_image_view *v;    /* its view (vcore_image_check's; kept by the caller beside the image) */
  uint32_t weight_words;        /* W words of the build: W0 lives above them */
  uint32_t frames;
  int32_t beta_exp;             /* β's current exponent (the shifts of the β readers are folded with it) */
  uint32_t err_pc;              /* VD_BAD_SHIFT: the instruction; VD_RUN_TRAP / VD_RUN_NO_HALT: see there */
  int run_err;                  /* the last run's result: VD_OK, VD_RUN_TRAP or VD_RUN_NO_HALT */
  uint32_t words[VD_MAX_READERS][4];   /* the β readers' program words as the core holds them */
} vcore_driver;

/* Binds a checked image (its bytes and view) to the driver; VD_OK or VD_TOO_MANY_READERS. Writes nothing. */
int vcore_driver_init(vcore_driver *d, const uint8_t *img, const vcore_image_view *v, uint32_t weight_words);
/* LOAD_IMAGE after the check: program, K file and clip tops, loop counts, W and W0, knot words; then RESET (its result). */
int vcore_install(vcore_driver *d);
/* RESET: every bank word 0, the bias units at 1, the saturation count 0, the frame count 0; then the reset entry.
 * Returns the run's result (VD_OK, VD_RUN_TRAP, VD_RUN_NO_HALT; also in run_err, the pc in err_pc). */
int vcore_reset(vcore_driver *d);
/* RESET with restore (after vcore_reset): W <- W0, word by word. */
void vcore_reload_weights(vcore_driver *d);
/* SET_PARAM: ITERATIONS (3) the loop count; BETA_Q16 (2) refolds the β readers' shifts, rewrites the halfwords that
 * change, then β's mantissa. Returns VD_OK, VD_BAD_PARAM or VD_BAD_SHIFT. */
int vcore_set_param(vcore_driver *d, uint32_t id, uint32_t value);
/* TARGET_FRAME: one value an output (VD_NO_TARGET clears its target). */
void vcore_set_targets(vcore_driver *d, const int32_t *values);
/* INPUT_FRAME: the inputs into r_in, a run of the frame entry, then the probes into out (returns their count). A run
 * that traps or does not halt: no probes read, the frame not counted, 0 returned and run_err / err_pc say why. */
uint32_t vcore_frame(vcore_driver *d, const int32_t *inputs, int learn, uint32_t probes, int32_t *out);
/* The same frame in two halves, with the same accesses in the same order, for a caller that works while the core
 * computes (and makes no other access to it in between): vcore_frame_start writes the inputs and starts the run;
 * vcore_frame_poll reads STATUS once: VD_BUSY while the run goes on, else its result, with (VD_OK) the frame counted
 * and the probes in out, their count in *n, or (a trap, no halt) run_err and err_pc set as vcore_frame leaves them. */
void vcore_frame_start(vcore_driver *d, const int32_t *inputs, int learn);
int vcore_frame_poll(vcore_driver *d, uint32_t probes, int32_t *out, uint32_t *n);
/* OUTPUT_FRAME's values in width order (u, rate, error of the outputs; u of every neuron); returns their count. */
uint32_t vcore_probe(vcore_driver *d, uint32_t probes, int32_t *out);
/* The saturation counter; the weight registers of projection k (returns their count). */
uint32_t vcore_saturations(vcore_driver *d);
uint32_t vcore_weights(vcore_driver *d, uint32_t k, int32_t *out);

#endif
