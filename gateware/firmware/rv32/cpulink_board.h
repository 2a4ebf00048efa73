/* cpulink_board.h: the firmware's parameters on the board (gateware/board_top.v with cpu_link), included
 * before config.h (-include) when the board's image is built (make board-image). Each value is board_top's:
 * test/gateware/cpu-board-image.test.ts fails if they disagree (its parameters MAX_PAYLOAD, IMG_BYTES,
 * MAX_NEURONS, MAX_SYNAPSES, MAX_INPUTS, MAX_OUTPUTS, MAX_FRAME_RATE and .BOARD_ID; board_link's HAW for
 * the history, and the window board_link's receive queue gives, 3); host/fpga/gateware-capacity.ts reads
 * the window from here. The line time of a byte is not compiled in: it is cpu_link's register 28
 * (BYTE_MS_Q16 = 655360000 / BAUD, a parameter of cpu_link), so one image serves every baud rate
 * (`nla fpga build --baud`). The ms clock is in the gateware (TICK_CYCLES = CLK_HZ / 1000). */
#ifndef CPULINK_BOARD_H
#define CPULINK_BOARD_H
#define FW_CORE_LOADER 1        /* nla_core has no loader: image_install.c validates and installs */
#define MAX_PAYLOAD 1003         /* board_top's: a frame of 11 + 1003 bytes, encoded with its CRC-32, fills 1024 bytes */
#define HAL_TX_RAW 1             /* the HAL encodes each frame (CRC-32, COBS, delimiter): board_top has frame_tx_raw */
#define RX_WINDOW 3
#define HIST_LOG2 10
#define IMG_BYTES 32768
#define CAP_MAX_NEURONS 64
#define CAP_MAX_SYNAPSES 4096
#define CAP_MAX_INPUTS 32
#define CAP_MAX_OUTPUTS 16
#define CAP_MAX_FRAME_RATE 1000
#define BOARD_ID "nla-up5k"
/* the staging window and the raw write port (CORE_PORT 30, CORE_WD 29) inline (hal.h, image_install.h) */
#define HAL_STAGE_WINDOW 0x80030000u
#define HAL_CORE_PORT 0x80000078u
#define HAL_CORE_WD 0x80000074u
#define HAL_OUT_REQ 0x80000060u    /* OUT_REQ (24); OUT_VALUE (25) after it */
#define BYTE_MS_Q16 (*(volatile const unsigned *)0x80000070u)
#endif
