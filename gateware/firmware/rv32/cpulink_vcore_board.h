/* cpulink_vcore_board.h: the firmware's parameters on the board whose core is the vector core (gateware/board_top.v
 * with gateware/vcore/, VCORE = 1), included before config.h (-include) by `make board-image-vcore`. The link and
 * session parameters are the board's (as rv32/cpulink_board.h); the core's build is VCORE_UP5K_BUILD
 * (hardware-models/fixed-point/vcore-image.ts), which board_top synthesizes and CORE_INFO announces
 * (test/gateware/vcore-board.test.ts fails if the three disagree). */
#ifndef CPULINK_VCORE_BOARD_H
#define CPULINK_VCORE_BOARD_H
#define FW_VCORE 1
#define MAX_PAYLOAD 1003         /* board_top's: a frame of 11 + 1003 bytes, encoded with its CRC-32, fills 1024 bytes */
#define HAL_TX_RAW 1             /* the HAL encodes each frame (CRC-32, COBS, delimiter): board_top has frame_tx_raw */
#define RX_WINDOW 2              /* the receive queue: 2 messages (1 KB each); nla_core's board holds 3 */
#define HIST_LOG2 9              /* the output history, 512 B (1 KB on the nla_core board: the vector core's check and driver take the room) */
#define CAP_MAX_NEURONS 64
#define CAP_MAX_SYNAPSES 4096
#define CAP_MAX_INPUTS 32
#define CAP_MAX_OUTPUTS 16
#define CAP_MAX_FRAME_RATE 1000
#define BOARD_ID "nla-up5k"
/* the two image buffers: program SPRAM bytes 0x0800.. (the program takes 128 instructions x 16 bytes below) */
#define VCORE_BUF0 0x0800u
#define IMG_BYTES 15360
/* the build (VCORE_UP5K_BUILD) */
#define VCORE_WEIGHT_SHIFT 15
#define VCORE_WEIGHT_BITS 16
#define VCORE_OPERAND_BITS 16
#define VCORE_FACTOR_BITS 15
#define VCORE_INSTRUCTIONS 128
#define VCORE_N_BANKS 7
#define VCORE_BANK_WORDS { 256, 256, 256, 256, 256, 256, 256 }
#define VCORE_BANK_BITS { 42, 42, 32, 32, 32, 32, 32 }
/* the banks each operand role reads (A, X, Y, S, M; bit b: bank b), vcore_board.v's RA..RM: 0x7f 0x7c 0x7d 0x16 0x0c */
#define VCORE_READ_BANKS { 127, 124, 125, 22, 12 }
#define VCORE_K_REGS 16
#define VCORE_WEIGHT_WORDS 4096
#define VCORE_TABLE_WORDS 6168
/* β readers the driver keeps (16 B each; 2 KB at the default 128): the compiled networks have 3; an image with more is
 * refused (CAPACITY) */
#define VD_MAX_READERS 8
#define BYTE_MS_Q16 (*(volatile const unsigned *)0x80000070u)
#endif
