import type { Drive, Impulse } from '../../emulator/drive.js';
import type { ImageSet } from './dataset.js';

/**
 * Presents images one after another, each for `presentationMs`, as input rates r_in (pixel intensities);
 * with `nudge`, the targets are the one-hot label (u* = 1 on the label's output, 0 elsewhere) switching
 * with the image, and without it every target is NaN (no nudging). Presentation k (0-based) holds
 * sample `order[k]` on [k·T, (k+1)·T); after the last one the last image stays. Input and target switch
 * at the same instant, as in the paper; a target switch is announced through `targetJumps`.
 */
export class PresentationDrive implements Drive {
  readonly inputChannels: number;
  readonly targetChannels = 10;

  constructor(
    private readonly set: ImageSet,
    private readonly order: ArrayLike<number>,
    readonly presentationMs: number,
    private readonly nudge: boolean,
  ) {
    this.inputChannels = set.size;
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
    const label = this.nudge ? this.set.labels[this.order[this.presentation(tMs)]!]! : -1;
    for (let k = 0; k < 10; k++) {
      value[offset + k] = this.nudge ? (k === label ? 1 : 0) : NaN;
      slope[offset + k] = 0;
    }
  }

  impulses(): Impulse[] {
    return [];
  }

  targetJumps(t0: number, t1: number): boolean {
    return this.nudge && this.breakpoints(t0, t1).length > 0;
  }

  breakpoints(t0: number, t1: number): number[] {
    const T = this.presentationMs;
    const out: number[] = [];
    for (let k = Math.max(1, Math.floor(t0 / T + 1e-9)); k * T <= t1 + 1e-9 && k < this.order.length; k++) if (k * T > t0 + 1e-9) out.push(k * T);
    return out;
  }
}
