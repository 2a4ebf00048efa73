import { describe, expect, it } from 'vitest';
import { LineModel } from '../../host/link/line-model.js';
import { ReliableLink, type LinkLogEntry } from '../../host/link/reliable-link.js';
import { RtoEstimator } from '../../host/link/rto.js';
import { encodeFrame, FLAG_ACK, FrameDecoder, PROTOCOL_MAJOR } from '../../host/protocol/frame.js';
import { MSG, type Message } from '../../host/protocol/messages.js';
import { memoryPair } from '../../host/transport/memory.js';
import type { ByteTransport, DataListener } from '../../host/transport/transport.js';

const inputFrame = (i: number, n = 300): Message => ({ type: 'input-frame', frame: i, timeUs: i * 1000, values: new Int32Array(n).fill(i) });
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Records every write's size and can drop chosen writes, as a lossy line would. */
class Recorder implements ByteTransport {
  readonly writes: Array<{ bytes: number }> = [];
  constructor(
    private readonly inner: ByteTransport,
    private readonly drop: (k: number) => boolean = () => false,
  ) {}
  get open(): boolean {
    return this.inner.open;
  }
  write(b: Uint8Array): boolean {
    const k = this.writes.length;
    this.writes.push({ bytes: b.length });
    return this.drop(k) ? true : this.inner.write(b);
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
  onData(cb: DataListener): void {
    this.inner.onData(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.inner.onClose(cb);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('the retransmission timeout estimator (RFC 6298)', () => {
  it('follows the RFC formulas: first sample, smoothing, variance, floor, back-off', () => {
    const r = new RtoEstimator(20, 1000);
    expect(r.rtoMs).toBe(20); // before any sample: the initial value
    r.sample(40); // SRTT 40, RTTVAR 20 → 40 + 80
    expect(r.smoothedMs).toBe(40);
    expect(r.rtoMs).toBe(120);
    r.sample(8); // RTTVAR = 0.75·20 + 0.25·32 = 23, SRTT = 0.875·40 + 0.125·8 = 36
    expect(r.smoothedMs).toBe(36);
    expect(r.rtoMs).toBe(36 + 4 * 23);
    expect(r.timeoutMs(1)).toBe(2 * r.rtoMs);
    expect(r.timeoutMs(3)).toBe(8 * r.rtoMs > 1000 ? 1000 : 8 * r.rtoMs);
    expect(r.timeoutMs(9)).toBe(r.timeoutMs(3)); // doubling stops at 8×
    const low = new RtoEstimator(50);
    for (let k = 0; k < 50; k++) low.sample(1);
    expect(low.rtoMs).toBe(50); // never below the floor
    low.sample(-5); // a line faster than modelled: counts as 0, never negative
    expect(low.smoothedMs).toBeGreaterThanOrEqual(0);
  });

  it('the line model: a frame leaves after its own line time, behind what is queued; bytes × 10 / baud', () => {
    const m = new LineModel(115200);
    expect(m.lineMs(1152)).toBeCloseTo(100, 9);
    expect(m.write(1152, 1000)).toBeCloseTo(1100, 9);
    expect(m.write(1152, 1050)).toBeCloseTo(1200, 9); // queued behind the first
    expect(m.backlogMs(1050)).toBeCloseTo(150, 9);
    expect(m.ready(1050)).toBe(false);
    expect(m.ready(1200 - LineModel.HIGH_WATER_MS)).toBe(true);
    const memory = new LineModel(undefined);
    expect(memory.write(4000, 7)).toBe(7);
    expect(() => new LineModel(0)).toThrow(/baud: expected a positive rate, got 0/);
  });
});

describe('ReliableLink timing on a line of known rate', () => {
  it('never queues more than HIGH_WATER_MS of line time in the transport, retransmissions included', async () => {
    const baud = 115200;
    const [ta, tb] = memoryPair();
    // the 4th write (a data frame) is lost: go-back-N resends from there
    const rec = new Recorder(ta, (k) => k === 3);
    // the link's own clock readings: the recorder's later ones would add the machine's pauses between
    // the link's decision and the write (under load, milliseconds) to the queue the replay sees
    const tx: LinkLogEntry[] = [];
    const logTx = (e: LinkLogEntry) => {
      if (e.dir === 'tx') tx.push(e);
    };
    const a = new ReliableLink(rec, { receiveWindow: 16, retransmitMs: 20, maxRetries: 20, baud, log: logTx });
    const b = new ReliableLink(tb, { receiveWindow: 16, retransmitMs: 20, maxRetries: 20, baud });
    const got: number[] = [];
    b.onMessage((m, seq) => {
      if (seq) b.release(1);
      if (m.type === 'input-frame') got.push(m.frame);
    });
    const sent = Array.from({ length: 12 }, (_, i) => inputFrame(i));
    await Promise.all(sent.map((m) => a.send(m)));
    expect(got).toEqual(sent.map((_, i) => i));
    expect(a.stats.retransmitted).toBeGreaterThan(0);
    // every logged frame is a write, in order, of the logged size (the lost one included)
    expect(tx.map((e) => e.lineBytes)).toEqual(rec.writes.map((w) => w.bytes));
    expect(tx.filter((e) => e.retransmit).length).toBe(a.stats.retransmitted);
    // replay the writes through the same arithmetic: before each, the line time still queued ahead
    const model = new LineModel(baud);
    for (const e of tx) {
      expect(model.backlogMs(e.tMs)).toBeLessThanOrEqual(LineModel.HIGH_WATER_MS + 1e-9);
      model.write(e.lineBytes, e.tMs);
    }
    // the check has teeth whatever the timers do: one frame is longer on the line than the high-water mark,
    // so two written back to back would break it
    expect(tx.length).toBeGreaterThan(1);
    expect(model.lineMs(tx[1]!.lineBytes)).toBeGreaterThan(LineModel.HIGH_WATER_MS);
    a.dispose();
    b.dispose();
  }, 30_000);

  it("Karn's rule: no round-trip sample from a retransmitted frame, one from a frame sent once", async () => {
    const [ta, tb] = memoryPair();
    const a = new ReliableLink(ta, { receiveWindow: 4, retransmitMs: 50, maxRetries: 5 }); // 50 ms: a loaded machine's pauses do not retransmit seq 1
    // a raw peer that acknowledges only the second copy of seq 0, and seq 1 at once
    const copies = new Map<number, number>();
    const ack = (next: number) => tb.write(encodeFrame({ version: PROTOCOL_MAJOR, type: MSG.ACK, flags: FLAG_ACK, seq: 0, ack: next, credits: 4, payload: new Uint8Array(0) }));
    ack(0); // credits for the window
    const dec = new FrameDecoder((f) => {
      if (f.type === MSG.ACK) return;
      const c = (copies.get(f.seq) ?? 0) + 1;
      copies.set(f.seq, c);
      if (f.seq === 0 && c === 2) ack(1);
      if (f.seq === 1) ack(2);
    });
    tb.onData((c) => dec.push(c));
    await ticks(3);
    await a.send(inputFrame(0, 3));
    expect(copies.get(0)).toBe(2);
    expect(a.stats.retransmitted).toBe(1);
    expect(a.roundTripMs).toBeNull(); // the acknowledgement could have answered either copy
    await a.send(inputFrame(1, 3));
    expect(copies.get(1)).toBe(1);
    expect(a.roundTripMs).not.toBeNull();
    a.dispose();
  });
});
