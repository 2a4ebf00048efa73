/* rv32/vcore_entry.c: the entry point of the RV32I build of the vcore image check that vcore_iss.c runs (linked with
 * rv32/link.ld: rv_entry at address 0). The harness puts the build at VI_BUILD and the image at VI_IMG; the check's
 * view (and its refusal) is left at VI_VIEW. */
#include "../vcore_image.h"

#define VI_BUILD 0xF000u
#define VI_VIEW  0xF100u
#define VI_IMG   0x10000u

/* a0 = the image's length; returns vcore_image_check's result */
__attribute__((section(".text.entry"))) int rv_entry(uint32_t len) {
  return vcore_image_check((const uint8_t *)VI_IMG, len, (const vcore_build *)VI_BUILD, (vcore_image_view *)VI_VIEW);
}
