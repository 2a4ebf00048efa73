import { membraneTauS } from '../../../hardware-models/components/membrane.js';
import type { CircuitIR, PassReport } from '../ir.js';
import { neuronOf } from '../target.js';
import type { Pass } from './pass.js';
import { synapseTrimSummary, trimSynapses } from './calibrate-synapses.js';

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
  /**
   * Measures every synapse of array `index` (into ir.arrays) by DC: one presynaptic line driven at 1 unit,
   * the others at 0, the current each postsynaptic line receives over what the same cell delivers in
   * `nominal`. Row-major (rows × cols); NaN where the nominal synapse is absent (conductance 0).
   */
  measureSynapses(ir: CircuitIR, nominal: CircuitIR, index: number): Float64Array;
}

/** What the calibrate pass trims besides every neuron. */
export interface CalibrateOptions {
  /**
   * Also reprogram each DAC synapse's code from its measured gain (before the neuron trims, so the row
   * gain trim sees the trimmed row). Resistor and ideal arrays are reported as not trimmable. Default false.
   */
  synapses?: boolean;
}

/**
 * Pass 4 (optional), calibrate: as real chips are calibrated, measure each neuron and trim it with
 * `trimBits`-bit trim DACs: the leak conductance for τ (±trimRange), a row gain on its synaptic inputs
 * (±trimRange), the nudging conductance back to β·g_L, and the transfer function's gain (±trimRange) and
 * offset (±offsetTrimV). Trims are quantised, so a residual error of about half a trim step remains.
 * Look-ahead constants are not trimmed; individual synapses only with `synapses` (calibrate-synapses.ts):
 * each DAC cell's code is set from its measured gain first, then the neurons are trimmed, so a neuron's
 * input-gain measurement sees its trimmed row and the row gain trim corrects only what the rows share (the
 * leak trimmed for τ, the codes' residual). The other order would let the per-synapse trims undo the row
 * trim. The report gives the rms errors before and after, measured again on the trimmed circuit.
 */
export function calibratePass(meter: UnitMeter, opts: CalibrateOptions = {}): Pass {
  return {
    name: 'calibrate',
    run(ir, ctx) {
      if (!ctx.nominal) throw new Error('internal: calibrate needs the nominal circuit (run quantise first)');
      return calibrate(ir, ctx.nominal, meter, opts.synapses === true);
    },
  };
}

function calibrate(ir: CircuitIR, nominal: CircuitIR, meter: UnitMeter, synapses: boolean): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  const syn = synapses ? trimSynapses(out, nominal, meter) : null;
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
  const neurons = `${trimBits}-bit trims: rms τ error ${pct(b.tauRelative)} → ${pct(a.tauRelative)}, input gain ${pct(b.inputGainRelative)} → ${pct(a.inputGainRelative)}, transfer gain ${pct(b.transferGainRelative)} → ${pct(a.transferGainRelative)}, offset ${(b.transferOffsetV * 1e3).toPrecision(3)} → ${(a.transferOffsetV * 1e3).toPrecision(3)} mV`;
  const report: PassReport = {
    pass: 'calibrate',
    summary: syn ? `${neurons}; ${synapseTrimSummary(syn.arrays)}` : neurons,
    details: syn ? { before: b, after: a, synapses: syn.arrays } : { before: b, after: a },
    warnings: syn ? syn.warnings : [],
  };
  out.reports.push(report);
  return out;
}

const pct = (x: number) => `${(x * 100).toPrecision(3)} %`;
