import { toModelMs } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * How a plastic synapse stores its weight.
 * - `ideal`: a perfect continuous weight (Eq. 8 exactly).
 * - `analog`: a capacitive weight (a voltage on a storage capacitor) that leaks towards 0:
 *   dw/dt = η ē r̄ᵀ − w/τ_leak. Leakage of 1 fA on 1 pF droops 1 mV/s; for a 100 mV weight range that is
 *   τ_leak ≈ 100 s (analog-notes.md).
 * - `digital`: a register of `bits` magnitude bits behind a DAC (lsb = the array's DAC lsb). Eq. 8 is
 *   integrated continuously into an update accumulator; every `updatePeriodS` the accumulated change is
 *   written to the register in whole lsb (rounded to nearest, or stochastically with probability equal to
 *   the fractional part, which keeps small updates unbiased), and the accumulator keeps the remainder
 *   (nearest) or is cleared (stochastic).
 */
export type PlasticityRealisation =
  | { kind: 'ideal' }
  | { kind: 'analog'; leakTauS: number }
  | { kind: 'digital'; updatePeriodS: number; stochasticRounding: boolean };

/** A realisation in model units (times in model ms); `digital` with the register's lsb (a weight) and range. */
export type PlasticityModel =
  | { kind: 'ideal' }
  | { kind: 'analog'; leakTauMs: number }
  | { kind: 'digital'; periodMs: number; stochastic: boolean; lsb: number; maxCode: number };

/** The realisation in model units; `lsbWeight` and `bits` are the array's DAC lsb (0: none) and magnitude bits. */
export function plasticityModel(r: PlasticityRealisation, lsbWeight: number, bits: number, timeScale: number): PlasticityModel {
  if (r.kind === 'analog') return { kind: 'analog', leakTauMs: toModelMs(r.leakTauS, timeScale) };
  if (r.kind === 'digital') return { kind: 'digital', periodMs: toModelMs(r.updatePeriodS, timeScale), stochastic: r.stochasticRounding, lsb: lsbWeight > 0 ? lsbWeight : 0, maxCode: 2 ** bits - 1 };
  return { kind: 'ideal' };
}

/** The storage capacitor's leak: dw_i −= w_i/τ_leak (per model ms), for the n weights from `offset`. */
export function weightLeak(leakTauMs: number, w: ArrayLike<number>, dw: Float64Array, offset: number, n: number): void {
  for (let i = offset; i < offset + n; i++) dw[i] = dw[i]! - w[i]! / leakTauMs;
}

/** Closed form of a leaky analog weight under a constant drive a = η ē r̄: w(t) = aτ + (w0 − aτ) e^{−t/τ}. */
export function leakyWeight(leakTau: number, w0: number, drive: number, t: number): number {
  const wInf = drive * leakTau;
  return wInf + (w0 - wInf) * libm.exp(-t / leakTau);
}

/**
 * A digital register's update: the whole lsb d taken from the accumulated change x (in lsb): rounded to
 * nearest, or stochastically (⌊x⌋ + 1 with probability x − ⌊x⌋, drawn from `uniform` in [0, 1)), which
 * keeps small updates unbiased.
 */
export function registerStep(x: number, stochastic: boolean, uniform: () => number): number {
  const d = Math.floor(x);
  return d + (stochastic ? (uniform() < x - d ? 1 : 0) : x - d >= 0.5 ? 1 : 0);
}

/** The register after a step of d lsb, clipped at the DAC range ±maxCode. */
export function registerCode(code: number, d: number, maxCode: number): number {
  return Math.max(-maxCode, Math.min(maxCode, code + d));
}

/** Times (model ms) of a digital register's updates in (t0, t1]: the multiples of the period. */
export function registerUpdateTimes(periodMs: number, t0: number, t1: number): number[] {
  const out: number[] = [];
  for (let j = Math.floor(t0 / periodMs) + 1; j * periodMs <= t1; j++) out.push(j * periodMs);
  return out;
}
