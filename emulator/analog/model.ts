import type { Activation } from '../../core/activation.js';
import { GRAPH_FORMAT, type Endpoint, type InputPopulation, type InterneuronPopulation, type NeuronPopulation, type NlaGraph, type Projection } from '../../compiler/graph/graph.js';
import type { CircuitIR, NeuronCircuit, UnitCircuit } from '../../compiler/circuit/ir.js';
import { lookaheadPopulation, type LookaheadPopulation } from '../../hardware-models/components/current-sensing.js';
import { inputFilterTauMs } from '../../hardware-models/components/input-filter.js';
import { leadPopulation, type LeadPopulation } from '../../hardware-models/components/lead-stage.js';
import { membraneTauS, type MembranePopulation } from '../../hardware-models/components/membrane.js';
import { BUILTIN_MEMBRANE_MODEL, membraneModel } from '../../hardware-models/components/component-models.js';
import { noiseSigmaPerSqrtMs } from '../../hardware-models/components/noise.js';
import { plasticityModel, type PlasticityModel } from '../../hardware-models/components/plastic-synapse.js';
import { arrayWeights } from '../../hardware-models/components/synapse-array.js';
import { depressingPopulation, type DepressingPopulation } from '../../hardware-models/components/depressing-synapse.js';
import { perModelMs } from '../../hardware-models/units.js';
import { dpiMeanTauMs, dpiPopulation, type DpiPopulation } from '../../hardware-models/components/dpi-neuron.js';
import { UsageError } from '../../core/errors.js';

/**
 * Per-neuron realisation of a prospective unit, in model units (ms): lead stages (`lead` 1, with τ_L,
 * τ_p and output swing; explicit, with a state) and exact or current-sensing units (look-ahead constant
 * `lookMs`, 0 for lead stages; algebraic).
 */
export type UnitArrays = LeadPopulation & LookaheadPopulation & { any: { lead: boolean; exact: boolean } };

/**
 * The circuit in the emulator's normalised units: model time in ms, voltages, rates and errors in units
 * of `voltsPerUnit`. Synapse arrays become an NLA graph with the realised (quantised, mismatched)
 * weights G/g_L, per-neuron τ = C/g_L and transfer gain/offset; the rest are per-neuron arrays, each
 * built by its component (hardware-models/components), as the system (system.ts) integrates them. The
 * membranes (τ in model ms; rest offset θ, the level each settles at, and the rails, in units) are the
 * `MembranePopulation` fields.
 */
export interface AnalogModel extends MembranePopulation {
  ir: CircuitIR;
  graph: NlaGraph;
  /** Both unit kinds exact: the exact NLA, integrated in the form of the digital engine's explicit solve. */
  exactNla: boolean;
  rate: UnitArrays;
  err: UnitArrays;
  /** Noise on u per √ms (Euler–Maruyama increment σ√h ξ). */
  noiseSigma: Float64Array;
  /** Per-neuron nudging β_i/β (the nudge conductance over the leak, relative to the network's β). */
  betaScale: Float64Array;
  /** Low-pass τ_in of each stimulus input, ms. */
  inputTauMs: Float64Array;
  /** Per projection: the plasticity realisation, with model-unit parameters. */
  plastic: Array<PlasticityModel | null>;
  /**
   * Per projection: how its presynaptic signal arrives (ir.ts CarrierCircuit): `wire`, `rate` (ρ(u) of the
   * presynaptic neuron instead of u), or `depressing` with one pool per column (τ_rec in model ms, a, d).
   */
  carriers: CarrierModel[];
  /**
   * Per projection: for a separate error array with mirrored plasticity (`T:<name>`, plastic), the index
   * of the forward projection whose update it takes transposed; −1 otherwise.
   */
  mirrorOf: Int32Array;
  /**
   * Translinear circuits: every neuron's DPI pair in model units (components/dpi-neuron.ts); the state then
   * holds each neuron's common mode s = (I⁺ + I⁻)/I_unit beside u, and τ is the pair's mean τ. null: linear.
   */
  dpi: DpiPopulation | null;
}

export type CarrierModel = { kind: 'wire' } | { kind: 'rate' } | { kind: 'depressing'; pools: DepressingPopulation };

export function modelFromCircuit(ir: CircuitIR): AnalogModel {
  const ts = ir.timeScale;
  const V = ir.voltsPerUnit;
  const pops = graphPopulations(ir);
  const perNeuron = neuronCircuits(ir, pops.neurons);
  const membranes = membraneModel(ir.profile.membrane.model).population(
    perNeuron.map((n) => n.membrane),
    { timeScale: ts, voltsPerUnit: V, restV: ir.profile.membrane.restV },
  );
  const gL = Float64Array.from(perNeuron, (n) => n.membrane.leakConductanceS);
  const dpi = dpiOf(perNeuron, ts);
  if (dpi && (ir.profile.membrane.model ?? BUILTIN_MEMBRANE_MODEL) !== BUILTIN_MEMBRANE_MODEL) throw new UsageError(`profile '${ir.profile.name}': a translinear circuit sets τ from its DPI pairs, so the membrane model '${ir.profile.membrane.model}' would be ignored; use it with a linear profile`);
  if (dpi) membranes.tauMs = dpiMeanTauMs(dpi);
  const graph = graphOf(ir, pops, projectionsOf(ir, pops, gL), membranes.tauMs, perNeuron);
  const beta = ir.structure.beta;
  return {
    ir,
    graph,
    exactNla: ir.profile.rateUnit.kind === 'exact' && ir.profile.errorUnit.kind === 'exact' && !dpi,
    // fields listed, not spread: a literal keeps one hidden class for every model (the hot loops stay monomorphic)
    tauMs: membranes.tauMs,
    theta: membranes.theta,
    railLow: membranes.railLow,
    railHigh: membranes.railHigh,
    rate: unitArrays(perNeuron, (n) => n.rateUnit, ts),
    err: unitArrays(perNeuron, (n) => n.errorUnit, ts),
    noiseSigma: Float64Array.from(perNeuron, (n) => noiseSigmaPerSqrtMs(n.noisePsdA2PerHz, n.membrane.capacitanceF, V, ts)),
    betaScale: Float64Array.from(perNeuron, (n, i) => (beta > 0 ? n.nudgeConductanceS / gL[i]! / beta : 0)),
    inputTauMs: inputTaus(ir, pops),
    plastic: ir.arrays.map((a) => (a.plastic ? plasticityModel(a.plastic, a.lsbWeight, a.realisation.kind === 'dac' ? a.realisation.bits : 16, ts) : null)),
    carriers: ir.arrays.map((a) => carrierModel(a.carrier, ts)),
    mirrorOf: Int32Array.from(graph.projections, (p, k) => (ir.structure.feedback === 'transpose' && ir.arrays[k]!.plastic && p.role === 'feedback' && p.feedbackOf !== null ? p.feedbackOf : -1)),
    dpi,
  };
}

/** The DPI pairs of a translinear circuit, or null when no neuron has one; a circuit mixing the two kinds is refused. */
function dpiOf(perNeuron: NeuronCircuit[], timeScale: number): DpiPopulation | null {
  const without = perNeuron.filter((n) => !n.dpi);
  if (without.length === perNeuron.length) return null;
  if (without.length) throw new UsageError(`the circuit mixes translinear and linear neurons: ${without[0]!.realises} has no dpi while ${perNeuron.find((n) => n.dpi)!.realises} has one; compile every neuron with the same profile`);
  return dpiPopulation(perNeuron.map((n) => n.dpi!), perNeuron.map((n) => n.membrane.capacitanceF), timeScale);
}

/** An array's carrier in model units (pools: τ_rec in model ms). */
function carrierModel(c: CircuitIR['arrays'][number]['carrier'], timeScale: number): CarrierModel {
  if (c.kind !== 'depressing') return { kind: c.kind };
  return { kind: 'depressing', pools: depressingPopulation(c.recoveryS.map((recoveryS, j) => ({ recoveryS, a: c.a[j]!, d: c.d[j]! })), timeScale) };
}

interface Populations {
  inputs: InputPopulation[];
  neurons: NeuronPopulation[];
  interneurons: InterneuronPopulation[];
  nInputs: number;
  nStim: number;
  nNeurons: number;
  nInterneurons: number;
}

/** The graph's populations in the circuit's order: stimulus inputs, then bias, neurons, interneurons. */
function graphPopulations(ir: CircuitIR): Populations {
  const pops = ir.structure.populations;
  const inputs: InputPopulation[] = [];
  const neurons: NeuronPopulation[] = [];
  const interneurons: InterneuronPopulation[] = [];
  let inOff = 0;
  for (const p of pops.filter((x) => x.kind === 'input')) {
    inputs.push({ name: p.name, size: p.size, offset: inOff, tauInMs: 1, constantRate: null });
    inOff += p.size;
  }
  const nStim = inOff;
  for (const p of pops.filter((x) => x.kind === 'bias')) {
    inputs.push({ name: p.name, size: p.size, offset: inOff, tauInMs: 1, constantRate: 1 });
    inOff += p.size;
  }
  let nOff = 0;
  for (const p of pops.filter((x) => x.kind === 'hidden' || x.kind === 'output')) {
    neurons.push({ name: p.name, kind: p.kind as 'hidden' | 'output', size: p.size, offset: nOff, tauMs: 10, activation: p.activation as Activation });
    nOff += p.size;
  }
  let iOff = 0;
  for (const p of pops.filter((x) => x.kind === 'interneuron')) {
    interneurons.push({ name: p.name, size: p.size, offset: iOff, serves: neurons.findIndex((n) => n.name === p.serves), above: neurons.findIndex((n) => n.name === p.above) });
    iOff += p.size;
  }
  return { inputs, neurons, interneurons, nInputs: inOff, nStim, nNeurons: nOff, nInterneurons: iOff };
}

/** The neuron circuits in the graph's neuron order. */
function neuronCircuits(ir: CircuitIR, neurons: NeuronPopulation[]): NeuronCircuit[] {
  const byName = new Map(ir.neurons.map((n) => [n.realises, n]));
  return neurons.flatMap((pop) => Array.from({ length: pop.size }, (_, j) => byName.get(`${pop.name}[${j}]`)!));
}

/** Every array as a projection with the realised weights w = G/g_L of its target compartment. */
function projectionsOf(ir: CircuitIR, pops: Populations, gL: Float64Array): Projection[] {
  const { inputs, neurons, interneurons } = pops;
  const endpoint = (type: string, name: string): Endpoint => {
    if (type === 'input') return { type: 'input', pop: inputs.findIndex((p) => p.name === name) };
    if (type === 'neuron') return { type: 'neuron', pop: neurons.findIndex((p) => p.name === name) };
    return { type: 'interneuron', pop: interneurons.findIndex((p) => p.name === name) };
  };
  const interG = new Map(ir.interneurons.map((k) => [k.realises, k.leakConductanceS]));
  const projections: Projection[] = ir.arrays.map((a) => {
    const post = endpoint(a.post.type, a.post.population);
    const rowG = (r: number) => (post.type === 'neuron' ? gL[neurons[post.pop]!.offset + r]! : interG.get(`${a.post.population}[${r}]`)!);
    return {
      name: a.realises,
      role: a.role,
      pre: endpoint(a.pre.type, a.pre.population),
      post,
      rows: a.rows,
      cols: a.cols,
      weights: arrayWeights(a.conductanceS, a.cols, rowG),
      mask: a.mask ? Uint8Array.from(a.mask.flat()) : null,
      plastic: a.plastic !== null,
      etaPerMs: a.plastic ? perModelMs(a.plastic.learningRatePerS, ir.timeScale) : 0,
      feedbackOf: null,
    };
  });
  ir.arrays.forEach((a, k) => {
    if (a.feedbackOf !== null) projections[k]!.feedbackOf = ir.arrays.findIndex((b) => b.realises === a.feedbackOf);
  });
  return projections;
}

function graphOf(ir: CircuitIR, pops: Populations, projections: Projection[], tauMs: Float64Array, perNeuron: NeuronCircuit[]): NlaGraph {
  for (const p of pops.neurons) p.tauMs = tauMs[p.offset]!;
  const outputs: number[] = [];
  for (const p of pops.neurons) if (p.kind === 'output') for (let j = 0; j < p.size; j++) outputs.push(p.offset + j);
  const separate = ir.structure.feedback === 'transpose' && ir.structure.feedbackArray === 'separate';
  return {
    format: GRAPH_FORMAT,
    name: ir.network,
    seed: ir.seed,
    beta: ir.structure.beta,
    feedback: separate ? 'random' : ir.structure.feedback,
    betaInterneuron: ir.structure.betaInterneuron,
    plasticity: ir.structure.plasticityEnabled && ir.arrays.some((a) => a.plastic),
    layered: ir.structure.layered,
    inputs: pops.inputs,
    neurons: pops.neurons,
    interneurons: pops.interneurons,
    projections,
    nInputs: pops.nInputs,
    nStimulusInputs: pops.nStim,
    nNeurons: pops.nNeurons,
    nInterneurons: pops.nInterneurons,
    outputs: Int32Array.from(outputs),
    neuronParams: {
      tauMs,
      gain: Float64Array.from(perNeuron, (n) => n.transfer.gain),
      offset: Float64Array.from(perNeuron, (n) => n.transfer.offsetV / ir.voltsPerUnit),
    },
  };
}

/** The rate or error units: lead stages, and exact units whose look-ahead is τ_r (current-sensing) or τ_m. */
function unitArrays(perNeuron: NeuronCircuit[], pick: (n: NeuronCircuit) => UnitCircuit, timeScale: number): UnitArrays {
  const units = perNeuron.map(pick);
  const lookaheadS = perNeuron.map((n, i) => {
    const u = units[i]!;
    return u.kind === 'lead' ? null : u.kind === 'current-sensing' ? u.lookaheadS : membraneTauS(n.membrane);
  });
  const lead = leadPopulation(units.map((u) => (u.kind === 'lead' ? u : null)), timeScale);
  return {
    lead: lead.lead,
    leadMs: lead.leadMs,
    poleMs: lead.poleMs,
    maxOut: lead.maxOut,
    lookMs: lookaheadPopulation(lookaheadS, timeScale).lookMs,
    any: { lead: units.some((u) => u.kind === 'lead'), exact: units.some((u) => u.kind !== 'lead') },
  };
}

/** τ_in of each stimulus input (R C), model ms. */
function inputTaus(ir: CircuitIR, pops: Populations): Float64Array {
  const byName = new Map(ir.inputs.map((x) => [x.realises, x]));
  const tau = new Float64Array(pops.nStim);
  for (const p of pops.inputs) {
    if (p.constantRate !== null) continue;
    for (let j = 0; j < p.size; j++) tau[p.offset + j] = inputFilterTauMs(byName.get(`${p.name}[${j}]`)!, ir.timeScale);
  }
  return tau;
}
