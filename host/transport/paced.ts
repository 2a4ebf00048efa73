import type { ByteTransport } from './transport.js';

/** Bytes per piece: a chunk is delivered in pieces, each at the time its last byte would arrive. */
const PIECE = 32;
/** Below this wait the clock polls the event loop instead of arming a (millisecond-coarse) timer. */
const SPIN_MS = 1.5;

/**
 * One direction of a UART: bytes queue in order; each leaves when the line has carried it, at
 * `bytesPerMs` (8N1: baud/10 bytes per second), never earlier than it was written. So a frame takes its
 * transmission time after the line falls idle, and queues behind earlier bytes when the line is busy.
 */
class LineClock {
  private q: Array<{ bytes: Uint8Array; at: number }> = [];
  private freeAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    private readonly bytesPerMs: number,
    private readonly deliver: (b: Uint8Array) => void,
    private readonly onEmpty: () => void = () => {},
  ) {}

  get queuedBytes(): number {
    return this.q.reduce((s, p) => s + p.bytes.length, 0);
  }

  push(bytes: Uint8Array): void {
    const now = performance.now();
    let t = Math.max(now, this.freeAt);
    for (let o = 0; o < bytes.length; o += PIECE) {
      const piece = bytes.slice(o, Math.min(o + PIECE, bytes.length));
      t += piece.length / this.bytesPerMs;
      this.q.push({ bytes: piece, at: t });
    }
    this.freeAt = t;
    this.arm();
  }

  /**
   * Delivers what is due and waits for the next piece: a timer while it is more than 1.5 ms away
   * (timers are millisecond-coarse), then polling on the event loop (which keeps reading and computing
   * meanwhile), so pieces are at most a fraction of a millisecond late.
   */
  private arm(): void {
    if (this.timer || this.immediate) return;
    const now = performance.now();
    while (this.q.length && this.q[0]!.at <= now) this.deliver(this.q.shift()!.bytes);
    if (!this.q.length) {
      this.onEmpty();
      return;
    }
    const wait = this.q[0]!.at - now;
    if (wait > SPIN_MS) this.timer = setTimeout(() => ((this.timer = null), this.arm()), Math.max(0, wait - SPIN_MS + 0.5));
    else this.immediate = setImmediate(() => ((this.immediate = null), this.arm()));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
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
  private dataCbs: Array<(c: Uint8Array) => void> = [];
  private drainers: Array<() => void> = [];

  constructor(
    private readonly inner: ByteTransport,
    baud: number,
  ) {
    const bytesPerMs = baud / 10 / 1000;
    this.out = new LineClock(bytesPerMs, (b) => inner.write(b), () => {
      for (const d of this.drainers.splice(0)) d();
    });
    this.inn = new LineClock(bytesPerMs, (b) => {
      for (const cb of this.dataCbs) cb(b);
    });
    inner.onData((c) => this.inn.push(c));
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
  onData(cb: (c: Uint8Array) => void): void {
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
