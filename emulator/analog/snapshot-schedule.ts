import type { WeightSnapshot } from '../digital/run.js';

/**
 * When an analog run takes its weight snapshots: at t0 + k·every (k = 0, 1, …) while ≤ tEnd, and always
 * at tEnd, so the final weights are the last snapshot. Snapshot times between solver steps are read from
 * the step's dense output. No interval: no snapshots at all.
 */
export class SnapshotSchedule {
  readonly taken: WeightSnapshot[] = [];
  private k = 0;
  private readonly count: number;

  constructor(
    private readonly t0: number,
    tEnd: number,
    private readonly everyMs: number | undefined,
    private readonly take: (tMs: number, y: Float64Array) => WeightSnapshot,
  ) {
    this.count = everyMs && everyMs > 0 ? Math.floor((tEnd - t0) / everyMs + 1e-9) + 1 : 0;
  }

  private time(k: number): number {
    return this.t0 + k * this.everyMs!;
  }

  /** At a point of the trajectory: the snapshots due at t. */
  at(t: number, y: Float64Array): void {
    while (this.k < this.count && Math.abs(this.time(this.k) - t) < 1e-9) this.push(this.time(this.k++), y);
  }

  /** Inside a solver step [a, b): the snapshots due there, from its dense output into scratch. */
  within(a: number, b: number, interp: (t: number, out: Float64Array) => void, scratch: Float64Array): void {
    while (this.k < this.count && this.time(this.k) < b - 1e-12 && this.time(this.k) >= a - 1e-12) {
      const t = this.time(this.k++);
      interp(t, scratch);
      this.push(t, scratch);
    }
  }

  /** At the end of the run: the final weights, unless a snapshot was just taken there. */
  final(tEnd: number, y: Float64Array): void {
    if (this.count === 0) return;
    const last = this.taken[this.taken.length - 1];
    if (!last || Math.abs(last.tMs - tEnd) > 1e-9) this.push(tEnd, y);
  }

  private push(t: number, y: Float64Array): void {
    this.taken.push(this.take(t, y));
  }
}
