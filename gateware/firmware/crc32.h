/* crc32.h: CRC-32 (IEEE, reflected polynomial 0xEDB88320: core/crc32.ts, gateware/crc32.v), a nibble at a time from a
 * 64-byte table: the image check (vcore_image.c) and, on the board, the CRC the HAL appends to every frame it sends
 * (frame_encode.h). */
#ifndef FW_CRC32_H
#define FW_CRC32_H
#include <stdint.h>

/* The CRC register c after one more byte b (start from 0xFFFFFFFF; the CRC is the register's complement). */
static inline uint32_t crc32_byte(uint32_t c, uint8_t b) {
  static const uint32_t T[16] = {0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
                                 0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
                                 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
  c ^= b;
  c = (c >> 4) ^ T[c & 15u];
  return (c >> 4) ^ T[c & 15u];
}

#endif
