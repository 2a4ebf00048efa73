import { Rng } from '../core/rng.js';
import type { Drive, Impulse } from '../emulator/drive.js';

/**
 * MNIST-like drive for benchmarks: random input frames (rates in [0, 1]) and one-hot-like targets, each
 * held for `frameMs` (piecewise constant, as in the paper's image presentation), one frame set per
 * batch sample. Cheap to evaluate, so the benchmark measures the engine.
 */
export class FrameDrive implements Drive {
  readonly inputChannels: number;
  readonly targetChannels: number;
  private readonly frames: Float64Array[];
  private readonly labels: Float64Array[];

  constructor(inputs: number, outputs: number, private readonly frameMs: number, count = 16, seed = 1) {
    this.inputChannels = inputs;
    this.targetChannels = outputs;
    const rng = new Rng(seed);
    this.frames = Array.from({ length: count }, () => Float64Array.from({ length: inputs }, () => (rng.uniform() < 0.8 ? 0 : rng.uniform())));
    this.labels = Array.from({ length: count }, (_, k) => Float64Array.from({ length: outputs }, (_, o) => (o === k % outputs ? 1 : 0)));
  }

  private frame(t: number, sample: number): number {
    const k = Math.floor(Math.max(0, t) / this.frameMs) + sample * 7;
    return k % this.frames.length;
  }

  inputs(t: number, sample: number, out: Float64Array, offset: number): void {
    out.set(this.frames[this.frame(t, sample)]!, offset);
  }

  targets(t: number, sample: number, value: Float64Array, slope: Float64Array, offset: number): void {
    value.set(this.labels[this.frame(t, sample)]!, offset);
    slope.fill(0, offset, offset + this.targetChannels);
  }

  impulses(): Impulse[] {
    return [];
  }

  breakpoints(t0: number, t1: number): number[] {
    const out: number[] = [];
    for (let k = Math.floor(t0 / this.frameMs) + 1; k * this.frameMs <= t1; k++) out.push(k * this.frameMs);
    return out;
  }

  /** Targets switch with the frames (for the exact event treatment). */
  targetJumps(t0: number, t1: number): boolean {
    return Math.floor(t0 / this.frameMs) !== Math.floor(t1 / this.frameMs);
  }
}
