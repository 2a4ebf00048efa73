import type { ByteTransport } from './transport.js';

/**
 * Paces a transport like a UART at `baud` (8N1: baud/10 bytes per second) in both directions: bytes
 * written leave at the line rate, bytes received are delivered at the line rate. A pty pair ignores the
 * baud rate; the virtual board wraps its end in this so that timing behaves like a real serial line.
 */
export class PacedTransport implements ByteTransport {
  private readonly bytesPerMs: number;
  private out: Uint8Array[] = [];
  private inq: Uint8Array[] = [];
  private outTimer: NodeJS.Timeout | null = null;
  private inTimer: NodeJS.Timeout | null = null;
  private dataCbs: Array<(c: Uint8Array) => void> = [];
  private drainers: Array<() => void> = [];
  private outBudget = 0;
  private inBudget = 0;
  private outLast = 0;
  private inLast = 0;

  constructor(
    private readonly inner: ByteTransport,
    baud: number,
  ) {
    this.bytesPerMs = baud / 10 / 1000;
    inner.onData((c) => {
      this.inq.push(c);
      this.pumpIn();
    });
  }

  get open(): boolean {
    return this.inner.open;
  }

  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    this.out.push(Uint8Array.from(bytes));
    this.pumpOut();
    return this.queued(this.out) < 8192;
  }

  private queued(q: Uint8Array[]): number {
    return q.reduce((s, b) => s + b.length, 0);
  }

  /** Sends as many queued bytes as the elapsed time allows, then re-arms itself. */
  private pumpOut(): void {
    if (this.outTimer) return;
    const now = performance.now();
    this.outBudget = Math.min(this.outBudget + (now - (this.outLast || now)) * this.bytesPerMs, 512);
    this.outLast = now;
    let n = Math.floor(this.outBudget);
    while (n > 0 && this.out.length) {
      const b = this.out[0]!;
      const k = Math.min(n, b.length);
      this.inner.write(b.subarray(0, k));
      n -= k;
      this.outBudget -= k;
      if (k === b.length) this.out.shift();
      else this.out[0] = b.subarray(k);
    }
    if (this.out.length) this.outTimer = setTimeout(() => ((this.outTimer = null), this.pumpOut()), 1);
    else for (const d of this.drainers.splice(0)) d();
  }

  private pumpIn(): void {
    if (this.inTimer) return;
    const now = performance.now();
    this.inBudget = Math.min(this.inBudget + (now - (this.inLast || now)) * this.bytesPerMs, 512);
    this.inLast = now;
    let n = Math.floor(this.inBudget);
    while (n > 0 && this.inq.length) {
      const b = this.inq[0]!;
      const k = Math.min(n, b.length);
      for (const cb of this.dataCbs) cb(b.subarray(0, k));
      n -= k;
      this.inBudget -= k;
      if (k === b.length) this.inq.shift();
      else this.inq[0] = b.subarray(k);
    }
    if (this.inq.length) this.inTimer = setTimeout(() => ((this.inTimer = null), this.pumpIn()), 1);
  }

  drain(): Promise<void> {
    if (!this.out.length) return this.inner.drain();
    return new Promise((r) => this.drainers.push(r));
  }
  onData(cb: (c: Uint8Array) => void): void {
    this.dataCbs.push(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.inner.onClose(cb);
  }
  async close(): Promise<void> {
    if (this.outTimer) clearTimeout(this.outTimer);
    if (this.inTimer) clearTimeout(this.inTimer);
    await this.inner.close();
  }
}
