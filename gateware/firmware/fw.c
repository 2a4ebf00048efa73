/* fw.c: the main loop: the 1 ms ticks since the last call, the receive side, the session, the transmitter. */
#include "fw.h"
#include "hal.h"
#include "link.h"
#include "session.h"

static uint16_t last_ms;

void fw_init(void) {
  link_init();
  session_init();
  last_ms = hal_now_ms();
}

void fw_poll(void) {
  uint16_t now = hal_now_ms();
  while (last_ms != now) {      /* every tick counts, even when a slow loop saw several at once */
    last_ms++;
    link_tick(last_ms);
  }
  link_rx_poll();
  session_poll();
  link_tx_poll();
}

int fw_session_open(void) { return link_session_open(); }
uint8_t fw_board_state(void) { return session_board_state(); }
uint16_t fw_rto_ms(void) { return link_rto(); }

#ifdef FW_RV32_MAIN
/* the board's entry point (the HAL is memory-mapped registers there) */
void fw_main(void) {
  fw_init();
  for (;;) fw_poll();
}
#endif
