import { timeConstantMs, timeConstantS, voltsToUnits, type ModelUnits } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * Membrane (somatic) compartment: a capacitor C to ground with a leak conductance g_L to the rest level
 * E_rest, driven by the input current I:
 *
 *   C dV/dt = −g_L (V − E_rest) + I,   τ_m = C / g_L,
 *
 * limited to the supply rails [V_low, V_high] (the node cannot leave them: dV/dt is cut to 0 when it
 * pushes outward at a rail).
 *
 * In the emulator's units (u = (V − E_rest,nominal)/V_unit, time in model ms, the input as the voltage
 * I/g_L it would hold the node at, in units) the same equation reads τ u̇ = θ − u + I with θ the rest
 * offset; `membraneRhs` integrates it over a population and `membraneRate` (SI) is the same code.
 *
 * Typical values: subthreshold CMOS C ≈ 3 pF with g_L ≈ 300 pS (τ = 10 ms; DYNAP-SE2 style DPI,
 * `synsense/rockpool` defaults); BrainScaleS-2 C up to 2.2 pF, τ 0.1–200 µs (default 10 µs); an op-amp
 * board 100 nF with 100 kΩ (τ = 10 ms).
 */
export interface MembraneParams {
  /** Membrane capacitance C, farad. */
  capacitanceF: number;
  /** Leak conductance g_L, siemens. */
  leakConductanceS: number;
  /** Rest level E_rest, volt (the voltage that represents u = 0 plus any offset). */
  restV: number;
  /** Supply rails, volt. */
  railLowV: number;
  railHighV: number;
}

/** τ_m = C/g_L, seconds. */
export function membraneTauS(p: MembraneParams): number {
  return timeConstantS(p.capacitanceF, p.leakConductanceS);
}

/** τ_m = C/g_L in model ms: the time constant the emulator integrates with. */
export function membraneTauMs(p: MembraneParams, timeScale: number): number {
  return timeConstantMs(p.capacitanceF, p.leakConductanceS, timeScale);
}

/** The membrane equation τ dv/dt = θ − v + x, in any consistent units: dv/dt. */
function relax(tau: number, theta: number, v: number, x: number): number {
  return (theta - v + x) / tau;
}

/** A rate d of a node at v, cut to 0 where it pushes outward at a rail. */
function atRails(v: number, d: number, low: number, high: number): number {
  return (v >= high && d > 0) || (v <= low && d < 0) ? 0 : d;
}

/** dV/dt (V/s) for a membrane at V with input current I (A), rails included. */
export function membraneRate(p: MembraneParams, V: number, currentA: number): number {
  return atRails(V, relax(membraneTauS(p), p.restV, V, currentA / p.leakConductanceS), p.railLowV, p.railHighV);
}

/** Closed form: V(t) after a current step I at t = 0 from V(0) = V0 (no rails reached). */
export function membraneStepResponse(p: MembraneParams, V0: number, currentA: number, tS: number): number {
  const vInf = p.restV + currentA / p.leakConductanceS;
  return vInf + (V0 - vInf) * libm.exp(-tS / membraneTauS(p));
}

/** A population of membranes in model units: τ (model ms), rest offset θ and rails (units). */
export interface MembranePopulation {
  tauMs: Float64Array;
  theta: Float64Array;
  railLow: Float64Array;
  railHigh: Float64Array;
}

export function membranePopulation(ps: readonly MembraneParams[], f: ModelUnits): MembranePopulation {
  return {
    tauMs: Float64Array.from(ps, (p) => membraneTauMs(p, f.timeScale)),
    theta: Float64Array.from(ps, (p) => voltsToUnits(p.restV, f)),
    railLow: Float64Array.from(ps, (p) => voltsToUnits(p.railLowV, f)),
    railHigh: Float64Array.from(ps, (p) => voltsToUnits(p.railHighV, f)),
  };
}

/** The node voltages the circuit sees: u_i = y_i held inside the rails. */
export function clampToRails(m: MembranePopulation, y: ArrayLike<number>, u: Float64Array): void {
  for (let i = 0; i < m.tauMs.length; i++) {
    const v = y[i]!;
    const lo = m.railLow[i]!;
    const hi = m.railHigh[i]!;
    u[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** The membrane's net drive τ u̇ = θ − u + I (units; `out` may be `input`). */
export function membraneDrive(m: MembranePopulation, u: ArrayLike<number>, input: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < m.tauMs.length; i++) out[i] = m.theta[i]! - u[i]! + input[i]!;
}

/** u̇ = (θ − u + I)/τ per model ms, before the rails (`railCut`); `udot` may be `input`. */
export function membraneRhs(m: MembranePopulation, u: ArrayLike<number>, input: ArrayLike<number>, udot: Float64Array): void {
  for (let i = 0; i < m.tauMs.length; i++) udot[i] = relax(m.tauMs[i]!, m.theta[i]!, u[i]!, input[i]!);
}

/** The rails: dy_i = u̇_i, or 0 where the node y_i pushes outward at a rail. */
export function railCut(m: MembranePopulation, y: ArrayLike<number>, udot: ArrayLike<number>, dy: Float64Array): void {
  for (let i = 0; i < m.tauMs.length; i++) dy[i] = atRails(y[i]!, udot[i]!, m.railLow[i]!, m.railHigh[i]!);
}

/**
 * SPICE: the membrane as a subcircuit `membrane` with ports `u` (the compartment node), `sb` and `e`
 * (the basal input W r and the error e, both as the voltage I/g_L they stand for) and parameters `c`
 * (capacitance, F), `tau` (τ_m = C/g_L, s; g_L = c/tau) and `vr` (rest level, V). Inside: C to ground,
 * the leak as a resistor 1/g_L to a rest-level source, the summing node `sb` closed by a resistor 1/g_L
 * (the synapse arrays' currents I land on it as the voltage I/g_L), the input current g_L·(v(sb) + v(e))
 * into `u`, and the rails as a clamp that is zero between `vlow` and `vhigh` (global parameters) and
 * conducts `railGain`·g_L beyond them (the node stays within 1/railGain of the drive past a rail).
 */
export function membraneSubckt(railGain = 1e4): string[] {
  return [
    '.subckt membrane u sb e params: c=1e-12 tau=1e-2 vr=0',
    'C1 u 0 {c}',
    'R1 u rest {tau/c}',
    'V1 rest 0 DC {vr}',
    'R2 sb 0 {tau/c}',
    'G1 0 u sb 0 {c/tau}',
    'G2 0 u e 0 {c/tau}',
    `B1 u 0 I=({${railGain}*c/tau})*(max(v(u)-({vhigh}),0)+min(v(u)-({vlow}),0))`,
    '.ends membrane',
  ];
}
