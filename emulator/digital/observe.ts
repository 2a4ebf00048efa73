import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { Probe, Quantity } from '../probes/probe.js';
import type { Dynamics } from './dynamics.js';
import type { Layout } from './layout.js';
import type { Workspace } from './workspace.js';

/**
 * What an observer reads: an engine built on the digital Workspace (the digital engine, or the analog
 * emulator, which may supply its own prospective rate r and error e when its units are not exact).
 */
export interface Observable {
  readonly graph: NlaGraph;
  readonly layout: Layout;
  readonly workspace: Workspace;
  readonly dynamics: Dynamics;
  readonly options: { lookahead: boolean };
  /** Engine-specific values of quantities (B×N), overriding the computation below. */
  custom?(q: Quantity): Float64Array | null;
}

/**
 * Reads probed quantities from an engine at the current step (inside a step observer, where
 * u, u̇ and the evaluation refer to the same time t). Each quantity is computed once per call of
 * `sample`, for every batch sample, then indexed by the probes.
 */
export class DigitalObserver {
  private readonly cache = new Map<Quantity | 'uI' | 'inrbar', Float64Array>();

  constructor(private readonly sim: Observable) {}

  /** Writes the probes' current values, in probe/index/sample order, into `out` starting at 0. */
  sample(probes: Probe[], out: Float64Array): void {
    this.cache.clear();
    const { B, N, nIn, nI } = this.sim.layout;
    const g = this.sim.graph;
    let k = 0;
    for (const p of probes) {
      const src = this.vector(p);
      const stride = p.target === 'neuron' ? N : p.target === 'input' ? nIn : nI;
      const off = p.target === 'neuron' ? g.neurons[p.pop]!.offset : p.target === 'input' ? g.inputs[p.pop]!.offset : g.interneurons[p.pop]!.offset;
      for (const i of p.indices) for (let b = 0; b < B; b++) out[k++] = src[b * stride + off + i]!;
    }
  }

  private vector(p: Probe): Float64Array {
    const w = this.sim.workspace;
    if (p.target === 'input') return p.quantity === 'rin' ? w.rIn : w.rbarIn;
    if (p.target === 'interneuron') return w.uI;
    const q = p.quantity;
    const hit = this.cache.get(q);
    if (hit) return hit;
    const v = this.compute(q);
    this.cache.set(q, v);
    return v;
  }

  private compute(q: Quantity): Float64Array {
    const own = this.sim.custom?.(q);
    if (own) return own;
    const w = this.sim.workspace;
    const dyn = this.sim.dynamics;
    const tau = this.sim.layout.tauMs;
    const N = this.sim.layout.N;
    switch (q) {
      case 'u':
        return w.u;
      case 'udot':
        return w.udot;
      case 'rbar':
        return w.rho;
      case 'f':
        return w.f;
      case 'eraw':
        return w.eraw;
      case 'ustar': {
        const out = new Float64Array(w.ustar.length);
        for (let i = 0; i < out.length; i++) out[i] = w.nudge[i] ? w.ustar[i]! : NaN;
        return out;
      }
      case 'r': {
        if (!this.sim.options.lookahead) return w.rho; // leaky neurons send r̄
        const out = new Float64Array(w.u.length);
        for (let i = 0; i < out.length; i++) out[i] = w.rho[i]! + tau[i % N]! * w.drho[i]! * w.udot[i]!;
        return out;
      }
      case 'ebar': {
        const out = new Float64Array(w.u.length);
        if (this.sim.options.lookahead) dyn.errorSignal(out);
        else dyn.leakyError(out);
        return out;
      }
      case 'e': {
        const out = new Float64Array(w.u.length);
        if (!this.sim.options.lookahead) {
          dyn.leakyError(out); // leaky neurons use ē itself, no look-ahead
          return out;
        }
        const rate = new Float64Array(w.u.length);
        dyn.errorSignal(out);
        dyn.errorSignalRate(w.udot, rate);
        for (let i = 0; i < out.length; i++) out[i] = out[i]! + tau[i % N]! * rate[i]!;
        return out;
      }
      default:
        throw new Error(`internal: quantity ${q} is not a neuron quantity`);
    }
  }
}
