/* link.h: the link layer of docs/protocol.md 3-4 and 6.2 (gateware/link_rx.v, rx_queue.v, link_tx.v,
 * unseq_frame.v, line_time.v, idle_timer.v as firmware): sequence numbers, acknowledgements (delayed,
 * urgent, GAP), credits, the receive queue, the retransmission store with go-back-N, the timer of 4.7.1
 * with bounded retries, window probes, the unsequenced frames (ACK, HELLO_ACK, ERROR NO_SESSION), the
 * HELLO handshake's link side and the idle timeout. */
#ifndef FW_LINK_H
#define FW_LINK_H
#include <stdint.h>
#include "config.h"

#define FLAG_SEQ 1u
#define FLAG_ACK 2u
#define FLAG_PROBE 4u
#define FLAG_GAP 8u

void link_init(void);
void link_tick(uint16_t now);   /* once per 1 ms tick: the clock's value after it */
void link_rx_poll(void);       /* receive events and at most one frame */
void link_tx_poll(void);       /* the transmitter */

/* receive queue (messages accepted in sequence, in order) */
uint8_t link_q_count(void);
const uint8_t *link_q_head(uint8_t *type, uint16_t *len);   /* the oldest message's payload */
/* the message after the oldest (only when link_q_count() >= 2) */
const uint8_t *link_q_next(uint8_t *type, uint16_t *len);
void link_q_pop(void);          /* the session is done with it: its credit returns */
uint8_t link_q_popped(void);    /* messages popped so far (mod 256) */
/* a well-formed HELLO arrived since the last call: 1, with the queue's push count at that moment */
int link_hello_take(uint8_t *mark);

/* HELLO_ACK: one is being sent or waits to be sent; request one with the session's snapshot */
int link_ha_busy(void);
void link_hello_ack(uint8_t flags, uint32_t crc, uint32_t last);

/* retransmission store: a frame of flen bytes (header || payload): where to write it, or 0 while there is
 * no room (the caller waits); then link_store_commit() with the same length */
uint8_t *link_store_alloc(uint16_t flen);
void link_store_commit(void);

int link_session_open(void);
uint16_t link_rto(void);
#endif
