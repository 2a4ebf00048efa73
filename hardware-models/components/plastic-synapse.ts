/**
 * How a plastic synapse stores its weight.
 * - `ideal`: a perfect continuous weight (Eq. 8 exactly).
 * - `analog`: a capacitive weight (a voltage on a storage capacitor) that leaks towards 0:
 *   dw/dt = η ē r̄ᵀ − w/τ_leak. Leakage of 1 fA on 1 pF droops 1 mV/s; for a 100 mV weight range that is
 *   τ_leak ≈ 100 s (analog-notes.md).
 * - `digital`: a register of `bits` magnitude bits behind a DAC (lsb = the array's DAC lsb). Eq. 8 is
 *   integrated continuously into an update accumulator; every `updatePeriodS` the accumulated change is
 *   written to the register in whole lsb (rounded to nearest, or stochastically with probability equal to
 *   the fractional part, which keeps small updates unbiased), and the accumulator keeps the remainder
 *   (nearest) or is cleared (stochastic).
 */
export type PlasticityRealisation =
  | { kind: 'ideal' }
  | { kind: 'analog'; leakTauS: number }
  | { kind: 'digital'; updatePeriodS: number; stochasticRounding: boolean };
