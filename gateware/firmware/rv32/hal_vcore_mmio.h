/* rv32/hal_vcore_mmio.h: the vector core's registers as the soft RV32I reaches them (gateware/vcore/vcore_coreio.v's
 * map, the same as hardware-models/fixed-point/vcore-mmio.ts VC_REG): register idx at VCORE_MMIO_BASE + 4 * idx,
 * cpu_link's I/O space (gateware/cpu_link.v: 0x8000_0000 + 4n, where cpu_link_coreio sits for nla_core).
 * rv32/hal_vcore_mmio.c implements vcore_driver.h's hal_vcore_* over these. */
#ifndef FW_HAL_VCORE_MMIO_H
#define FW_HAL_VCORE_MMIO_H

#ifndef VCORE_MMIO_BASE
#define VCORE_MMIO_BASE 0x80000000u   /* cpu_link's register window (IO_BASE of rv32/hal_cpulink.c) */
#endif
/* the bound on STATUS reads of one run (MmioPort's maxPolls): past it the run is VD_RUN_NO_HALT */
#ifndef VC_MAX_POLLS
#define VC_MAX_POLLS (1ul << 24)
#endif

/* register indices (byte offset / 4 in the window) */
#define VC_PROG 7u     /* w: bits 25..16 program halfword, 15..0 its value */
#define VC_K 8u        /* w: bits 19..16 register, 14..0 mantissa */
#define VC_PAR 9u      /* w: bit 16 which (0 steps per frame, 1 iterations), 15..0 the count */
#define VC_BADDR 10u   /* w: bits 10..8 bank, 7..0 word */
#define VC_BLO 11u     /* w: bits 31..0 of the bank word at BADDR; r: the word at BADDR, bits 31..0 */
#define VC_BHI 12u     /* w: bits D-1..32 of the bank word at BADDR; r: bits D-1..32 sign-extended */
#define VC_WADDR 13u   /* w: the W port's address (W, W0, the knot words, the clip tops) */
#define VC_WDATA 14u   /* w: writes at WADDR; r: the word at WADDR */
#define VC_SAT 15u     /* w/r: the saturation count */
#define VC_RUN 16u     /* w: bits 9..0 the pc, bit 16 learn: starts a run */
#define VC_STATUS 17u  /* r: bit 0 done, bit 1 busy, bit 2 trap, bits 25..16 trap pc */

/* where the W port reaches what is not W (vcore.v's W map; VC_W_MAP) */
#define VC_W_KNOTS 8192u
#define VC_W_CLIP_TOPS 16352u

#define VC_ST_DONE 1u
#define VC_ST_TRAP 4u

#endif
