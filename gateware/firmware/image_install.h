/* image_install.h: the core's image loader as firmware: nla_core has no loader of its own (its former RTL
 * loader, nla_core_load.vh, was removed; git history); session.c runs it as a job (FW_CORE_LOADER, the
 * board's build), the core testbenches (gateware/sim/core_tb.cpp, core_install_tb.cpp) compile it in.
 * image_install() does what that RTL loader did with a staged, committed image: pass 1 checks every field in the RTL's order, with the RTL's result codes and byte offsets; only
 * a valid image reaches pass 2, which reads the records again and writes the installed state into the
 * core through a raw write port. The model it is tested against, word for word:
 * hardware-models/fixed-point/core-install.ts (coreInstall), itself proven against the RTL.
 *
 * HAL (also declared in hal.h): two calls; on the board nla_core's staging read and raw write port (nla_core.v).
 *   uint8_t hal_stage_rd(uint32_t addr)               a byte of the staging memory (addr < IMG_BYTES)
 *   void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value)   the raw write port, mem one of II_MEM_*:
 *     II_MEM_WMEM   nla_wmem word addr (14 bits), 32-bit value: W at 0.., W0 at 4096.., tables at 8192 + 1024 slot
 *     II_MEM_AW_LO  aw_mem word addr: the low 32 bits, held in the port
 *     II_MEM_AW_HI  aw_mem word addr: the high 32 bits; writes {value, held low half} (AW bits of address)
 *     II_MEM_FB     fb_mem word addr, 24-bit value (the output map, the units' populations)
 *     II_MEM_REG    an installed register, addr II_REG_* (the j flags: II_REG_J + j, value {lrn, pg, pre})
 *     II_MEM_CTL    addr II_CTL_BEGIN: the core stops using the running image (image_loaded = 0; the
 *                   caller has waited until no frame is in flight); addr II_CTL_END: the core rests
 *                   (REST, EACT, as after the RTL's pass 2), then raises image_loaded and img_done
 * The core parameters below must be those of the nla_core build (defaults: nla_core.v's and board_top.v's). */
#ifndef FW_IMAGE_INSTALL_H
#define FW_IMAGE_INSTALL_H
#include <stdint.h>

#ifndef II_MAX_NEURONS
#define II_MAX_NEURONS 64
#endif
#ifndef II_MAX_INPUTS
#define II_MAX_INPUTS 32
#endif
#ifndef II_MAX_OUTPUTS
#define II_MAX_OUTPUTS 16
#endif
#ifndef II_MAX_SYNAPSES
#define II_MAX_SYNAPSES 4096
#endif
#ifndef II_MAX_POPS
#define II_MAX_POPS 8
#endif
#ifndef II_MAX_PROJ
#define II_MAX_PROJ 8
#endif
#ifndef II_MAX_TABLES
#define II_MAX_TABLES 4
#endif
#ifndef II_IMG_BYTES
#define II_IMG_BYTES 32768
#endif
#ifndef II_MAX_PAYLOAD
#define II_MAX_PAYLOAD 1024
#endif

#define II_MEM_WMEM  0u
#define II_MEM_AW_LO 1u
#define II_MEM_AW_HI 2u
#define II_MEM_FB    3u
#define II_MEM_REG   4u
#define II_MEM_CTL   5u

#define II_REG_STEPS 0u    /* a_steps 16 */
#define II_REG_ITERS 1u    /* a_iters 16 */
#define II_REG_RELAX 2u    /* a_relax 4 */
#define II_REG_BETA  3u    /* a_beta 24 */
#define II_REG_NIN   4u    /* a_nin IB+1 */
#define II_REG_NST   5u    /* a_nst IB+1 */
#define II_REG_NN    6u    /* a_nn NB+1 */
#define II_REG_NO    7u    /* a_no OB+1 */
#define II_REG_NPROJ 8u    /* a_nproj JB+1 */
#define II_REG_CRC   9u    /* a_crc 32 (image_crc) */
#define II_REG_NSYN  10u   /* a_nsyn EW (RESET restoreWeights copies this many W0 -> W) */
#define II_REG_J     16u   /* + j: projection j's flags, bit 0 j_pre, bit 1 j_pg, bit 2 j_lrn */

#define II_CTL_BEGIN 0u
#define II_CTL_END   1u

#ifdef __cplusplus
extern "C" {   /* a C++ testbench may call it (compile image_install.c as C: it jumps into blocks) */
#endif

/* the proposed HAL (see above) */
#ifdef HAL_STAGE_WINDOW   /* (cpu_link: rv32/cpulink_board.h) the staging window and the raw port, inline */
#define hal_stage_rd(addr) ((uint8_t)((volatile const uint8_t *)(HAL_STAGE_WINDOW))[(addr)])
#define hal_core_wr(mem, addr, value) do { *(volatile uint32_t *)(HAL_CORE_PORT) = (uint32_t)(mem) << 16 | (uint32_t)(addr); \
  *(volatile uint32_t *)(HAL_CORE_WD) = (uint32_t)(value); } while (0)
#else
uint8_t hal_stage_rd(uint32_t addr);
void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value);
#endif

/* Checks the `total` staged bytes and, if valid, installs them. Returns the result: 0 installed (the
 * caller then waits for the core's end of rest), 1 BAD_IMAGE, 2 CAPACITY; *err_off: the refused byte. */
int image_install(uint32_t total, uint16_t *err_off);

/* The same as a job run a slice at a time (so that fw_poll keeps the link served): image_install_start(total),
 * then image_install_poll(max_bytes, &off) once per fw_poll: II_BUSY while it runs (at most about max_bytes
 * staged bytes read per call: ~25 instructions each), then the result as image_install's (once; II_IDLE after). */
#define II_BUSY (-1)
#define II_IDLE (-2)
void image_install_start(uint32_t total);
int image_install_poll(uint32_t max_bytes, uint16_t *err_off);

#ifdef __cplusplus
}
#endif

#endif
