import { activationValue, evaluateActivation, type Activation } from '../../core/activation.js';
import type { ArrayCircuit, CircuitIR } from '../../compiler/circuit/ir.js';
import type { NeuronMeasurement, UnitMeter } from '../../compiler/circuit/passes/calibrate.js';
import { membraneRate, membraneTauS } from '../../hardware-models/components/membrane.js';
import { createIntegrator } from './ode/registry.js';
import { throwIfFailed } from './ode/ode.js';
import { UsageError } from '../../core/errors.js';
import { log } from '../../core/libm.js';

/**
 * Calibration measurements on the emulator, as a test bench would make them on a chip:
 * - τ from the membrane's step response, integrated with the emulator's DOPRI5 (V at 2τ_nominal against
 *   the settled value);
 * - the input gain from a DC measurement: each presynaptic line driven at ±1 unit with the sign of its
 *   nominal weight, the settled membrane deflection over the nominal one;
 * - the transfer function's gain and offset by a least-squares fit of ρ_eff(u) = a ρ(u − o) to a sweep;
 * - each synapse's gain by a DC measurement of the array alone (synapseGains).
 * Translinear (DPI) neurons are refused with a UsageError (exit 2): their τ and gain are bias currents.
 */
export const emulatorMeter: UnitMeter = {
  measureSynapses: (ir, nominal, index) => synapseGains(ir.arrays[index]!, nominal.arrays[index]!, ir.voltsPerUnit),
  measure(ir, nominal, index): NeuronMeasurement {
    const n = ir.neurons[index]!;
    if (n.dpi) throw new UsageError(`--calibrate measures linear membranes only: ${n.realises} of profile '${ir.profile.name}' is a translinear DPI pair (its τ and gain are set by bias currents, which this meter does not trim); compile without --calibrate`);
    const V = ir.voltsPerUnit;
    return {
      tauS: stepResponseTau(n.membrane),
      inputGain: dcInputGain(ir, nominal, n.population, n.index, V),
      ...fitTransfer(activationOf(ir, n.population), n.transfer.gain, n.transfer.offsetV / V, V),
    };
  },
};

function activationOf(ir: CircuitIR, population: string): Activation {
  return ir.structure.populations.find((p) => p.name === population)!.activation!;
}

function stepResponseTau(m: CircuitIR['neurons'][number]['membrane']): number {
  const tauNom = membraneTauS(m);
  const I = m.leakConductanceS * 1e-3; // a 1 mV deflection, inside any rails
  const sys = {
    size: 1,
    rhs: (_t: number, y: Float64Array, dy: Float64Array) => {
      dy[0] = membraneRate({ ...m, railLowV: -Infinity, railHighV: Infinity }, y[0]!, I) * tauNom;
    },
    componentName: () => 'V',
  };
  const run = (T: number) => {
    const y = new Float64Array([m.restV]);
    throwIfFailed(createIntegrator('dopri5', { rtol: 1e-10, atol: 1e-15 }).integrate(sys, 0, y, T), 'calibration: the step response of a membrane could not be integrated');
    return y[0]!;
  };
  // time in units of the nominal τ
  const vEnd = run(30);
  const v2 = run(2);
  return (-2 * tauNom) / log(1 - (v2 - m.restV) / (vEnd - m.restV));
}

function dcInputGain(ir: CircuitIR, nominal: CircuitIR, population: string, index: number, V: number): number {
  let eff = 0;
  let nom = 0;
  const g = ir.neurons.find((x) => x.population === population && x.index === index)!.membrane.leakConductanceS;
  const gNom = nominal.neurons.find((x) => x.population === population && x.index === index)!.membrane.leakConductanceS;
  ir.arrays.forEach((a, k) => {
    if (a.role !== 'forward' || a.post.type !== 'neuron' || a.post.population !== population) return;
    const row = a.conductanceS[index]!;
    const rowNom = nominal.arrays[k]!.conductanceS[index]!;
    row.forEach((G, j) => {
      const s = Math.sign(rowNom[j]!);
      eff += (s * G * V) / g;
      nom += (Math.abs(rowNom[j]!) * V) / gNom;
    });
  });
  return nom > 0 ? eff / nom : 1;
}

/**
 * The gain of every cell of an array, as a test bench measures it: presynaptic line j driven at 1 unit
 * (V volts) with the others at 0, the current I_i = Σ_j G_ij V_j each postsynaptic line draws
 * (synapse-array.ts; a DC measurement, no transient: the array is memoryless), over the current the cell
 * delivers in the nominal circuit. One line at a time, every row at once. NaN where the nominal cell is 0.
 */
export function synapseGains(a: ArrayCircuit, nominal: ArrayCircuit, V: number): Float64Array {
  const gains = new Float64Array(a.rows * a.cols);
  for (let j = 0; j < a.cols; j++) {
    for (let i = 0; i < a.rows; i++) {
      const currentA = a.conductanceS[i]![j]! * V;
      const nominalA = nominal.conductanceS[i]![j]! * V;
      gains[i * a.cols + j] = nominalA !== 0 ? currentA / nominalA : NaN;
    }
  }
  return gains;
}

function fitTransfer(act: Activation, gain: number, offset: number, V: number): { transferGain: number; transferOffsetV: number } {
  const lo = act.kind === 'logistic' || act.kind === 'tanh' ? -4 : -0.5;
  const hi = act.kind === 'logistic' || act.kind === 'tanh' ? 4 : act.kind === 'clipped-relu' ? act.max + 0.5 : 1.5;
  const us = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
  const measured = us.map((u) => gain * activationValue(act, u - offset));
  let a = 1;
  let o = 0;
  const buf = new Float64Array(1);
  const r = new Float64Array(1);
  const d = new Float64Array(1);
  for (let it = 0; it < 50; it++) {
    // Gauss–Newton on residuals a ρ(u − o) − measured
    let jtj00 = 0, jtj01 = 0, jtj11 = 0, jtr0 = 0, jtr1 = 0;
    us.forEach((u, i) => {
      buf[0] = u - o;
      evaluateActivation(act, buf, r, d, null, 0, 1);
      const res = a * r[0]! - measured[i]!;
      const ja = r[0]!;
      const jo = -a * d[0]!;
      jtj00 += ja * ja;
      jtj01 += ja * jo;
      jtj11 += jo * jo;
      jtr0 += ja * res;
      jtr1 += jo * res;
    });
    const det = jtj00 * jtj11 - jtj01 * jtj01;
    if (!(Math.abs(det) > 1e-300)) break;
    const da = (jtj11 * jtr0 - jtj01 * jtr1) / det;
    const dd = (-jtj01 * jtr0 + jtj00 * jtr1) / det;
    a -= da;
    o -= dd;
    if (Math.abs(da) < 1e-14 && Math.abs(dd) < 1e-14) break;
  }
  return { transferGain: a, transferOffsetV: o * V };
}
