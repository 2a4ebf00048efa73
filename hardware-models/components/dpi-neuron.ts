import { thermalVoltageV } from './ekv.js';
import { toModelMs } from '../units.js';
import * as libm from '../../core/libm.js';

/**
 * The differential-pair integrator (DPI; Bartolozzi & Indiveri, "Synaptic dynamics in analog VLSI",
 * Neural Computation 19, 2007; Chicca, Stefanini, Bartolozzi, Indiveri, "Neuromorphic electronic circuits
 * for building autonomous cognitive systems", Proc. IEEE 102, 2014), a current-mode low-pass built from
 * transistors in weak inversion (ekv.ts). Its output transistor's current I_out = I_0 e^{κ V_C/U_T}
 * follows the capacitor voltage; the capacitor C is charged by the branch of a differential pair that the
 * input current I_in feeds and discharged by the leak bias I_τ. The pair splits I_in as
 * I_in I_th/(I_th + I_out) (I_th the current the output transistor would carry at the pair's threshold
 * gate voltage), so with τ = C U_T/(κ I_τ):
 *
 *   τ dI_out/dt = I_out [ I_th I_in / (I_τ (I_th + I_out)) − 1 ]                       (exact, as implemented)
 *   ⇔ τ (1 + I_th/I_out) dI_out/dt + I_out (1 + I_th/I_out) = (I_th/I_τ) I_in
 *
 * Linear regime (I_out ≫ I_th): τ dI_out/dt + I_out = (I_th/I_τ) I_in, a first-order low-pass with time
 * constant τ and gain I_th/I_τ. Outside it the circuit is slower by the factor 1 + I_th/I_out and settles
 * I_th lower: I_out,∞ = I_th (I_in/I_τ − 1). I_out never changes sign (dI_out/dt ∝ I_out).
 *
 * Temperature: the biases I_τ, I_th, I_unit are currents from a current-mode bias generator (as on the
 * DYNAP chips), so they do not move with T; U_T = k_B T/q does, so τ ∝ U_T/I_τ grows ∝ T and the gain
 * I_th/I_τ stays. Mismatch: lognormal currents, σ_ln = κ σ_VT/U_T (ekv.ts `lognormalCurrentSigma`).
 *
 * A signed quantity as currents (the NLA's u and its drive are signed; currents are not): each neuron is
 * a differential pair of DPIs, u = (I⁺ − I⁻)/I_unit, fed in class A: I_in± = (I_unit/g₀)(m ± x/2) with x
 * the membrane's drive in units (θ + Σ W r + e), m the common mode in units and g₀ the designed gain
 * I_th/I_τ. Both halves carry about m I_unit at all times (the cost: 2 m I_unit of bias current per neuron
 * at rest, and a drive linear only for |x| ≤ 2m: beyond it one input current clips at 0, as the circuit's
 * does, and the emulator counts the pairs that clipped); in exchange the transfer is smooth (no kink
 * at x = 0 as a rectifying class-AB split would have) and the −I_th offsets of the two halves cancel in
 * u. In the emulator the state holds u and the common mode s = (I⁺ + I⁻)/I_unit; with a± = (s ± u)/2 and
 * ψ± = a±/(h± + a±), h± = I_th±/I_unit, G± = (I_th±/I_τ±)·(input scale±)/g₀:
 *
 *   τ± da±/dt = ψ± [G± (m ± x/2) − h± − a±],   u̇ = ȧ⁺ − ȧ⁻,   ṡ = ȧ⁺ + ȧ⁻.
 *
 * Without mismatch and with ψ± = 1 (a± ≫ h±) this is τ u̇ = x − u: the linear membrane (membrane.ts)
 * exactly, whatever s does. The deviation of u̇ from it is first order in h/a = I_th/I_out.
 */
export interface DpiHalfParams {
  /** Leak bias I_τ of this half, ampere. */
  tauCurrentA: number;
  /** Threshold current I_th of this half, ampere. */
  thresholdCurrentA: number;
  /** Realised over nominal input current (the input transistor's mismatch), 1 nominal. */
  inputScale: number;
}

/** One neuron's DPI pair in SI (the IR's `NeuronCircuit.dpi`); its capacitor is the membrane's C. */
export interface DpiParams {
  kappa: number;
  /** Operating temperature, kelvin. */
  temperatureK: number;
  /** The current of one unit of u, ampere. */
  unitCurrentA: number;
  /** The common mode m of each half's input, in units. */
  commonModeUnits: number;
  /** The gain g₀ = I_th/I_τ the input stage was designed for (nominal values). */
  designGain: number;
  plus: DpiHalfParams;
  minus: DpiHalfParams;
}

/** τ = C U_T/(κ I_τ) of one DPI, seconds. */
export function dpiTauS(capacitanceF: number, kappa: number, temperatureK: number, tauCurrentA: number): number {
  return (capacitanceF * thermalVoltageV(temperatureK)) / (kappa * tauCurrentA);
}

/** The leak bias I_τ = C U_T/(κ τ) that gives a DPI the time constant τ (s) at temperatureK, ampere. */
export function dpiTauCurrentA(capacitanceF: number, kappa: number, temperatureK: number, tauS: number): number {
  return (capacitanceF * thermalVoltageV(temperatureK)) / (kappa * tauS);
}

/** One DPI, exact: dI_out/dt (A/s) for output I_out and input I_in (A), τ in s. */
export function dpiRate(outA: number, inA: number, thresholdA: number, tauCurrentA: number, tauS: number): number {
  return (outA / tauS) * ((thresholdA * inA) / (tauCurrentA * (thresholdA + outA)) - 1);
}

/** One DPI in its linear regime: dI_out/dt = ((I_th/I_τ) I_in − I_out)/τ, A/s. */
export function dpiLinearRate(outA: number, inA: number, thresholdA: number, tauCurrentA: number, tauS: number): number {
  return ((thresholdA / tauCurrentA) * inA - outA) / tauS;
}

/** Closed form of the linear regime: I_out(t) after an input step to I_in at t = 0 from I_out(0) = I0, A. */
export function dpiLinearStepResponse(out0A: number, inA: number, thresholdA: number, tauCurrentA: number, tauS: number, tS: number): number {
  const inf = (thresholdA / tauCurrentA) * inA;
  return inf + (out0A - inf) * libm.exp(-tS / tauS);
}

/** The exact equation's steady state I_th (I_in/I_τ − 1) (0 when I_in ≤ I_τ: the output decays), A. */
export function dpiSteadyStateA(inA: number, thresholdA: number, tauCurrentA: number): number {
  return Math.max(0, thresholdA * (inA / tauCurrentA - 1));
}

/** A population of DPI pairs in model units (per neuron: τ± in model ms, G±, h±, m). */
export interface DpiPopulation {
  tauPlusMs: Float64Array;
  tauMinusMs: Float64Array;
  gainPlus: Float64Array;
  gainMinus: Float64Array;
  thresholdPlus: Float64Array;
  thresholdMinus: Float64Array;
  commonMode: Float64Array;
}

/** The population from each neuron's DPI parameters and membrane capacitance. */
export function dpiPopulation(params: DpiParams[], capacitanceF: number[], timeScale: number): DpiPopulation {
  const tau = (p: DpiParams, h: DpiHalfParams, i: number) => toModelMs(dpiTauS(capacitanceF[i]!, p.kappa, p.temperatureK, h.tauCurrentA), timeScale);
  const gain = (p: DpiParams, h: DpiHalfParams) => (h.thresholdCurrentA / h.tauCurrentA) * (h.inputScale / p.designGain);
  return {
    tauPlusMs: Float64Array.from(params, (p, i) => tau(p, p.plus, i)),
    tauMinusMs: Float64Array.from(params, (p, i) => tau(p, p.minus, i)),
    gainPlus: Float64Array.from(params, (p) => gain(p, p.plus)),
    gainMinus: Float64Array.from(params, (p) => gain(p, p.minus)),
    thresholdPlus: Float64Array.from(params, (p) => p.plus.thresholdCurrentA / p.unitCurrentA),
    thresholdMinus: Float64Array.from(params, (p) => p.minus.thresholdCurrentA / p.unitCurrentA),
    commonMode: Float64Array.from(params, (p) => p.commonModeUnits),
  };
}

/** The mean time constant (τ⁺ + τ⁻)/2 of each pair, model ms (the τ the rest of the circuit is matched to). */
export function dpiMeanTauMs(pop: DpiPopulation): Float64Array {
  return Float64Array.from(pop.tauPlusMs, (t, i) => (t + pop.tauMinusMs[i]!) / 2);
}

/** The settled common mode s for a pair holding u with its drive at x = u (the halves' steady states). */
export function dpiSettledCommonMode(pop: DpiPopulation, i: number, u: number): number {
  const m = pop.commonMode[i]!;
  return pop.gainPlus[i]! * (m + u / 2) - pop.thresholdPlus[i]! + pop.gainMinus[i]! * (m - u / 2) - pop.thresholdMinus[i]!;
}

/**
 * Where a pair leaves its linear, class-A domain, or null: an input current clipped at 0 (|x| beyond the
 * class-A range 2m: the input transistor carries no negative current, so that half's input is 0), or a half
 * whose current is not positive (a state only a rejected trial step reaches: the dynamics keep a± > 0).
 */
function pairNote(pop: DpiPopulation, i: number, u: number, s: number, x: number): string | null {
  const m = pop.commonMode[i]!;
  if (!((s + u) / 2 > 0 && (s - u) / 2 > 0)) return `its half currents (s ± u)/2 = ${(s + u) / 2}, ${(s - u) / 2} units are not positive`;
  if (!(m + x / 2 >= 0 && m - x / 2 >= 0)) return `its drive x = ${x} units clips an input current at 0 (the class-A range is |x| ≤ 2m = ${2 * m})`;
  return null;
}

/**
 * u̇ and ṡ (per model ms) of neuron i for the membrane drive b = x − u (units), as the circuit gives them:
 * an input current that would be negative is 0 (clipped), a half whose current is not positive does not
 * move (ψ = 0). Returns what clipped (words), or null inside the class-A domain.
 */
export function dpiPairRates(pop: DpiPopulation, i: number, u: number, s: number, b: number, out: { uDot: number; sDot: number }): string | null {
  const x = b + u;
  halfRates(pop, i, u, s, x, out);
  return pairNote(pop, i, u, s, x);
}

/** ψ = a/(h + a) of a half holding a units (0 for a ≤ 0). */
const psi = (a: number, h: number) => (a > 0 ? a / (h + a) : 0);

/** The halves' rates at drive x: u̇ = ȧ⁺ − ȧ⁻, ṡ = ȧ⁺ + ȧ⁻, input currents clipped at 0. */
function halfRates(pop: DpiPopulation, i: number, u: number, s: number, x: number, out: { uDot: number; sDot: number }): void {
  const m = pop.commonMode[i]!;
  const ap = (s + u) / 2;
  const am = (s - u) / 2;
  const hp = pop.thresholdPlus[i]!;
  const hm = pop.thresholdMinus[i]!;
  const dp = (psi(ap, hp) * (pop.gainPlus[i]! * Math.max(0, m + x / 2) - hp - ap)) / pop.tauPlusMs[i]!;
  const dm = (psi(am, hm) * (pop.gainMinus[i]! * Math.max(0, m - x / 2) - hm - am)) / pop.tauMinusMs[i]!;
  out.uDot = dp - dm;
  out.sDot = dp + dm;
}

/**
 * Near a drive b₀, u̇ is affine in b: u̇ = k_b b + k_0, with k_b = ψ⁺G⁺/(2τ⁺) + ψ⁻G⁻/(2τ⁻) over the halves
 * whose input is not clipped at x₀ = b₀ + u (1/τ in the linear regime) and k_0 = u̇(b₀) − k_b b₀. What the
 * implicit circuit form needs: τ_eff = 1/k_b takes τ's place (each clipping mode kept through the solve,
 * as the mode lock keeps each piece of a kink).
 */
export function dpiDriveCoefficients(pop: DpiPopulation, i: number, u: number, s: number, b0 = 0): { kb: number; k0: number } {
  const m = pop.commonMode[i]!;
  const x0 = b0 + u;
  const ap = (s + u) / 2;
  const am = (s - u) / 2;
  const kp = m + x0 / 2 > 0 ? (psi(ap, pop.thresholdPlus[i]!) * pop.gainPlus[i]!) / (2 * pop.tauPlusMs[i]!) : 0;
  const km = m - x0 / 2 > 0 ? (psi(am, pop.thresholdMinus[i]!) * pop.gainMinus[i]!) / (2 * pop.tauMinusMs[i]!) : 0;
  const r = { uDot: 0, sDot: 0 };
  halfRates(pop, i, u, s, x0, r);
  return { kb: kp + km, k0: r.uDot - (kp + km) * b0 };
}
