import { Rng } from '../../../core/rng.js';
import type { Profile } from '../../../hardware-models/profiles/profile.js';
import { UsageError } from '../../../core/errors.js';
import type { CarrierCircuit, CircuitIR, PassReport, UnitCircuit } from '../ir.js';
import type { Pass } from './pass.js';
import { translinearMismatch } from './mismatch-translinear.js';

/**
 * Pass 3, mismatch: device-to-device variation drawn from the circuit's seed. Each component draws from
 * its own generator, forked by its name, so the same seed gives the same circuit bit for bit and adding
 * a neuron does not change the others. Relative deviations are N(0, σ²) from the profile:
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
  const draw = (rng: Rng, what: string, sigma: number): number => {
    if (sigma === 0) return 0;
    const x = sigma * rng.normal();
    (samples[what] ??= []).push(x);
    return x;
  };
  const unit = (rng: Rng, u: UnitCircuit, what: string, sigma: number): void => {
    if (u.kind === 'current-sensing') u.lookaheadS *= 1 + draw(rng, what, sigma);
    if (u.kind === 'lead') u.leadS *= 1 + draw(rng, what, sigma);
  };
  const rateSigma = 'lookaheadSigma' in p.rateUnit ? p.rateUnit.lookaheadSigma : 0;
  const errSigma = 'lookaheadSigma' in p.errorUnit ? p.errorUnit.lookaheadSigma : 0;
  for (const n of out.neurons) {
    const rng = root.fork(`neuron:${n.realises}`);
    const m = n.membrane;
    m.capacitanceF *= 1 + draw(rng, 'membrane capacitance (relative)', p.membrane.capacitanceSigma);
    m.leakConductanceS *= 1 + draw(rng, 'leak conductance (relative)', p.membrane.leakSigma);
    m.restV += draw(rng, 'rest offset (V)', p.membrane.offsetSigmaV);
    n.transfer.gain *= 1 + draw(rng, 'transfer gain (relative)', p.transfer.gainSigma);
    n.transfer.offsetV += draw(rng, 'transfer offset (V)', p.transfer.offsetSigmaV);
    unit(rng, n.rateUnit, 'rate look-ahead (relative)', rateSigma);
    unit(rng, n.errorUnit, 'error look-ahead (relative)', errSigma);
  }
  for (const inp of out.inputs) {
    const rng = root.fork(`input:${inp.realises}`);
    inp.capacitanceF *= 1 + draw(rng, 'input filter C (relative)', p.membrane.capacitanceSigma);
    inp.resistanceOhm *= 1 + draw(rng, 'input filter R (relative)', p.membrane.leakSigma);
  }
  for (const a of out.arrays) {
    const rng = root.fork(`array:${a.realises}`);
    for (const row of a.conductanceS) {
      for (let c = 0; c < row.length; c++) if (row[c] !== 0) row[c]! *= 1 + draw(rng, 'synapse gain (relative)', p.synapses.gainSigma);
    }
  }
  for (const a of out.arrays) if (a.carrier.kind === 'depressing') depressingMismatch(a.realises, a.carrier, root.fork(`carrier:${a.realises}`), p, draw);
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
 * Device variation of one array's depressing pools: τ_rec, a and d of each column times (1 + σ ξ). A draw
 * that leaves τ_rec or d not positive, or a negative, is refused (the profile's σ is too large for that
 * model), naming the array and column.
 */
function depressingMismatch(array: string, c: Extract<CarrierCircuit, { kind: 'depressing' }>, rng: Rng, p: Profile, draw: (rng: Rng, what: string, sigma: number) => number): void {
  const t = p.topDown;
  const [recSigma, relSigma] = t.kind === 'depressing' ? [t.recoverySigma, t.releaseSigma] : [0, 0];
  for (let j = 0; j < c.recoveryS.length; j++) {
    c.recoveryS[j]! *= 1 + draw(rng, 'depressing pool τ_rec (relative)', recSigma);
    c.a[j]! *= 1 + draw(rng, 'depressing release share a (relative)', relSigma);
    c.d[j]! *= 1 + draw(rng, 'depressing use d (relative)', relSigma);
    if (!(c.recoveryS[j]! > 0 && c.d[j]! > 0 && c.a[j]! >= 0)) {
      throw new UsageError(`profile '${p.name}': the mismatch draw gives ${array} column ${j} a pool with τ_rec = ${c.recoveryS[j]} s, a = ${c.a[j]}, d = ${c.d[j]}; topDown.recoverySigma/releaseSigma are too large for this model (keep them well below 1)`);
    }
  }
}
