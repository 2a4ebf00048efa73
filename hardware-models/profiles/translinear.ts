import type { Profile } from './profile.js';

/**
 * The translinear profile, derived from `subthreshold` (passed in, as builtin.ts defines it): that chip with neurons that are real
 * subthreshold circuits. Each neuron is a differential pair of DPI low-passes (components/dpi-neuron.ts),
 * u = (I⁺ − I⁻)/I_unit, fed in class A around a common mode of 2 units; synapse arrays, rate and error
 * units, plasticity and calibration trims are those of `subthreshold`. Values and sources (docs/hardware.md,
 * "The translinear profile"):
 * - κ = 0.705: the mean of κ_n = 0.75 and κ_p = 0.66, the DYNAP-SE simulators' values (rockpool DynapSim,
 *   teiili), as rockpool sizes I_τ = U_T C/(κ τ) with the mean;
 * - C = 3 pF (the membrane capacitance of `subthreshold`), so I_τ = 11 pA for τ = 10 ms at 300 K;
 * - I_th = 1 pA (above the 0.5 pA leakage floor I_0 of those simulators), I_unit = 50 pA, m = 2 units (linear
 *   for drives up to |x| = 4 units): each half carries about 100 pA ≫ I_th (ψ = I_out/(I_th + I_out) ≈ 0.99),
 *   input currents ≈ 1 nA;
 * - σ_VT = 1 mV for each device class (Pelgrom A_VT ≈ 3 mV·µm, devices of about 9 µm²): σ_ln = κ σ_VT/U_T
 *   = 2.7 % current mismatch at 300 K. Class A converts the common mode into an offset m (G⁺ − G⁻) of u,
 *   so the offset grows with m σ_VT (docs/hardware.md measures it: minimum-size devices, 3 mV, at m = 4
 *   put the example 2.3 units rms off the digital engine);
 * - synapses: the weight of a cell is a subthreshold current I_w = I_0 e^{κ V_w/U_T} (a DYNAP-style current
 *   DAC: 4 bits + sign, as `subthreshold`), so its mismatch is lognormal: σ_VT = 4 mV (a weight transistor of
 *   about 1 µm², Pelgrom A_VT ≈ 3–4 mV·µm at 180 nm) gives σ_ln = 11 % at 300 K, in place of
 *   `subthreshold`'s normal 15 % (synapses.gainSigma is 0 here);
 * - no leak conductance exists (τ comes from I_τ), so leakSigma and the rest offset are 0; thermal
 *   (shot) noise of the currents is not modelled (noise: null).
 */
export function translinearProfile(subthreshold: Profile): Profile {
  const power = subthreshold.power!;
  return {
    ...structuredClone(subthreshold),
    name: 'translinear',
    description: 'subthreshold CMOS chip whose neurons are differential pairs of DPI circuits (EKV weak inversion, current mode)',
    membrane: { ...subthreshold.membrane, leakSigma: 0, restV: 0.9, offsetSigmaV: 0 },
    synapses: { ...subthreshold.synapses, gainSigma: 0 },
    noise: null,
    circuit: {
      kind: 'translinear',
      kappa: 0.705,
      temperatureK: 300,
      biasTemperatureK: 300,
      unitCurrentA: 50e-12,
      thresholdCurrentA: 1e-12,
      commonModeUnits: 2,
      tauSigmaV: 0.001,
      thresholdSigmaV: 0.001,
      inputSigmaV: 0.001,
      synapseSigmaV: 0.004,
    },
    // the chip of `subthreshold` except the neuron: a DPI pair draws its class-A inputs (≈ 1 nA, above) and
    // 2 m I_unit = 200 pA of common mode, where the linear profile's amplifier was given 10 nA (order of magnitude)
    power: { ...power, biasCurrentA: { ...power.biasCurrentA, neuron: 1.2e-9 } },
  };
}
