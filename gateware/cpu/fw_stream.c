/* fw_stream.c: rv32_soc firmware doing the link layer's byte-rate work as a stream, to count cycles per
   line byte. Commands on the receive port:
     'R' <COBS block> 0x00  decode the block as it arrives (COBS, as host/protocol/cobs.ts cobsDecode)
                            while updating the CRC-32 (table-driven, core/crc32.ts) of the decoded bytes
                            and storing them; sends the decoded length (2 bytes LE), the CRC (4 bytes
                            LE) and 1 if the block was well-formed, else 0;
     'T' <len LE16> <bytes> frames the bytes as frame.ts does after its header: sends
                            COBS(bytes ‖ CRC-32 LE) and the 0x00 delimiter;
     'E'                    ends (ECALL).
   Marks: 0x20 before and 0x21 after each 'R' (from its first block byte to the delimiter), 0x30 and 0x31
   around each 'T' (from the last payload byte received to the delimiter sent).
   Built with HW_CRC=1 it uses rv32_soc's CRC port (CRC_PORT = 1) instead of the table. */
#include "fw_io.h"
#define MAXLEN 2048
#ifndef HW_CRC
#define HW_CRC 0
#endif

#if !HW_CRC
static unsigned crc_table[256];
#endif
static unsigned char buf[MAXLEN + 4];

#if HW_CRC
#define CRC_INIT(c) (IO[3] = 0x100)
#define CRC_BYTE(c, b) (IO[3] = (b))
#define CRC_FINAL(c) ((c) = IO[3])
#else
#define CRC_INIT(c) ((c) = 0xffffffffu)
#define CRC_BYTE(c, b) ((c) = crc_table[((c) ^ (b)) & 0xff] ^ ((c) >> 8))
#define CRC_FINAL(c) ((c) = ~(c))
#endif

static void rx_frame(void) {
  unsigned crc = 0, n = 0, left = 0, code = 0xff, ok = 1;
  mark(0x20);
  CRC_INIT(crc);
  for (;;) {
    unsigned b = rx();
    if (b == 0) break;
    if (left == 0) {
      if (code != 0xff) {  /* a block shorter than 254 bytes ends in a zero, unless it is the last */
        CRC_BYTE(crc, 0);
        if (n < MAXLEN) buf[n++] = 0; else ok = 0;
      }
      code = b;
      left = b - 1;
    } else {
      CRC_BYTE(crc, b);
      if (n < MAXLEN) buf[n++] = b; else ok = 0;
      left--;
    }
  }
  mark(0x21);
  if (left != 0) ok = 0;
  CRC_FINAL(crc);
  tx(n & 0xff);
  tx(n >> 8);
  for (int k = 0; k < 4; k++) { tx(crc & 0xff); crc >>= 8; }
  tx(ok);
}

static void tx_frame(void) {
  unsigned n = rx();
  n |= rx() << 8;
  if (n > MAXLEN) n = MAXLEN;
  unsigned crc = 0;
  for (unsigned i = 0; i < n; i++) buf[i] = rx();
  mark(0x30);
  CRC_INIT(crc);
  for (unsigned i = 0; i < n; i++) CRC_BYTE(crc, buf[i]);
  CRC_FINAL(crc);
  for (int k = 0; k < 4; k++) { buf[n++] = crc & 0xff; crc >>= 8; }
  /* COBS: each block is its length code and up to 254 nonzero bytes */
  unsigned i = 0;
  for (;;) {
    unsigned j = i;
    while (j < n && buf[j] != 0 && j - i < 254) j++;
    tx(j - i + 1);
    for (unsigned k = i; k < j; k++) tx(buf[k]);
    if (j - i == 254) {
      i = j;  /* a full block: the next one starts at the following byte, no zero consumed */
    } else {
      if (j >= n) break;
      i = j + 1;  /* skip the zero the block stands for */
    }
  }
  tx(0);
  mark(0x31);
}

int main(void) {
#if !HW_CRC
  for (unsigned i = 0; i < 256; i++) {
    unsigned c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    crc_table[i] = c;
  }
#endif
  for (;;) {
    unsigned cmd = rx();
    if (cmd == 'R') rx_frame();
    else if (cmd == 'T') tx_frame();
    else break;
  }
  return 0;
}
