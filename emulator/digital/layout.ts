import type { NlaGraph, Projection } from '../../compiler/graph/graph.js';
import { analyseTopology } from '../../compiler/graph/topology.js';

/** A projection with its position in the flat vectors, as the engine's loops need it. */
export interface ProjRef {
  index: number;
  p: Projection;
  /** Offset of the presynaptic population in its vector (inputs, neurons or interneurons). */
  preOff: number;
  postOff: number;
}

/**
 * Index structures derived once from the graph: which projections are forward, which connect neurons,
 * the topological order of neuron populations (layered nets), per-neuron τ and output flags.
 */
export interface Layout {
  graph: NlaGraph;
  B: number;
  N: number;
  nIn: number;
  nI: number;
  forward: ProjRef[];
  /** Forward projections whose presynaptic side is a neuron population (W_net). */
  net: ProjRef[];
  /** For each entry of `net`, the fixed feedback projection B replacing Wᵀ (random / microcircuit), else null. */
  feedbackOf: Array<ProjRef | null>;
  /** Microcircuit wiring per interneuron population. */
  micro: Array<{ pop: number; wip: ProjRef; wpi: ProjRef; b: ProjRef; bip: ProjRef }>;
  /** Neuron populations in topological order (sources first); empty when the graph is not layered. */
  order: number[];
  tauMs: Float64Array;
  isOutput: Uint8Array;
  /** Whether every activation is piecewise linear (ρ'' ≡ 0). */
  piecewiseLinear: boolean;
  /** Whether the structured layered solver is used (it needs extra buffers). */
  layeredSolve: boolean;
  /** Per neuron population: indices into `net` of the projections leaving it and arriving at it. */
  leaving: number[][];
  arriving: number[][];
}

export function buildLayout(g: NlaGraph, B: number, order: number[], piecewiseLinear: boolean, layeredSolve: boolean): Layout {
  const ref = (p: Projection, index: number): ProjRef => ({
    index,
    p,
    preOff: offsetOf(g, p.pre.type, p.pre.pop),
    postOff: offsetOf(g, p.post.type, p.post.pop),
  });
  const refs = g.projections.map(ref);
  const forward = refs.filter((r) => r.p.role === 'forward');
  const net = forward.filter((r) => r.p.pre.type === 'neuron');
  const feedbackOf = net.map((r) => refs.find((f) => f.p.role === 'feedback' && f.p.feedbackOf === r.index) ?? null);
  const micro = g.interneurons.map((_, k) => {
    const find = (role: Projection['role']) =>
      refs.find((r) => r.p.role === role && (r.p.pre.type === 'interneuron' ? r.p.pre.pop : r.p.post.pop) === k && (r.p.pre.type === 'interneuron' || r.p.post.type === 'interneuron'))!;
    const wip = find('pyr-to-int');
    const wpi = find('int-to-pyr');
    const bip = find('int-nudge');
    const b = refs.find((r) => r.p.role === 'feedback' && r.p.post.pop === g.interneurons[k]!.serves)!;
    return { pop: k, wip, wpi, b, bip };
  });
  const tauMs = new Float64Array(g.nNeurons);
  for (const p of g.neurons) tauMs.fill(p.tauMs, p.offset, p.offset + p.size);
  if (g.neuronParams) tauMs.set(g.neuronParams.tauMs);
  const isOutput = new Uint8Array(g.nNeurons);
  for (const o of g.outputs) isOutput[o] = 1;
  const leaving: number[][] = g.neurons.map(() => []);
  const arriving: number[][] = g.neurons.map(() => []);
  net.forEach((ref, k) => {
    leaving[ref.p.pre.pop]!.push(k);
    arriving[ref.p.post.pop]!.push(k);
  });
  return { graph: g, B, N: g.nNeurons, nIn: g.nInputs, nI: g.nInterneurons, forward, net, feedbackOf, micro, order, tauMs, isOutput, piecewiseLinear, layeredSolve, leaving, arriving };
}

function offsetOf(g: NlaGraph, type: 'input' | 'neuron' | 'interneuron', pop: number): number {
  if (type === 'input') return g.inputs[pop]!.offset;
  if (type === 'neuron') return g.neurons[pop]!.offset;
  return g.interneurons[pop]!.offset;
}

/** Copies population slices [off, off+size) of every sample (stride n) into a contiguous B×size block. */
export function gather(src: Float64Array, n: number, off: number, size: number, B: number, dst: Float64Array): void {
  for (let b = 0; b < B; b++) {
    const s = b * n + off;
    dst.set(src.subarray(s, s + size), b * size);
  }
}

/** dst[b·n + off + i] += scale · src[b·size + i] for every sample. */
export function scatterAdd(src: Float64Array, size: number, B: number, dst: Float64Array, n: number, off: number, scale = 1): void {
  for (let b = 0; b < B; b++) {
    const d = b * n + off;
    const s = b * size;
    for (let i = 0; i < size; i++) dst[d + i] = dst[d + i]! + scale * src[s + i]!;
  }
}

/** Neuron populations of a layered graph in topological order (sources first). */
export function neuronOrder(g: NlaGraph): number[] {
  const edges = g.projections
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.role === 'forward' && p.pre.type === 'neuron' && p.post.type === 'neuron')
    .map(({ p, i }) => ({ from: p.pre.pop, to: p.post.pop, projection: i }));
  const topo = analyseTopology(g.neurons.length, edges);
  if (!topo.acyclic) throw new Error('internal: graph marked layered has a cycle');
  return topo.order;
}
