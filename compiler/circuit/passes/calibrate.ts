import { membraneTauS } from '../../../hardware-models/components/membrane.js';
import type { CircuitIR, PassReport } from '../ir.js';
import { neuronOf } from '../target.js';
import type { Pass } from './pass.js';

/** One neuron as a test bench measures it. */
export interface NeuronMeasurement {
  /** Membrane time constant, seconds (from a step response). */
  tauS: number;
  /** Effective over nominal input weight, Σ_j |w_ij| sign-weighted (DC measurement). */
  inputGain: number;
  /** Fitted transfer ρ_eff(u) = gain·ρ(u − offset): gain and offset (V). */
  transferGain: number;
  transferOffsetV: number;
}

/**
 * How calibration measures a unit. The compiler never runs an engine itself: the CLI passes a meter
 * backed by the emulator (emulator/analog/calibration-meter.ts).
 */
export interface UnitMeter {
  /** Measures neuron `index` (into ir.neurons) of `ir`; `nominal` is the same circuit before mismatch. */
  measure(ir: CircuitIR, nominal: CircuitIR, index: number): NeuronMeasurement;
}

/**
 * Pass 4 (optional), calibrate: as real chips are calibrated, measure each neuron and trim it with
 * `trimBits`-bit trim DACs: the leak conductance for τ (±trimRange), a row gain on its synaptic inputs
 * (±trimRange), the nudging conductance back to β·g_L, and the transfer function's gain (±trimRange) and
 * offset (±offsetTrimV). Trims are quantised, so a residual error of about half a trim step remains.
 * Look-ahead constants and individual synapses are not trimmed. The report gives the rms errors before
 * and after, measured again on the trimmed circuit.
 */
export function calibratePass(meter: UnitMeter): Pass {
  return {
    name: 'calibrate',
    run(ir, ctx) {
      if (!ctx.nominal) throw new Error('internal: calibrate needs the nominal circuit (run quantise first)');
      return calibrate(ir, ctx.nominal, meter);
    },
  };
}

function calibrate(ir: CircuitIR, nominal: CircuitIR, meter: UnitMeter): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  const { trimBits, trimRange, offsetTrimV } = out.profile.calibration;
  const steps = 2 ** trimBits - 1;
  const quantise = (factor: number) => {
    const x = Math.min(1 + trimRange, Math.max(1 - trimRange, factor));
    const k = Math.round(((x - (1 - trimRange)) / (2 * trimRange)) * steps);
    return 1 - trimRange + (2 * trimRange * k) / steps;
  };
  const quantiseOffset = (v: number) => {
    const x = Math.min(offsetTrimV, Math.max(-offsetTrimV, v));
    const k = Math.round(((x + offsetTrimV) / (2 * offsetTrimV || 1)) * steps);
    return -offsetTrimV + (2 * offsetTrimV * k) / steps;
  };
  const before: NeuronMeasurement[] = [];
  out.neurons.forEach((n, i) => {
    const nomTau = neuronOf(nominal, n.population, n.index);
    const tauNom = membraneTauS(nomTau.membrane);
    const m0 = meter.measure(out, nominal, i);
    before.push(m0);
    // τ: trim the leak
    n.membrane.leakConductanceS *= quantise(m0.tauS / tauNom);
    if (n.nudgeConductanceS > 0) n.nudgeConductanceS = out.structure.beta * n.membrane.leakConductanceS * quantise(nomTau.nudgeConductanceS / (out.structure.beta * nomTau.membrane.leakConductanceS));
    // input gain, measured again with the trimmed leak
    const m1 = meter.measure(out, nominal, i);
    const row = quantise(1 / m1.inputGain);
    for (const a of out.arrays) {
      if (a.post.type !== 'neuron' || a.post.population !== n.population || (a.role !== 'forward' && a.role !== 'feedback' && a.role !== 'int-to-pyr')) continue;
      const r = a.conductanceS[n.index]!;
      for (let c = 0; c < r.length; c++) r[c]! *= row;
    }
    n.transfer.gain /= quantise(m1.transferGain);
    n.transfer.offsetV -= quantiseOffset(m1.transferOffsetV);
  });
  const after = out.neurons.map((_, i) => meter.measure(out, nominal, i));
  const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / Math.max(1, xs.length));
  const nomTau = (i: number) => {
    const n = neuronOf(nominal, out.neurons[i]!.population, out.neurons[i]!.index);
    return membraneTauS(n.membrane);
  };
  const errs = (ms: NeuronMeasurement[]) => ({
    tauRelative: rms(ms.map((m, i) => m.tauS / nomTau(i) - 1)),
    inputGainRelative: rms(ms.map((m) => m.inputGain - 1)),
    transferGainRelative: rms(ms.map((m) => m.transferGain - 1)),
    transferOffsetV: rms(ms.map((m) => m.transferOffsetV)),
  });
  const b = errs(before);
  const a = errs(after);
  const report: PassReport = {
    pass: 'calibrate',
    summary: `${trimBits}-bit trims: rms τ error ${pct(b.tauRelative)} → ${pct(a.tauRelative)}, input gain ${pct(b.inputGainRelative)} → ${pct(a.inputGainRelative)}, transfer gain ${pct(b.transferGainRelative)} → ${pct(a.transferGainRelative)}, offset ${(b.transferOffsetV * 1e3).toPrecision(3)} → ${(a.transferOffsetV * 1e3).toPrecision(3)} mV`,
    details: { before: b, after: a },
    warnings: [],
  };
  out.reports.push(report);
  return out;
}

const pct = (x: number) => `${(x * 100).toPrecision(3)} %`;
