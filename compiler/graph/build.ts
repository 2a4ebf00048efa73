import { Rng } from '../../core/rng.js';
import type { InitSpec, ResolvedSpec } from '../spec/format.js';
import {
  GRAPH_FORMAT,
  type Endpoint,
  type InputPopulation,
  type InterneuronPopulation,
  type NeuronPopulation,
  type NlaGraph,
  type Projection,
  type ProjectionRole,
} from './graph.js';
import { drawWeights } from './init-weights.js';
import { analyseTopology } from './topology.js';

/**
 * Builds the NLA graph from a validated spec, drawing every initial weight from generators forked off the
 * spec's seed by projection name (so adding a projection does not change the others' draws).
 */
export function buildGraph(spec: ResolvedSpec): NlaGraph {
  const rng = new Rng(spec.seed);
  const inputs: InputPopulation[] = [];
  let off = 0;
  for (const p of spec.inputs) {
    inputs.push({ name: p.name, size: p.size, offset: off, tauInMs: p.tauInMs, constantRate: null });
    off += p.size;
  }
  const nStimulusInputs = off;
  if (spec.neurons.some((n) => n.bias)) {
    inputs.push({ name: 'bias', size: 1, offset: off, tauInMs: 1, constantRate: 1 });
    off += 1;
  }
  const neurons: NeuronPopulation[] = [];
  let nOff = 0;
  for (const n of spec.neurons) {
    neurons.push({ name: n.name, kind: n.kind, size: n.size, offset: nOff, tauMs: n.tauMs, activation: n.activation });
    nOff += n.size;
  }
  const find = (name: string): Endpoint => {
    const i = inputs.findIndex((p) => p.name === name);
    if (i >= 0) return { type: 'input', pop: i };
    const k = neurons.findIndex((p) => p.name === name);
    if (k >= 0) return { type: 'neuron', pop: k };
    throw new Error(`internal: unknown population ${name}`);
  };
  const sizeOf = (e: Endpoint): number =>
    e.type === 'input' ? inputs[e.pop]!.size : e.type === 'neuron' ? neurons[e.pop]!.size : interneurons[e.pop]!.size;

  const projections: Projection[] = [];
  const add = (name: string, role: ProjectionRole, pre: Endpoint, post: Endpoint, init: InitSpec | number[][], plastic: boolean, eta: number, feedbackOf: number | null = null): Projection => {
    const rows = sizeOf(post);
    const cols = sizeOf(pre);
    const weights = new Float64Array(rows * cols);
    if (Array.isArray(init)) init.forEach((row, r) => weights.set(row, r * cols));
    else drawWeights(init, rng.fork(`weights:${name}`), weights);
    const proj: Projection = { name, role, pre, post, rows, cols, weights, mask: null, plastic, etaPerMs: eta, feedbackOf };
    projections.push(proj);
    return proj;
  };

  for (const p of spec.projections) {
    const proj = add(p.name, 'forward', find(p.from), find(p.to), p.weights ?? p.init, p.plastic, p.etaPerMs);
    if (p.mask) proj.mask = buildMask(p.mask, proj.rows, proj.cols, rng.fork(`mask:${p.name}`));
    if (proj.mask) for (let i = 0; i < proj.mask.length; i++) if (!proj.mask[i]) proj.weights[i] = 0;
  }
  spec.neurons.forEach((n, k) => {
    if (!n.bias) return;
    const values = n.bias.values ? n.bias.values.map((v) => [v]) : n.bias.init;
    add(`bias->${n.name}`, 'forward', { type: 'input', pop: inputs.length - 1 }, { type: 'neuron', pop: k }, values, n.bias.plastic, spec.plasticity.etaPerMs);
  });

  const interneurons: InterneuronPopulation[] = [];
  const fb = spec.feedback;
  const forwardNet = projections.map((p, i) => [p, i] as const).filter(([p]) => p.pre.type === 'neuron' && p.post.type === 'neuron');
  if (fb.mode === 'random') {
    for (const [p, i] of forwardNet) add(`B:${p.name}`, 'feedback', p.post, p.pre, fb.init, false, 0, i);
  } else if (fb.mode === 'microcircuit') {
    let iOff = 0;
    for (const k of spec.interneurons) {
      const served = neurons.findIndex((n) => n.name === k.serves);
      const [up, upIdx] = forwardNet.find(([p]) => p.pre.pop === served)!;
      interneurons.push({ name: k.name, size: k.size, offset: iOff, serves: served, above: up.post.pop });
      iOff += k.size;
      const I: Endpoint = { type: 'interneuron', pop: interneurons.length - 1 };
      const lower: Endpoint = { type: 'neuron', pop: served };
      add(`B:${up.name}`, 'feedback', up.post, lower, fb.feedbackInit, false, 0, upIdx);
      add(`WIP:${k.name}`, 'pyr-to-int', lower, I, fb.interneuronInit, true, fb.etaPerMs);
      add(`WPI:${k.name}`, 'int-to-pyr', I, lower, fb.interneuronInit, true, fb.etaPerMs);
      add(`BIP:${k.name}`, 'int-nudge', up.post, I, fb.feedbackInit, false, 0);
    }
  }

  const edges = forwardNet.map(([p, i]) => ({ from: p.pre.pop, to: p.post.pop, projection: i }));
  const topo = analyseTopology(neurons.length, edges);
  const outputs: number[] = [];
  for (const n of neurons) if (n.kind === 'output') for (let j = 0; j < n.size; j++) outputs.push(n.offset + j);
  return {
    format: GRAPH_FORMAT,
    name: spec.name,
    seed: spec.seed,
    beta: spec.beta,
    feedback: fb.mode,
    betaInterneuron: fb.mode === 'microcircuit' ? fb.betaInterneuron : 0,
    plasticity: spec.plasticity.enabled,
    layered: topo.acyclic && spec.structure !== 'recurrent',
    inputs,
    neurons,
    interneurons,
    projections,
    nInputs: off,
    nStimulusInputs,
    nNeurons: nOff,
    nInterneurons: interneurons.reduce((s, k) => s + k.size, 0),
    outputs: Int32Array.from(outputs),
  };
}

function buildMask(mask: number[][] | { density: number }, rows: number, cols: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(rows * cols);
  if (Array.isArray(mask)) mask.forEach((row, r) => row.forEach((v, c) => (m[r * cols + c] = v ? 1 : 0)));
  else for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < mask.density ? 1 : 0;
  return m;
}
