import { Rng } from '../../../core/rng.js';
import type { Profile } from '../../../hardware-models/profiles/profile.js';
import { UsageError } from '../../../core/errors.js';
import type { CarrierCircuit, CircuitIR, PassReport, UnitCircuit } from '../ir.js';
import type { Pass } from './pass.js';
import { MISMATCH_CLASSES, type MismatchClass } from './mismatch-classes.js';
import { translinearMismatch } from './mismatch-translinear.js';

const CLASS = MISMATCH_CLASSES;

/**
 * Pass 3, mismatch: device-to-device variation drawn from the circuit's seed. Each component class of each
 * component draws from its own generator, forked by `<class>/<component>` (MISMATCH_CLASSES), so the same
 * seed gives the same circuit bit for bit, adding a neuron does not change the others, and the classes are
 * independent streams: the capacitor draws do not reuse the leak's normals, and setting one class's σ to 0
 * (as the Monte Carlo sensitivity ranking does) leaves every other class's draws bit-identical. Relative deviations are N(0, σ²) from the profile:
 * C (capacitanceSigma), g_L (leakSigma), rest level (offsetSigmaV), the transfer's gain and offset,
 * look-ahead constants (lookaheadSigma), input-filter R and C, and every synapse's conductance
 * (synapses.gainSigma), and each depressing top-down pool's τ_rec (topDown.recoverySigma), a and d
 * (topDown.releaseSigma), per column, from the generator forked by `carrier:<array>` (drawn after every
 * other component, so a circuit without pools draws what it drew before). The report gives the drawn
 * sample mean and σ of each, to compare with the profile.
 */
export const mismatchPass: Pass = {
  name: 'mismatch',
  run: (ir, ctx) => mismatch(ir, ctx.profile, ctx.seed),
};

function mismatch(ir: CircuitIR, p: Profile, seed: number): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  out.seed = seed;
  const root = new Rng(seed);
  const samples: Record<string, number[]> = {};
  /** One stream per (class, component): the relative (or absolute, in V) deviation σ·ξ of that component. */
  const draw = (cls: MismatchClass, component: string): number => {
    const sigma = cls.sigma(p);
    if (sigma === 0) return 0;
    const x = sigma * root.fork(`${cls.name}/${component}`).normal();
    (samples[cls.label] ??= []).push(x);
    return x;
  };
  const unit = (u: UnitCircuit, cls: MismatchClass, component: string): void => {
    if (u.kind === 'current-sensing') u.lookaheadS *= 1 + draw(cls, component);
    if (u.kind === 'lead') u.leadS *= 1 + draw(cls, component);
  };
  for (const n of out.neurons) {
    const m = n.membrane;
    const id = `neuron:${n.realises}`;
    m.capacitanceF *= 1 + draw(CLASS.capacitance, id);
    m.leakConductanceS *= 1 + draw(CLASS.leak, id);
    m.restV += draw(CLASS.restOffset, id);
    n.transfer.gain *= 1 + draw(CLASS.transferGain, id);
    n.transfer.offsetV += draw(CLASS.transferOffset, id);
    unit(n.rateUnit, CLASS.rateLookahead, id);
    unit(n.errorUnit, CLASS.errorLookahead, id);
  }
  for (const inp of out.inputs) {
    const id = `input:${inp.realises}`;
    inp.capacitanceF *= 1 + draw(CLASS.inputC, id);
    inp.resistanceOhm *= 1 + draw(CLASS.inputR, id);
  }
  for (const a of out.arrays) {
    if (CLASS.synapseGain.sigma(p) === 0) continue;
    const rng = root.fork(`${CLASS.synapseGain.name}/array:${a.realises}`);
    for (const row of a.conductanceS) {
      for (let c = 0; c < row.length; c++) {
        if (row[c] === 0) continue;
        const x = CLASS.synapseGain.sigma(p) * rng.normal();
        (samples[CLASS.synapseGain.label] ??= []).push(x);
        row[c]! *= 1 + x;
      }
    }
  }
  for (const a of out.arrays) if (a.carrier.kind === 'depressing') depressingMismatch(a.realises, a.carrier, p, draw);
  translinearMismatch(out, p, root, samples);
  const stats = Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
      return [k, { n: xs.length, mean, sigma: sd }];
    }),
  );
  const report: PassReport = {
    pass: 'mismatch',
    summary: Object.keys(stats).length ? `seed ${seed}: ${Object.entries(stats).map(([k, s]) => `${k} σ ${s.sigma.toPrecision(3)}`).join('; ')}` : 'no mismatch in this profile',
    details: { seed, drawn: stats },
    warnings: [],
  };
  out.reports.push(report);
  return out;
}

/**
 * Device variation of one array's depressing pools: τ_rec, a and d of each column times (1 + σ ξ), each
 * class its own stream. A draw
 * that leaves τ_rec or d not positive, or a negative, is refused (the profile's σ is too large for that
 * model), naming the array and column.
 */
function depressingMismatch(array: string, c: Extract<CarrierCircuit, { kind: 'depressing' }>, p: Profile, draw: (cls: MismatchClass, component: string) => number): void {
  for (let j = 0; j < c.recoveryS.length; j++) {
    const id = `carrier:${array}[${j}]`;
    c.recoveryS[j]! *= 1 + draw(CLASS.poolRecovery, id);
    c.a[j]! *= 1 + draw(CLASS.poolRelease, id);
    c.d[j]! *= 1 + draw(CLASS.poolUse, id);
    if (!(c.recoveryS[j]! > 0 && c.d[j]! > 0 && c.a[j]! >= 0)) {
      throw new UsageError(`profile '${p.name}': the mismatch draw gives ${array} column ${j} a pool with τ_rec = ${c.recoveryS[j]} s, a = ${c.a[j]}, d = ${c.d[j]}; topDown.recoverySigma/releaseSigma are too large for this model (keep them well below 1)`);
    }
  }
}
