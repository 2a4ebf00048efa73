import * as libm from '../../core/libm.js';
/**
 * The EKV model of a MOS transistor's drain current (Enz, Krummenacher, Vittoz, "An analytical MOS
 * transistor model valid in all regions of operation", Analog Integrated Circuits and Signal Processing
 * 8, 1995), in its simplest form: one interpolation from weak to strong inversion, all voltages referred
 * to the bulk (an nFET; a pFET is the same with every voltage's sign flipped):
 *
 *   I_D = I_S [ ln²(1 + e^{(κ(V_G − V_T0) − V_S)/2U_T}) − ln²(1 + e^{(κ(V_G − V_T0) − V_D)/2U_T}) ]
 *
 * I_S the specific current (2 n β U_T² with n = 1/κ), κ the gate coupling (slope factor), V_T0 the
 * threshold voltage, U_T = k_B T / q the thermal voltage. The first term is the forward current, the
 * second the reverse one.
 * - Weak inversion (κ(V_G − V_T0) − V_S ≪ −2U_T): ln(1 + e^x) → e^x, so
 *   I_D = I_S e^{(κ(V_G − V_T0))/U_T} (e^{−V_S/U_T} − e^{−V_D/U_T}), the exponential law the translinear
 *   circuits (the DPI, dpi-neuron.ts) are built on.
 * - Strong inversion, saturated (V_D far above the pinch-off voltage V_P = κ(V_G − V_T0)):
 *   I_D → I_S ((V_P − V_S)/2U_T)², the square law, independent of V_D.
 */
export interface EkvParams {
  /** Specific current I_S = 2 n β U_T², ampere. */
  specificCurrentA: number;
  /** Gate coupling κ = 1/n (dimensionless, 0.5–0.9 in bulk CMOS). */
  kappa: number;
  /** Threshold voltage V_T0, volt. */
  thresholdV: number;
  /** Temperature, kelvin (sets U_T). */
  temperatureK: number;
}

/** Boltzmann constant (SI 2019, exact), J/K. */
export const BOLTZMANN_J_PER_K = 1.380649e-23;
/** Elementary charge (SI 2019, exact), C. */
export const ELEMENTARY_CHARGE_C = 1.602176634e-19;

/** The thermal voltage U_T = k_B T / q, volt (25.85 mV at 300 K). */
export function thermalVoltageV(temperatureK: number): number {
  return (BOLTZMANN_J_PER_K * temperatureK) / ELEMENTARY_CHARGE_C;
}

/** ln(1 + e^x) without overflow for large x and without losing e^x for very negative x. */
function softplus(x: number): number {
  return x > 0 ? x + libm.log1p(libm.exp(-x)) : libm.log1p(libm.exp(x));
}

/** The EKV drain current I_D (A) at gate, source and drain voltages (V, referred to the bulk). */
export function ekvDrainCurrentA(p: EkvParams, gateV: number, sourceV: number, drainV: number): number {
  const ut = thermalVoltageV(p.temperatureK);
  const vp = p.kappa * (gateV - p.thresholdV);
  const f = softplus((vp - sourceV) / (2 * ut));
  const r = softplus((vp - drainV) / (2 * ut));
  return p.specificCurrentA * (f * f - r * r);
}

/** Weak-inversion limit of `ekvDrainCurrentA`: I_S e^{κ(V_G − V_T0)/U_T} (e^{−V_S/U_T} − e^{−V_D/U_T}), A. */
export function weakInversionCurrentA(p: EkvParams, gateV: number, sourceV: number, drainV: number): number {
  const ut = thermalVoltageV(p.temperatureK);
  const vp = p.kappa * (gateV - p.thresholdV);
  return p.specificCurrentA * (libm.exp((vp - sourceV) / ut) - libm.exp((vp - drainV) / ut));
}

/** Strong-inversion saturated limit: I_S ((κ(V_G − V_T0) − V_S)/2U_T)² above pinch-off, 0 below, A. */
export function squareLawCurrentA(p: EkvParams, gateV: number, sourceV: number): number {
  const ut = thermalVoltageV(p.temperatureK);
  const x = Math.max(0, p.kappa * (gateV - p.thresholdV) - sourceV) / (2 * ut);
  return p.specificCurrentA * x * x;
}

/**
 * Threshold-voltage mismatch as current mismatch in weak inversion: a device whose V_T0 is off by ΔV_T
 * carries I · e^{−κ ΔV_T / U_T}; with ΔV_T ~ N(0, σ_VT²) the current is lognormal with
 * σ_ln = κ σ_VT / U_T (Pelgrom's σ_VT; at fixed σ_VT a hotter chip has a larger U_T and so less
 * current mismatch). The sign convention does not matter for a symmetric draw; this returns σ_ln.
 */
export function lognormalCurrentSigma(kappa: number, thresholdSigmaV: number, temperatureK: number): number {
  return (kappa * thresholdSigmaV) / thermalVoltageV(temperatureK);
}

/** The current factor e^{κ ΔV_T / U_T} of a threshold offset ΔV_T (V) in weak inversion. */
export function currentMismatchFactor(kappa: number, thresholdOffsetV: number, temperatureK: number): number {
  return libm.exp((kappa * thresholdOffsetV) / thermalVoltageV(temperatureK));
}
