/**
 * A board image (`nla-board-image/1`): the network as a board computes it, in fixed point. Made by
 * compiler/board/compile-image.ts, serialised byte for byte by image-codec.ts, executed by core.ts.
 * docs/protocol.md ("Board image") gives the binary layout and the meaning of every field.
 */
export const IMAGE_FORMAT = 'nla-board-image/1';

/**
 * Transfer functions a board evaluates:
 * - `linear`: ρ(u) = u;
 * - `clip`: ρ(u) = min(max(u, 0), topQ) (hard sigmoid with topQ = 1.0, clipped ReLU with its max);
 * - `table`: ρ, ρ', ρ'' sampled at 257 knots u_k = −8 + k/16 (k = 0..256) and interpolated linearly
 *   between knots (logistic, tanh, the depression-matched function).
 */
export type BoardActivation =
  | { kind: 'linear' }
  | { kind: 'clip'; topQ: number }
  | { kind: 'table'; source: string; rho: Int32Array; drho: Int32Array; ddrho: Int32Array };

export const TABLE_KNOTS = 257;
/** Knot spacing 2⁻⁴ (1/16 in voltage units) = 2¹² signal LSBs. */
export const TABLE_SHIFT = 12;

export interface BoardPopulation {
  name: string;
  kind: 'input' | 'bias' | 'hidden' | 'output';
  size: number;
  /** Offset in the input vector (input, bias) or the neuron vector (hidden, output). */
  offset: number;
  /** dt/τ (neurons) or dt/τ_in (inputs) in unsigned Q0.24; 0 for the bias unit. */
  decayQ24: number;
  activation: BoardActivation;
}

export interface BoardProjection {
  name: string;
  pre: { kind: 'input' | 'neuron'; pop: number };
  /** Index of the postsynaptic neuron population (into `populations`). */
  post: number;
  rows: number;
  cols: number;
  /** η·dt in unsigned Q0.24 (per step); 0 = not plastic. */
  etaDtQ24: number;
  /** Weight registers, Q3.28, row-major (rows = postsynaptic). */
  weights: Int32Array;
}

/** A network in the board's fixed-point formats (`nla-board-image/1`), what the board core runs; `encodeImage` gives its bytes. */
export interface BoardImage {
  format: typeof IMAGE_FORMAT;
  network: string;
  /** Model time per step, ns (informational: the board only sees the factors). */
  dtNs: number;
  stepsPerFrame: number;
  /** Iterations of the implicit solve per step, and the relaxation α = 2^−relaxShift. */
  iterations: number;
  relaxShift: number;
  /** Nudging strength β in unsigned Q8.16. */
  betaQ16: number;
  populations: BoardPopulation[];
  projections: BoardProjection[];
  nInputs: number;
  nStimulusInputs: number;
  nNeurons: number;
  /** Global indices of output neurons. */
  outputs: number[];
}

export function synapseCount(img: BoardImage): number {
  return img.projections.reduce((s, p) => s + p.rows * p.cols, 0);
}

/** Model time of one frame, ms. */
export function frameMs(img: BoardImage): number {
  return (img.dtNs * img.stepsPerFrame) / 1e6;
}

/** Probe bits of START_STREAM: which values an output frame carries, in this order. */
export const PROBE = {
  /** Somatic voltages u of the output neurons. */
  OUTPUT_U: 1,
  /** Rates ρ(u) of the output neurons. */
  OUTPUT_RATE: 2,
  /** Errors ē of the output neurons (β·(u* − u) where a target is set). */
  OUTPUT_ERROR: 4,
  /** Voltages u of every network neuron. */
  ALL_U: 8,
} as const;

export const PROBE_NAMES: Record<string, number> = { u: PROBE.OUTPUT_U, rate: PROBE.OUTPUT_RATE, error: PROBE.OUTPUT_ERROR, 'all-u': PROBE.ALL_U };

/** Column names of an output frame for a probe mask (`out[0].u`, …). */
export function probeColumns(img: BoardImage, probes: number, outputLabel: (k: number) => string, neuronLabel: (i: number) => string): string[] {
  const cols: string[] = [];
  if (probes & PROBE.OUTPUT_U) img.outputs.forEach((_, k) => cols.push(`${outputLabel(k)}.u`));
  if (probes & PROBE.OUTPUT_RATE) img.outputs.forEach((_, k) => cols.push(`${outputLabel(k)}.r`));
  if (probes & PROBE.OUTPUT_ERROR) img.outputs.forEach((_, k) => cols.push(`${outputLabel(k)}.e`));
  if (probes & PROBE.ALL_U) for (let i = 0; i < img.nNeurons; i++) cols.push(`${neuronLabel(i)}.u`);
  return cols;
}

/** Number of values in an output frame for a probe mask. */
export function probeWidth(img: BoardImage, probes: number): number {
  const o = img.outputs.length;
  return (probes & 1 ? o : 0) + (probes & 2 ? o : 0) + (probes & 4 ? o : 0) + (probes & 8 ? img.nNeurons : 0);
}
