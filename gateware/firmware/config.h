/* config.h: the firmware's parameters, the same as board_link.v's (defaults: those of
 * gateware/sim/session_harness.v, which the session tests use; a board build overrides them with -D). */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

#ifndef MAX_PAYLOAD
#define MAX_PAYLOAD 1024        /* largest payload received or sent, bytes */
#endif
#ifndef RX_WINDOW
#define RX_WINDOW 3             /* the receive window W: messages the receive queue holds (credits) */
#endif
#ifndef RING_BYTES
#define RING_BYTES 1536         /* retransmission store, bytes (board_link RBYTES) */
#endif
#ifndef STORE_SLOTS_LOG2
#define STORE_SLOTS_LOG2 3      /* 2**n unacknowledged frames (board_link SAW) */
#endif
#ifndef HIST_LOG2
#define HIST_LOG2 9             /* output history, 2**n bytes (board_link HAW; the board: 10) */
#endif
#ifndef T_MIN_MS
#define T_MIN_MS 200            /* RTO before any sample, and its floor */
#endif
#ifndef MAX_RETRIES
#define MAX_RETRIES 10
#endif
#ifndef ACK_DELAY_MS
#define ACK_DELAY_MS 2
#endif
#ifndef IDLE_MS
#define IDLE_MS 10000
#endif
#ifndef BYTE_MS_Q16
#define BYTE_MS_Q16 711         /* line time of one byte, ms, Q16 (655360000 / baud) */
#endif
#ifndef IMG_BYTES
#define IMG_BYTES 16384         /* the core's image staging memory */
#endif
#ifndef FW_SLICE_BYTES
#define FW_SLICE_BYTES 64       /* LOAD_IMAGE bytes staged per fw_poll (so that a slow CPU still releases frame_rx's buffers) */
#endif
#ifndef FW_CORE_LOADER
#define FW_CORE_LOADER 0        /* 1: the firmware validates and installs images (image_install.c) through the
                                   core's raw write port (nla_core on the board, which has no loader of its own);
                                   0: the core does (hal_img_commit: core_stub in the session harnesses) */
#endif
#ifndef FW_VCORE
#define FW_VCORE 0              /* 1: the core is the vector core (vcore_core.c; protocol 1.1: CORE_QUERY, HELLO_ACK minor 1) */
#endif
#ifndef FW_PROTO_MINOR
#define FW_PROTO_MINOR FW_VCORE /* HELLO_ACK's minor version */
#endif
#ifndef FW_SLICE_INSTALL
#define FW_SLICE_INSTALL 128    /* staged bytes the firmware loader reads per fw_poll (about 25 instructions each) */
#endif
#ifndef FW_SLICE_VALUES
#define FW_SLICE_VALUES 32      /* OUTPUT_FRAME values read from the core per fw_poll */
#endif
/* capabilities announced in HELLO_ACK */
#ifndef CAP_MAX_NEURONS
#define CAP_MAX_NEURONS 255
#endif
#ifndef CAP_MAX_SYNAPSES
#define CAP_MAX_SYNAPSES 4096
#endif
#ifndef CAP_MAX_INPUTS
#define CAP_MAX_INPUTS 64
#endif
#ifndef CAP_MAX_OUTPUTS
#define CAP_MAX_OUTPUTS 16
#endif
#ifndef CAP_MAX_FRAME_RATE
#define CAP_MAX_FRAME_RATE 1000
#endif
#ifndef BOARD_ID
#define BOARD_ID "nla-stub"
#endif

#define STORE_SLOTS (1u << STORE_SLOTS_LOG2)
#define HIST_BYTES (1u << HIST_LOG2)
#define HDR_BYTES 11
#define WMAX ((MAX_PAYLOAD - 10) / 3)   /* values an OUTPUT_FRAME may carry */

#endif
