/**
 * Thermal noise of a membrane: the leak conductance g_L carries a white current noise of one-sided
 * spectral density S_I = 4 k_B T g_L · F (A²/Hz, F ≥ 1 an excess-noise factor for the active circuit).
 * On the capacitor it gives the kT/C voltage variance σ_V² = F k_B T / C (64 µV rms on 1 pF at 300 K).
 *
 * As a stochastic term: C dV = (…) dt + √(S_I/2) dW, so in normalised units (u = V/V_unit, time t) the
 * Euler–Maruyama increment of u over a step h is σ_u √(2h/τ) ξ with σ_u = √(F k_B T / C) / V_unit.
 */
export const BOLTZMANN = 1.380649e-23;

export interface NoiseParams {
  temperatureK: number;
  /** Excess-noise factor F (1 = thermal only). */
  excessFactor: number;
}

export function currentNoisePsd(p: NoiseParams, leakConductanceS: number): number {
  return 4 * BOLTZMANN * p.temperatureK * leakConductanceS * p.excessFactor;
}

/** Stationary rms voltage on the membrane capacitor, volt. */
export function membraneNoiseRmsV(p: NoiseParams, capacitanceF: number): number {
  return Math.sqrt((p.excessFactor * BOLTZMANN * p.temperatureK) / capacitanceF);
}
