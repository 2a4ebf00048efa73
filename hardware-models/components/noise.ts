import { toSeconds } from '../units.js';

/**
 * Thermal noise of a membrane: the leak conductance g_L carries a white current noise of one-sided
 * spectral density S_I = 4 k_B T g_L · F (A²/Hz, F ≥ 1 an excess-noise factor for the active circuit).
 * On the capacitor it gives the kT/C voltage variance σ_V² = F k_B T / C (64 µV rms on 1 pF at 300 K).
 *
 * As a stochastic term: C dV = (…) dt + √(S_I/2) dW, so in normalised units (u = V/V_unit, time t) the
 * Euler–Maruyama increment of u over a step h is σ_u √(2h/τ) ξ with σ_u = √(F k_B T / C) / V_unit.
 * `noiseSigmaPerSqrtMs` gives the emulator that increment's scale per √(model ms) from the PSD.
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

/**
 * The noise on a membrane in model units: with C dV = (…) dt + √(S_I/2) dW_s and one model ms = timeScale
 * seconds (dW_s = √timeScale dW_ms), u = V/V_unit gets du = (…) dt + σ dW_ms with
 * σ = √(S_I/2) √timeScale / (C V_unit): the Euler–Maruyama increment over h model ms is σ √h ξ.
 */
export function noiseSigmaPerSqrtMs(psdA2PerHz: number, capacitanceF: number, voltsPerUnit: number, timeScale: number): number {
  return (Math.sqrt(psdA2PerHz / 2) * Math.sqrt(toSeconds(1, timeScale))) / (capacitanceF * voltsPerUnit);
}
