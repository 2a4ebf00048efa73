/* frame_encode.h: a frame as it goes on the line, COBS(frame || CRC-32 little-endian) || 0x00 (docs/protocol.md 3), as
 * host/protocol/frame.ts and cobs.ts encode it: groups of at most 254 non-zero bytes, each led by its length + 1, a
 * zero ending a group (a frame whose encoding ends with a full group or a zero gets a last group `01`). On the board
 * the HAL encodes every frame it sends into cpu_link's transmit buffer (rv32/hal_cpulink.c, HAL_TX_RAW);
 * test/gateware/frame-encode.test.ts holds it to the TypeScript encoder. */
#ifndef FW_FRAME_ENCODE_H
#define FW_FRAME_ENCODE_H
#include <stdint.h>
#include "crc32.h"

/* The line bytes of the len-byte frame at data, written at dst: at most n + n / 254 + 2 of them, n = len + 4 (the
 * CRC). Returns how many. */
static inline uint32_t frame_encode(volatile uint8_t *dst, const uint8_t *data, uint32_t len) {
  volatile uint8_t *d = dst, *code = d++;
  uint32_t c = 0xFFFFFFFFu, n = 1, i;
  for (i = 0; i < len + 4u; i++) {
    uint8_t b;
    if (i < len) {
      b = data[i];
      c = crc32_byte(c, b);
    } else {
      if (i == len) c = ~c;
      b = (uint8_t)(c >> (8u * (i - len)));
    }
    if (b != 0) {
      *d++ = b;
      n++;
    }
    if (b == 0 || n == 0xFFu) {
      *code = (uint8_t)n;
      code = d++;
      n = 1;
    }
  }
  *code = (uint8_t)n;
  *d++ = 0;
  return (uint32_t)(d - dst);
}

#endif
