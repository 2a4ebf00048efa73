/* history.h: the OUTPUT_FRAME payloads of the newest frames (docs/protocol.md 7.6), for RESEND_OUTPUTS, as
 * gateware/output_history.v keeps them: a byte ring of HIST_BYTES; entries are whole payloads (frame u32,
 * timeUs u32, count u16, values), the oldest evicted to make room. Frames are consecutive, so the count
 * and the newest frame describe it. */
#ifndef FW_HISTORY_H
#define FW_HISTORY_H
#include <stdint.h>
#include "config.h"
void hist_clear(void);
void hist_begin(uint16_t need);                 /* evicts the oldest entries until need bytes fit */
void hist_write(const uint8_t *p, uint16_t n);   /* the entry being appended: its n bytes */
void hist_end(uint16_t bytes);
uint16_t hist_count(void);
uint16_t hist_tail(void);
uint8_t hist_byte(uint16_t pos);                 /* (pos modulo HIST_BYTES) */
void hist_read(uint16_t pos, uint8_t *dst, uint16_t n);   /* n bytes from pos (wrapping) */
uint16_t hist_entry_bytes(uint16_t pos);         /* the size of the entry at pos: 10 + 3 count */
#endif
