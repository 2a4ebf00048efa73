import type { Activation } from '../../core/activation.js';
import type { DpiParams } from '../../hardware-models/components/dpi-neuron.js';
import type { CurrentSensingParams } from '../../hardware-models/components/current-sensing.js';
import type { InputFilterParams } from '../../hardware-models/components/input-filter.js';
import type { LeadParams } from '../../hardware-models/components/lead-stage.js';
import type { MembraneParams } from '../../hardware-models/components/membrane.js';
import type { PlasticityRealisation } from '../../hardware-models/components/plastic-synapse.js';
import type { SynapseRealisation } from '../../hardware-models/components/synapse-array.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import type { ProjectionRole } from '../graph/graph.js';

/**
 * The circuit IR (`nla-circuit/1`): a network realised by components of a hardware profile. Every value
 * is in SI units; every component names the neuron, input or projection it realises (`realises`), so a
 * designer can trace each capacitor and conductance back to the network.
 *
 * Conventions: signals are voltages; a unit of the NLA's dimensionless u, rate or error is `voltsPerUnit`
 * volts. A synapse array injects I_i = Σ_j G_ij V_j into its target compartment, so the dimensionless
 * weight is G_ij / g_L,i (the target's leak conductance). Time: one millisecond of model time is
 * `timeScale` seconds of circuit time.
 */
export const CIRCUIT_FORMAT = 'nla-circuit/1';

export type UnitCircuit =
  | { kind: 'exact' }
  /** Look-ahead constant τ_r (s) of a current-sensing unit: r = ρ + (τ_r/τ_m) ρ'(I − u). */
  | ({ kind: 'current-sensing' } & CurrentSensingParams)
  /** Lead stage: τ_L (s), parasitic pole τ_p (s), output swing ±maxOut in units. */
  | ({ kind: 'lead' } & LeadParams);

export interface NeuronCircuit {
  /** `population[index]`. */
  realises: string;
  population: string;
  index: number;
  membrane: MembraneParams;
  /** ρ(u) = gain · ρ_nominal(u − offsetV/voltsPerUnit). */
  transfer: { gain: number; offsetV: number };
  rateUnit: UnitCircuit;
  errorUnit: UnitCircuit;
  /** Conductance that nudges an output towards its target (β·g_L nominal), siemens; 0 for hidden neurons. */
  nudgeConductanceS: number;
  /** White current noise, one-sided PSD in A²/Hz (0 = none). */
  noisePsdA2PerHz: number;
  /**
   * Translinear profiles only: the neuron's differential DPI pair (components/dpi-neuron.ts) in SI, on the
   * membrane's capacitor; the membrane's g_L then only scales the weights (w = G/g_L). Absent: linear.
   */
  dpi?: DpiParams;
}

/** The input low-pass: τ_in = R C. */
export interface InputCircuit extends InputFilterParams {
  realises: string;
  population: string;
  index: number;
}

export interface InterneuronCircuit {
  realises: string;
  population: string;
  index: number;
  /** Reference conductance of the (instantaneous, linear) interneuron compartment, siemens. */
  leakConductanceS: number;
}

/**
 * How an array's presynaptic signal reaches its synapses.
 * - `wire`: the signal the network defines, on a wire: rates for forward arrays, the error unit's output for
 *   the error path, the presynaptic voltage u for arrays that read one (the microcircuit's top-down B, B^IP).
 * - `rate`: an array that reads a presynaptic voltage gets the presynaptic rate r̄ = ρ(u) instead (a
 *   rate-coded line without inversion: exact only where ρ(u) = u, e.g. a hard sigmoid on [0, 1]).
 * - `depressing`: that rate through depressing synapses whose vesicle pools invert it back to the voltage
 *   (theory §6, components/depressing-synapse.ts): one pool per presynaptic line (column), with its own
 *   recovery time constant (s), depressing share a and use per unit rate d, mismatch included.
 * Arrays that read rates or errors are always `wire`.
 */
export type CarrierCircuit =
  | { kind: 'wire' }
  | { kind: 'rate' }
  | { kind: 'depressing'; recoveryS: number[]; a: number[]; d: number[] };

export interface ArrayCircuit {
  /** The projection this array realises (by name). */
  realises: string;
  role: ProjectionRole;
  pre: { type: 'input' | 'neuron' | 'interneuron'; population: string };
  post: { type: 'neuron' | 'interneuron'; population: string };
  /**
   * For random-feedback/microcircuit B arrays and separate error arrays (`T:<name>`): the forward projection
   * they belong to. A separate error array that is `plastic` mirrors that projection's plasticity: it takes
   * the forward update transposed (Ẇᵀ, through its own storage realisation), so the error path keeps NLA's
   * transpose up to its own quantisation and mismatch.
   */
  feedbackOf: string | null;
  /** How the presynaptic signal reaches the array. */
  carrier: CarrierCircuit;
  rows: number;
  cols: number;
  realisation: SynapseRealisation;
  /** DAC lsb as a weight (dimensionless) for `dac` arrays, else 0. */
  lsbWeight: number;
  /** Effective conductances G_ij (siemens), quantisation and mismatch included; rows = postsynaptic. */
  conductanceS: number[][];
  /** DAC codes (dac realisation), else null. */
  codes: number[][] | null;
  /** 0/1 connectivity, or null for dense. */
  mask: number[][] | null;
  plastic: (PlasticityRealisation & { learningRatePerS: number }) | null;
}

export type ErrorPath = 'transpose-shared' | 'transpose-mirrored' | 'transpose-fixed' | 'random' | 'microcircuit';

export interface PassReport {
  pass: string;
  summary: string;
  details: Record<string, unknown>;
  warnings: string[];
}

/** The circuit IR (`nla-circuit/1`): a network realised on a hardware profile, in SI units, with the report of every compiler pass. */
export interface CircuitIR {
  format: typeof CIRCUIT_FORMAT;
  network: string;
  profile: Profile;
  /** Seed of the mismatch draw (same seed and spec: the same circuit, bit for bit). */
  seed: number;
  timeScale: number;
  voltsPerUnit: number;
  /** Network-level facts the circuit keeps: nudging, feedback mode, activations, outputs. */
  structure: {
    beta: number;
    betaInterneuron: number;
    feedback: 'transpose' | 'random' | 'microcircuit';
    /** Whether the error path uses the forward arrays' exact transpose (`exact`) or its own arrays. */
    feedbackArray: 'exact' | 'separate';
    /**
     * What carries the error top-down, in words every report states: `transpose (shared arrays)`,
     * `transpose (mirrored plasticity)`, `fixed copy of W(0)ᵀ (feedback alignment)`, `random B (feedback
     * alignment)`, `microcircuit`.
     */
    errorPath: ErrorPath;
    layered: boolean;
    /** Whether the spec enables plasticity by default (runs may override). */
    plasticityEnabled: boolean;
    populations: Array<{ name: string; kind: 'input' | 'hidden' | 'output' | 'interneuron' | 'bias'; size: number; activation?: Activation; serves?: string; above?: string }>;
  };
  inputs: InputCircuit[];
  neurons: NeuronCircuit[];
  interneurons: InterneuronCircuit[];
  arrays: ArrayCircuit[];
  reports: PassReport[];
}
