import type { KernelBackendName } from '../../core/kernels/kernels.js';

/** How the digital reference engine integrates the NLA dynamics (theory §4). */
export interface DigitalOptions {
  /** Forward-Euler step, ms. */
  dtMs: number;
  /** Samples simulated in parallel with shared weights; weight updates are averaged over them. */
  batch?: number;
  /** `explicit`: solve J u̇ = −f/τ − ∂f/∂t directly. `implicit`: relaxed iteration of the neuron equation. */
  method?: 'explicit' | 'implicit';
  /** Linear solver for the explicit method: `layered` (O(synapses), layered nets only), `dense`, or `auto`. */
  solver?: 'auto' | 'layered' | 'dense';
  /** Prospective rates and errors (the NLA). false = classical leaky neurons τu̇ = −u + W r̄ + ē. */
  lookahead?: boolean;
  /** Plasticity (Eq. 8) on or off; default: the spec's `plasticity.enabled`. */
  learn?: boolean;
  /** Implicit method: iterations per step (1 = as a substrate would) or 'converge'. */
  iterations?: number | 'converge';
  /** Implicit method: relaxation factor α (converges when λ_max(J) < 2/α), or 'auto' (halve on divergence). */
  relaxation?: number | 'auto';
  /** Implicit method, 'converge': relative residual tolerance. */
  tolerance?: number;
  /** Initial state: `rest` (u = 0, r̄_in = 0) or `equilibrium` (r̄_in = r_in(0), f(u) = 0). */
  init?: 'rest' | 'equilibrium';
  /** |u| above which the run is reported as divergent. */
  divergenceLimit?: number;
  /** Kernel back end (`wasm` SIMD by default, `js` portable reference). */
  kernels?: KernelBackendName;
  /**
   * How W_in·r̄_in and W_in·dr̄_in/dt of input projections are obtained each step. `recompute` (default,
   * the bit-for-bit reference): a pass over W_in. `incremental` (batch 1): carried from the last step in
   * O(rows + cols) while the raw input holds still, weight updates applied eight at a time; the same
   * equations, with rounding that differs from the reference's (input-products.ts, docs/digital-engine.md).
   * `lowrank` (batch 1): as `incremental`, and the weight updates of a held input frame summed into one
   * rank-2 update of W_in, applied when W_in is read or the frame ends (two multiply-adds a weight a frame
   * instead of one a step); W_in then differs from the reference's by rounding too.
   */
  inputProducts?: 'recompute' | 'incremental' | 'lowrank';
}

export type ResolvedDigitalOptions = Required<DigitalOptions>;

export function resolveDigitalOptions(o: DigitalOptions, plasticityDefault: boolean): ResolvedDigitalOptions {
  return {
    dtMs: o.dtMs,
    batch: o.batch ?? 1,
    method: o.method ?? 'explicit',
    solver: o.solver ?? 'auto',
    lookahead: o.lookahead ?? true,
    learn: o.learn ?? plasticityDefault,
    iterations: o.iterations ?? 'converge',
    relaxation: o.relaxation ?? 'auto',
    tolerance: o.tolerance ?? 1e-12,
    init: o.init ?? 'rest',
    divergenceLimit: o.divergenceLimit ?? 1e6,
    kernels: o.kernels ?? 'wasm',
    inputProducts: o.inputProducts ?? 'recompute',
  };
}
