import { Rng } from '../../core/rng.js';
import type { ByteTransport, DataListener } from './transport.js';

export interface Faults {
  /** Probability that a byte is replaced by another value. */
  corrupt: number;
  /** Probability that a byte is lost. */
  drop: number;
  seed: number;
}

/**
 * Wraps a transport and damages the bytes it sends, as a noisy line would: each byte is independently
 * corrupted (XOR with a random nonzero value) or dropped, from a seeded generator. Counts what it did.
 */
export class FaultyTransport implements ByteTransport {
  readonly counts = { bytes: 0, corrupted: 0, dropped: 0 };
  private readonly rng: Rng;

  constructor(
    private readonly inner: ByteTransport,
    private readonly faults: Faults,
  ) {
    this.rng = new Rng(faults.seed);
  }

  get open(): boolean {
    return this.inner.open;
  }
  write(bytes: Uint8Array): boolean {
    const out: number[] = [];
    for (const b of bytes) {
      this.counts.bytes++;
      const x = this.rng.uniform();
      if (x < this.faults.drop) {
        this.counts.dropped++;
        continue;
      }
      if (x < this.faults.drop + this.faults.corrupt) {
        this.counts.corrupted++;
        out.push(b ^ (1 + this.rng.int(255)));
        continue;
      }
      out.push(b);
    }
    return this.inner.write(Uint8Array.from(out));
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
