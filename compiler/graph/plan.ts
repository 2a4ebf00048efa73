import type { InitSpec, ResolvedSpec } from '../spec/format.js';
import type { Endpoint, InputPopulation, InterneuronPopulation, NeuronPopulation, NlaGraph, Projection, ProjectionRole } from './graph.js';
import { analyseTopology } from './topology.js';

/** A projection before its arrays exist: its shape, and how its weights and mask will be drawn. */
export interface ProjectionPlan extends Omit<Projection, 'weights' | 'mask'> {
  init: InitSpec | number[][];
  maskSpec: number[][] | { density: number } | null;
}

/** What building the graph will allocate: weight cells (rows×cols, masked or not), mask cells and bytes (Float64 weights, byte masks). */
export interface GraphFootprint {
  weightCells: number;
  maskCells: number;
  bytes: number;
}

/** The NLA graph without its arrays: every population, projection shape and the topology. */
export interface GraphPlan extends Omit<NlaGraph, 'format' | 'projections'> {
  projections: ProjectionPlan[];
  footprint: GraphFootprint;
}

/**
 * Lays out the graph of a validated spec without allocating a weight: populations and their offsets, the
 * bias unit, every projection (the spec's, the biases, and by feedback mode the random B matrices or the
 * microcircuit's W^IP, W^PI, B, B^IP) and the topology. `buildGraph` realises it; `nla validate` reads it.
 */
export function planGraph(spec: ResolvedSpec): GraphPlan {
  const pops = layOutPopulations(spec);
  const { inputs, neurons, interneurons } = pops;
  const projections = planProjections(spec, pops);
  const forwardNet = projections.filter((p) => p.role === 'forward' && p.pre.type === 'neuron' && p.post.type === 'neuron');
  const edges = forwardNet.map((p) => ({ from: p.pre.pop, to: p.post.pop, projection: projections.indexOf(p) }));
  const topo = analyseTopology(neurons.length, edges);
  const outputs: number[] = [];
  for (const n of neurons) if (n.kind === 'output') for (let j = 0; j < n.size; j++) outputs.push(n.offset + j);
  const fb = spec.feedback;
  return {
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
    nInputs: pops.nInputs,
    nStimulusInputs: pops.nStimulusInputs,
    nNeurons: pops.nNeurons,
    nInterneurons: interneurons.reduce((s, k) => s + k.size, 0),
    outputs: Int32Array.from(outputs),
    footprint: footprintOf(projections),
  };
}

interface Populations {
  inputs: InputPopulation[];
  neurons: NeuronPopulation[];
  /** Filled by the microcircuit's feedback projections, which place the interneurons. */
  interneurons: InterneuronPopulation[];
  nInputs: number;
  nStimulusInputs: number;
  nNeurons: number;
}

/** Inputs (then the bias unit, if any neuron has a bias) and neurons, each with its offset in its vector. */
function layOutPopulations(spec: ResolvedSpec): Populations {
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
  return { inputs, neurons, interneurons: [], nInputs: off, nStimulusInputs, nNeurons: nOff };
}

/** Every projection in the order their draws are forked: the spec's, the biases, then the feedback mode's. */
function planProjections(spec: ResolvedSpec, pops: Populations): ProjectionPlan[] {
  const { inputs, neurons, interneurons } = pops;
  const find = (name: string): Endpoint => {
    const i = inputs.findIndex((p) => p.name === name);
    if (i >= 0) return { type: 'input', pop: i };
    const k = neurons.findIndex((p) => p.name === name);
    if (k >= 0) return { type: 'neuron', pop: k };
    throw new Error(`internal: unknown population ${name}`);
  };
  const sizeOf = (e: Endpoint): number =>
    e.type === 'input' ? inputs[e.pop]!.size : e.type === 'neuron' ? neurons[e.pop]!.size : interneurons[e.pop]!.size;
  const projections: ProjectionPlan[] = [];
  const add = (name: string, role: ProjectionRole, pre: Endpoint, post: Endpoint, init: InitSpec | number[][], plastic: boolean, eta: number, feedbackOf: number | null = null): void => {
    projections.push({ name, role, pre, post, rows: sizeOf(post), cols: sizeOf(pre), init, maskSpec: null, plastic, etaPerMs: eta, feedbackOf });
  };
  for (const p of spec.projections) {
    add(p.name, 'forward', find(p.from), find(p.to), p.weights ?? p.init, p.plastic, p.etaPerMs);
    projections[projections.length - 1]!.maskSpec = p.mask;
  }
  spec.neurons.forEach((n, k) => {
    if (!n.bias) return;
    const values = n.bias.values ? n.bias.values.map((v) => [v]) : n.bias.init;
    add(`bias->${n.name}`, 'forward', { type: 'input', pop: inputs.length - 1 }, { type: 'neuron', pop: k }, values, n.bias.plastic, spec.plasticity.etaPerMs);
  });
  addFeedback(spec, pops, projections, add);
  return projections;
}

type AddProjection = (name: string, role: ProjectionRole, pre: Endpoint, post: Endpoint, init: InitSpec | number[][], plastic: boolean, eta: number, feedbackOf?: number | null) => void;

/** Random feedback's fixed B per forward projection, or the microcircuit's interneurons and their four arrays. */
function addFeedback(spec: ResolvedSpec, pops: Populations, projections: ProjectionPlan[], add: AddProjection): void {
  const fb = spec.feedback;
  const forwardNet = projections.map((p, i) => [p, i] as const).filter(([p]) => p.pre.type === 'neuron' && p.post.type === 'neuron');
  if (fb.mode === 'random') {
    for (const [p, i] of forwardNet) add(`B:${p.name}`, 'feedback', p.post, p.pre, fb.init, false, 0, i);
  } else if (fb.mode === 'microcircuit') {
    let iOff = 0;
    for (const k of spec.interneurons) {
      const served = pops.neurons.findIndex((n) => n.name === k.serves);
      const [up, upIdx] = forwardNet.find(([p]) => p.pre.pop === served)!;
      pops.interneurons.push({ name: k.name, size: k.size, offset: iOff, serves: served, above: up.post.pop });
      iOff += k.size;
      const I: Endpoint = { type: 'interneuron', pop: pops.interneurons.length - 1 };
      const lower: Endpoint = { type: 'neuron', pop: served };
      add(`B:${up.name}`, 'feedback', up.post, lower, fb.feedbackInit, false, 0, upIdx);
      add(`WIP:${k.name}`, 'pyr-to-int', lower, I, fb.interneuronInit, true, fb.etaPerMs);
      add(`WPI:${k.name}`, 'int-to-pyr', I, lower, fb.interneuronInit, true, fb.etaPerMs);
      add(`BIP:${k.name}`, 'int-nudge', up.post, I, fb.feedbackInit, false, 0);
    }
  }
}

function footprintOf(projections: ProjectionPlan[]): GraphFootprint {
  let weightCells = 0;
  let maskCells = 0;
  for (const p of projections) {
    weightCells += p.rows * p.cols;
    if (p.maskSpec) maskCells += p.rows * p.cols;
  }
  return { weightCells, maskCells, bytes: 8 * weightCells + maskCells };
}
