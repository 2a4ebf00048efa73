/* hal_calls.h: the numbers of the HAL calls when the firmware runs on the RV32I instruction-set simulator
 * (rv32_iss.c): each hal_* function is an `ecall` with its number in a7, arguments in a0..a2, result in a0.
 * Also the simulator's memory map. */
#ifndef FW_HAL_CALLS_H
#define FW_HAL_CALLS_H
enum {
  HC_RX_FRAME = 1, HC_RX_RELEASE, HC_RX_EVENTS, HC_TX_BUSY, HC_TX_START, HC_NOW_MS, HC_IMG_WRITE, HC_IMG_COMMIT,
  HC_IMG_DONE, HC_IMAGE_LOADED, HC_IMAGE_CRC, HC_N_STIM, HC_N_OUT, HC_N_NEUR, HC_CORE_RESET, HC_SET_LEARN,
  HC_PARAM_WRITE, HC_INPUT_WRITE, HC_TARGET_WRITE, HC_TARGET_COMMIT, HC_FRAME_GO, HC_FRAME_DONE, HC_OUTPUT_READ,
  HC_FRAMES_PROCESSED, HC_SATURATIONS
};
/* entry (rv_entry's argument) */
enum { RV_INIT = 0, RV_POLL = 1, RV_SESSION_OPEN = 2, RV_BOARD_STATE = 3, RV_RTO_MS = 4 };
#define RV_MEM_BYTES 0x10000u   /* code from 0, data, bss, stack below RV_RX_AREA */
#define RV_RX_AREA 0xE000u      /* where the simulator puts frame_rx's current frame (8 KiB) */
#define RV_STACK_TOP 0xE000u
#endif
