import { PRECISE_TIMER_SLACK_MS, PreciseTimer } from '../../core/precise-timer.js';
import type { ByteTransport, DataListener } from './transport.js';

/**
 * A chunk is handed on in pieces, each at the time its last byte would arrive. A piece ends after a
 * 0x00 byte (the protocol's frame delimiter: framing acts on nothing before it, so handing over the
 * bytes before it piecemeal would change nothing a receiver can see) or after MAX_PIECE bytes (so that
 * a reader of raw bytes still sees a long run arrive progressively): one wake-up per frame instead of
 * one per few dozen bytes.
 */
const MAX_PIECE = 256;
const DELIMITER = 0x00;

/**
 * One direction of a UART: bytes queue in order; each leaves when the line has carried it, at
 * `bytesPerMs` (8N1: baud/10 bytes per second), never earlier than it was written. So a frame takes its
 * transmission time after the line falls idle, and queues behind earlier bytes when the line is busy.
 * Pieces are released by a PreciseTimer: tens of microseconds late, without polling the event loop.
 */
class LineClock {
  private q: Array<{ bytes: Uint8Array; at: number }> = [];
  private freeAt = 0;
  private readonly timer = new PreciseTimer();
  private armed = false;

  constructor(
    private readonly bytesPerMs: number,
    private readonly deliver: (b: Uint8Array, atMs: number) => void,
    private readonly onEmpty: () => void = () => {},
  ) {}

  get queuedBytes(): number {
    return this.q.reduce((s, p) => s + p.bytes.length, 0);
  }

  /** Queues bytes that reached the line at `sinceMs` (default now; never later than now). */
  push(bytes: Uint8Array, sinceMs = performance.now()): void {
    let t = Math.max(Math.min(sinceMs, performance.now()), this.freeAt);
    for (let o = 0; o < bytes.length; ) {
      let end = Math.min(o + MAX_PIECE, bytes.length);
      const d = bytes.subarray(o, end).indexOf(DELIMITER);
      if (d >= 0) end = o + d + 1;
      const piece = bytes.slice(o, end);
      t += piece.length / this.bytesPerMs;
      this.q.push({ bytes: piece, at: t });
      o = end;
    }
    this.freeAt = t;
    if (!this.armed) {
      this.armed = true;
      this.timer.at(this.q[0]!.at, () => this.release());
    }
  }

  /** Delivers what is due and sets the timer for the next piece. */
  private release(): void {
    this.armed = false;
    const now = performance.now();
    while (this.q.length && this.q[0]!.at <= now + PRECISE_TIMER_SLACK_MS) {
      const p = this.q.shift()!;
      this.deliver(p.bytes, p.at);
    }
    if (!this.q.length) {
      this.onEmpty();
      return;
    }
    this.armed = true;
    this.timer.at(this.q[0]!.at, () => this.release());
  }

  stop(): void {
    this.timer.cancel();
    this.armed = false;
    this.q = [];
  }
}

/**
 * Paces a transport like a UART at `baud` in both directions: bytes written reach the line at the line
 * rate, bytes received are handed on when the line would have carried them. A pty pair ignores the baud
 * rate; the virtual board wraps its end in this so that timing (throughput, latency, queueing) behaves
 * like a real serial line.
 */
export class PacedTransport implements ByteTransport {
  private readonly out: LineClock;
  private readonly inn: LineClock;
  private dataCbs: DataListener[] = [];
  private drainers: Array<() => void> = [];

  constructor(
    private readonly inner: ByteTransport,
    baud: number,
  ) {
    const bytesPerMs = baud / 10 / 1000;
    this.out = new LineClock(bytesPerMs, (b) => inner.write(b), () => {
      for (const d of this.drainers.splice(0)) d();
    });
    this.inn = new LineClock(bytesPerMs, (b, at) => {
      for (const cb of this.dataCbs) cb(b, at);
    });
    // the line carries a chunk from when it reached this end: a transport that reads on a thread of its
    // own says when that was, so a busy event loop does not hold up the line (a UART receives while the
    // CPU works) and bytes it was slow to pick up are handed on as soon as it gets to them
    inner.onData((c, at) => this.inn.push(c, at));
    inner.onClose(() => {
      this.out.stop();
      this.inn.stop();
      for (const d of this.drainers.splice(0)) d();
    });
  }

  get open(): boolean {
    return this.inner.open;
  }

  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    this.out.push(bytes);
    return this.out.queuedBytes < 8192;
  }

  drain(): Promise<void> {
    if (!this.out.queuedBytes) return this.inner.drain();
    return new Promise((r) => this.drainers.push(r));
  }
  onData(cb: DataListener): void {
    this.dataCbs.push(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.inner.onClose(cb);
  }
  async close(): Promise<void> {
    this.out.stop();
    this.inn.stop();
    await this.inner.close();
  }
}
