import type { PlasticityRealisation } from '../components/plastic-synapse.js';
import type { SynapseRealisation } from '../components/synapse-array.js';
import { fmtA, fmtJ, fmtM2 } from '../power/power-format.js';
import type { PowerModel } from '../power/power-model.js';
import { BIOLOGICAL_TIME_SCALE, toSeconds } from '../units.js';

/**
 * A hardware profile (`nla-profile/1`): what kind of circuit a network is compiled onto. All values are
 * SI; relative mismatch is a standard deviation σ of a relative deviation (0.05 = 5 %).
 * Built-in profiles are in builtin.ts; users derive their own in JSON with `"extends": "<name>"`.
 */
export const PROFILE_FORMAT = 'nla-profile/1';

export type RateUnit =
  /** Exact look-ahead r = ρ + τ dρ/dt (ideal circuits). */
  | { kind: 'exact' }
  /** Current-sensing unit r = ρ(u) + (τ_r/τ_m) ρ'(u)(I − u): exact when τ_r = τ_m, no differentiator. */
  | { kind: 'current-sensing'; lookaheadSigma: number }
  /** Lead stage ρ + τ_L dρ/dt with a parasitic pole τ_p = poleRatio·τ, output limited to ±maxRate (a prospective rate goes negative while ρ falls). */
  | { kind: 'lead'; poleRatio: number; lookaheadSigma: number; maxRate: number };

/** Exact e = ē + τ dē/dt, or a lead stage on ē (its swing is not limited: the compiler gives it ±10⁶ units). */
export type ErrorUnit = { kind: 'exact' } | { kind: 'lead'; poleRatio: number; lookaheadSigma: number };

/**
 * The top-down carrier: `wire` (the voltage itself, an idealisation), `rate` (the presynaptic rate ρ(u)),
 * or `depressing`: the rate through depressing synapses (theory §6) whose pools recover with
 * τ_rec = recoveryRatio · τ of the presynaptic membrane (the theory asks for 1), mismatch σ of τ_rec
 * (`recoverySigma`) and of a and d (`releaseSigma`). a and d are those of the presynaptic population's
 * depression-matched transfer function, the only one a pool inverts exactly.
 */
export type TopDownCarrier =
  | { kind: 'wire' }
  | { kind: 'rate' }
  | { kind: 'depressing'; recoveryRatio: number; recoverySigma: number; releaseSigma: number };

/**
 * What the neurons are built of. `linear`: the conductance membrane C dV/dt = −g_L (V − E) + I
 * (membrane.ts). `translinear`: each neuron a differential pair of subthreshold DPI low-passes
 * (components/dpi-neuron.ts), u = (I⁺ − I⁻)/I_unit, biases sized at `biasTemperatureK` (I_τ = C U_T/(κ τ),
 * I_th = `thresholdCurrentA`) and run at `temperatureK`; `commonModeUnits` m sets the operating point
 * (linear regime: m I_unit ≫ I_th); σ_VT of each device class (leak bias, threshold, input) gives lognormal
 * current mismatch with σ_ln = κ σ_VT / U_T; the synapses' weight currents mismatch the same way
 * (`synapseSigmaV`).
 */
export type NeuronCircuitKind =
  | { kind: 'linear' }
  | {
      kind: 'translinear';
      kappa: number;
      temperatureK: number;
      biasTemperatureK: number;
      unitCurrentA: number;
      thresholdCurrentA: number;
      commonModeUnits: number;
      tauSigmaV: number;
      thresholdSigmaV: number;
      inputSigmaV: number;
      /**
       * σ_VT of each synapse's weight transistor, volt: its weight current I_w = I_0 e^{κ V_w/U_T} is
       * lognormal, σ_ln = κ σ_VT/U_T, per cell from its own stream (in place of `synapses.gainSigma`'s
       * normal spread, which a translinear profile sets to 0). 0 or absent: none.
       */
      synapseSigmaV: number;
    };

/** A hardware profile (`nla-profile/1`): how a network becomes a circuit on one kind of chip or board — time scale, components, their mismatch, noise, plasticity and power (docs/hardware.md). */
export interface Profile {
  format: typeof PROFILE_FORMAT;
  name: string;
  description: string;
  /** Physical seconds per millisecond of model time (10⁻³: biological time; 10⁻⁶: 1000× accelerated). */
  timeScale: number;
  /** Volts per unit of the dimensionless NLA voltage u (and of rates and errors). */
  voltsPerUnit: number;
  membrane: {
    capacitanceF: number;
    capacitanceSigma: number;
    /** Relative σ of the leak conductance (so of τ = C/g_L and of every input weight). */
    leakSigma: number;
    /** Voltage representing u = 0, volt. */
    restV: number;
    /** σ of the rest-level offset, volt. */
    offsetSigmaV: number;
    railLowV: number;
    railHighV: number;
    /**
     * The membrane's component model, a name in the registry (components/component-models.ts); absent: the
     * built-in linear leak. A user's model must be registered before the profile is validated.
     */
    model?: string;
  };
  /** The transfer function ρ's gain and threshold mismatch. */
  transfer: { gainSigma: number; offsetSigmaV: number };
  synapses: { realisation: SynapseRealisation; gainSigma: number };
  /** Feedback (error) weights: `exact` = the transpose of the forward weights; `separate` = their own array with its own quantisation and mismatch. */
  feedbackArray: 'exact' | 'separate';
  /**
   * What separate error arrays learn: `mirrored`, each takes its forward array's update transposed (a chip
   * with mirrored plasticity: the transpose holds up to the arrays' own quantisation and mismatch); `fixed`,
   * they keep their compiled values (feedback alignment towards W(0)ᵀ). Not used with `feedbackArray: exact`.
   */
  feedbackPlasticity: 'mirrored' | 'fixed';
  /** How arrays that read a presynaptic voltage (the microcircuit's top-down B and B^IP) get it. */
  topDown: TopDownCarrier;
  rateUnit: RateUnit;
  errorUnit: ErrorUnit;
  noise: { temperatureK: number; excessFactor: number } | null;
  plasticity: PlasticityRealisation;
  /** The neuron circuit: linear conductance membranes, or translinear DPI pairs. */
  circuit: NeuronCircuitKind;
  /** Trim DACs used by `--calibrate`: bits and relative range (±) of the τ and gain trims, offset range in volts. */
  calibration: { trimBits: number; trimRange: number; offsetTrimV: number };
  /**
   * Supply, bias currents, areas, conversion and weight-update energies per component class
   * (hardware-models/power/power-model.ts), from which `nla compile` estimates power, energy and area;
   * required, `null` only where the components are not circuits (the ideal profile).
   */
  power: PowerModel | null;
}

/** The key values `nla profiles` prints. */
export function profileSummary(p: Profile): Record<string, string> {
  const tau = toSeconds(10, p.timeScale);
  const unit = (u: RateUnit | ErrorUnit) =>
    u.kind === 'exact' ? 'exact' : u.kind === 'current-sensing' ? `current-sensing (τ_r σ ${pct(u.lookaheadSigma)})` : `lead, τ_p = ${pct(u.poleRatio)} τ`;
  const syn = p.synapses.realisation;
  return {
    'time scale': p.timeScale === BIOLOGICAL_TIME_SCALE ? 'biological (τ = 10 ms)' : `τ = 10 ms model → ${fmtS(tau)} (${Math.round(BIOLOGICAL_TIME_SCALE / p.timeScale)}×)`,
    'volts per unit': `${p.voltsPerUnit} V`,
    membrane: `C = ${fmtF(p.membrane.capacitanceF)} (σ ${pct(p.membrane.capacitanceSigma)}), g_L σ ${pct(p.membrane.leakSigma)}, rails ${p.membrane.railLowV}…${p.membrane.railHighV} V`,
    synapses: `${syn.kind === 'dac' ? `${syn.bits}-bit DAC + sign` : syn.kind === 'conductance' ? `${syn.series} resistors` : 'ideal'}, gain σ ${pct(p.synapses.gainSigma)}`,
    'rate unit': unit(p.rateUnit),
    'error unit': unit(p.errorUnit),
    noise: p.noise ? `thermal, ${p.noise.temperatureK} K ×${p.noise.excessFactor}` : 'none',
    'error path': p.feedbackArray === 'exact' ? 'the forward arrays, transposed' : `separate arrays, ${p.feedbackPlasticity === 'mirrored' ? 'mirrored plasticity (learn Ẇᵀ)' : 'fixed (feedback alignment)'}`,
    'top-down': p.topDown.kind === 'depressing' ? `depressing synapses, τ_rec = ${p.topDown.recoveryRatio}·τ (σ ${pct(p.topDown.recoverySigma)}), a, d σ ${pct(p.topDown.releaseSigma)}` : p.topDown.kind === 'rate' ? 'rate ρ(u)' : 'wire',
    'neuron circuit': p.circuit.kind === 'translinear' ? `translinear DPI pairs, κ ${p.circuit.kappa}, ${p.circuit.temperatureK} K, I_unit ${p.circuit.unitCurrentA} A, I_th ${p.circuit.thresholdCurrentA} A, common mode ${p.circuit.commonModeUnits} units, σ_VT ${p.circuit.tauSigmaV}/${p.circuit.thresholdSigmaV}/${p.circuit.inputSigmaV} V, synapse weight σ_VT ${p.circuit.synapseSigmaV} V` : 'linear membranes',
    plasticity: p.plasticity.kind === 'digital' ? `digital register, update every ${fmtS(p.plasticity.updatePeriodS)}${p.plasticity.stochasticRounding ? ', stochastic rounding' : ''}` : p.plasticity.kind === 'analog' ? `analog capacitor, τ_leak ${fmtS(p.plasticity.leakTauS)}` : 'ideal',
    power: powerSummary(p.power),
  };
}

/** The power section in one line: supply, bias currents, areas, conversion and update energies. */
function powerSummary(w: PowerModel | null): string {
  if (!w) return 'not estimated (no circuit: power null)';
  const b = w.biasCurrentA;
  const a = w.areaM2;
  return `supply ${w.supplyV} V; bias neuron ${fmtA(b.neuron)}, rate ${fmtA(b.rateUnit)}, error ${fmtA(b.errorUnit)}, synapse ${fmtA(b.synapse)}, input ${fmtA(b.inputFilter)}; area neuron ${fmtM2(a.neuron)}, synapse ${fmtM2(a.synapse)}; conversion ${fmtJ(w.conversionEnergyJ)}, weight update ${fmtJ(w.plasticityUpdateEnergyJ)}`;
}

const pct = (x: number) => `${Number((x * 100).toPrecision(3))} %`;
export function fmtS(s: number): string {
  if (s >= 1) return `${Number(s.toPrecision(3))} s`;
  if (s >= 1e-3) return `${Number((s * 1e3).toPrecision(3))} ms`;
  if (s >= 1e-6) return `${Number((s * 1e6).toPrecision(3))} µs`;
  return `${Number((s * 1e9).toPrecision(3))} ns`;
}
export function fmtF(f: number): string {
  if (f >= 1e-6) return `${Number((f * 1e6).toPrecision(3))} µF`;
  if (f >= 1e-9) return `${Number((f * 1e9).toPrecision(3))} nF`;
  return `${Number((f * 1e12).toPrecision(3))} pF`;
}
