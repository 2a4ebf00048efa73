import { exp } from '../../core/libm.js';
import type { Drive, Impulse } from '../../emulator/drive.js';
import type { ImageSet } from './dataset.js';
import type { EpochOrder } from './epoch-order.js';

/** Where a StreamDrive stands: the presentation k and the filtered targets u* at the start of k − 1 and k. */
export interface StreamDriveState {
  k: number;
  /** u* at the start of presentation k − 1 (zeros for k = 0) and of presentation k (10 values each). */
  prev: number[];
  cur: number[];
}

/**
 * The PresentationDrive of an endless stream: presentation k (on [k·T, (k+1)·T)) shows image
 * `order.image(k)` with its one-hot label passed through the input's low-pass τ_in, exactly the formulas
 * of PresentationDrive (u* = y + (u*_start − y)·e^{−(t − kT)/τ_in}). It keeps the targets at the start of
 * the current and the previous presentation only (the engine re-reads the previous step's targets after a
 * restore), so its memory does not grow with the run, and its position is a small state to checkpoint.
 * Time only moves forward (a time before presentation k − 1 is an error).
 */
export class StreamDrive implements Drive {
  readonly inputChannels: number;
  readonly targetChannels = 10;
  private k = 0;
  private prev = new Float64Array(10);
  private cur = new Float64Array(10);

  constructor(
    private readonly set: ImageSet,
    private readonly order: EpochOrder,
    readonly presentationMs: number,
    /** Time constant of the target filter: the input populations' τ_in, ms. */
    readonly tauInMs: number,
  ) {
    this.inputChannels = set.size;
  }

  /** Index of the presentation running at t (right-continuous). */
  presentation(tMs: number): number {
    return Math.max(0, Math.floor(tMs / this.presentationMs + 1e-9));
  }

  inputs(tMs: number, _sample: number, out: Float64Array, offset: number): void {
    const n = this.order.image(this.presentation(tMs));
    const { size, pixels } = this.set;
    for (let i = 0; i < size; i++) out[offset + i] = pixels[n * size + i]!;
  }

  targets(tMs: number, _sample: number, value: Float64Array, slope: Float64Array, offset: number): void {
    const k = this.presentation(tMs);
    while (this.k < k) this.advance();
    if (k < this.k - 1) throw new RangeError(`internal: targets at presentation ${k}, but the stream drive is at ${this.k}`);
    const start = k === this.k ? this.cur : this.prev;
    const label = this.label(k);
    const decay = exp(-Math.max(0, tMs - k * this.presentationMs) / this.tauInMs);
    for (let c = 0; c < 10; c++) {
      const y = c === label ? 1 : 0;
      const v = y + (start[c]! - y) * decay;
      value[offset + c] = v;
      slope[offset + c] = (y - v) / this.tauInMs;
    }
  }

  /** The position to checkpoint. */
  state(): StreamDriveState {
    return { k: this.k, prev: Array.from(this.prev), cur: Array.from(this.cur) };
  }

  /** Continues from a checkpointed position (validated by the checkpoint reader). */
  restore(s: StreamDriveState): void {
    this.k = s.k;
    this.prev = Float64Array.from(s.prev);
    this.cur = Float64Array.from(s.cur);
  }

  /** Index (into the training set) of the image of presentation k. */
  imageAt(k: number): number {
    return this.order.image(k);
  }

  private label(k: number): number {
    return this.set.labels[this.order.image(k)]!;
  }

  /** u* at the start of presentation k + 1 from that of k (the label of k held for a whole T). */
  private advance(): void {
    const decay = exp(-this.presentationMs / this.tauInMs);
    const label = this.label(this.k);
    const next = this.prev; // reuse the oldest buffer
    for (let c = 0; c < 10; c++) {
      const y = c === label ? 1 : 0;
      next[c] = y + (this.cur[c]! - y) * decay;
    }
    this.prev = this.cur;
    this.cur = next;
    this.k++;
  }

  impulses(): Impulse[] {
    return [];
  }

  targetJumps(): boolean {
    return false;
  }

  breakpoints(t0: number, t1: number): number[] {
    const T = this.presentationMs;
    const out: number[] = [];
    for (let k = Math.max(1, Math.floor(t0 / T + 1e-9)); k * T <= t1 + 1e-9; k++) if (k * T > t0 + 1e-9) out.push(k * T);
    return out;
  }
}
