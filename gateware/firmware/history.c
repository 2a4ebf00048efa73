/* history.c: see history.h */
#include "history.h"

static uint8_t mem[HIST_BYTES];
static uint16_t head, tail, count;

void hist_clear(void) { head = tail = count = 0; }
uint8_t hist_byte(uint16_t pos) { return mem[pos & (HIST_BYTES - 1)]; }
uint16_t hist_entry_bytes(uint16_t pos) {
  uint16_t c = (uint16_t)(hist_byte((uint16_t)(pos + 8)) | (hist_byte((uint16_t)(pos + 9)) << 8));
  return (uint16_t)(10 + 3u * c);
}
void hist_begin(uint16_t need) {
  for (;;) {
    uint16_t used = (uint16_t)((head - tail) & (HIST_BYTES - 1));
    if (HIST_BYTES - 1 - used >= need || count == 0) return;
    tail = (uint16_t)((tail + hist_entry_bytes(tail)) & (HIST_BYTES - 1));
    count--;
  }
}
void hist_write(const uint8_t *p, uint16_t n) {
  for (uint16_t i = 0, a = head; i < n; i++, a = (uint16_t)((a + 1) & (HIST_BYTES - 1))) mem[a] = p[i];
}
void hist_read(uint16_t pos, uint8_t *dst, uint16_t n) {
  for (uint16_t i = 0, a = pos & (HIST_BYTES - 1); i < n; i++, a = (uint16_t)((a + 1) & (HIST_BYTES - 1))) dst[i] = mem[a];
}
void hist_end(uint16_t bytes) {
  head = (uint16_t)((head + bytes) & (HIST_BYTES - 1));
  count++;
}
uint16_t hist_count(void) { return count; }
uint16_t hist_tail(void) { return tail; }
