import type { Activation } from '../../core/activation.js';
import { GRAPH_FORMAT, type Endpoint, type InputPopulation, type InterneuronPopulation, type NeuronPopulation, type NlaGraph, type Projection } from '../../compiler/graph/graph.js';
import type { CircuitIR, UnitCircuit } from '../../compiler/circuit/ir.js';

/** Per-neuron realisation of a prospective unit, in model units (ms). */
export interface UnitArrays {
  /** 1 where the unit is a lead stage (explicit, with a state), 0 where it is exact (algebraic). */
  lead: Uint8Array;
  /** Exact units: look-ahead constant (ms). */
  lookMs: Float64Array;
  /** Lead units: τ_L, τ_p (ms) and output limit (units). */
  leadMs: Float64Array;
  poleMs: Float64Array;
  maxOut: Float64Array;
  any: { lead: boolean; exact: boolean };
}

/**
 * The circuit in the emulator's normalised units: model time in ms, voltages, rates and errors in units
 * of `voltsPerUnit`. Synapse arrays become an NLA graph with the realised (quantised, mismatched)
 * weights G/g_L, per-neuron τ = C/g_L and transfer gain/offset; the rest are per-neuron arrays.
 */
export interface AnalogModel {
  ir: CircuitIR;
  graph: NlaGraph;
  /** Both unit kinds exact: the exact NLA, integrated in the form of the digital engine's explicit solve. */
  exactNla: boolean;
  tauMs: Float64Array;
  /** Rest-level offset of each membrane, units. */
  theta: Float64Array;
  rate: UnitArrays;
  err: UnitArrays;
  railLow: Float64Array;
  railHigh: Float64Array;
  /** Noise on u per √ms (Euler–Maruyama increment σ√h ξ). */
  noiseSigma: Float64Array;
  /** Per-neuron nudging β_i/β (the nudge conductance over the leak, relative to the network's β). */
  betaScale: Float64Array;
  /** Low-pass τ_in of each stimulus input, ms. */
  inputTauMs: Float64Array;
  /** Per projection: the plasticity realisation, with model-unit parameters. */
  plastic: Array<null | { kind: 'ideal' } | { kind: 'analog'; leakTauMs: number } | { kind: 'digital'; periodMs: number; stochastic: boolean; lsb: number; maxCode: number }>;
}

export function modelFromCircuit(ir: CircuitIR): AnalogModel {
  const ts = ir.timeScale;
  const V = ir.voltsPerUnit;
  const restNominal = ir.profile.membrane.restV;
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
  const N = nOff;
  const nIdx = new Map(ir.neurons.map((n) => [n.realises, n]));
  const neuronAt = (i: number) => {
    const pop = neurons.find((p) => i >= p.offset && i < p.offset + p.size)!;
    return nIdx.get(`${pop.name}[${i - pop.offset}]`)!;
  };
  const perNeuron = Array.from({ length: N }, (_, i) => neuronAt(i));
  const gL = Float64Array.from(perNeuron, (n) => n.membrane.leakConductanceS);
  const tauMs = Float64Array.from(perNeuron, (n) => n.membrane.capacitanceF / n.membrane.leakConductanceS / ts);
  for (const p of neurons) p.tauMs = tauMs[p.offset]!;
  const endpoint = (type: string, name: string): Endpoint => {
    if (type === 'input') return { type: 'input', pop: inputs.findIndex((p) => p.name === name) };
    if (type === 'neuron') return { type: 'neuron', pop: neurons.findIndex((p) => p.name === name) };
    return { type: 'interneuron', pop: interneurons.findIndex((p) => p.name === name) };
  };
  const interG = new Map(ir.interneurons.map((k) => [k.realises, k.leakConductanceS]));
  const projections: Projection[] = ir.arrays.map((a) => {
    const post = endpoint(a.post.type, a.post.population);
    const rowG = (r: number) => (post.type === 'neuron' ? gL[neurons[post.pop]!.offset + r]! : interG.get(`${a.post.population}[${r}]`)!);
    const weights = new Float64Array(a.rows * a.cols);
    a.conductanceS.forEach((row, r) => row.forEach((G, c) => (weights[r * a.cols + c] = G / rowG(r))));
    const mask = a.mask ? Uint8Array.from(a.mask.flat()) : null;
    return {
      name: a.realises,
      role: a.role,
      pre: endpoint(a.pre.type, a.pre.population),
      post,
      rows: a.rows,
      cols: a.cols,
      weights,
      mask,
      plastic: a.plastic !== null,
      etaPerMs: a.plastic ? a.plastic.learningRatePerS * ts : 0,
      feedbackOf: null,
    };
  });
  ir.arrays.forEach((a, k) => {
    if (a.feedbackOf !== null) projections[k]!.feedbackOf = ir.arrays.findIndex((b) => b.realises === a.feedbackOf);
  });
  const outputs: number[] = [];
  for (const p of neurons) if (p.kind === 'output') for (let j = 0; j < p.size; j++) outputs.push(p.offset + j);
  const separate = ir.structure.feedback === 'transpose' && ir.structure.feedbackArray === 'separate';
  const graph: NlaGraph = {
    format: GRAPH_FORMAT,
    name: ir.network,
    seed: ir.seed,
    beta: ir.structure.beta,
    feedback: separate ? 'random' : ir.structure.feedback,
    betaInterneuron: ir.structure.betaInterneuron,
    plasticity: ir.structure.plasticityEnabled && ir.arrays.some((a) => a.plastic),
    layered: ir.structure.layered,
    inputs,
    neurons,
    interneurons,
    projections,
    nInputs: inOff,
    nStimulusInputs: nStim,
    nNeurons: N,
    nInterneurons: iOff,
    outputs: Int32Array.from(outputs),
    neuronParams: {
      tauMs,
      gain: Float64Array.from(perNeuron, (n) => n.transfer.gain),
      offset: Float64Array.from(perNeuron, (n) => n.transfer.offsetV / V),
    },
  };
  const units = (pick: (n: (typeof perNeuron)[number]) => UnitCircuit): UnitArrays => {
    const u: UnitArrays = {
      lead: new Uint8Array(N),
      lookMs: new Float64Array(N),
      leadMs: new Float64Array(N),
      poleMs: new Float64Array(N),
      maxOut: new Float64Array(N).fill(Infinity),
      any: { lead: false, exact: false },
    };
    perNeuron.forEach((n, i) => {
      const x = pick(n);
      if (x.kind === 'lead') {
        u.lead[i] = 1;
        u.leadMs[i] = x.leadS / ts;
        u.poleMs[i] = x.poleS / ts;
        u.maxOut[i] = x.maxOut;
        u.any.lead = true;
      } else {
        u.lookMs[i] = x.kind === 'current-sensing' ? x.lookaheadS / ts : tauMs[i]!;
        u.any.exact = true;
      }
    });
    return u;
  };
  const rate = units((n) => n.rateUnit);
  const err = units((n) => n.errorUnit);
  const inByName = new Map(ir.inputs.map((x) => [x.realises, x]));
  const inputTauMs = new Float64Array(nStim);
  for (const p of inputs) {
    if (p.constantRate !== null) continue;
    for (let j = 0; j < p.size; j++) {
      const x = inByName.get(`${p.name}[${j}]`)!;
      inputTauMs[p.offset + j] = (x.resistanceOhm * x.capacitanceF) / ts;
    }
  }
  const beta = ir.structure.beta;
  return {
    ir,
    graph,
    exactNla: ir.profile.rateUnit.kind === 'exact' && ir.profile.errorUnit.kind === 'exact',
    tauMs,
    theta: Float64Array.from(perNeuron, (n) => (n.membrane.restV - restNominal) / V),
    rate,
    err,
    railLow: Float64Array.from(perNeuron, (n) => (n.membrane.railLowV - restNominal) / V),
    railHigh: Float64Array.from(perNeuron, (n) => (n.membrane.railHighV - restNominal) / V),
    noiseSigma: Float64Array.from(perNeuron, (n) => (Math.sqrt(n.noisePsdA2PerHz / 2) * Math.sqrt(ts)) / (n.membrane.capacitanceF * V)),
    betaScale: Float64Array.from(perNeuron, (n, i) => (beta > 0 ? n.nudgeConductanceS / gL[i]! / beta : 0)),
    inputTauMs,
    plastic: ir.arrays.map((a) => {
      if (!a.plastic) return null;
      const p = a.plastic;
      if (p.kind === 'analog') return { kind: 'analog', leakTauMs: p.leakTauS / ts };
      if (p.kind === 'digital') {
        const bits = a.realisation.kind === 'dac' ? a.realisation.bits : 16;
        return { kind: 'digital', periodMs: p.updatePeriodS / ts, stochastic: p.stochasticRounding, lsb: a.lsbWeight > 0 ? a.lsbWeight : 0, maxCode: 2 ** bits - 1 };
      }
      return { kind: 'ideal' };
    }),
  };
}
