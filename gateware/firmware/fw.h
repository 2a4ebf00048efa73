/* fw.h: the firmware's entry points: fw_init() once after reset, fw_poll() in the main loop, and what the
 * board shows (LEDs, tests). Each fw_poll() does a bounded amount of work and returns (at most one received
 * frame copied, 64 image bytes staged, 32 output values read, one frame started: on RV32I at most ~7 700
 * instructions, ~240 when idle); calling it at least once per ms keeps the timers to their 1 ms resolution,
 * and a slower loop catches up the ticks it missed. */
#ifndef FW_FW_H
#define FW_FW_H
#include <stdint.h>
void fw_init(void);
void fw_poll(void);
int fw_session_open(void);
uint8_t fw_board_state(void);
uint16_t fw_rto_ms(void);
#endif
