/* fw.h: the firmware's entry points: fw_init() once after reset, fw_poll() in the main loop (each call
 * does a bounded amount of work and returns), and what the board shows (LEDs, tests). */
#ifndef FW_FW_H
#define FW_FW_H
#include <stdint.h>
void fw_init(void);
void fw_poll(void);
int fw_session_open(void);
uint8_t fw_board_state(void);
uint16_t fw_rto_ms(void);
#endif
