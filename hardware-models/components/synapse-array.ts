/**
 * Synapse arrays: a weight matrix realised by a circuit. The delivered current into postsynaptic
 * neuron i is I_i = Σ_j G_ij · V_j, with V_j the presynaptic signal voltage (rate·volts-per-unit) and G_ij
 * an effective conductance; the dimensionless NLA weight is w_ij = G_ij / g_L,i (the postsynaptic leak).
 *
 * Realisations:
 * - `ideal`: G exactly g_L·w.
 * - `dac`: a current DAC per synapse (BrainScaleS-2: 6-bit SRAM weight + sign row; op-amp boards:
 *   12-bit DACs). The weight is quantised to a signed code, |code| ≤ 2^bits − 1 (`bits` counts magnitude
 *   bits; the sign is a separate row or bit), with lsb = fullScale / (2^bits − 1); `fullScale` is the
 *   weight (dimensionless) of the largest code, either fixed by the chip or `auto` (the array's largest
 *   |w|, as a per-array gain register sets it).
 * - `conductance`: a resistor per synapse (an inverting summing amplifier, w = R_f / R_in) snapped to a
 *   standard series (E96 for 1 % resistors, E24 for 5 %).
 * Each synapse also has a gain error (1 + δ_ij), δ ~ N(0, σ²) drawn by the mismatch pass.
 */
import { exp, log } from '../../core/libm.js';

export type SynapseRealisation =
  | { kind: 'ideal' }
  | { kind: 'dac'; bits: number; fullScale: 'auto' | number }
  | { kind: 'conductance'; series: 'E24' | 'E96' | 'continuous' };

export interface QuantisedWeight {
  /** The realised weight (dimensionless, before mismatch). */
  value: number;
  /** DAC code (dac realisation), else 0. */
  code: number;
  clipped: boolean;
  /** A nonzero weight realised as exactly 0. */
  zeroed: boolean;
}

/** Quantises one weight. `fullScale` is the array's resolved full scale (dac only). */
export function quantiseWeight(r: SynapseRealisation, w: number, fullScale: number): QuantisedWeight {
  if (r.kind === 'ideal') return { value: w, code: 0, clipped: false, zeroed: false };
  if (r.kind === 'dac') {
    const max = 2 ** r.bits - 1;
    const lsb = fullScale / max;
    let code = lsb > 0 ? Math.round(w / lsb) : 0;
    const clipped = Math.abs(code) > max;
    if (clipped) code = Math.sign(code) * max;
    return { value: code * lsb, code, clipped, zeroed: code === 0 && w !== 0 };
  }
  if (w === 0 || r.series === 'continuous') return { value: w, code: 0, clipped: false, zeroed: false };
  return { value: Math.sign(w) * snapToSeries(Math.abs(w), r.series), code: 0, clipped: false, zeroed: false };
}

const E24 = [1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1];
/** E96: 10^(i/96) to three significant digits (the series has no exceptions, unlike E24). */
const E96 = Array.from({ length: 96 }, (_, i) => Math.round(100 * exp((i / 96) * Math.LN10)) / 100);

/**
 * Nearest value of a standard resistor series to the ratio |w| = R_f/R_in: R_in = R_f/|w| is snapped to
 * the series (any decade) and the realised ratio returned.
 */
export function snapToSeries(ratio: number, series: 'E24' | 'E96'): number {
  const table = series === 'E24' ? E24 : E96;
  const rin = 1 / ratio; // in units of R_f
  const decade = decadeBelow(rin);
  const m = rin / decade;
  let best = table[0]!;
  for (const v of [...table, 10]) if (Math.abs(log(v / m)) < Math.abs(log(best / m))) best = v;
  return 1 / (best * decade);
}

/**
 * The largest power of ten ≤ x (x > 0) by multiplications and one division, each correctly rounded: the same
 * bits on every JavaScript engine (exact powers up to 10²²; `10 ** -5` in V8 is 0.000009999999999999999).
 * Infinity (the inverse of a subnormal weight) is returned as it is.
 */
function decadeBelow(x: number): number {
  if (!(x < Infinity)) return x;
  if (x >= 1) {
    let p = 1;
    while (p * 10 <= x) p *= 10;
    return p;
  }
  let q = 10;
  while (1 / q > x) q *= 10;
  return 1 / q;
}

/** The dimensionless weight w = G/g_L of a synapse of conductance G onto a compartment of leak g_L. */
export function synapseWeight(conductanceS: number, postLeakS: number): number {
  return conductanceS / postLeakS;
}

/** The conductance G = w·g_L that realises weight w onto a compartment of leak g_L. */
export function synapseConductance(weight: number, postLeakS: number): number {
  return weight * postLeakS;
}

/** An array's weights w_ij = G_ij/g_L,i, row-major (rows = postsynaptic), for the emulator's graph. */
export function arrayWeights(conductanceS: ReadonlyArray<ReadonlyArray<number>>, cols: number, postLeakS: (row: number) => number): Float64Array {
  const w = new Float64Array(conductanceS.length * cols);
  conductanceS.forEach((row, r) => {
    const g = postLeakS(r);
    row.forEach((G, c) => (w[r * cols + c] = synapseWeight(G, g)));
  });
  return w;
}

/**
 * SPICE: one synapse as a voltage-controlled current source: G·(v(pre+) − v(pre−)) into node `post`
 * (`subtract`: drawn out of it instead, for an inhibitory path such as W^PI).
 */
export function synapseSpice(element: string, post: string, pre: string, preRef: string, conductanceS: number, subtract = false): string {
  return subtract ? `${element} ${post} 0 ${pre} ${preRef} ${conductanceS}` : `${element} 0 ${post} ${pre} ${preRef} ${conductanceS}`;
}
