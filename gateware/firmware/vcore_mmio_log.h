/* vcore_mmio_log.h: the native build of rv32/hal_vcore_mmio.c (cc -include vcore_mmio_log.h): its stores and loads
 * go to vcore_tb.c's logging bus (built with -DVT_MMIO), which prints them as the TypeScript RecordingBus does. */
#include <stdint.h>
void vt_store(uint32_t idx, uint32_t v);
uint32_t vt_load(uint32_t idx);
#define VC_STORE(idx, v) vt_store((idx), (uint32_t)(v))
#define VC_LOAD(idx) vt_load(idx)
