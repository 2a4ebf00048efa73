import { describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { compileTb, hasIverilog, runTb } from './tools.js';

/**
 * The link blocks of gateware/ (uart_rx, uart_tx, crc32, cobs_decoder, cobs_encoder) under iverilog,
 * against the TypeScript reference implementations (core/crc32.ts, host/protocol/cobs.ts) and a
 * bit-level UART driven by the testbench.
 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const LAST = 0x100;

describe.skipIf(!hasIverilog)('gateware UART (iverilog)', () => {
  // every byte value, then a few random bytes with a low stop bit among good ones
  const r = rng(7);
  const vec: number[] = Array.from({ length: 256 }, (_, b) => b);
  for (let i = 0; i < 40; i++) vec.push(i % 5 === 2 ? 0x100 | Math.floor(r() * 256) : Math.floor(r() * 256));
  const expectRx = vec.map((v) => (v & 0x100 ? 'F' : `R ${(v & 0xff).toString(16).padStart(2, '0')}`));
  const expectTx = vec.filter((v) => !(v & 0x100)).map((v) => `T ${v.toString(16).padStart(2, '0')}`);

  const cases = [
    { clk: 12_000_000, baud: 115_200, lineBaud: 115_200 },
    { clk: 12_000_000, baud: 921_600, lineBaud: 921_600 }, // 13.02 clocks per bit: 8x oversampling
    { clk: 12_000_000, baud: 921_600, lineBaud: Math.round(921_600 * 1.02) },
    { clk: 12_000_000, baud: 921_600, lineBaud: Math.round(921_600 * 0.98) },
    { clk: 48_000_000, baud: 921_600, lineBaud: Math.round(921_600 * 1.02) }, // 16x
    { clk: 48_000_000, baud: 921_600, lineBaud: Math.round(921_600 * 0.98) },
  ];
  for (const c of cases) {
    it(`every byte value in and out, framing errors flagged: clock ${c.clk} Hz, ${c.baud} baud, line at ${c.lineBaud}`, () => {
      const vvp = compileTb('tb_uart', ['uart_rx', 'uart_tx'], { CLK_HZ: c.clk, BAUD: c.baud });
      const out = runTb(vvp, { vec }, { line_baud: c.lineBaud }, 9);
      expect(out.filter((l) => l.startsWith('R') || l === 'F')).toEqual(expectRx);
      expect(out.filter((l) => l.startsWith('T'))).toEqual(expectTx);
      // the line idles high from time 0 (configuration), not only once the reset has ended
      expect(out.filter((l) => l.startsWith('I '))).toEqual(['I 0']);
    });
  }

  it('a baud mismatch of 6 % is not silently accepted: bytes come out damaged or flagged', () => {
    const vvp = compileTb('tb_uart', ['uart_rx', 'uart_tx'], { CLK_HZ: 48_000_000, BAUD: 921_600 });
    const good = vec.filter((v) => !(v & 0x100));
    const out = runTb(vvp, { vec: good }, { line_baud: Math.round(921_600 * 1.06) }, 9);
    const rx = out.filter((l) => l.startsWith('R') || l === 'F');
    expect(rx).not.toEqual(good.map((v) => `R ${v.toString(16).padStart(2, '0')}`));
  });
});

describe.skipIf(!hasIverilog)('gateware CRC-32 and COBS (iverilog)', () => {
  const vvp = hasIverilog ? compileTb('tb_crc_cobs', ['crc32', 'cobs_decoder', 'cobs_encoder']) : '';
  const hex = (b: number) => b.toString(16).padStart(2, '0');

  it('crc32: check value, random messages as core/crc32.ts, residue 0x2144DF1C over message + trailer', () => {
    const r = rng(3);
    const msgs: Uint8Array[] = [new TextEncoder().encode('123456789'), new Uint8Array([0]), new Uint8Array(300).fill(0xff)];
    for (let i = 0; i < 40; i++) msgs.push(Uint8Array.from({ length: 1 + Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
    const stream: number[] = [];
    const expected: string[] = [];
    for (const m of msgs) {
      const c = crc32(m);
      stream.push(...m, LAST);
      expected.push(`C ${c.toString(16).padStart(8, '0')} 0`);
      // the same message followed by its little-endian CRC: residue
      stream.push(...m, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24, LAST);
      expected.push('C 2144df1c 1');
    }
    const out = runTb(vvp, { crc: stream }, {}, 9);
    expect(out[0]).toBe('C cbf43926 0');
    expect(out).toEqual(expected);
  });

  /** Raw frames that exercise COBS: random, with zero runs, 253/254/255-byte non-zero runs at the end and in the middle. */
  function cobsFrames(): Uint8Array[] {
    const r = rng(11);
    const nz = (n: number) => Uint8Array.from({ length: n }, () => 1 + Math.floor(r() * 255));
    const cat = (...a: Uint8Array[]) => Uint8Array.from(a.flatMap((x) => [...x]));
    const z = (n: number) => new Uint8Array(n);
    const frames = [z(1), z(3), nz(1), nz(253), nz(254), nz(255), nz(508), cat(nz(254), z(1)), cat(z(1), nz(254)), cat(nz(254), z(1), nz(254)), cat(nz(100), z(2), nz(300))];
    for (let i = 0; i < 30; i++) frames.push(Uint8Array.from({ length: 15 + Math.floor(r() * 1100) }, () => (r() < 0.1 ? 0 : Math.floor(r() * 256))));
    return frames;
  }

  it('cobs_encoder: random frames and 254/255-byte runs encode exactly as host/protocol/cobs.ts, with the delimiter', () => {
    const frames = cobsFrames();
    const stream: number[] = [];
    const expected: string[] = [];
    for (const f of frames) {
      f.forEach((b, i) => stream.push(i === f.length - 1 ? b | LAST : b));
      for (const b of cobsEncode(f)) expected.push(`X ${hex(b)}`);
      expected.push('X 00');
    }
    expect(runTb(vvp, { enc: stream }, {}, 9)).toEqual(expected);
  });

  it('cobs_decoder: both trailing forms, idle delimiters and malformed blocks as host/protocol/cobs.ts', () => {
    const blocks: Uint8Array[] = [];
    for (const f of cobsFrames()) {
      const e = cobsEncode(f);
      blocks.push(e);
      // the other trailing form: a final `01` after a 0xFF group dropped (a standard encoder's output)
      if (e.length >= 256 && e[e.length - 1] === 1 && e[e.length - 256] === 0xff) blocks.push(e.subarray(0, e.length - 1));
      // truncated inside a group: malformed
      blocks.push(e.subarray(0, e.length - 1 > 0 && e[e.length - 1] !== 1 ? e.length - 1 : e.length));
    }
    blocks.push(new Uint8Array([0x05, 0x11, 0x22]), new Uint8Array([0xff, 1, 2]), new Uint8Array([0x02]));
    const trailingForms = blocks.filter((b) => b.length >= 255 && b[b.length - 255] === 0xff).length;
    expect(trailingForms).toBeGreaterThanOrEqual(3);
    const stream: number[] = [0]; // an idle delimiter first
    const expected: string[] = ['E 1 0'];
    for (const b of blocks) {
      stream.push(...b, 0);
      const d = cobsDecode(b);
      if (d) for (const x of d) expected.push(`D ${hex(x)}`);
      else expected.push(...partialDecode(b).map((x) => `D ${hex(x)}`));
      expected.push(`E 0 ${d ? 0 : 1}`);
    }
    stream.push(0);
    expected.push('E 1 0');
    expect(expected.filter((l) => l === 'E 0 1').length).toBeGreaterThan(5);
    expect(runTb(vvp, { dec: stream }, {}, 8)).toEqual(expected);
  });
});

/** The bytes a streaming decoder emits before it finds a block malformed (truncated last group). */
function partialDecode(b: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    for (let k = 1; k < c && i + k < b.length; k++) out.push(b[i + k]!);
    i += c;
    if (c < 0xff && i < b.length) out.push(0);
  }
  return out;
}
