import type { Signal } from './signal.js';

/** A signal plus step offsets: channel c rises by `value` from time t on (step events). */
export class SteppedSignal implements Signal {
  readonly channels: number;

  constructor(
    private readonly base: Signal,
    private readonly steps: Array<{ tMs: number; channel: number; value: number }>,
  ) {
    this.channels = base.channels;
  }

  value(tMs: number, out: Float64Array, offset: number): void {
    this.base.value(tMs, out, offset);
    for (const s of this.steps) if (s.tMs <= tMs) out[offset + s.channel] = out[offset + s.channel]! + s.value;
  }

  slope(tMs: number, out: Float64Array, offset: number): void {
    this.base.slope(tMs, out, offset);
  }

  breakpoints(t0: number, t1: number): number[] {
    const own = this.steps.filter((s) => s.tMs > t0 && s.tMs <= t1).map((s) => s.tMs);
    return [...new Set([...this.base.breakpoints(t0, t1), ...own])].sort((a, b) => a - b);
  }

  jumps(t0: number, t1: number): boolean {
    return this.base.jumps(t0, t1) || this.steps.some((s) => s.tMs > t0 && s.tMs <= t1);
  }
}
