import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { encodeFrame } from '../../host/protocol/frame.js';
import { GATEWARE } from './tools.js';

/**
 * The board's firmware encodes every frame it sends (gateware/firmware/frame_encode.h: rv32/hal_cpulink.c with
 * HAL_TX_RAW; board_top's frame_tx_raw puts the bytes on the line as they are). Natively compiled, it must give
 * byte for byte what the host's encoder gives, COBS(frame || CRC-32 little-endian) || 0x00, on frames that reach
 * every COBS case (zeros, runs of 253, 254, 255 and 508 non-zero bytes, a trailing zero, zeros in the CRC) and on the
 * largest frame the board sends (11 + 1003 bytes, all non-zero), whose encoding fills its 1024-byte buffer exactly.
 */
const cc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'nla-frame-encode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The harness: a frame in hex a line on stdin, its line bytes in hex a line on stdout. */
function harness(): string {
  const c = join(dir, 'enc.c');
  writeFileSync(c, `#include <stdio.h>
#include <string.h>
#include "frame_encode.h"
int main(void) {
  static char line[20000];
  static uint8_t in[8192], out[9000];
  while (fgets(line, sizeof line, stdin)) {
    uint32_t n = 0, m, i;
    unsigned v;
    while (sscanf(line + 2 * n, "%2x", &v) == 1) in[n++] = (uint8_t)v;
    m = frame_encode(out, in, n);
    for (i = 0; i < m; i++) printf("%02x", out[i]);
    printf("\\n");
  }
  return 0;
}
`);
  const bin = join(dir, 'enc');
  const r = spawnSync('cc', ['-O2', '-std=c99', '-Wall', '-Werror', `-I${join(GATEWARE, 'firmware')}`, '-o', bin, c], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return bin;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What the host puts on the line for the raw frame bytes `raw`: COBS(raw || CRC-32 LE) || 0x00. */
function reference(raw: Uint8Array): Uint8Array {
  const withCrc = new Uint8Array(raw.length + 4);
  withCrc.set(raw);
  new DataView(withCrc.buffer).setUint32(raw.length, crc32(raw), true);
  const enc = cobsEncode(withCrc);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

describe.skipIf(!cc)('the firmware frame encoder (frame_encode.h) against the host encoder', () => {
  it('gives the host encoder\'s bytes on every COBS case, and the largest board frame fills 1024 bytes', () => {
    let s = 0x1234567;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
    const nonzero = (n: number) => Uint8Array.from({ length: n }, () => 1 + (r() % 255));
    const frames: Uint8Array[] = [
      nonzero(11), new Uint8Array(11), new Uint8Array(20).map((_, i) => (i % 3 === 0 ? 0 : i)),
      ...[253, 254, 255, 508, 509].map(nonzero),
      Uint8Array.of(...nonzero(30), 0), Uint8Array.of(0, ...nonzero(250), 0, ...nonzero(254)),
      ...Array.from({ length: 40 }, (_, k) => Uint8Array.from({ length: 11 + ((k * 37) % 300) }, () => (r() < 40 ? 0 : r()))),
      nonzero(11 + 1003),
    ];
    // a frame whose CRC has a zero byte, and a real protocol frame
    for (let k = 0; ; k++) {
      const f = nonzero(16);
      f[0] = k & 0xff;
      if (new Uint8Array(new Uint32Array([crc32(f)]).buffer).includes(0)) {
        frames.push(f);
        break;
      }
    }
    const real = encodeFrame({ version: 1, type: 7, flags: 3, seq: 300, ack: 12, credits: 4, payload: Uint8Array.of(0, 1, 0, 2) });
    const decoded = cobsDecode(real.subarray(0, real.length - 1))!;
    frames.push(decoded.subarray(0, decoded.length - 4));
    const p = spawnSync(harness(), [], { input: frames.map(hex).join('\n') + '\n', encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const got = p.stdout.trim().split('\n');
    expect(got).toHaveLength(frames.length);
    frames.forEach((f, i) => expect(got[i], `frame ${i} (${f.length} bytes)`).toBe(hex(reference(f))));
    expect(got.at(-1)).toBe(hex(real));
    // the largest frame the board sends: 1018 bytes with the CRC, n + n / 254 + 2 = 1024 on the line
    const largest = got[frames.length - 3]!.length / 2;
    expect(largest).toBe(1024);
  });
});
