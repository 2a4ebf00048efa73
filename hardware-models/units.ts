/**
 * Unit conversions between a circuit (SI: seconds, farads, siemens, ohms) and the emulator's model units
 * (time in model milliseconds, the network spec's unit). One millisecond of model time is `timeScale`
 * seconds of circuit time: 10⁻³ on biological-time circuits, 10⁻⁶ on a 1000× accelerated chip.
 *
 * Every such conversion in the toolkit goes through this file, once: the compiler's scale pass (model
 * τ → C and g_L), the emulator's model (C/g_L → τ in model ms), the SPICE emitter (ratios of time
 * constants), calibration (measured against nominal τ). A wrong factor here moves every circuit, so the
 * component tests pin the documented values (test/analog/components.test.ts, time-scale.test.ts).
 */

/** The time scale of circuits that run in biological time: one model ms is one millisecond. */
export const BIOLOGICAL_TIME_SCALE = 1e-3;

/** τ = C/g of a capacitor discharged through a conductance (a membrane: C/g_L), seconds. */
export function timeConstantS(capacitanceF: number, conductanceS: number): number {
  return capacitanceF / conductanceS;
}

/** The conductance g = C/τ that gives a capacitor the time constant τ (seconds), siemens. */
export function conductanceForTimeConstant(capacitanceF: number, tauS: number): number {
  return capacitanceF / tauS;
}

/** τ = R·C of an RC low-pass (an input filter), seconds. */
export function rcTimeConstantS(resistanceOhm: number, capacitanceF: number): number {
  return resistanceOhm * capacitanceF;
}

/** The resistor R = τ/C that gives a capacitor the time constant τ (seconds), ohms. */
export function resistanceForTimeConstant(capacitanceF: number, tauS: number): number {
  return tauS / capacitanceF;
}

/** Circuit seconds → model ms. */
export function toModelMs(seconds: number, timeScale: number): number {
  return seconds / timeScale;
}

/** Model ms → circuit seconds. */
export function toSeconds(modelMs: number, timeScale: number): number {
  return modelMs * timeScale;
}

/** A rate per circuit second (a learning rate, dV/dt) → per model ms. */
export function perModelMs(perSecond: number, timeScale: number): number {
  return perSecond * timeScale;
}

/** A rate per model ms → per circuit second. */
export function perSecond(perModelMs: number, timeScale: number): number {
  return perModelMs / timeScale;
}

/** τ = C/g in model ms: the membrane time constant the emulator integrates with. */
export function timeConstantMs(capacitanceF: number, conductanceS: number, timeScale: number): number {
  return toModelMs(timeConstantS(capacitanceF, conductanceS), timeScale);
}

/**
 * The frame of the emulator's normalised units: `timeScale` seconds per model ms, and voltages as units
 * of `voltsPerUnit` volts around the nominal rest level `restV` (the voltage that represents u = 0).
 */
export interface ModelUnits {
  timeScale: number;
  voltsPerUnit: number;
  restV: number;
}

/** A node voltage (V) in units: (V − E_rest,nominal) / V_unit. */
export function voltsToUnits(volts: number, f: ModelUnits): number {
  return (volts - f.restV) / f.voltsPerUnit;
}
