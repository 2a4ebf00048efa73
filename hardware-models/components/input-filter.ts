import { rcTimeConstantS, toModelMs } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * Input low-pass: an RC filter turns an input rate r_in (a voltage source) into the low-passed r̄_in the
 * synapses read,
 *
 *   τ_in dr̄/dt = r_in − r̄,   τ_in = R C.
 *
 * `inputFilterRhs` is the filter over the stimulus inputs in model units, as the emulator integrates it;
 * `inputFilterSpice` writes it for ngspice.
 */
export interface InputFilterParams {
  resistanceOhm: number;
  capacitanceF: number;
}

/** τ_in = R C, seconds. */
export function inputFilterTauS(p: InputFilterParams): number {
  return rcTimeConstantS(p.resistanceOhm, p.capacitanceF);
}

/** τ_in in model ms. */
export function inputFilterTauMs(p: InputFilterParams, timeScale: number): number {
  return toModelMs(inputFilterTauS(p), timeScale);
}

/** Closed form: r̄(t) after the input steps to r at t = 0 from r̄(0) = r̄0 (any time unit of τ). */
export function inputFilterStepResponse(tau: number, rbar0: number, rate: number, t: number): number {
  return rate + (rbar0 - rate) * libm.exp(-t / tau);
}

/** dr̄_j/dt = (r_j − r̄_j)/τ_j for the first `tauMs.length` inputs (per model ms). */
export function inputFilterRhs(tauMs: Float64Array, rate: ArrayLike<number>, rbar: ArrayLike<number>, out: Float64Array): void {
  for (let j = 0; j < tauMs.length; j++) out[j] = (rate[j]! - rbar[j]!) / tauMs[j]!;
}

/**
 * SPICE: the input low-pass as a subcircuit `lowpass` with ports `src` (the rate source) and `out` (r̄)
 * and parameters `tau` (τ_in, s) and `c` (F): R = tau/c into c.
 */
export function inputFilterSubckt(): string[] {
  return ['.subckt lowpass src out params: tau=1e-2 c=1e-9', 'R1 src out {tau/c}', 'C1 out 0 {c}', '.ends lowpass'];
}
