import { PROFILE_FORMAT, type Profile } from './profile.js';
import { translinearProfile } from './translinear.js';

/**
 * Built-in hardware profiles. The figures and where they come from are in docs/hardware.md; in short:
 * - ideal: the exact continuous-time NLA, no flaw (the reference for every comparison).
 * - subthreshold: a DYNAP-SE2-style subthreshold CMOS chip at biological time scale (C_mem ≈ 3 pF,
 *   τ = 10 ms, 4-bit weights, mismatch of subthreshold transistors 10–20 %, thermal noise).
 * - accelerated: a BrainScaleS-2-style mixed-signal chip at 1000× (τ = 10 µs, 6-bit weights with sign
 *   rows, 10-bit parameter cells, digital plasticity by the on-chip processor with stochastic rounding).
 * - opamp-board: a discrete board with 1 MHz op-amps, 1 % resistors, 5 % capacitors and 12-bit DACs
 *   (τ = 10 ms with 100 nF; lead stages with τ_p/τ ≈ √(2/(ω_t τ)) = 0.56 %).
 * The `power` sections (supply, bias currents, areas, conversion and weight-update energies) have their
 * sources in the comments next to them and in docs/hardware.md ("Power, energy and area"); most are
 * orders of magnitude, said so where they are.
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
    // no circuit, no current: the estimate says why instead of reporting numbers (power-model.ts)
    power: null,
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
    power: {
      // 180 nm CMOS at 1.8 V, as DYNAP-SE (Moradi et al. 2018) and DYNAP-SE2 (Richter et al. 2024)
      supplyV: 1.8,
      // order of magnitude: subthreshold biases run from pA to tens of nA; 10 nA per amplifier-class
      // circuit (the DPI neuron, a current-sensing rate unit, a lead-stage OTA, an input buffer), 1 nA
      // for a synapse's weight current mirror (the DPI synapse's weight currents are 10 pA–1 nA)
      biasCurrentA: { neuron: 10e-9, rateUnit: 10e-9, errorUnit: 10e-9, synapse: 1e-9, inputFilter: 10e-9 },
      // order of magnitude: a 3 pF MIM capacitor at ~1 fF/µm² is 3,000 µm² alone (neuron 5,000 µm²);
      // DYNAP-SE2 is 98 mm² for 1,024 neurons and 64k synapses with routing and bias generators (≈ 0.1 mm²
      // per neuron with its synapses); a synapse cell with its 4-bit weight and address ≈ 200 µm²; an
      // interface channel (pad, ESD, driver, AER encoder share) ≈ 0.01 mm²
      areaM2: { neuron: 5000e-12, rateUnit: 1000e-12, errorUnit: 2000e-12, synapse: 200e-12, inputFilter: 4000e-12, interface: 0.01e-6 },
      // order of magnitude: one address-event off chip through pads and the AER encoder, nJ-scale on DYNAP-SE
      conversionEnergyJ: 1e-9,
      // an analog update circuit of ~1 nA at 1.8 V over one τ = 10 ms: 18 pJ (order of magnitude)
      plasticityUpdateEnergyJ: 20e-12,
    },
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
    power: {
      // 65 nm CMOS core supply 1.2 V (BrainScaleS-2, Pehle et al. 2022)
      supplyV: 1.2,
      // order of magnitude: at 1000× the neuron's OTAs run in strong inversion at µA biases (Billaudelle
      // et al. 2020, Pehle et al. 2022); 2 µA for the neuron, 1 µA for a lead stage, an error unit and an
      // input buffer, 10 nA static for a synapse cell (its DAC drives current only while it transmits)
      biasCurrentA: { neuron: 2e-6, rateUnit: 1e-6, errorUnit: 1e-6, synapse: 10e-9, inputFilter: 1e-6 },
      // order of magnitude: the chip is 4 × 8 mm² with 512 neurons and 131k synapses (Pehle et al. 2022);
      // about half of it synapses → 120 µm² a synapse (6-bit weight, 6-bit address, DAC, correlation
      // sensor); a neuron with its 1.2 pF capacitor and parameter cells ≈ 10,000 µm²
      areaM2: { neuron: 10000e-12, rateUnit: 1000e-12, errorUnit: 1000e-12, synapse: 120e-12, inputFilter: 1000e-12, interface: 1000e-12 },
      // order of magnitude: one conversion of an on-chip column ADC or parameter DAC, ~10 pJ
      conversionEnergyJ: 10e-12,
      // order of magnitude: the plasticity processor's read-modify-write per synapse, ~100 pJ (Loihi's
      // 120 pJ per synaptic update, Davies et al. 2018, for a digital comparison)
      plasticityUpdateEnergyJ: 100e-12,
    },
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
    power: {
      // ±12 V rails: bias currents flow rail to rail
      supplyV: 24,
      // TL07x datasheet: 1.4 mA quiescent current per amplifier (typical); the neuron is one integrator,
      // a rate unit (transfer + lead stage) and an error unit (summer + lead stage) two amplifiers each,
      // an input filter one buffer; a current-output multiplying DAC channel ~10 µA I_DD (order of magnitude)
      biasCurrentA: { neuron: 1.4e-3, rateUnit: 2.8e-3, errorUnit: 2.8e-3, synapse: 10e-6, inputFilter: 1.4e-3 },
      // order of magnitude: board area with packages, passives and routing: ~1 cm² per amplifier stage,
      // 30 mm² per DAC channel, 2 cm² per converter channel
      areaM2: { neuron: 1e-4, rateUnit: 2e-4, errorUnit: 2e-4, synapse: 30e-6, inputFilter: 1e-4, interface: 2e-4 },
      // order of magnitude: a 12-bit SAR converter at ~1 MS/s and a few mW with its SPI transfer, ~10 nJ
      conversionEnergyJ: 10e-9,
      // order of magnitude: a microcontroller computing the update and writing the DAC code over SPI, ~100 nJ
      plasticityUpdateEnergyJ: 100e-9,
    },
  },
};
BUILTIN_PROFILES.translinear = translinearProfile(BUILTIN_PROFILES.subthreshold!);
