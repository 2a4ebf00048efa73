/* session.h: the board's message layer (docs/protocol.md 5-9) on top of the link (gateware/session.v as
 * firmware): the SEQ messages in order, checked in the reference board's order
 * (host/board/virtual-board.ts), the core driven through the HAL, answers (STATUS, END_STREAM, ERROR,
 * OUTPUT_FRAME) written into the link's retransmission store, RESEND_OUTPUTS from the output history,
 * and HELLO_ACK once the messages accepted before the HELLO are processed. */
#ifndef FW_SESSION_H
#define FW_SESSION_H
#include <stdint.h>
void session_init(void);
void session_poll(void);
uint8_t session_board_state(void);   /* 0 IDLE, 1 LOADED, 2 STREAMING */
#endif
