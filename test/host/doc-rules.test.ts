import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { crc32 } from '../../core/crc32.js';
import { SIGNAL_MAX, SIGNAL_MIN, toSignal } from '../../hardware-models/fixed-point/format.js';
import { decodeImage, encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { ReliableLink } from '../../host/link/reliable-link.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, PROTOCOL_MAJOR } from '../../host/protocol/frame.js';
import { MSG } from '../../host/protocol/messages.js';
import { memoryPair } from '../../host/transport/memory.js';

/** What docs/protocol.md states for a board implementer, checked against the code (issue 13, item 7). */

describe('§1: rounding to Q3.16 on the wire', () => {
  it('q = ⌊v·2¹⁶ + ½⌋ (half up, towards +∞, negative values included), then saturated to [−2¹⁹, 2¹⁹ − 1]', () => {
    const lsb = 2 ** -16;
    const cases: Array<[number, number]> = [
      [0.5 * lsb, 1],
      [1.5 * lsb, 2],
      [-0.5 * lsb, 0],
      [-1.5 * lsb, -1],
      [-2.5 * lsb, -2],
      [-2.4 * lsb, -2],
      [-2.6 * lsb, -3],
      [0.5, 32768],
      [-1.25, -81920],
      [8 - lsb, SIGNAL_MAX],
      [8 - 0.4 * lsb, SIGNAL_MAX], // rounds to 2¹⁹, saturates
      [8, SIGNAL_MAX],
      [1e9, SIGNAL_MAX],
      [-8, SIGNAL_MIN],
      [-8 - 0.6 * lsb, SIGNAL_MIN],
      [-1e9, SIGNAL_MIN],
    ];
    for (const [v, q] of cases) expect([v, toSignal(v) + 0]).toEqual([v, q]); // + 0: −0 is 0 on the wire
    // the documented formula, evaluated independently, over a sweep of ties and near-ties
    for (let k = -2_000_000; k <= 2_000_000; k += 997) {
      const v = (k / 2) * lsb + (k % 3) * 1e-12;
      expect(toSignal(v)).toBe(Math.min(SIGNAL_MAX, Math.max(SIGNAL_MIN, Math.floor(v * 2 ** 16 + 0.5))));
    }
  });
});

describe('§3.5: rejected blocks are acknowledged, coalesced like in-order frames', () => {
  it('several rejected blocks within the acknowledgement delay are answered by one ACK', async () => {
    const [ta, tb] = memoryPair();
    const b = new ReliableLink(tb, { receiveWindow: 8, retransmitMs: 200, maxRetries: 3, ackDelayMs: 5 });
    const acks: number[] = [];
    const dec = new FrameDecoder((f) => {
      if (f.type === MSG.ACK) acks.push(f.ack);
    });
    ta.onData((c) => dec.push(c));
    const good = encodeFrame({ version: PROTOCOL_MAJOR, type: MSG.STOP_STREAM, flags: FLAG_SEQ | FLAG_ACK, seq: 0, ack: 0, credits: 8, payload: new Uint8Array(0) });
    const bad = good.slice();
    bad[5] = bad[5]! ^ 0x40; // CRC no longer matches
    for (let k = 0; k < 5; k++) ta.write(bad);
    await new Promise((r) => setTimeout(r, 60));
    expect(Object.values(b.decoderStats.rejected).reduce((s, x) => s + x, 0)).toBe(5);
    expect(acks).toEqual([0]);
    b.dispose();
  });
});

describe('§10.2: the activation byte of input and bias populations', () => {
  const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
  const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
  /** Byte offset of population 0's activation byte (header 38 + name, then kind, size, offset, decay). */
  const actAt = 38 + 1 + new TextEncoder().encode(image.network).length + 9;
  const withCrc = (b: Uint8Array) => {
    new DataView(b.buffer).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
    return b;
  };

  it('the record layout is the same for every kind: population 0 (input) is linear in a compiled image', () => {
    expect(image.populations[0]!.kind).toBe('input');
    expect(encodeImage(image)[actAt]).toBe(0);
    expect(decodeImage(encodeImage(image)).populations[0]!.activation).toEqual({ kind: 'linear' });
  });

  it('an input population with a clip activation is refused, with its topQ and without, naming the byte and field', () => {
    const clipped: BoardImage = { ...image, populations: image.populations.map((p, k) => (k === 0 ? { ...p, activation: { kind: 'clip', topQ: 65536 } } : p)) };
    const withTop = encodeImage(clipped);
    expect(withTop[actAt]).toBe(1);
    expect(() => decodeImage(withTop, 'img')).toThrow(`img: byte ${actAt} (populations[0].activation): expected 0 (linear) for an input population, got 1 (clip): only hidden and output populations have an activation`);
    const noTop = encodeImage(image);
    noTop[actAt] = 1;
    expect(() => decodeImage(withCrc(noTop), 'img')).toThrow(`img: byte ${actAt} (populations[0].activation): expected 0 (linear) for an input population, got 1 (clip)`);
    const bias = image.populations.findIndex((p) => p.kind === 'bias');
    expect(bias).toBeGreaterThan(0);
    const tabled: BoardImage = { ...image, populations: image.populations.map((p, k) => (k === bias ? { ...p, activation: image.populations.find((q) => q.activation.kind === 'table')!.activation } : p)) };
    expect(() => decodeImage(encodeImage(tabled), 'img')).toThrow(/populations\[\d+\]\.activation\): expected 0 \(linear\) for a bias population, got 2 \(table\)/);
  });
});
