/* fw_io.h: the measurement SoC's byte port (rv32_soc, 0x80000000) as the test firmwares use it:
   word 0 reads the receive FIFO (bit 8 = a byte is there), word 1 sends a byte, word 2 writes a cycle
   mark the testbench counts between. */
#ifndef FW_IO_H
#define FW_IO_H
#define IO ((volatile unsigned *)0x80000000u)

static unsigned rx(void) {
  unsigned v;
  do v = IO[0]; while (!(v & 0x100));
  return v & 0xff;
}
static void tx(unsigned b) { IO[1] = b; }
static void mark(unsigned m) { IO[2] = m; }
#endif
