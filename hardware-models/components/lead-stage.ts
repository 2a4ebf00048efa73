import { toModelMs } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * Lead stage (differentiating network) that turns a signal x into the prospective x + τ_L dx/dt, with
 * the finite bandwidth of a real circuit: a parasitic pole τ_p,
 *
 *   H(s) = (1 + s τ_L) / (1 + s τ_p).
 *
 * Realised with one internal state z (the pole): τ_p dz/dt = x − z, output y = k x + (1 − k) z with
 * k = τ_L/τ_p, then limited to the output swing ±maxOut (symmetric: a prospective rate goes negative
 * while ρ falls, and an error has either sign). As τ_p → 0 the stage becomes the exact look-ahead; a
 * finite τ_p delays the prospective signal by about τ_p.
 *
 * `leadOutputs` and `leadStateRhs` are the stage over a population in model units, as the emulator
 * integrates it; `leadOutput` and `leadStateRate` (SI) are the same code for one stage; `leadSpice`
 * writes the same equations for ngspice.
 *
 * Typical values: a compensated op-amp differentiator has τ_p/τ ≈ √(2/(ω_t τ)) — 0.56 % for τ = 10 ms
 * and a 1 MHz gain-bandwidth (analog-notes.md); on-chip lead networks are limited by their parasitic
 * capacitances to τ_p/τ of 10⁻³–10⁻².
 */
export interface LeadParams {
  /** Look-ahead (lead) time constant τ_L, seconds. */
  leadS: number;
  /** Parasitic pole τ_p, seconds (> 0). */
  poleS: number;
  /** Output swing: the output is limited to [−maxOut, maxOut] (same unit as the signal). */
  maxOut: number;
}

/** The stage's output k x + (1 − k) z, before the limit. */
function stageOutput(k: number, x: number, z: number): number {
  return k * x + (1 - k) * z;
}

/** The output limit: y held inside [−max, max]. */
function swing(y: number, max: number): number {
  return y < -max ? -max : y > max ? max : y;
}

/** τ_p dz/dt = x − z: dz/dt. */
function poleRate(pole: number, x: number, z: number): number {
  return (x - z) / pole;
}

/** Output of the stage for input x and internal state z (before limiting: `clip` = false). */
export function leadOutput(p: LeadParams, x: number, z: number, clip = true): number {
  const y = stageOutput(p.leadS / p.poleS, x, z);
  return clip ? swing(y, p.maxOut) : y;
}

/** dz/dt of the internal state, per second. */
export function leadStateRate(p: LeadParams, x: number, z: number): number {
  return poleRate(p.poleS, x, z);
}

/** Transfer function at angular frequency ω: gain |H| and phase arg H (radians). */
export function leadTransfer(p: LeadParams, omega: number): { gain: number; phase: number } {
  const gain = Math.hypot(1, omega * p.leadS) / Math.hypot(1, omega * p.poleS);
  return { gain, phase: Math.atan(omega * p.leadS) - Math.atan(omega * p.poleS) };
}

/**
 * Closed-form output for a ramp x(t) = c·t from rest (z(0) = 0):
 * z = c(t − τ_p(1 − e^{−t/τ_p})), y = k c t + (1 − k) z → c(t + τ_L) − c(τ_L − τ_p) e^{−t/τ_p}.
 */
export function leadRampResponse(p: LeadParams, slope: number, tS: number): number {
  const k = p.leadS / p.poleS;
  const z = slope * (tS - p.poleS * (1 - libm.exp(-tS / p.poleS)));
  return k * slope * tS + (1 - k) * z;
}

/**
 * A population of units in model units, some of them lead stages: `lead` 1 where unit i is one, its τ_L
 * and τ_p (model ms) and output swing (units); the other entries are 0 and unused.
 */
export interface LeadPopulation {
  lead: Uint8Array;
  leadMs: Float64Array;
  poleMs: Float64Array;
  maxOut: Float64Array;
}

/** The population of `stages` (null: that unit is not a lead stage). */
export function leadPopulation(stages: ReadonlyArray<LeadParams | null>, timeScale: number): LeadPopulation {
  const n = stages.length;
  const p: LeadPopulation = { lead: new Uint8Array(n), leadMs: new Float64Array(n), poleMs: new Float64Array(n), maxOut: new Float64Array(n).fill(Infinity) };
  stages.forEach((s, i) => {
    if (!s) return;
    p.lead[i] = 1;
    p.leadMs[i] = toModelMs(s.leadS, timeScale);
    p.poleMs[i] = toModelMs(s.poleS, timeScale);
    p.maxOut[i] = s.maxOut;
  });
  return p;
}

/*
 * Over a population, unit i's internal state is z[at + i] (and its rate dz[at + i]): the states may lie
 * inside a larger state vector, as they do in the emulator's y.
 */

/** Outputs: y_i = k x_i + (1 − k) z_i within ±maxOut where unit i is a lead stage, else x_i unchanged. */
export function leadOutputs(p: LeadPopulation, x: ArrayLike<number>, z: ArrayLike<number>, out: Float64Array, at = 0): void {
  for (let i = 0; i < p.lead.length; i++) {
    out[i] = p.lead[i] ? swing(stageOutput(p.leadMs[i]! / p.poleMs[i]!, x[i]!, z[at + i]!), p.maxOut[i]!) : x[i]!;
  }
}

/** State equations: dz_i = (x_i − z_i)/τ_p per model ms where unit i is a lead stage, else 0. */
export function leadStateRhs(p: LeadPopulation, x: ArrayLike<number>, z: ArrayLike<number>, dz: Float64Array, at = 0): void {
  for (let i = 0; i < p.lead.length; i++) dz[at + i] = p.lead[i] ? poleRate(p.poleMs[i]!, x[i]!, z[at + i]!) : 0;
}

/** The stages at their steady state for input x (z = x). */
export function settleLeads(p: LeadPopulation, x: ArrayLike<number>, z: Float64Array, at = 0): void {
  for (let i = 0; i < p.lead.length; i++) if (p.lead[i]) z[at + i] = x[i]!;
}

/**
 * SPICE: the lead stage as a subcircuit `lead` with ports `in` and `out` and parameters `tl` (τ_L, s),
 * `tp` (τ_p, s), `cs` (the pole's capacitor, F) and `vmax` (output swing, V). The pole is a real RC
 * low-pass of the (buffered) input, R = tp/cs into cs at node z, so τ_p dz/dt = x − z; the output is
 * k x + (1 − k) z (k = τ_L/τ_p) limited to ±vmax, a behavioural source standing in for the summing
 * amplifier.
 */
export function leadSubckt(): string[] {
  return [
    '.subckt lead in out params: tl=1e-2 tp=1e-4 cs=1e-9 vmax=1e6',
    'R1 in z {tp/cs}',
    'C1 z 0 {cs}',
    'B1 out 0 V=min(max(({tl/tp})*v(in)+({1-tl/tp})*v(z), ({-vmax})), ({vmax}))',
    '.ends lead',
  ];
}
