import { toModelMs } from '../units.js';

/**
 * Exact look-ahead units: the prospective signal x + τ_x dx/dt without a differentiator.
 *
 * - Current-sensing rate unit: with τ_m u̇ = −(u − θ) + I (the membrane; I its total input, W r + e), the
 *   chain rule gives τ_r dρ(u)/dt = (τ_r/τ_m) ρ'(u)(I − (u − θ)), so the unit senses the membrane's
 *   input current instead of differentiating: r = ρ(u) + (τ_r/τ_m) ρ'(u)(I − (u − θ)). It is exact when
 *   τ_r = τ_m; a mismatched τ_r scales the look-ahead (a gain error, never an instability), and it adds
 *   no parasitic pole and no noise gain (analog-notes.md).
 * - Exact error unit: e = ē + τ_e dē/dt, ideal (SPICE writes it with `ddt()`).
 *
 * Over a population in model units both are x + τ_x·slope·v with the state's rate v (v = u̇, slope = ρ'
 * for the rate unit; slope 1, v = dē/dt for the error unit): `prospective` gives the signal and
 * `lookaheadTerm` its part linear in v, which makes the membrane equation implicit in u̇.
 */
export interface CurrentSensingParams {
  /** Look-ahead constant τ_r, seconds. */
  lookaheadS: number;
}

/** Closed form of the current-sensing unit in any consistent units: ρ + (τ_r/τ_m) ρ'(I − (u − θ)). */
export function currentSensingRate(tauRatio: number, rho: number, drho: number, input: number, u: number, theta: number): number {
  return rho + tauRatio * drho * (input - (u - theta));
}

/** Look-ahead constants of a population, model ms (0 where a unit has none). */
export interface LookaheadPopulation {
  lookMs: Float64Array;
}

/** `lookaheadS[i]`: unit i's look-ahead constant in seconds, or null where unit i is not an exact unit. */
export function lookaheadPopulation(lookaheadS: ReadonlyArray<number | null>, timeScale: number): LookaheadPopulation {
  return { lookMs: Float64Array.from(lookaheadS, (s) => (s === null ? 0 : toModelMs(s, timeScale))) };
}

/** The look-ahead alone, out_i = τ_i·slope_i·v_i (slope null: 1), 0 where unit i has none. */
export function lookaheadTerm(p: LookaheadPopulation, slope: ArrayLike<number> | null, v: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < p.lookMs.length; i++) {
    const tau = p.lookMs[i]!;
    out[i] = tau === 0 ? 0 : tau * (slope ? slope[i]! : 1) * v[i]!;
  }
}

/** The prospective signal out_i = x_i + τ_i·slope_i·v_i (slope null: 1); x_i itself where unit i has none. */
export function prospective(p: LookaheadPopulation, x: ArrayLike<number>, slope: ArrayLike<number> | null, v: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < p.lookMs.length; i++) {
    const tau = p.lookMs[i]!;
    out[i] = tau === 0 ? x[i]! : x[i]! + tau * (slope ? slope[i]! : 1) * v[i]!;
  }
}

/**
 * SPICE: the current-sensing rate unit as a subcircuit `rate_sense` with ports `rho`, `drho` (ρ and ρ'
 * in volts), `sb`, `e` (the membrane's input I/g_L = v(sb) + v(e)), `u` (the membrane) and `r` (the
 * prospective rate), parameters `k` (τ_r/τ_m; 1 for the exact unit) and `vr` (the membrane's rest level,
 * V): r = ρ + k ρ'(I/g_L − (u − vr)), all in volts.
 */
export function currentSensingSubckt(): string[] {
  return ['.subckt rate_sense rho drho sb e u r params: k=1 vr=0', 'B1 r 0 V=v(rho)+({k})*v(drho)*(v(sb)+v(e)-(v(u)-({vr})))', '.ends rate_sense'];
}

/**
 * SPICE: the exact look-ahead x + τ dx/dt as a subcircuit `lookahead` with ports `in` and `out` and
 * parameters `te` (τ, s) and `cd` (F): the input drives a capacitor cd into a 0 V source, whose current
 * cd·dx/dt (the capacitor's, computed by the simulator's own integration formula) is added as
 * (te/cd)·i, a transimpedance: out = x + τ dx/dt.
 */
export function lookaheadSubckt(): string[] {
  return ['.subckt lookahead in out params: te=1e-2 cd=1e-9', 'C1 in d {cd}', 'V1 d 0 DC 0', 'B1 out 0 V=v(in)+({te/cd})*i(V1)', '.ends lookahead'];
}
