import { crc32 as zlibCrc32 } from 'node:zlib';
import { VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { ALL_READ_BANKS } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
import { Rng } from '../../core/rng.js';
import { LinkError, ReliableLink, type LinkOptions } from '../../host/link/reliable-link.js';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, HEADER_BYTES, MAX_ENCODED, MAX_PAYLOAD, PROTOCOL_MAJOR, type Frame, type Rejection } from '../../host/protocol/frame.js';
import { decodePayload, encodePayload, isSequenced, MSG, NO_FRAME, NO_TARGET, typeCode, type Capabilities, type Message } from '../../host/protocol/messages.js';
import { FaultyTransport } from '../../host/transport/faulty.js';
import { memoryPair } from '../../host/transport/memory.js';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Bytes from..to inclusive. */
const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const sameBytes = (a: Uint8Array, b: Uint8Array) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
/** n random bytes; each is 0x00 with probability zeroP, otherwise uniform in 1..255. */
const randomBytes = (rng: Rng, n: number, zeroP: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.uniform() < zeroP ? 0 : 1 + (rng.nextUint32() % 255);
  return b;
};
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// 1. CRC-32
// ---------------------------------------------------------------------------------------------------

describe('CRC-32 (IEEE 802.3)', () => {
  it('has the standard check value and known vectors', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('agrees with zlib on random buffers and sub-ranges, and has the IEEE residue 0x2144DF1C', () => {
    const rng = new Rng(32);
    for (let k = 0; k < 300; k++) {
      const b = randomBytes(rng, rng.int(600), [0, 0.1, 0.5][k % 3]!);
      expect(crc32(b)).toBe(zlibCrc32(b));
      const s = rng.int(b.length + 1);
      const e = s + rng.int(b.length - s + 1);
      expect(crc32(b, s, e)).toBe(zlibCrc32(b.subarray(s, e)));
      // data ‖ CRC (little-endian) always has the CRC-32 residue constant
      const withCrc = new Uint8Array(b.length + 4);
      withCrc.set(b);
      new DataView(withCrc.buffer).setUint32(b.length, crc32(b), true);
      expect(crc32(withCrc)).toBe(0x2144df1c);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. COBS
// ---------------------------------------------------------------------------------------------------

describe('COBS', () => {
  // Expected encodings worked out by hand from Cheshire & Baker's definition (StuffData in the paper:
  // a group of 254 non-zero bytes gets code 0xFF and is always followed by a new group, hence the
  // trailing 0x01 after a final 0xFF group, as docs/protocol.md §3.3 also says).
  const vectors: Array<[number[], number[]]> = [
    [[], [0x01]],
    [[0x00], [0x01, 0x01]],
    [[0x00, 0x00], [0x01, 0x01, 0x01]],
    [[0x11, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01]],
    [[0x11, 0x22, 0x00, 0x33], [0x03, 0x11, 0x22, 0x02, 0x33]],
    [[0x11, 0x22, 0x33, 0x44], [0x05, 0x11, 0x22, 0x33, 0x44]],
    [[0x11, 0x00, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01, 0x01]],
    [run(0x01, 0xfe), [0xff, ...run(0x01, 0xfe), 0x01]],
    [[0x00, ...run(0x01, 0xfe)], [0x01, 0xff, ...run(0x01, 0xfe), 0x01]],
    [run(0x01, 0xff), [0xff, ...run(0x01, 0xfe), 0x02, 0xff]],
    [[...run(0x02, 0xff), 0x00], [0xff, ...run(0x02, 0xff), 0x01, 0x01]],
    [[...run(0x03, 0xff), 0x00, 0x01], [0xfe, ...run(0x03, 0xff), 0x02, 0x01]],
  ];

  it('encodes and decodes the known vectors', () => {
    for (const [raw, enc] of vectors) {
      expect(Array.from(cobsEncode(Uint8Array.from(raw))), `encode ${raw.length} bytes`).toEqual(enc);
      expect(Array.from(cobsDecode(Uint8Array.from(enc)) ?? [-1]), `decode ${enc.length} bytes`).toEqual(raw);
    }
  });

  it('decodes the form without the trailing empty group (Wikipedia/standard) as well', () => {
    expect(Array.from(cobsDecode(Uint8Array.from([0xff, ...run(0x01, 0xfe)]))!)).toEqual(run(0x01, 0xfe));
    expect(Array.from(cobsDecode(Uint8Array.from([0x01, 0xff, ...run(0x01, 0xfe)]))!)).toEqual([0x00, ...run(0x01, 0xfe)]);
  });

  it('round-trips random data of every length 0..1000, never emitting 0x00, within the overhead bound', () => {
    const rng = new Rng(1999);
    for (let n = 0; n <= 1000; n++) {
      for (const zeroP of [0, 0.02, 0.5, 1]) {
        const x = randomBytes(rng, n, zeroP);
        const e = cobsEncode(x);
        expect(e.includes(0), `0x00 in encoding of ${n} bytes`).toBe(false);
        expect(e.length).toBeGreaterThanOrEqual(n + 1);
        expect(e.length).toBeLessThanOrEqual(n + 1 + Math.floor(n / 254));
        const d = cobsDecode(e);
        expect(d !== null && sameBytes(d, x), `round trip of ${n} bytes, zero probability ${zeroP}`).toBe(true);
      }
    }
  });

  it('rejects malformed blocks with null instead of throwing', () => {
    const bad: number[][] = [
      [0x00],
      [0x02, 0x00],
      [0x03, 0x11],
      [0x05, 0x11, 0x22, 0x33],
      [0x02, 0x11, 0x00, 0x01],
      [0xff, ...run(0x01, 0xfd)],
      [0x01, 0x00, 0x01],
    ];
    for (const b of bad) expect(cobsDecode(Uint8Array.from(b)), JSON.stringify(b)).toBeNull();
    // random input: never throws; any 0x00 in a block makes it malformed
    const rng = new Rng(7);
    for (let k = 0; k < 5000; k++) {
      const b = randomBytes(rng, 1 + rng.int(40), [0, 0.05, 0.3][k % 3]!);
      const d = cobsDecode(b);
      if (b.includes(0)) expect(d).toBeNull();
      if (d) expect(d.length).toBeLessThan(b.length);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. Messages and frames
// ---------------------------------------------------------------------------------------------------

const caps: Capabilities = {
  maxNeurons: 0xffff,
  maxSynapses: 0xffffffff,
  maxInputs: 0,
  maxOutputs: 1234,
  signalFracBits: 16,
  weightFracBits: 28,
  maxFrameRate: 100_000,
  window: 0xffff,
  maxPayload: MAX_PAYLOAD,
};
/** 255 UTF-8 bytes: 127 two-byte characters and one ASCII one. */
const str255 = 'é'.repeat(127) + 'x';
const chunk = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256); // contains zeros and 0xFF
const outValues = Int32Array.from({ length: 200 }, (_, i) => (i % 2 ? -1 : 1) * ((i * 2654435761) % 0x7fffff));

const samples: Message[] = [
  { type: 'hello', major: PROTOCOL_MAJOR, minor: 255, window: 0xffff, nonce: 0xffffffff, hostId: 'host-Ω-🚀-日本' },
  { type: 'hello', major: 0, minor: 0, window: 0, nonce: 0, hostId: '' },
  { type: 'hello-ack', major: 1, minor: 0, boardId: str255, caps, booted: true, imageLoaded: false, imageCrc: 0xcbf43926, lastFrame: NO_FRAME },
  { type: 'hello-ack', major: 255, minor: 7, boardId: 'ボード', caps: { ...caps, maxInputs: 0xffff, maxOutputs: 0 }, booted: false, imageLoaded: true, imageCrc: 0, lastFrame: 0 },
  { type: 'load-image', offset: 0xfffffff0, total: 0xffffffff, chunk },
  { type: 'load-image', offset: 0, total: 0, chunk: new Uint8Array(0) },
  { type: 'set-param', id: 0xffff, value: -123456789 },
  { type: 'set-param', id: 2, value: NO_TARGET },
  { type: 'reset', restoreWeights: true },
  { type: 'reset', restoreWeights: false },
  { type: 'start-stream', firstFrame: 0xffffffff, framePeriodUs: 1000, probes: 255 },
  { type: 'stop-stream' },
  { type: 'input-frame', frame: 0xfffffffe, timeUs: 0xffffffff, values: Int32Array.of(-1, 0, 1, 0x7fffff, -0x800000, -65536) },
  { type: 'input-frame', frame: 0, timeUs: 0, values: new Int32Array(0) },
  { type: 'target-frame', frame: 7, values: Int32Array.of(NO_TARGET, -42 * 65536, NO_TARGET, 0x7fffff) },
  { type: 'output-frame', frame: 123456, timeUs: 4_000_000_000, values: outValues },
  { type: 'status', state: 2, framesProcessed: 0xffffffff, lastFrame: NO_FRAME, saturations: 1, rejectedFrames: 0x80000000, imageLoaded: true },
  { type: 'status', state: 0, framesProcessed: 0, lastFrame: 0, saturations: 0, rejectedFrames: 0, imageLoaded: false },
  { type: 'error', code: 0xffff, frame: NO_FRAME, message: 'Überlauf ⚠️ 溢出 🚀' },
  { type: 'error', code: 9, frame: 0, message: '' },
  { type: 'error', code: 1, frame: 5, message: 'm'.repeat(255) },
  { type: 'ack' },
  { type: 'end-stream', lastFrame: NO_FRAME, framesProcessed: 0xffffffff },
  { type: 'resend-outputs', fromFrame: 0xffffffff },
  { type: 'core-query' },
  { type: 'core-info', imageFormat: 'nlai', build: null },
  { type: 'core-info', imageFormat: 'nlav', build: { ...VCORE_GENERIC_BUILD, banks: [{ words: 0xffff, bits: 255 }, { words: 0, bits: 0 }] } },
  { type: 'core-info', imageFormat: 'nlav', build: { ...VCORE_UP5K_BUILD, readBanks: { a: 0x7f, x: 0x01, y: 0x80, s: 0, m: 0x5a } } },
];

describe('CORE_INFO read ports (§5.18)', () => {
  it('are left out where every role reaches every bank, so a payload without them re-encodes to the same bytes', () => {
    const info = (readBanks: typeof ALL_READ_BANKS) => ({ type: 'core-info' as const, imageFormat: 'nlav' as const, build: { ...VCORE_UP5K_BUILD, readBanks } });
    const legacy = encodePayload(info(ALL_READ_BANKS));
    expect(legacy.length).toBe(14 + 3 * VCORE_UP5K_BUILD.banks.length);
    const d = decodePayload(MSG.CORE_INFO, legacy);
    expect(d.ok && encodePayload(d.message)).toEqual(legacy);
    // one role short of one bank: the five masks follow, in the order A, X, Y, S, M
    const p = encodePayload(info({ ...ALL_READ_BANKS, s: 0xfe }));
    expect(Array.from(p.subarray(p.length - 5))).toEqual([0xff, 0xff, 0xff, 0xfe, 0xff]);
    expect(Array.from(encodePayload(info(VCORE_UP5K_BUILD.readBanks)).subarray(-5))).toEqual([0x7f, 0x7c, 0x7d, 0x16, 0x0c]);
    // five explicit 0xff masks: malformed (the layout without them says that)
    expect(decodePayload(MSG.CORE_INFO, Uint8Array.from([...legacy, 0xff, 0xff, 0xff, 0xff, 0xff])).ok).toBe(false);
  });
});

describe('messages', () => {
  it('the samples cover every message type, each with its own code', () => {
    const codes = new Set(samples.map(typeCode));
    expect([...codes].sort((a, b) => a - b)).toEqual(Object.values(MSG).sort((a, b) => a - b));
    expect(Object.values(MSG).length).toBeGreaterThanOrEqual(15);
    const byType = new Map<string, number>();
    for (const m of samples) {
      if (byType.has(m.type)) expect(typeCode(m)).toBe(byType.get(m.type));
      byType.set(m.type, typeCode(m));
    }
    expect(new Set(byType.values()).size).toBe(byType.size);
  });

  it('only HELLO, HELLO_ACK and ACK are unsequenced (docs/protocol.md §4.1)', () => {
    for (const m of samples) expect(isSequenced(m), m.type).toBe(!['hello', 'hello-ack', 'ack'].includes(m.type));
  });

  it('every message round-trips through encodePayload/decodePayload', () => {
    for (const m of samples) {
      const p = encodePayload(m);
      expect(p.length).toBeLessThanOrEqual(MAX_PAYLOAD);
      const d = decodePayload(typeCode(m), p);
      expect(d, m.type).toEqual({ ok: true, message: m });
    }
  });

  it('payload lengths match the layouts of docs/protocol.md §5', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s).length;
    for (const m of samples) {
      const n = encodePayload(m).length;
      const expected = (() => {
        switch (m.type) {
          case 'hello': return 9 + utf8(m.hostId);
          case 'hello-ack': return 32 + utf8(m.boardId);
          case 'load-image': return 8 + m.chunk.length;
          case 'set-param': return 6;
          case 'reset': return 1;
          case 'start-stream': return 9;
          case 'stop-stream': case 'ack': return 0;
          case 'input-frame': case 'output-frame': return 10 + 3 * m.values.length;
          case 'target-frame': return 6 + 3 * m.values.length;
          case 'status': return 18;
          case 'error': return 7 + utf8(m.message);
          case 'end-stream': return 8;
          case 'resend-outputs': return 4;
          case 'core-query': return 0;
          case 'core-info': return m.build ? (m.build.readBanks === ALL_READ_BANKS ? 14 : 19) + 3 * m.build.banks.length : 1;
        }
      })();
      expect(n, m.type).toBe(expected);
    }
  });

  it('a payload one byte short or one byte long is rejected (ok:false, no throw)', () => {
    for (const m of samples) {
      const p = encodePayload(m);
      const t = typeCode(m);
      const longer = concat([p, Uint8Array.of(0x5a)]);
      if (m.type === 'load-image') {
        // the chunk is "the rest of the payload" (§5.4): one byte more or less is another chunk
        const d = decodePayload(t, longer);
        expect(d.ok && d.message.type === 'load-image' && d.message.chunk.length === m.chunk.length + 1).toBe(true);
        if (p.length > 8) expect(decodePayload(t, p.subarray(0, p.length - 1)).ok).toBe(true);
        // cut into the fixed 8-byte part: rejected
        for (let n = 0; n < 8; n++) expect(decodePayload(t, p.subarray(0, n)).ok).toBe(false);
        continue;
      }
      expect(decodePayload(t, longer).ok, `${m.type} + 1 byte`).toBe(false);
      if (p.length > 0) {
        expect(decodePayload(t, p.subarray(0, p.length - 1)).ok, `${m.type} - 1 byte`).toBe(false);
        // every strict prefix is malformed too, but CORE_INFO's without its optional read masks (§5.18): a board that
        // names none reads every bank through every role
        const legacy = m.type === 'core-info' && m.build && m.build.readBanks !== ALL_READ_BANKS ? 14 + 3 * m.build.banks.length : -1;
        for (let n = 0; n < p.length; n++) if (n !== legacy) expect(decodePayload(t, p.subarray(0, n)).ok, `${m.type} cut at ${n}`).toBe(false);
        if (legacy > 0 && m.type === 'core-info' && m.build) expect(decodePayload(t, p.subarray(0, legacy))).toEqual({ ok: true, message: { ...m, build: { ...m.build, readBanks: ALL_READ_BANKS } } });
      }
    }
  });

  it('unknown type codes are rejected without throwing', () => {
    const known = new Set<number>(Object.values(MSG));
    for (let t = 0; t < 256; t++) if (!known.has(t)) expect(decodePayload(t, Uint8Array.of(1, 2, 3)).ok).toBe(false);
  });

  it('every message round-trips through encodeFrame → FrameDecoder, fed whole, split at every offset, and byte by byte', () => {
    const headers: Array<Pick<Frame, 'flags' | 'seq' | 'ack' | 'credits'>> = [
      { flags: 0x03, seq: 0xffff, ack: 0x1234, credits: 0xffff },
      { flags: 0xff, seq: 0, ack: 0xffff, credits: 0 },
      { flags: 0x00, seq: 0x8000, ack: 1, credits: 64 },
    ];
    let k = 0;
    for (const m of samples) {
      const h = headers[k++ % headers.length]!;
      const f: Frame = { version: PROTOCOL_MAJOR, type: typeCode(m), ...h, payload: encodePayload(m) };
      const line = encodeFrame(f);
      expect(line[line.length - 1]).toBe(0);
      expect(line.subarray(0, line.length - 1).includes(0)).toBe(false);
      // the raw frame under the COBS layer: header fields little-endian, CRC residue constant
      const raw = cobsDecode(line.subarray(0, line.length - 1))!;
      expect(raw.length).toBe(HEADER_BYTES + f.payload.length + 4);
      expect([raw[0], raw[1], raw[2], raw[3]! | (raw[4]! << 8), raw[5]! | (raw[6]! << 8), raw[7]! | (raw[8]! << 8), raw[9]! | (raw[10]! << 8)]).toEqual([
        f.version, f.type, f.flags, f.seq, f.ack, f.credits, f.payload.length,
      ]);
      expect(crc32(raw)).toBe(0x2144df1c);

      const check = (frames: Frame[], how: string) => {
        expect(frames.length, `${m.type} ${how}`).toBe(1);
        expect(frames[0], `${m.type} ${how}`).toEqual(f);
        expect(decodePayload(frames[0]!.type, frames[0]!.payload), `${m.type} ${how}`).toEqual({ ok: true, message: m });
      };
      const feed = (chunks: Uint8Array[], how: string) => {
        const got: Frame[] = [];
        const dec = new FrameDecoder((x) => got.push(x));
        for (const c of chunks) dec.push(c);
        check(got, how);
        expect(dec.stats.frames).toBe(1);
        expect(Object.values(dec.stats.rejected).reduce((s, x) => s + x, 0)).toBe(0);
      };
      feed([line], 'whole');
      for (let cut = 0; cut <= line.length; cut++) feed([line.subarray(0, cut), line.subarray(cut)], `split at ${cut}`);
      feed(Array.from(line, (b) => Uint8Array.of(b)), 'byte by byte');
    }
  });

  it('frames at the size limits: a 4096-byte payload decodes; more than MAX_ENCODED bytes is oversized, exactly MAX_ENCODED is not', () => {
    const rng = new Rng(4096);
    const f: Frame = { version: 1, type: MSG.LOAD_IMAGE, flags: 3, seq: 1, ack: 2, credits: 3, payload: randomBytes(rng, MAX_PAYLOAD, 0) };
    const line = encodeFrame(f);
    expect(line.length).toBeLessThanOrEqual(MAX_ENCODED);
    const got: Frame[] = [];
    const rejects: Rejection[] = [];
    const dec = new FrameDecoder((x) => got.push(x), (w) => rejects.push(w));
    dec.push(line);
    expect(got).toEqual([f]);
    expect(() => encodeFrame({ ...f, payload: new Uint8Array(MAX_PAYLOAD + 1) })).toThrow(RangeError);

    dec.push(concat([randomBytes(rng, MAX_ENCODED, 0), Uint8Array.of(0)]));
    expect(rejects.length).toBe(1);
    expect(rejects[0]).not.toBe('oversized');
    dec.push(concat([randomBytes(rng, MAX_ENCODED + 1, 0), Uint8Array.of(0)]));
    expect(rejects).toEqual([rejects[0], 'oversized']);
    dec.push(line);
    expect(got).toEqual([f, f]);
    expect(dec.stats.discardedBytes).toBe(2 * MAX_ENCODED + 1);
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. FrameDecoder property test
// ---------------------------------------------------------------------------------------------------

describe('FrameDecoder on hostile streams (property, 100,000 cases)', () => {
  const randomFrame = (rng: Rng): Frame => {
    const c = rng.int(10);
    const len = c < 6 ? rng.int(24) : c < 9 ? rng.int(128) : rng.int(600);
    return {
      version: rng.int(4) ? 1 : rng.int(256),
      type: rng.int(256),
      flags: rng.int(256),
      seq: rng.int(0x10000),
      ack: rng.int(0x10000),
      credits: rng.int(0x10000),
      payload: randomBytes(rng, len, [0, 0.05, 0.3, 0.9][rng.int(4)]!),
    };
  };

  it('never throws, accepts exactly the valid frames sent, resynchronises after every bad block and counts rejections', () => {
    const CASES = 100_000;
    const PER_STREAM = 500;
    const rng = new Rng(20240601);
    const reasons: Record<Rejection, number> = { cobs: 0, short: 0, length: 0, crc: 0, oversized: 0 };
    const kinds = { valid: 0, garbage: 0, framelike: 0, truncated: 0, flipped: 0, oversized: 0 };
    const problems: string[] = [];
    let thrown = 0;

    for (let done = 0; done < CASES; done += PER_STREAM) {
      const parts: Uint8Array[] = [];
      const sent: Array<{ f: Frame; line: Uint8Array }> = [];
      for (let i = 0; i < PER_STREAM; i++) {
        const r = rng.int(100);
        if (r < 40) {
          // a valid frame, preceded by a delimiter that ends whatever came before
          const f = randomFrame(rng);
          const line = encodeFrame(f);
          sent.push({ f, line });
          parts.push(Uint8Array.of(0), line);
          kinds.valid++;
        } else if (r < 52) {
          // random garbage, with random density of zeros (several blocks, or none)
          parts.push(Uint8Array.of(0), randomBytes(rng, 1 + rng.int(80), [0, 0.02, 0.2, 0.6][rng.int(4)]!));
          kinds.garbage++;
        } else if (r < 57) {
          // well-formed COBS around a raw frame that is too short, has a wrong length or a wrong CRC
          const f = randomFrame(rng);
          const line = encodeFrame(f);
          const raw = cobsDecode(line.subarray(0, line.length - 1))!;
          const v = rng.int(3);
          let bad: Uint8Array;
          if (v === 0) bad = raw.subarray(0, rng.int(HEADER_BYTES + 4));
          else if (v === 1) {
            bad = raw.slice();
            const len = f.payload.length + 1 + rng.int(5000);
            bad[9] = len & 0xff;
            bad[10] = (len >> 8) & 0xff;
          } else {
            bad = raw.slice();
            bad[bad.length - 1 - rng.int(4)]! ^= 1 + rng.int(255);
          }
          parts.push(Uint8Array.of(0), cobsEncode(bad), Uint8Array.of(0));
          kinds.framelike++;
        } else if (r < 72) {
          // a valid frame cut short (no delimiter): the next item's delimiter ends it
          const line = encodeFrame(randomFrame(rng));
          parts.push(Uint8Array.of(0), line.subarray(0, 1 + rng.int(line.length - 2)));
          kinds.truncated++;
        } else if (r < 99) {
          // a valid frame with 1–3 distinct bit flips anywhere, both delimiters included
          const item = concat([Uint8Array.of(0), encodeFrame(randomFrame(rng))]);
          const nFlips = 1 + rng.int(3);
          const flips = new Set<number>();
          while (flips.size < nFlips) flips.add(rng.int(item.length * 8));
          for (const bit of flips) item[bit >> 3]! ^= 1 << (bit & 7);
          parts.push(item);
          kinds.flipped++;
        } else {
          // an oversized run of non-zero bytes
          parts.push(Uint8Array.of(0), randomBytes(rng, MAX_ENCODED + 1 + rng.int(3000), 0));
          kinds.oversized++;
        }
      }
      parts.push(Uint8Array.of(0));
      const stream = concat(parts);

      // What the stream holds, from its structure alone: its non-empty 0x00-delimited blocks.
      let blocks = 0;
      let oversizedBlocks = 0;
      let nonZero = 0;
      let runLen = 0;
      for (const b of stream) {
        if (b !== 0) {
          runLen++;
          nonZero++;
          continue;
        }
        if (runLen > 0) blocks++;
        if (runLen > MAX_ENCODED) oversizedBlocks++;
        runLen = 0;
      }

      const got: Frame[] = [];
      const streamReasons: Record<Rejection, number> = { cobs: 0, short: 0, length: 0, crc: 0, oversized: 0 };
      const dec = new FrameDecoder(
        (f) => got.push(f),
        (why) => streamReasons[why]++,
      );
      for (let o = 0; o < stream.length; ) {
        const n = 1 + rng.int(rng.int(2) ? 64 : 3000);
        try {
          dec.push(stream.subarray(o, o + n));
        } catch {
          thrown++;
        }
        o += n;
      }

      // exactly the valid frames, in order, byte for byte (a corrupted frame is never accepted, and
      // the valid frame after any garbage or corruption is never lost)
      if (got.length !== sent.length) problems.push(`stream ${done / PER_STREAM}: ${got.length} frames accepted, ${sent.length} sent`);
      for (let i = 0; i < Math.min(got.length, sent.length); i++) {
        const g = got[i]!;
        const s = sent[i]!;
        const same =
          g.version === s.f.version && g.type === s.f.type && g.flags === s.f.flags && g.seq === s.f.seq && g.ack === s.f.ack && g.credits === s.f.credits &&
          sameBytes(g.payload, s.f.payload) && sameBytes(encodeFrame(g), s.line);
        if (!same) problems.push(`stream ${done / PER_STREAM}: frame ${i} differs from the one sent`);
      }
      const rejected = Object.values(dec.stats.rejected).reduce((s, x) => s + x, 0);
      const expectDiscarded = nonZero - sent.reduce((s, x) => s + x.line.length - 1, 0);
      if (dec.stats.frames !== sent.length) problems.push(`stream ${done / PER_STREAM}: stats.frames ${dec.stats.frames}`);
      if (rejected !== blocks - sent.length) problems.push(`stream ${done / PER_STREAM}: ${rejected} rejections for ${blocks - sent.length} bad blocks`);
      if (dec.stats.rejected.oversized !== oversizedBlocks) problems.push(`stream ${done / PER_STREAM}: ${dec.stats.rejected.oversized} oversized, ${oversizedBlocks} expected`);
      if (dec.stats.discardedBytes !== expectDiscarded) problems.push(`stream ${done / PER_STREAM}: ${dec.stats.discardedBytes} bytes discarded, ${expectDiscarded} expected`);
      for (const why of Object.keys(reasons) as Rejection[]) {
        if (streamReasons[why] !== dec.stats.rejected[why]) problems.push(`stream ${done / PER_STREAM}: onReject and stats disagree on ${why}`);
        reasons[why] += dec.stats.rejected[why];
      }
      if (problems.length > 20) break;
    }

    expect(thrown).toBe(0);
    expect(problems).toEqual([]);
    expect(Object.values(kinds).reduce((s, x) => s + x, 0)).toBeGreaterThanOrEqual(CASES);
    // every kind of damage and every rejection reason was exercised
    for (const [k, n] of Object.entries(kinds)) expect(n, k).toBeGreaterThan(100);
    for (const [why, n] of Object.entries(reasons)) expect(n, why).toBeGreaterThan(0);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------
// 5. ReliableLink
// ---------------------------------------------------------------------------------------------------

const inputFrame = (i: number): Message => ({ type: 'input-frame', frame: i, timeUs: i * 1000, values: Int32Array.of(i, -i, NO_TARGET) });
const frameNo = (m: Message) => (m.type === 'input-frame' ? m.frame : -1);
const opts = (o: Partial<LinkOptions> = {}): LinkOptions => ({ receiveWindow: 16, retransmitMs: 20, maxRetries: 50, ...o });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('ReliableLink over memoryPair', () => {
  it('delivers 2,000 sequenced messages exactly once and in order', async () => {
    const [ta, tb] = memoryPair();
    const a = new ReliableLink(ta, opts());
    const b = new ReliableLink(tb, opts());
    const got: Message[] = [];
    const flags: boolean[] = [];
    b.onMessage((m, sequenced) => {
      got.push(m);
      flags.push(sequenced);
      if (sequenced) b.release();
    });
    const sent = range(2000).map(inputFrame);
    await Promise.all(sent.map((m) => a.send(m)));
    await sleep(100); // late duplicates, if any, would show up here
    expect(got.map(frameNo)).toEqual(range(2000));
    expect(got).toEqual(sent);
    expect(flags.every((x) => x)).toBe(true);
    expect(a.stats.acknowledged).toBe(2000);
    expect(a.inFlight).toBe(0);
    a.dispose();
    b.dispose();
  }, 30_000);

  it('delivers them exactly once and in order through a noisy line (corrupt and drop 1e-3 per byte), by retransmitting', async () => {
    const [ta, tb] = memoryPair();
    const fa = new FaultyTransport(ta, { corrupt: 1e-3, drop: 1e-3, seed: 11 });
    const fb = new FaultyTransport(tb, { corrupt: 1e-3, drop: 1e-3, seed: 12 });
    const a = new ReliableLink(fa, opts());
    const b = new ReliableLink(fb, opts());
    const got: Message[] = [];
    b.onMessage((m, sequenced) => {
      got.push(m);
      if (sequenced) b.release();
    });
    const sent = range(2000).map(inputFrame);
    await Promise.all(sent.map((m) => a.send(m)));
    await sleep(100);
    expect(got.map(frameNo)).toEqual(range(2000));
    expect(got).toEqual(sent);
    expect(fa.counts.corrupted + fa.counts.dropped).toBeGreaterThan(0);
    expect(fb.counts.corrupted + fb.counts.dropped).toBeGreaterThan(0);
    expect(a.stats.retransmitted).toBeGreaterThan(0);
    expect(Object.values(b.decoderStats.rejected).reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
    expect(a.failure).toBeNull();
    a.dispose();
    b.dispose();
  }, 60_000);

  it('flow control: a slow consumer (window 4, one release per 2 ms) is never overrun and the sender waits', async () => {
    const N = 300;
    const WINDOW = 4;
    const [ta, tb] = memoryPair();
    // On the wire, every SEQ frame A sends must lie within the credits of the last acknowledgement it
    // received: seq − ack < credits (mod 2¹⁶); before any acknowledgement only seq 0 may go.
    let lastAck = -1;
    let lastCredits = 0;
    let overruns = 0;
    let seqFrames = 0;
    const a = new ReliableLink(ta, {
      ...opts(),
      log: (e) => {
        if (e.dir === 'rx' && e.flags & FLAG_ACK) {
          lastAck = e.ack;
          lastCredits = e.credits;
        }
        if (e.dir === 'tx' && e.flags & FLAG_SEQ) {
          seqFrames++;
          if (lastAck < 0 ? e.seq !== 0 : (e.seq - lastAck + 0x10000) % 0x10000 >= lastCredits) overruns++;
        }
      },
    });
    const b = new ReliableLink(tb, opts({ receiveWindow: WINDOW }));
    const got: Message[] = [];
    let held = 0;
    let maxHeld = 0;
    b.onMessage((m, sequenced) => {
      got.push(m);
      if (sequenced) maxHeld = Math.max(maxHeld, ++held);
    });
    let releasing = true;
    const releaser = () => {
      if (held > 0) {
        held--;
        b.release(1);
      }
      if (releasing) setTimeout(releaser, 2);
    };
    setTimeout(releaser, 2);

    // half the messages are sent as a burst (they queue inside the link) ...
    const sent = range(N).map(inputFrame);
    const sends: Promise<void>[] = [];
    let closedSeen = 0;
    let maxInFlightWritable = 0;
    for (let i = 0; i < N / 2; i++) {
      sends.push(a.send(sent[i]!));
      if (!a.windowOpen) closedSeen++;
    }
    expect(a.inFlight).toBeGreaterThan(WINDOW); // queued behind the window
    // ... the other half by a sender that waits for the window (end-to-end back-pressure)
    let waited = 0;
    for (let i = N / 2; i < N; i++) {
      if (!a.windowOpen) {
        closedSeen++;
        waited++;
        await a.whenWritable();
      }
      sends.push(a.send(sent[i]!));
      if (i > N / 2 + WINDOW) maxInFlightWritable = Math.max(maxInFlightWritable, a.inFlight);
    }
    await Promise.all(sends);
    releasing = false;
    expect(closedSeen).toBeGreaterThan(0);
    expect(waited).toBeGreaterThan(N / 4);
    expect(maxInFlightWritable).toBeLessThanOrEqual(WINDOW);
    expect(seqFrames).toBeGreaterThanOrEqual(N);
    expect(overruns).toBe(0);
    expect(maxHeld).toBeLessThanOrEqual(WINDOW);
    expect(maxHeld).toBe(WINDOW); // the window was actually used up
    expect(got).toEqual(sent);
    await sleep(20);
    expect(got.length).toBe(N);
    a.dispose();
    b.dispose();
  }, 30_000);

  it('when the line closes mid-stream, every pending send rejects with a LinkError listing exactly the unacknowledged messages', async () => {
    const N = 300;
    const CLOSE_AT = 120;
    const [ta, tb] = memoryPair();
    const a = new ReliableLink(ta, opts());
    const b = new ReliableLink(tb, opts());
    const got: Message[] = [];
    b.onMessage((m, sequenced) => {
      got.push(m);
      if (sequenced) b.release();
      if (got.length === CLOSE_AT) void tb.close();
    });
    const sent = range(N).map(inputFrame);
    const results = await Promise.allSettled(sent.map((m) => a.send(m)));
    const acked = range(N).filter((i) => results[i]!.status === 'fulfilled');
    const rejected = range(N).filter((i) => results[i]!.status === 'rejected');
    expect(acked.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
    // cumulative acknowledgements: what was acknowledged is a prefix, and only what B received
    expect(acked).toEqual(range(acked.length));
    expect(acked.length).toBeLessThanOrEqual(CLOSE_AT);
    expect(got).toEqual(sent.slice(0, CLOSE_AT));

    const errors = rejected.map((i) => (results[i] as PromiseRejectedResult).reason as unknown);
    const e = errors[0];
    expect(e).toBeInstanceOf(LinkError);
    for (const x of errors) expect(x).toBe(e);
    const pending = (e as LinkError).pending;
    expect(pending.length).toBe(rejected.length);
    pending.forEach((m, k) => expect(m).toBe(sent[rejected[k]!]));
    for (const i of acked) expect(pending.includes(sent[i]!)).toBe(false);
    expect(acked.length + pending.length).toBe(N);
    expect(new Set([...acked.map((i) => sent[i]), ...pending]).size).toBe(N);
    expect(a.failure).toBe(e);
    await expect(a.send(inputFrame(N))).rejects.toBeInstanceOf(LinkError);
  }, 30_000);

  it('gives up after maxRetries when the peer never answers, listing everything sent', async () => {
    const [ta] = memoryPair(); // nobody listens on the other end
    const a = new ReliableLink(ta, opts({ retransmitMs: 5, maxRetries: 2 }));
    const sent = range(5).map(inputFrame);
    const results = await Promise.allSettled(sent.map((m) => a.send(m)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const e = (results[0] as PromiseRejectedResult).reason as LinkError;
    expect(e).toBeInstanceOf(LinkError);
    expect(e.pending).toEqual(sent);
    expect(a.stats.retransmitted).toBe(2); // initial credit 1: one frame in flight, resent twice
  }, 10_000);
});

describe('edge cases found in review', () => {
  it('a message too large to frame is refused at send, and the link keeps working', async () => {
    const [ta, tb] = memoryPair();
    const a = new ReliableLink(ta, opts());
    const b = new ReliableLink(tb, opts());
    const got: number[] = [];
    b.onMessage((m, seq) => {
      if (seq) b.release(1);
      got.push(frameNo(m));
    });
    await expect(a.send({ type: 'input-frame', frame: 1, timeUs: 0, values: new Int32Array(1400) })).rejects.toThrow(/payload of 4210 bytes exceeds the protocol's maximum of 4096/);
    await a.send(inputFrame(2));
    expect(got).toEqual([2]);
    a.dispose();
    b.dispose();
  });

  it('a string longer than 255 bytes is cut at a character boundary, never inside one', () => {
    const m: Message = { type: 'error', code: 1, frame: 0, message: 'é'.repeat(200) };
    const d = decodePayload(typeCode(m), encodePayload(m));
    expect(d.ok).toBe(true);
    const text = (d as { message: { message: string } }).message.message;
    expect(text).toBe('é'.repeat(127));
    expect(text).not.toContain('\uFFFD');
  });

  it('an intact sequenced frame whose payload does not decode is reported to the consumer, not dropped silently', async () => {
    const [ta, tb] = memoryPair();
    const b = new ReliableLink(tb, opts());
    const bad: string[] = [];
    b.onBadMessage((type, why) => bad.push(`${type}: ${why}`));
    // a frame of an unknown type 0x7f, sequenced, with a valid CRC
    ta.write(encodeFrame({ version: PROTOCOL_MAJOR, type: 0x7f, flags: FLAG_SEQ | FLAG_ACK, seq: 0, ack: 0, credits: 4, payload: Uint8Array.of(1, 2, 3) }));
    await sleep(20);
    expect(bad).toEqual(['127: unknown message type 0x7f']);
    b.dispose();
  });
});

describe('signal values on the wire (3-byte two\'s complement)', () => {
  it('every 24-bit value round-trips, and values outside 24 bits are refused when encoding', () => {
    const vals = Int32Array.of(-(2 ** 23), -(2 ** 23) + 1, -65536, -1, 0, 1, 65535, 2 ** 19 - 1, 2 ** 23 - 1);
    const m: Message = { type: 'output-frame', frame: 1, timeUs: 2, values: vals };
    const p = encodePayload(m);
    expect(p.length).toBe(10 + 3 * vals.length);
    expect(Array.from(p.subarray(10, 13))).toEqual([0x00, 0x00, 0x80]); // −2²³ little-endian
    const d = decodePayload(typeCode(m), p);
    expect(d.ok && d.message.type === 'output-frame' && Array.from(d.message.values)).toEqual(Array.from(vals));
    expect(() => encodePayload({ ...m, values: Int32Array.of(2 ** 23) })).toThrow(/24-bit signed integer, got 8388608/);
    expect(NO_TARGET).toBe(-(2 ** 23));
  });
});
