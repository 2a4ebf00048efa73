import { readFileSync } from 'node:fs';
import { crc32 } from '../../core/crc32.js';
import { UsageError } from '../../core/errors.js';

/**
 * The flash image of the soft CPU's firmware, as cpu_link's boot ROM (gateware/firmware/rv32/boot_rom.S) reads it from the configuration
 * SPI flash at power-up (at FIRMWARE_FLASH_OFFSET, after the bitstream) and copies it into the CPU's RAM:
 *
 *   bytes 0..3   magic "NLFW"
 *   bytes 4..7   payload length in bytes, little-endian (even, 2 .. FIRMWARE_MAX_BYTES)
 *   bytes 8..11  CRC-32 of the payload (core/crc32.ts: IEEE, as gateware/crc32.v), little-endian
 *   bytes 12..   the payload: the firmware's memory image from address 0 (objcopy -O binary), padded
 *                with one zero byte to an even length (the RAM is written in 16-bit words)
 *
 * The boot ROM refuses a bad magic, a length that is 0, odd or above its MAX_BYTES, and a CRC that does
 * not match (it lights the red LED and stops: the firmware never runs).
 */
export const FIRMWARE_MAGIC = 'NLFW';
/** Byte address of the image in the flash: boot_rom.S's OFFSET (1 MiB; an iCE40 UP5K bitstream is 104 090 bytes). */
export const FIRMWARE_FLASH_OFFSET = 0x100000;
/** The largest payload: cpu_link's SPRAM (32 KiB), boot_rom.S's MAX_BYTES. */
export const FIRMWARE_MAX_BYTES = 32768;
export const FIRMWARE_HEADER_BYTES = 12;

/** The flash image (header + payload) of a firmware memory image; throws a UsageError when it is empty or too large. */
export function firmwareFlashImage(firmware: Uint8Array, maxBytes = FIRMWARE_MAX_BYTES): Uint8Array {
  const len = firmware.length + (firmware.length & 1);
  if (firmware.length === 0) throw new UsageError('the firmware is empty');
  if (len > maxBytes) throw new UsageError(`the firmware is ${firmware.length} bytes; the CPU's RAM (the boot ROM's MAX_BYTES) holds ${maxBytes}`);
  const img = new Uint8Array(FIRMWARE_HEADER_BYTES + len);
  const view = new DataView(img.buffer);
  for (let i = 0; i < 4; i++) img[i] = FIRMWARE_MAGIC.charCodeAt(i);
  img.set(firmware, FIRMWARE_HEADER_BYTES);
  view.setUint32(4, len, true);
  view.setUint32(8, crc32(img, FIRMWARE_HEADER_BYTES), true);
  return img;
}

/** What the boot ROM would do with bytes read from the offset: the payload, or why it lights the red LED. */
export function checkFirmwareFlashImage(bytes: Uint8Array, maxBytes = FIRMWARE_MAX_BYTES): { payload: Uint8Array } | { error: string } {
  if (bytes.length < FIRMWARE_HEADER_BYTES) return { error: `${bytes.length} bytes: shorter than the ${FIRMWARE_HEADER_BYTES}-byte header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== FIRMWARE_MAGIC) return { error: 'bad magic' };
  const len = view.getUint32(4, true);
  if (len === 0 || len & 1 || len > maxBytes) return { error: `bad length ${len} (even, 2 .. ${maxBytes})` };
  if (bytes.length < FIRMWARE_HEADER_BYTES + len) return { error: `the image is cut: ${bytes.length - FIRMWARE_HEADER_BYTES} payload bytes of ${len}` };
  const payload = bytes.subarray(FIRMWARE_HEADER_BYTES, FIRMWARE_HEADER_BYTES + len);
  if (crc32(payload) !== view.getUint32(8, true)) return { error: 'bad CRC' };
  return { payload };
}

/**
 * Reads a firmware memory image: a raw binary (objcopy -O binary, any name but .hex), or a $readmemh file
 * (.hex) of 16-bit words (gateware/sim's SPRAM images) or 32-bit words (gateware/cpu/build-firmware.mjs),
 * little-endian, one a line. Every word is kept (a .hex padded to the RAM's size is read whole: a trailing
 * zero may be a constant's, and the SPRAM has no defined contents at power-up).
 */
export function readFirmwareFile(file: string): Uint8Array {
  const raw = readFileSync(file);
  if (!file.toLowerCase().endsWith('.hex')) return new Uint8Array(raw);
  const words = raw
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter((l) => l !== '');
  if (words.some((w) => w.startsWith('@'))) throw new UsageError(`${file}: address lines (@...) are not supported; give a raw binary (objcopy -O binary)`);
  const digits = words[0]?.length ?? 0;
  if ((digits !== 4 && digits !== 8) || words.some((w) => w.length !== digits || !/^[0-9a-fA-F]+$/.test(w))) {
    throw new UsageError(`${file}: not a firmware .hex file (one 16-bit or 32-bit hex word a line)`);
  }
  const n = digits / 2;
  const out = new Uint8Array(words.length * n);
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    for (let k = 0; k < n; k++) out[i * n + k] = (v >>> (8 * k)) & 0xff;
  });
  return out;
}
