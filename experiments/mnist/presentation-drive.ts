import { exp } from '../../core/libm.js';
import type { Drive, Impulse } from '../../emulator/drive.js';
import type { ImageSet } from './dataset.js';

/**
 * Presents images one after another, each for `presentationMs`, as input rates r_in (pixel intensities).
 * Presentation k (0-based) holds sample `order[k]` on [k·T, (k+1)·T); after the last one the last image
 * stays. Input and label switch at the same instant, as in the paper.
 *
 * With `nudge`, the target voltages follow the one-hot label (1 on the label's output, 0 elsewhere)
 * through the same low-pass filter (τ_in) that the engine applies to the input rates:
 * τ_in d(u*)/dt = onehot(label(t)) − u*, from u* = 0 at t = 0 (the input filter's rest). So target and
 * filtered input stay matched at every instant, u*(t) = F*(r̄_in(t)) for a linear F*; this is the
 * paper's requirement for simultaneous step changes of input and target (Results, Fig. 4c2), and what
 * its code does by passing both through one transition function. Without `nudge`, every target is NaN.
 * The targets are continuous, so there are no target jumps; the label switches are kinks (breakpoints).
 */
export class PresentationDrive implements Drive {
  readonly inputChannels: number;
  readonly targetChannels = 10;
  /** u* at the start of each presentation (10 values per presentation), filled forward on demand. */
  private readonly startTargets: Float64Array;
  private filled = 0;

  constructor(
    private readonly set: ImageSet,
    private readonly order: ArrayLike<number>,
    readonly presentationMs: number,
    private readonly nudge: boolean,
    /** Time constant of the target filter: the input populations' τ_in, ms. */
    readonly tauInMs = 10,
  ) {
    this.inputChannels = set.size;
    this.startTargets = new Float64Array(nudge ? 10 * Math.max(1, order.length) : 0);
    this.filled = nudge ? 1 : 0; // u*(0) = 0
  }

  /** Index of the presentation running at t (right-continuous). */
  presentation(tMs: number): number {
    const k = Math.floor(tMs / this.presentationMs + 1e-9);
    return Math.max(0, Math.min(this.order.length - 1, k));
  }

  inputs(tMs: number, _sample: number, out: Float64Array, offset: number): void {
    const n = this.order[this.presentation(tMs)]!;
    const { size, pixels } = this.set;
    for (let i = 0; i < size; i++) out[offset + i] = pixels[n * size + i]!;
  }

  targets(tMs: number, _sample: number, value: Float64Array, slope: Float64Array, offset: number): void {
    if (!this.nudge) {
      for (let c = 0; c < 10; c++) {
        value[offset + c] = NaN;
        slope[offset + c] = 0;
      }
      return;
    }
    const k = this.presentation(tMs);
    this.fillTo(k);
    const label = this.set.labels[this.order[k]!]!;
    const decay = exp(-Math.max(0, tMs - k * this.presentationMs) / this.tauInMs);
    for (let c = 0; c < 10; c++) {
      const y = c === label ? 1 : 0;
      const v = y + (this.startTargets[10 * k + c]! - y) * decay;
      value[offset + c] = v;
      slope[offset + c] = (y - v) / this.tauInMs;
    }
  }

  /** Propagates u* over whole presentations up to the start of presentation k. */
  private fillTo(k: number): void {
    const decay = exp(-this.presentationMs / this.tauInMs);
    for (; this.filled <= k; this.filled++) {
      const j = this.filled - 1;
      const label = this.set.labels[this.order[j]!]!;
      for (let c = 0; c < 10; c++) {
        const y = c === label ? 1 : 0;
        this.startTargets[10 * this.filled + c] = y + (this.startTargets[10 * j + c]! - y) * decay;
      }
    }
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
    for (let k = Math.max(1, Math.floor(t0 / T + 1e-9)); k * T <= t1 + 1e-9 && k < this.order.length; k++) if (k * T > t0 + 1e-9) out.push(k * T);
    return out;
  }
}
