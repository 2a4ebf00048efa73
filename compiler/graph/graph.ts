import type { Activation } from '../../core/activation.js';

/**
 * The NLA graph: the validated network with its weights drawn, in flat typed arrays, ready for any back
 * end (digital engine, circuit compiler, board image). Engines read this, never the spec.
 *
 * Indexing: input units form one vector (`nInputs`, populations at `offset`), network neurons another
 * (`nNeurons`), interneurons a third. Weight matrices are row-major, one row per postsynaptic neuron.
 */
export const GRAPH_FORMAT = 'nla-graph/1';

export interface InputPopulation {
  name: string;
  size: number;
  offset: number;
  /** Low-pass time constant of the input rates, ms. */
  tauInMs: number;
  /** Constant rate for the bias unit (rate 1, never filtered); null for stimulus-driven inputs. */
  constantRate: number | null;
}

export interface NeuronPopulation {
  name: string;
  kind: 'hidden' | 'output';
  size: number;
  offset: number;
  /** Membrane time constant τ, ms; also the look-ahead constant of the rates this population receives. */
  tauMs: number;
  activation: Activation;
}

export interface InterneuronPopulation {
  name: string;
  size: number;
  offset: number;
  /** Index (in `neurons`) of the hidden population whose apical error these interneurons predict. */
  serves: number;
  /** Index of the population above `serves` (the one it projects to). */
  above: number;
}

export type EndpointType = 'input' | 'neuron' | 'interneuron';

export interface Endpoint {
  type: EndpointType;
  /** Population index within its type's list. */
  pop: number;
}

/**
 * What a projection does:
 * - `forward`: somatic/basal input W (from inputs, the bias unit or neurons);
 * - `feedback`: fixed top-down B onto the apical dendrite (feedback alignment and microcircuit);
 * - `pyr-to-int` W^IP, `int-to-pyr` W^PI, `int-nudge` B^IP: the microcircuit's interneuron wiring.
 */
export type ProjectionRole = 'forward' | 'feedback' | 'pyr-to-int' | 'int-to-pyr' | 'int-nudge';

export interface Projection {
  name: string;
  role: ProjectionRole;
  pre: Endpoint;
  post: Endpoint;
  rows: number;
  cols: number;
  /** rows×cols, row-major (rows = postsynaptic neurons). */
  weights: Float64Array;
  /** rows×cols 0/1 connectivity, or null for dense. Masked-out weights are 0 and stay 0. */
  mask: Uint8Array | null;
  plastic: boolean;
  /** Learning rate η, per ms. */
  etaPerMs: number;
  /** For `feedback` projections in random-feedback mode: the forward projection whose transpose B replaces. */
  feedbackOf: number | null;
}

/** The NLA graph IR (`nla-graph/1`): populations laid out as one neuron vector, projections with their weights; what every engine reads. */
export interface NlaGraph {
  format: typeof GRAPH_FORMAT;
  name: string;
  seed: number;
  /** Nudging strength β (dimensionless). */
  beta: number;
  feedback: 'transpose' | 'random' | 'microcircuit';
  /** Interneuron nudging β^I (microcircuit only). */
  betaInterneuron: number;
  /** Whether the spec enables plasticity by default. */
  plasticity: boolean;
  /** Whether the neuron-to-neuron forward projections form a DAG (and the spec did not ask for the dense path). */
  layered: boolean;
  inputs: InputPopulation[];
  neurons: NeuronPopulation[];
  interneurons: InterneuronPopulation[];
  projections: Projection[];
  nInputs: number;
  /** Input units driven by stimuli (all inputs except the bias unit), in order. */
  nStimulusInputs: number;
  nNeurons: number;
  nInterneurons: number;
  /** Global indices of output neurons, ascending. */
  outputs: Int32Array;
  /**
   * Per-neuron values that differ from their population's (set for circuits with mismatch): membrane
   * τ (ms), and the transfer function's gain a and offset o, ρ_i(u) = a_i ρ(u − o_i). Absent = nominal.
   */
  neuronParams?: { tauMs: Float64Array; gain: Float64Array; offset: Float64Array };
}

/** `pop[i]` label of a network neuron by global index, for messages and CSV headers. */
export function neuronLabel(g: NlaGraph, index: number): string {
  for (const p of g.neurons) if (index >= p.offset && index < p.offset + p.size) return `${p.name}[${index - p.offset}]`;
  return `neuron ${index}`;
}
