import { poolRhs, transmittedSignals } from '../../hardware-models/components/depressing-synapse.js';
import type { Layout } from '../digital/layout.js';
import type { Workspace } from '../digital/workspace.js';
import type { AnalogModel } from './model.js';

/** One array that reads a presynaptic voltage through a carrier other than a wire. */
export interface CarriedArray {
  /** Projection index. */
  index: number;
  kind: 'rate' | 'depressing';
  /** Offset of the presynaptic neurons (the array's columns) in u. */
  preOff: number;
  cols: number;
  /** Offset of this array's pools in the pool block (depressing only). */
  poolOff: number;
  /** What the array receives (cols), ∂(signal)/∂u_pre at fixed pool state, and ∂(signal)/∂t through the pools at fixed u. */
  signal: Float64Array;
  gain: Float64Array;
  explicitRate: Float64Array;
}

/**
 * The top-down carriers of a circuit's arrays (components/depressing-synapse.ts, theory §6): per array that
 * reads a presynaptic voltage, what it receives instead of u:
 * - `rate`: s = ρ(u) of the presynaptic neuron (its transfer mismatch included), ∂s/∂u = ρ'(u);
 * - `depressing`: s = (1 + a x) ρ(u) with one vesicle pool x per column, τ_rec ẋ = 1 − x − d ρ(u) x;
 *   ∂s/∂u = (1 + a x) ρ'(u) at fixed x, and ∂s/∂t = a ρ(u) ẋ at fixed u.
 * The pool states live in the analog state vector (their block starts at `offset`, `size` long); `x`
 * holds them as last loaded. `update` must run after ρ and ρ' of the current u are in the workspace.
 */
export class TopDownPools {
  readonly arrays: CarriedArray[] = [];
  /** Number of pool states. */
  readonly size: number;
  readonly x: Float64Array;
  readonly xdot: Float64Array;
  private readonly rate: Float64Array;

  constructor(
    readonly model: AnalogModel,
    L: Layout,
    readonly offset: number,
  ) {
    let pools = 0;
    let widest = 0;
    model.carriers.forEach((c, k) => {
      if (c.kind === 'wire') return;
      const p = L.graph.projections[k]!;
      if (p.pre.type !== 'neuron') throw new Error(`internal: carrier '${c.kind}' on ${p.name}, which does not read neurons`);
      const cols = p.cols;
      this.arrays.push({ index: k, kind: c.kind, preOff: L.graph.neurons[p.pre.pop]!.offset, cols, poolOff: pools, signal: new Float64Array(cols), gain: new Float64Array(cols), explicitRate: new Float64Array(cols) });
      if (c.kind === 'depressing') pools += cols;
      widest = Math.max(widest, cols);
    });
    this.size = pools;
    this.x = new Float64Array(pools);
    this.xdot = new Float64Array(pools);
    this.rate = new Float64Array(widest);
  }

  get any(): boolean {
    return this.arrays.length > 0;
  }

  /** Loads the pool states from the state vector y. */
  load(y: Float64Array): void {
    this.x.set(y.subarray(this.offset, this.offset + this.size));
  }

  /** Every pool at its steady state x* = 1/(1 + d ρ) for the current ρ (workspace), written to y too. */
  settle(w: Workspace, y: Float64Array): void {
    for (const a of this.arrays) {
      const pools = this.pools(a);
      if (!pools) continue;
      for (let j = 0; j < a.cols; j++) this.x[a.poolOff + j] = 1 / (1 + pools.d[j]! * w.rho[a.preOff + j]!);
    }
    y.set(this.x, this.offset);
  }

  /** Signals, gains, pool rates ẋ and the explicit signal rates at the workspace's ρ, ρ' and the loaded x. */
  update(w: Workspace): void {
    for (const a of this.arrays) {
      const rho = w.rho.subarray(a.preOff, a.preOff + a.cols);
      const drho = w.drho.subarray(a.preOff, a.preOff + a.cols);
      const pools = this.pools(a);
      if (!pools) {
        a.signal.set(rho);
        a.gain.set(drho);
        a.explicitRate.fill(0);
        continue;
      }
      const x = this.x.subarray(a.poolOff, a.poolOff + a.cols);
      const xdot = this.xdot.subarray(a.poolOff, a.poolOff + a.cols);
      const rate = this.rate.subarray(0, a.cols);
      rate.set(rho);
      poolRhs(pools, x, rate, xdot);
      transmittedSignals(pools, x, rate, a.signal);
      for (let j = 0; j < a.cols; j++) {
        a.gain[j] = (1 + pools.a[j]! * x[j]!) * drho[j]!;
        a.explicitRate[j] = pools.a[j]! * rho[j]! * xdot[j]!;
      }
    }
  }

  /** dy of the pool block: ẋ from the last `update`. */
  rhs(dy: Float64Array): void {
    dy.set(this.xdot, this.offset);
  }

  /** The name of pool state i of the block (for failures). */
  componentName(i: number): string {
    const a = this.arrays.find((q) => q.kind === 'depressing' && i >= q.poolOff && i < q.poolOff + q.cols)!;
    return `depressing pool of ${this.model.graph.projections[a.index]!.name}, column ${i - a.poolOff}`;
  }

  private pools(a: CarriedArray) {
    const c = this.model.carriers[a.index]!;
    return c.kind === 'depressing' ? c.pools : null;
  }
}
