import { PROFILE_FORMAT, type Profile } from './profile.js';
import { TRANSLINEAR_PROFILE } from './translinear.js';

/**
 * Built-in hardware profiles. The figures and where they come from are in docs/hardware.md; in short:
 * - ideal: the exact continuous-time NLA, no flaw (the reference for every comparison).
 * - subthreshold: a DYNAP-SE2-style subthreshold CMOS chip at biological time scale (C_mem ≈ 3 pF,
 *   τ = 10 ms, 4-bit weights, mismatch of subthreshold transistors 10–20 %, thermal noise).
 * - accelerated: a BrainScaleS-2-style mixed-signal chip at 1000× (τ = 10 µs, 6-bit weights with sign
 *   rows, 10-bit parameter cells, digital plasticity by the on-chip processor with stochastic rounding).
 * - opamp-board: a discrete board with 1 MHz op-amps, 1 % resistors, 5 % capacitors and 12-bit DACs
 *   (τ = 10 ms with 100 nF; lead stages with τ_p/τ ≈ √(2/(ω_t τ)) = 0.56 %).
 */
export const BUILTIN_PROFILES: Record<string, Profile> = {
  ideal: {
    format: PROFILE_FORMAT,
    name: 'ideal',
    description: 'exact continuous-time NLA: no quantisation, mismatch, noise, parasitic poles or rails',
    timeScale: 1e-3,
    voltsPerUnit: 1,
    membrane: { capacitanceF: 1e-6, capacitanceSigma: 0, leakSigma: 0, restV: 0, offsetSigmaV: 0, railLowV: -1e6, railHighV: 1e6 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { realisation: { kind: 'ideal' }, gainSigma: 0 },
    feedbackArray: 'exact',
    feedbackPlasticity: 'mirrored',
    topDown: { kind: 'wire' },
    rateUnit: { kind: 'exact' },
    errorUnit: { kind: 'exact' },
    noise: null,
    plasticity: { kind: 'ideal' },
    circuit: { kind: 'linear' },
    calibration: { trimBits: 8, trimRange: 0.3, offsetTrimV: 0.05 },
  },
  subthreshold: {
    format: PROFILE_FORMAT,
    name: 'subthreshold',
    description: 'subthreshold CMOS chip at biological time scale (DYNAP-SE2-style DPI circuits)',
    timeScale: 1e-3,
    voltsPerUnit: 0.1,
    membrane: { capacitanceF: 3e-12, capacitanceSigma: 0.05, leakSigma: 0.15, restV: 0.3, offsetSigmaV: 0.003, railLowV: 0, railHighV: 1.8 },
    transfer: { gainSigma: 0.1, offsetSigmaV: 0.005 },
    synapses: { realisation: { kind: 'dac', bits: 4, fullScale: 'auto' }, gainSigma: 0.15 },
    feedbackArray: 'separate',
    feedbackPlasticity: 'mirrored',
    topDown: { kind: 'wire' },
    rateUnit: { kind: 'current-sensing', lookaheadSigma: 0.05 },
    errorUnit: { kind: 'lead', poleRatio: 0.01, lookaheadSigma: 0.05 },
    noise: { temperatureK: 300, excessFactor: 2 },
    plasticity: { kind: 'analog', leakTauS: 100 },
    circuit: { kind: 'linear' },
    calibration: { trimBits: 6, trimRange: 0.4, offsetTrimV: 0.02 },
  },
  accelerated: {
    format: PROFILE_FORMAT,
    name: 'accelerated',
    description: 'accelerated mixed-signal chip at 1000× (BrainScaleS-2-style: 6-bit weights, on-chip digital plasticity)',
    timeScale: 1e-6,
    voltsPerUnit: 0.3,
    membrane: { capacitanceF: 1.2e-12, capacitanceSigma: 0.05, leakSigma: 0.1, restV: 0.6, offsetSigmaV: 0.01, railLowV: 0, railHighV: 1.8 },
    transfer: { gainSigma: 0.05, offsetSigmaV: 0.01 },
    synapses: { realisation: { kind: 'dac', bits: 6, fullScale: 'auto' }, gainSigma: 0.08 },
    feedbackArray: 'separate',
    feedbackPlasticity: 'mirrored',
    topDown: { kind: 'wire' },
    rateUnit: { kind: 'lead', poleRatio: 0.02, lookaheadSigma: 0.05, maxRate: 2 },
    errorUnit: { kind: 'lead', poleRatio: 0.02, lookaheadSigma: 0.05 },
    noise: { temperatureK: 300, excessFactor: 2 },
    plasticity: { kind: 'digital', updatePeriodS: 5e-6, stochasticRounding: true },
    circuit: { kind: 'linear' },
    calibration: { trimBits: 6, trimRange: 0.3, offsetTrimV: 0.05 },
  },
  'opamp-board': {
    format: PROFILE_FORMAT,
    name: 'opamp-board',
    description: 'discrete op-amp board: 1 MHz op-amps, 1 % resistors, 5 % capacitors, 12-bit DACs',
    timeScale: 1e-3,
    voltsPerUnit: 1,
    membrane: { capacitanceF: 100e-9, capacitanceSigma: 0.05, leakSigma: 0.005, restV: 0, offsetSigmaV: 0.002, railLowV: -12, railHighV: 12 },
    transfer: { gainSigma: 0.005, offsetSigmaV: 0.002 },
    synapses: { realisation: { kind: 'dac', bits: 11, fullScale: 'auto' }, gainSigma: 0.005 },
    feedbackArray: 'separate',
    feedbackPlasticity: 'mirrored',
    topDown: { kind: 'wire' },
    rateUnit: { kind: 'lead', poleRatio: 0.0056, lookaheadSigma: 0.05, maxRate: 10 },
    errorUnit: { kind: 'lead', poleRatio: 0.0056, lookaheadSigma: 0.05 },
    noise: null,
    plasticity: { kind: 'digital', updatePeriodS: 1e-4, stochasticRounding: true },
    circuit: { kind: 'linear' },
    calibration: { trimBits: 10, trimRange: 0.1, offsetTrimV: 0.01 },
  },
  translinear: TRANSLINEAR_PROFILE,
};
