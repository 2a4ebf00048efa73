/* fw_crc_cobs.c: rv32_soc firmware measuring the byte-rate work of the link layer. For each block
   that arrives on the receive port (2-byte little-endian length, then the bytes; length 0xFFFF ends)
   it computes the CRC-32 (IEEE 802.3, as core/crc32.ts) with a 256-word table, bitwise, and with a
   16-word (nibble) table, and the COBS encoding (as host/protocol/cobs.ts), writing marks 1..5 between
   them so the testbench can count cycles (1 table 2 bitwise 3 COBS 4 nibble 5), and sends: the three
   CRCs as 4 bytes little-endian each, the COBS length as 2 bytes little-endian, the COBS bytes. */
#include "fw_io.h"
#define MAXLEN 2048

static unsigned crc_table[256];
static unsigned crc_nib[16];
static unsigned char buf[MAXLEN];
static unsigned char enc[MAXLEN + MAXLEN / 254 + 2];

static void tx32(unsigned v) { for (int k = 0; k < 4; k++) { tx(v & 0xff); v >>= 8; } }

static unsigned crc_bitwise(const unsigned char *p, unsigned n) {
  unsigned c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static unsigned crc_tabled(const unsigned char *p, unsigned n) {
  unsigned c = 0xffffffffu;
  while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

static unsigned crc_nibble(const unsigned char *p, unsigned n) {
  unsigned c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    c = crc_nib[c & 15] ^ (c >> 4);
    c = crc_nib[c & 15] ^ (c >> 4);
  }
  return ~c;
}

static unsigned cobs_encode(const unsigned char *src, unsigned n, unsigned char *out) {
  unsigned code_at = 0, o = 1, code = 1;
  for (unsigned i = 0; i < n; i++) {
    unsigned b = src[i];
    if (b == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = b;
      if (++code == 0xff) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
      }
    }
  }
  out[code_at] = code;
  return o;
}

int main(void) {
  mark(0x10);
  for (unsigned i = 0; i < 256; i++) {
    unsigned c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    crc_table[i] = c;
    if (i < 16) {
      c = i;
      for (int k = 0; k < 4; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
      crc_nib[i] = c;
    }
  }
  mark(0x11);
  for (;;) {
    unsigned n = rx();
    n |= rx() << 8;
    if (n == 0xffff) break;
    if (n > MAXLEN) n = MAXLEN;
    for (unsigned i = 0; i < n; i++) buf[i] = rx();
    mark(1);
    unsigned c1 = crc_tabled(buf, n);
    mark(2);
    unsigned c2 = crc_bitwise(buf, n);
    mark(3);
    unsigned m = cobs_encode(buf, n, enc);
    mark(4);
    unsigned c3 = crc_nibble(buf, n);
    mark(5);
    tx32(c1);
    tx32(c2);
    tx32(c3);
    tx(m & 0xff);
    tx(m >> 8);
    for (unsigned i = 0; i < m; i++) tx(enc[i]);
  }
  return 0;
}
