import { toModelMs } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * Depressing synapse with a dynamic vesicle pool (theory §6). The pool x ∈ (0, 1] recovers with time
 * constant τ_rec and is used up in proportion to the presynaptic rate r̄:
 *
 *   τ_rec dx/dt = (1 − x) − d r̄ x,        steady state x* = 1 / (1 + d r̄),
 *
 * and the synapse transmits B∘ (1 + a x) r̄ (a release factor with a depressing part of relative size a).
 * In steady state that is B∘ v(r̄) r̄ with v(r̄) = 1 + a/(1 + d r̄): it equals B∘ u, the presynaptic
 * voltage, exactly when the presynaptic neuron's transfer function is the depression-matched one
 * (`depression-matched`, parameters a and d). So a rate-coded neuron can deliver its voltage top-down.
 * τ_rec should match the membrane τ; real depression circuits (Rasche & Hahnloser 2001; Boegerhausen,
 * Suter & Liu 2003) recover nonlinearly, which this ideal Tsodyks–Markram-like pool does not model.
 */
export interface DepressingParams {
  /** Recovery time constant τ_rec, seconds. */
  recoveryS: number;
  /** Depressing share of the release, dimensionless (theory's a). */
  a: number;
  /** Use per unit rate, dimensionless (theory's d). */
  d: number;
}

/** τ_rec dx/dt = 1 − x − d r̄ x in any time unit of τ_rec: dx/dt. */
function poolDerivative(tauRec: number, d: number, x: number, rate: number): number {
  return (1 - x - d * rate * x) / tauRec;
}

/** dx/dt of the pool, per second. */
export function poolRate(p: DepressingParams, x: number, rate: number): number {
  return poolDerivative(p.recoveryS, p.d, x, rate);
}

export function poolSteadyState(p: DepressingParams, rate: number): number {
  return 1 / (1 + p.d * rate);
}

/** Transmitted signal per unit weight: (1 + a x) r̄. */
export function transmitted(p: DepressingParams, x: number, rate: number): number {
  return release(p.a, x, rate);
}

function release(a: number, x: number, rate: number): number {
  return (1 + a * x) * rate;
}

/**
 * Closed form after the rate switches to a constant r at t = 0 with pool x0:
 * x(t) = x* + (x0 − x*) e^{−(1 + d r) t / τ_rec}.
 */
export function poolRecovery(p: DepressingParams, x0: number, rate: number, tS: number): number {
  const xs = poolSteadyState(p, rate);
  return xs + (x0 - xs) * libm.exp((-(1 + p.d * rate) * tS) / p.recoveryS);
}

/** A population of depressing synapses in model units: τ_rec (model ms), a and d. */
export interface DepressingPopulation {
  recoveryMs: Float64Array;
  a: Float64Array;
  d: Float64Array;
}

export function depressingPopulation(ps: readonly DepressingParams[], timeScale: number): DepressingPopulation {
  return {
    recoveryMs: Float64Array.from(ps, (p) => toModelMs(p.recoveryS, timeScale)),
    a: Float64Array.from(ps, (p) => p.a),
    d: Float64Array.from(ps, (p) => p.d),
  };
}

/** State equations: dx_i = (1 − x_i − d_i r̄_i x_i)/τ_rec,i per model ms. */
export function poolRhs(p: DepressingPopulation, x: ArrayLike<number>, rate: ArrayLike<number>, dx: Float64Array): void {
  for (let i = 0; i < p.d.length; i++) dx[i] = poolDerivative(p.recoveryMs[i]!, p.d[i]!, x[i]!, rate[i]!);
}

/** The transmitted signals (1 + a_i x_i) r̄_i per unit weight. */
export function transmittedSignals(p: DepressingPopulation, x: ArrayLike<number>, rate: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < p.a.length; i++) out[i] = release(p.a[i]!, x[i]!, rate[i]!);
}

/**
 * SPICE: one depressing synapse's vesicle pool as a subcircuit `pool` with ports `r` (the presynaptic
 * rate, `vunit` volts per unit, a global parameter) and `out` (the transmitted (1 + a x) r̄, volts), and
 * parameters `trec` (τ_rec, s), `a`, `d` and `cp` (the pool capacitor, F). The pool x is the voltage
 * x·vunit on cp, recharged through R = trec/cp from a full-pool source (x = 1) and discharged by a use
 * current (cp/trec)·d·r̄·v(x): cp dv/dt = (cp/trec)(vunit − v) − (cp/trec) d r̄ v, i.e.
 * τ_rec ẋ = 1 − x − d r̄ x. The pool's node `x` is the subcircuit's internal node (`v(<instance>.x)`).
 */
export function depressingSubckt(): string[] {
  return [
    '.subckt pool r out params: trec=1e-2 a=1 d=1 cp=1e-9',
    'V1 full 0 DC {vunit}',
    'R1 full x {trec/cp}',
    'C1 x 0 {cp}',
    'B1 x 0 I=({cp/trec*d})*(v(r)/({vunit}))*v(x)',
    'B2 out 0 V=(1+({a})*v(x)/({vunit}))*v(r)',
    '.ends pool',
  ];
}
