/* rv32_iss.c: an RV32I instruction-set simulator that runs the firmware's cross-compiled image (built with
 * rv32/hal_ecall.c and rv32/link.ld) in place of the natively compiled firmware: linked with native_tb.c
 * instead of fw.c and the rest, it provides fw_init/fw_poll/... by calling the image's rv_entry, and
 * answers the image's HAL `ecall`s with native_tb.c's models. So the session tests also run the RV32I
 * machine code, and the instructions each fw_poll() takes are counted (RV_STATS=<file>: appended there at
 * exit). RV_IMAGE_PATH: the raw image (objcopy -O binary), loaded at address 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "fw.h"
#include "hal.h"
#include "rv32/hal_calls.h"

#ifndef RV_IMAGE_PATH
#error "RV_IMAGE_PATH: the firmware image (objcopy -O binary)"
#endif
#define MAGIC_RA 0xFFFFFFF0u

static uint8_t mem[RV_MEM_BYTES];
static uint32_t x[32], pc;
static int loaded;
static uint64_t icount, polls, busy_polls, max_poll, sum_busy, last_poll;
static uint64_t hist[8];                /* polls by instructions: <64, <256, <1k, <4k, <16k, <64k, <256k, more */

static void die(const char *why, uint32_t a) {
  fprintf(stderr, "rv32_iss: %s at pc 0x%08x (0x%08x)\n", why, pc, a);
  exit(4);
}
static uint32_t ld(uint32_t a, int n) {
  if (a > RV_MEM_BYTES - (uint32_t)n) die("load outside memory", a);
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | mem[a + (uint32_t)i];
  return v;
}
static void st(uint32_t a, uint32_t v, int n) {
  if (a > RV_MEM_BYTES - (uint32_t)n) die("store outside memory", a);
  for (int i = 0; i < n; i++) mem[a + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

static uint32_t hal_call(uint32_t id, uint32_t a0, uint32_t a1) {
  switch (id) {
    case HC_RX_FRAME: {
      const uint8_t *d;
      int n = hal_rx_frame(&d);
      if (n > (int)(RV_MEM_BYTES - RV_RX_AREA)) die("frame larger than the receive area", (uint32_t)n);
      if (n >= 0) memcpy(mem + RV_RX_AREA, d, (size_t)n);
      return (uint32_t)n;
    }
    case HC_RX_RELEASE: hal_rx_release(); return 0;
    case HC_RX_EVENTS: return hal_rx_events();
    case HC_TX_BUSY: return (uint32_t)hal_tx_busy();
    case HC_TX_START:
      if (a0 > RV_MEM_BYTES || a1 > RV_MEM_BYTES - a0) die("tx_start outside memory", a0);
      hal_tx_start(mem + a0, (uint16_t)a1);
      return 0;
    case HC_NOW_MS: return hal_now_ms();
    case HC_IMG_WRITE: hal_img_write(a0, (uint8_t)a1); return 0;
    case HC_IMG_COMMIT: hal_img_commit(a0); return 0;
    case HC_IMG_DONE: {
      uint8_t r;
      uint16_t off;
      if (!hal_img_done(&r, &off)) return 0;
      return 0x80000000u | ((uint32_t)r << 16) | off;
    }
    case HC_IMAGE_LOADED: return (uint32_t)hal_image_loaded();
    case HC_IMAGE_CRC: return hal_image_crc();
    case HC_N_STIM: return hal_n_stim_inputs();
    case HC_N_OUT: return hal_n_outputs();
    case HC_N_NEUR: return hal_n_neurons();
    case HC_CORE_RESET: hal_core_reset((int)a0); return 0;
    case HC_SET_LEARN: hal_set_learn((int)a0); return 0;
    case HC_PARAM_WRITE: return (uint32_t)hal_param_write((uint16_t)a0, a1);
    case HC_INPUT_WRITE: hal_input_write((uint16_t)a0, a1); return 0;
    case HC_TARGET_WRITE: hal_target_write((uint16_t)a0, a1); return 0;
    case HC_TARGET_COMMIT: hal_target_commit(); return 0;
    case HC_FRAME_GO: hal_frame_go((uint8_t)a0); return 0;
    case HC_FRAME_DONE: return (uint32_t)hal_frame_done();
    case HC_OUTPUT_READ: return hal_output_read((uint16_t)a0);
    case HC_FRAMES_PROCESSED: return hal_frames_processed();
    case HC_SATURATIONS: return hal_saturations();
    default: die("unknown HAL call", id);
  }
  return 0;
}

#define RV_EXEC_MEM_BYTES RV_MEM_BYTES
#define RV_EXEC_ECALL(id, a0, a1) hal_call((id), (a0), (a1))
#include "rv32_exec.h"

static uint32_t rv_call(uint32_t what) {
  if (!loaded) {
    FILE *f = fopen(RV_IMAGE_PATH, "rb");
    if (!f) die("cannot open the image " RV_IMAGE_PATH, 0);
    size_t n = fread(mem, 1, RV_STACK_TOP, f);
    fclose(f);
    if (n == 0) die("empty image", 0);
    loaded = 1;
  }
  x[1] = MAGIC_RA;
  x[2] = RV_STACK_TOP;
  x[10] = what;
  pc = 0;
  run_until_return();
  return x[10];
}

static void stats(void) {
  const char *p = getenv("RV_STATS");
  if (!p) return;
  FILE *f = fopen(p, "a");
  if (!f) return;
  fprintf(f, "polls %llu instructions %llu busy_polls %llu busy_instructions %llu max_poll %llu hist",
          (unsigned long long)polls, (unsigned long long)icount, (unsigned long long)busy_polls,
          (unsigned long long)sum_busy, (unsigned long long)max_poll);
  for (int i = 0; i < 8; i++) fprintf(f, " %llu", (unsigned long long)hist[i]);
  fputc('\n', f);
  fclose(f);
}

void fw_init(void) {
  rv_call(RV_INIT);
  atexit(stats);
}
void fw_poll(void) {
  uint64_t before = icount;
  rv_call(RV_POLL);
  uint64_t n = icount - before;
  last_poll = n;
  polls++;
  if (n > max_poll) max_poll = n;
  int k = 0;
  for (uint64_t lim = 64; k < 7 && n >= lim; lim <<= 2) k++;
  hist[k]++;
  if (n >= 256) { busy_polls++; sum_busy += n; }
}
uint64_t rv_last_poll_instructions(void) { return last_poll; }
int fw_session_open(void) { return (int)rv_call(RV_SESSION_OPEN); }
uint8_t fw_board_state(void) { return (uint8_t)rv_call(RV_BOARD_STATE); }
uint16_t fw_rto_ms(void) { return (uint16_t)rv_call(RV_RTO_MS); }
