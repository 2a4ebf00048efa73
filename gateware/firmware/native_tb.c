/* native_tb.c: the firmware (gateware/firmware/) run natively in place of the RTL session, under the line
 * protocol of gateware/sim/session_tb.cpp, so that the same session tests run against it:
 *   F <hex>   deliver a raw frame (waits, clocking, until frame_rx would have a free buffer)
 *   J         a rejected block (rx_reject)          K       one received byte (rx_activity)
 *   C <n>     run n clock cycles                    M <n>   run n ms (n * TICK_CYCLES cycles)
 *   W <n> <ms> run until n more frames were sent, at most <ms> ms
 *   P         print "ST <session_open> <board_state> <rto_ms>"          Q   quit
 * Every frame sent is printed as "TX <ms> <hex>" when its last byte has left; every command ends with
 * "OK <cycle>". The blocks around the firmware are C models: frame_rx (two buffers), frame_tx
 * (TX_CYCLES_PER_BYTE per byte), the 1 ms clock (TICK_CYCLES cycles) and core_stub.v (its outputs formula,
 * its checks of an image, FRAME_CYCLES per frame). The firmware's main loop runs once per clock cycle (an
 * infinitely fast CPU). Linked with rv32_iss.c instead of the firmware's sources, it runs the firmware's
 * RV32I image; FW_IPC=<n> then gives that CPU a finite speed (n instructions per cycle). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "fw.h"
#include "hal.h"
#include "config.h"

#ifndef TICK_CYCLES
#define TICK_CYCLES 20
#endif
#define TX_CYCLES_PER_BYTE 1
#ifndef FRAME_CYCLES
#define FRAME_CYCLES 200
#endif
#define COMMIT_CYCLES 17
#define STUB_MAX_INPUTS 64
#define STUB_MAX_OUTPUTS 16
#define NO_TARGET 0x800000u

static uint64_t cycle;
static uint16_t now_ms;
static int div_cycles;

/* ---- frame_rx: two buffers, delivered in order, released by the firmware ---- */
static uint8_t rbuf[2][8192];
static int rlen[2], held[2];
static int rq[2], rq_n;                 /* delivered, not yet released (oldest first) */
static unsigned rx_ev;

int hal_rx_frame(const uint8_t **data) {
  if (rq_n == 0) return -1;
  *data = rbuf[rq[0]];
  return rlen[rq[0]];
}
void hal_rx_release(void) {
  if (rq_n == 0) return;
  held[rq[0]] = 0;
  rq[0] = rq[1];
  rq_n--;
}
unsigned hal_rx_events(void) {
  unsigned e = rx_ev;
  rx_ev = 0;
  return e;
}

/* ---- frame_tx ---- */
static uint8_t txf[8192];
static int tx_len, tx_busy, tx_started, tx_left;
static uint64_t tx_count;

int hal_tx_busy(void) { return tx_busy; }
void hal_tx_start(const uint8_t *data, uint16_t len) {
  if (tx_busy) { fprintf(stderr, "native_tb: tx_start while busy\n"); exit(3); }
  memcpy(txf, data, len);
  tx_len = len;
  tx_busy = 1;
  tx_started = 1;
}
static void emit_tx(void) {
  static const char hx[] = "0123456789abcdef";
  printf("TX %llu ", (unsigned long long)(cycle / TICK_CYCLES));
  for (int i = 0; i < tx_len; i++) { putchar(hx[txf[i] >> 4]); putchar(hx[txf[i] & 15]); }
  putchar('\n');
  tx_count++;
}

uint16_t hal_now_ms(void) { return now_ms; }

/* ---- core_stub.v ---- */
static uint8_t img[IMG_BYTES];
static uint32_t in_mem[STUB_MAX_INPUTS], tgt_mem[STUB_MAX_OUTPUTS];
static int image_loaded, learn_lvl;
static uint32_t image_crc, saturations, frames_processed, commit_total;
static uint16_t n_stim, n_out, n_neur, iterations, err_off;
static uint8_t result;
static int commit_left, busy_cycles, img_done_q, frame_done_q;

void hal_img_write(uint32_t addr, uint8_t b) { if (addr < IMG_BYTES) img[addr] = b; }
void hal_img_commit(uint32_t total) { commit_total = total & 0x1FFFF; commit_left = COMMIT_CYCLES; }
int hal_img_done(uint8_t *r, uint16_t *off) {
  if (!img_done_q) return 0;
  img_done_q = 0;
  *r = result;
  *off = err_off;
  return 1;
}
int hal_image_loaded(void) { return image_loaded; }
uint32_t hal_image_crc(void) { return image_crc; }
uint16_t hal_n_stim_inputs(void) { return n_stim; }
uint16_t hal_n_outputs(void) { return n_out; }
uint16_t hal_n_neurons(void) { return n_neur; }
void hal_core_reset(int restore) { (void)restore; frames_processed = 0; saturations = 0; }
void hal_set_learn(int l) { learn_lvl = l; }
int hal_param_write(uint16_t id, uint32_t v) { if (id == 3) iterations = (uint16_t)v; return 0; }
void hal_input_write(uint16_t idx, uint32_t v) { if (idx < STUB_MAX_INPUTS) in_mem[idx] = v & 0xFFFFFF; }
void hal_target_write(uint16_t idx, uint32_t v) { if (idx < STUB_MAX_OUTPUTS) tgt_mem[idx] = v & 0xFFFFFF; }
void hal_target_commit(void) {}
void hal_frame_go(uint8_t probes) { (void)probes; busy_cycles = FRAME_CYCLES; }
int hal_frame_done(void) {
  if (!frame_done_q) return 0;
  frame_done_q = 0;
  return 1;
}
uint32_t hal_output_read(uint16_t idx) {
  uint32_t v_in = (idx < n_stim && idx < STUB_MAX_INPUTS) ? in_mem[idx] : 0;
  uint32_t v_tg = (idx < n_out && idx < STUB_MAX_OUTPUTS && tgt_mem[idx] != NO_TARGET) ? tgt_mem[idx] : 0;
  return (v_in + 16u * idx + frames_processed + v_tg + (learn_lvl ? 0x1000u : 0) + iterations) & 0xFFFFFF;
}
uint32_t hal_frames_processed(void) { return frames_processed; }
uint32_t hal_saturations(void) { return saturations; }

static void core_commit_done(void) {
  /* the 14 bytes core_stub reads: magic 0..3, nStim 28..29, nNeurons 30..31, nOutputs 32..33, trailer CRC */
  uint32_t t = commit_total;
  uint8_t b[14];
  for (int i = 0; i < 4; i++) b[i] = img[i];
  for (int i = 0; i < 6; i++) b[4 + i] = img[28 + i];
  for (int i = 0; i < 4; i++) b[10 + i] = img[(t - 4 + i) & (IMG_BYTES - 1)];
  uint16_t s_in = (uint16_t)(b[4] | b[5] << 8), s_out = (uint16_t)(b[8] | b[9] << 8);
  img_done_q = 1;
  if (!(b[0] == 'N' && b[1] == 'L' && b[2] == 'A' && b[3] == 'I')) { result = 1; err_off = 0; }
  else if (s_in > STUB_MAX_INPUTS) { result = 2; err_off = 28; }
  else if (s_out > STUB_MAX_OUTPUTS) { result = 2; err_off = 32; }
  else {
    result = 0;
    image_loaded = 1;
    image_crc = (uint32_t)b[10] | (uint32_t)b[11] << 8 | (uint32_t)b[12] << 16 | (uint32_t)b[13] << 24;
    n_stim = s_in; n_out = s_out; n_neur = (uint16_t)(b[6] | b[7] << 8);
    frames_processed = 0; saturations = 0;
    for (int i = 0; i < STUB_MAX_OUTPUTS; i++) tgt_mem[i] = NO_TARGET;
  }
}

static void core_reset_all(void) {
  image_loaded = 0; image_crc = 0; n_stim = n_out = n_neur = 0; result = 0; err_off = 0;
  busy_cycles = 0; saturations = 0; frames_processed = 0; iterations = 0; commit_left = 0;
  for (int i = 0; i < STUB_MAX_INPUTS; i++) in_mem[i] = 0;
  for (int i = 0; i < STUB_MAX_OUTPUTS; i++) tgt_mem[i] = NO_TARGET;
}

#ifdef RV_IMAGE_PATH
/* With the RV32I simulator, FW_IPC=<n> (environment) models a CPU of finite speed: n instructions per
 * testbench cycle; after a poll of k instructions the next one starts ceil(k / n) cycles later. */
uint64_t rv_last_poll_instructions(void);
static uint64_t ipc, cpu_free_at;
#endif

/* ---- one clock cycle: the firmware's loop runs once, then the blocks around it advance ---- */
static void step(void) {
#ifdef RV_IMAGE_PATH
  if (!ipc) fw_poll();
  else if (cycle >= cpu_free_at) {
    fw_poll();
    cpu_free_at = cycle + (rv_last_poll_instructions() + ipc - 1) / ipc;
  }
#else
  fw_poll();
#endif
  cycle++;
  if (++div_cycles == TICK_CYCLES) { div_cycles = 0; now_ms++; }
  if (commit_left && --commit_left == 0) core_commit_done();
  if (busy_cycles && --busy_cycles == 0) {
    frame_done_q = 1;
    frames_processed++;
    if (in_mem[0] & 0x800000) saturations++;
  }
  if (tx_started) { tx_started = 0; tx_left = tx_len * TX_CYCLES_PER_BYTE; }
  else if (tx_busy && --tx_left <= 0) { tx_busy = 0; emit_tx(); }
}

static void deliver(const uint8_t *raw, int n) {
  long guard = 0;
  while (held[0] && held[1] && guard++ < 10000000) step();
  int b = held[0] ? 1 : 0;
  memcpy(rbuf[b], raw, (size_t)n);
  rlen[b] = n;
  held[b] = 1;
  rq[rq_n++] = b;
  rx_ev |= HAL_EV_ACTIVITY;
  step();
}

static char line[1 << 16];
static uint8_t raw[1 << 15];

int main(void) {
  core_reset_all();
#ifdef RV_IMAGE_PATH
  if (getenv("FW_IPC")) ipc = (uint64_t)atol(getenv("FW_IPC"));
#endif
  cycle = 4;                    /* (the RTL testbench holds reset for 4 cycles) */
  fw_init();
  while (fgets(line, sizeof line, stdin)) {
    size_t L = strlen(line);
    while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = 0;
    if (!L) continue;
    char c = line[0];
    const char *arg = L > 2 ? line + 2 : "";
    if (c == 'F') {
      int n = 0;
      for (size_t i = 0; arg[i] && arg[i + 1] && n < (int)sizeof raw; i += 2) {
        char h[3] = { arg[i], arg[i + 1], 0 };
        raw[n++] = (uint8_t)strtoul(h, 0, 16);
      }
      deliver(raw, n);
    } else if (c == 'J') { rx_ev |= HAL_EV_REJECT; step(); }
    else if (c == 'K') { rx_ev |= HAL_EV_ACTIVITY; step(); }
    else if (c == 'C') { long n = atol(arg); for (long i = 0; i < n; i++) step(); }
    else if (c == 'M') { long n = atol(arg) * TICK_CYCLES; for (long i = 0; i < n; i++) step(); }
    else if (c == 'W') {
      long n = 0, ms = 0;
      sscanf(arg, "%ld %ld", &n, &ms);
      uint64_t want = tx_count + (uint64_t)n, end = cycle + (uint64_t)ms * TICK_CYCLES;
      while (tx_count < want && cycle < end) step();
    } else if (c == 'P') {
      printf("ST %d %d %u\n", fw_session_open() ? 1 : 0, fw_board_state(), (unsigned)fw_rto_ms());
    } else if (c == 'Q') break;
    printf("OK %llu\n", (unsigned long long)cycle);
    fflush(stdout);
  }
  return 0;
}
