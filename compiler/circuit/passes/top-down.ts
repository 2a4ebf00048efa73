import { describeActivation } from '../../../core/activation.js';
import { UsageError } from '../../../core/errors.js';
import type { NlaGraph, Projection, ProjectionRole } from '../../graph/graph.js';
import type { Profile, TopDownCarrier } from '../../../hardware-models/profiles/profile.js';
import { toSeconds } from '../../../hardware-models/units.js';
import type { CarrierCircuit, CircuitIR, ErrorPath } from '../ir.js';

/**
 * The compiler's top-down decisions (theory §5, §6): which error path a circuit has, and how arrays that
 * read a presynaptic voltage get it.
 *
 * Arrays that read a voltage are the microcircuit's top-down arrays: B (role `feedback`, u of the layer
 * above into the apical compartment) and B^IP (role `int-nudge`, u of the layer above into the
 * interneurons); see emulator/digital/microcircuit.ts. Every other array reads rates (forward, W^IP),
 * interneuron voltages (W^PI, an on-chip wire) or errors (the error path of somatic NLA) and is `wire`.
 */
export function readsVoltage(feedback: CircuitIR['structure']['feedback'], role: ProjectionRole, preType: string): boolean {
  return feedback === 'microcircuit' && preType === 'neuron' && (role === 'feedback' || role === 'int-nudge');
}

/** The error path of graph `g` on profile `p` (what structure.errorPath records). */
export function errorPathOf(g: NlaGraph, p: Profile): ErrorPath {
  if (g.feedback !== 'transpose') return g.feedback;
  if (p.feedbackArray === 'exact') return 'transpose-shared';
  return p.feedbackPlasticity === 'mirrored' ? 'transpose-mirrored' : 'transpose-fixed';
}

/** The error path in the words every report uses. */
export function describeErrorPath(e: ErrorPath): string {
  switch (e) {
    case 'transpose-shared':
      return 'transpose (shared arrays)';
    case 'transpose-mirrored':
      return 'transpose (separate arrays, mirrored plasticity)';
    case 'transpose-fixed':
      return 'fixed copy of W(0)ᵀ (separate arrays, no plasticity: feedback alignment)';
    case 'random':
      return 'random B (feedback alignment)';
    case 'microcircuit':
      return 'microcircuit (top-down B, B^IP and interneurons)';
  }
}

/** The profile's top-down carrier in words (`depressing synapses, τ_rec = 1·τ, σ_rec 5 %, σ_release 2 %`). */
export function describeTopDown(t: TopDownCarrier): string {
  if (t.kind === 'wire') return 'wire (the presynaptic voltage)';
  if (t.kind === 'rate') return 'rate ρ(u), no inversion';
  const pct = (x: number) => `${Number((100 * x).toPrecision(3))} %`;
  return `depressing synapses, τ_rec = ${t.recoveryRatio}·τ, σ_rec ${pct(t.recoverySigma)}, σ_release ${pct(t.releaseSigma)}`;
}

/**
 * The carrier of one array of `g` on profile `p` (nominal: one pool per column with τ_rec = recoveryRatio ·
 * τ of the presynaptic population, a and d of its depression-matched activation). `wire` for every array
 * that does not read a voltage. Throws a UsageError (exit 2) when `depressing` meets a presynaptic
 * population whose activation is not depression-matched: a pool inverts only that one.
 */
export function carrierFor(g: NlaGraph, p: Profile, proj: Pick<Projection, 'name' | 'role' | 'pre' | 'cols'>): CarrierCircuit {
  const t = p.topDown;
  if (t.kind === 'wire' || !readsVoltage(g.feedback, proj.role, proj.pre.type)) return { kind: 'wire' };
  if (t.kind === 'rate') return { kind: 'rate' };
  const pre = g.neurons[proj.pre.pop]!;
  const act = pre.activation;
  if (act.kind !== 'depression-matched') {
    throw new UsageError(
      `profile '${p.name}': topDown 'depressing' needs the presynaptic population of ${proj.name} ('${pre.name}') to have the depression-matched activation, ` +
        `but it has ${describeActivation(act)}; a depressing synapse inverts only that rate back to the voltage (theory §6). ` +
        `Give '${pre.name}' the activation {"name": "depression-matched", "a": …, "d": …}, or use topDown 'rate' or 'wire'`,
    );
  }
  const recoveryS = t.recoveryRatio * toSeconds(pre.tauMs, p.timeScale);
  return { kind: 'depressing', recoveryS: new Array<number>(proj.cols).fill(recoveryS), a: new Array<number>(proj.cols).fill(act.a), d: new Array<number>(proj.cols).fill(act.d) };
}
