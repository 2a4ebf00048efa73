import { maxOf } from '../../core/vector.js';
import { DigitalObserver } from '../digital/observe.js';
import { columnLabel, type Probe } from '../probes/probe.js';
import { TraceTable } from '../probes/recorder.js';
import type { IntegrationFailure, Interpolant } from './ode/ode.js';
import type { AnalogSystem } from './system.js';

/**
 * The rows of an analog run: at t0 + k·every (k = 0 … ⌈duration/every⌉ − 1), the cost (with targets),
 * max |f| and the probes, read at the state a sample time falls on, or inside a solver step from its dense
 * output. Sampling evaluates the right-hand side (which fills the workspace the probes read), so a
 * failure there comes back as a value. Also keeps what the summary needs: the costs and max |f| after the
 * transient.
 */
export class AnalogRecorder {
  readonly traces: TraceTable;
  readonly costs: number[] = [];
  /** max |f| over the rows after the transient (10 τ_max, or half the run when shorter than 20 τ_max); NaN when no row falls there. */
  maxF = NaN;
  private k = 0;
  private readonly count: number;
  private readonly extra: string[];
  private readonly row: Float64Array;
  private readonly observer: DigitalObserver;
  private readonly dq: Float64Array;
  private readonly yq: Float64Array;
  private readonly transientEnd: number;
  private readonly hasTargets: boolean;

  constructor(
    private readonly sys: AnalogSystem,
    private readonly probes: Probe[],
    private readonly t0: number,
    durationMs: number,
    readonly everyMs: number,
  ) {
    if (!(everyMs > 0) || !Number.isFinite(everyMs)) throw new RangeError(`sample interval: expected a positive time, got ${everyMs} ms`);
    this.hasTargets = sys.drive!.targetChannels > 0;
    this.extra = this.hasTargets ? ['cost', 'fmax'] : ['fmax'];
    this.traces = new TraceTable([...this.extra, ...probes.flatMap((p) => p.indices.map((i) => columnLabel(p, i, 0, 1)))]);
    this.row = new Float64Array(this.traces.names.length);
    this.observer = new DigitalObserver(sys);
    this.count = Math.max(1, Math.ceil(durationMs / everyMs - 1e-9));
    this.dq = new Float64Array(sys.size);
    this.yq = new Float64Array(sys.size);
    const tauMax = maxOf(sys.model.tauMs);
    this.transientEnd = t0 + (durationMs >= 20 * tauMax ? 10 * tauMax : durationMs / 2);
  }

  private time(k: number): number {
    return this.t0 + k * this.everyMs;
  }

  /** At a point of the trajectory (the start, a breakpoint): the rows due at t. */
  at(t: number, y: Float64Array): IntegrationFailure | null {
    while (this.k < this.count && Math.abs(this.time(this.k) - t) < 1e-9) {
      const fail = this.sample(t, y);
      if (fail) return fail;
      this.k++;
    }
    return null;
  }

  /** Inside an accepted step [a, b): the rows due there, from its dense output. */
  within(a: number, b: number, interp: Interpolant): IntegrationFailure | null {
    while (this.k < this.count && this.time(this.k) < b - 1e-12 && this.time(this.k) >= a - 1e-12) {
      const t = this.time(this.k);
      interp(t, this.yq);
      const fail = this.sample(t, this.yq);
      if (fail) return fail;
      this.k++;
    }
    return null;
  }

  private sample(t: number, y: Float64Array): IntegrationFailure | null {
    const { sys, row, extra } = this;
    const fail = sys.rhs(t, y, this.dq) ?? null;
    if (fail) return fail;
    const w = sys.workspace;
    const g = sys.graph;
    let c = 0;
    for (const o of g.outputs) if (w.nudge[o]) c += 0.5 * (w.ustar[o]! - w.u[o]!) ** 2;
    this.costs.push(this.hasTargets ? c : NaN);
    let f = 0;
    for (let i = 0; i < g.nNeurons; i++) f = Math.max(f, Math.abs(w.f[i]!));
    if (t >= this.transientEnd) this.maxF = Number.isNaN(this.maxF) ? f : Math.max(this.maxF, f);
    if (this.hasTargets) row[0] = c;
    row[extra.length - 1] = f;
    this.observer.sample(this.probes, row.subarray(extra.length));
    this.traces.push(t, row);
    return null;
  }

  /** Mean cost over the first and the last tenth of the rows (NaN without rows). */
  costFigures(): { initialCost: number; finalCost: number } {
    const n = this.costs.length;
    if (!n) return { initialCost: NaN, finalCost: NaN };
    const tenth = Math.max(1, Math.floor(n / 10));
    const mean = (a: number[]) => a.reduce((x, z) => x + z, 0) / a.length;
    return { initialCost: mean(this.costs.slice(0, tenth)), finalCost: mean(this.costs.slice(n - tenth)) };
  }
}
