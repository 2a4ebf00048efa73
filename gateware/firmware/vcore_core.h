/* vcore_core.h: the session's core (hal.h's image and core calls) on the vector core (gateware/vcore/), for the board
 * whose core is the vector core (FW_VCORE = 1: board_top with vcore, firmware built by `make board-image-vcore`).
 * LOAD_IMAGE's bytes go into one of two image buffers (the free upper part of the core's program SPRAM, a byte window in
 * cpu_link's region 3: VCORE_IMG_WINDOW); the commit checks the staged image against the board's build
 * (vcore_image_check, the C twin of decodeVcoreImage) and only then installs it through the driver (vcore_driver.h), so
 * a refused image leaves the running one (its buffer, its view, the core's memories) as it was. The driver reads its
 * image from the buffer for as long as it runs it. A frame computes while the session goes on: hal_frame_go writes the
 * inputs and starts the run, hal_frame_done reads STATUS once a call and the probes at the run's end, so the link and
 * the last frame's OUTPUT_FRAME (store, history, encoding, sending) overlap the core's run; every other call that
 * accesses the core's registers (reset, SET_PARAM, targets, the image commit, saturations) first waits for a computing
 * frame to end (the session makes none of them while a frame computes: they are S_IDLE's; this is a second guard), and
 * LOAD_IMAGE's byte writes into the image window wait in hardware while the core runs (vcore_board.v). The board's build is the one board_top synthesizes
 * (rv32/cpulink_vcore_board.h; test/gateware/vcore-board.test.ts checks the two agree). */
#ifndef FW_VCORE_CORE_H
#define FW_VCORE_CORE_H
#include <stdint.h>

/* CORE_INFO's payload (protocol 5.18: imageFormat 2 and the build); returns its length */
uint16_t vcore_core_info(uint8_t *p);
/* the last frame's run: 0 when it halted, else the pc where the core stopped (trap or no halt) + 1 */
uint32_t vcore_core_frame_fault(void);

#endif
