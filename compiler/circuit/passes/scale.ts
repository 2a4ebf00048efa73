import type { NlaGraph, Projection } from '../../graph/graph.js';
import { currentNoisePsd } from '../../../hardware-models/components/noise.js';
import type { ErrorUnit, Profile, RateUnit } from '../../../hardware-models/profiles/profile.js';
import { CIRCUIT_FORMAT, type ArrayCircuit, type CircuitIR, type UnitCircuit } from '../ir.js';

/**
 * Pass 1, scale: maps the dimensionless network onto nominal component values of the profile. Model
 * time t (ms) becomes t·timeScale seconds; a membrane of time constant τ gets the profile's capacitance
 * C and g_L = C/τ; weights become conductances G = w·g_L of the target compartment; look-ahead constants
 * equal the membrane τ, parasitic poles poleRatio·τ. No quantisation or mismatch yet.
 */
export function scalePass(g: NlaGraph, p: Profile, seed: number): CircuitIR {
  const ts = p.timeScale;
  const C = p.membrane.capacitanceF;
  const gOf = (tauMs: number) => C / (tauMs * ts);
  const unit = (u: RateUnit | ErrorUnit, tauS: number): UnitCircuit => {
    if (u.kind === 'exact') return { kind: 'exact' };
    if (u.kind === 'current-sensing') return { kind: 'current-sensing', lookaheadS: tauS };
    return { kind: 'lead', leadS: tauS, poleS: u.poleRatio * tauS, maxOut: 'maxRate' in u ? u.maxRate : 1e6 };
  };
  const neurons = g.neurons.flatMap((pop) =>
    Array.from({ length: pop.size }, (_, i) => {
      const tauS = pop.tauMs * ts;
      const gl = gOf(pop.tauMs);
      return {
        realises: `${pop.name}[${i}]`,
        population: pop.name,
        index: i,
        membrane: { capacitanceF: C, leakConductanceS: gl, restV: p.membrane.restV, railLowV: p.membrane.railLowV, railHighV: p.membrane.railHighV },
        transfer: { gain: 1, offsetV: 0 },
        rateUnit: unit(p.rateUnit, tauS),
        errorUnit: unit(p.errorUnit, tauS),
        nudgeConductanceS: pop.kind === 'output' ? g.beta * gl : 0,
        noisePsdA2PerHz: p.noise ? currentNoisePsd(p.noise, gl) : 0,
      };
    }),
  );
  const inputs = g.inputs
    .filter((inp) => inp.constantRate === null)
    .flatMap((inp) => Array.from({ length: inp.size }, (_, i) => ({ realises: `${inp.name}[${i}]`, population: inp.name, index: i, capacitanceF: C, resistanceOhm: (inp.tauInMs * ts) / C })));
  const interneurons = g.interneurons.flatMap((k) =>
    Array.from({ length: k.size }, (_, i) => ({ realises: `${k.name}[${i}]`, population: k.name, index: i, leakConductanceS: gOf(g.neurons[k.serves]!.tauMs) })),
  );
  const targetG = (type: 'neuron' | 'interneuron', pop: number) =>
    type === 'neuron' ? gOf(g.neurons[pop]!.tauMs) : gOf(g.neurons[g.interneurons[pop]!.serves]!.tauMs);
  const popName = (e: Projection['pre']) => (e.type === 'input' ? g.inputs[e.pop]!.name : e.type === 'neuron' ? g.neurons[e.pop]!.name : g.interneurons[e.pop]!.name);
  const toArray = (proj: Projection, weights: Float64Array, role: Projection['role'], realises: string, feedbackOf: string | null, pre: Projection['pre'], post: Projection['post'], rows: number, cols: number): ArrayCircuit => ({
    realises,
    role,
    pre: { type: pre.type, population: popName(pre) },
    post: { type: post.type as 'neuron' | 'interneuron', population: popName(post) },
    feedbackOf,
    rows,
    cols,
    realisation: { kind: 'ideal' },
    lsbWeight: 0,
    conductanceS: Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => weights[r * cols + c]! * targetG(post.type as 'neuron' | 'interneuron', post.pop))),
    codes: null,
    mask: proj.mask && role === proj.role ? Array.from({ length: rows }, (_, r) => Array.from(proj.mask!.subarray(r * cols, (r + 1) * cols))) : null,
    plastic:
      proj.plastic && role === proj.role && proj.etaPerMs > 0 ? { ...p.plasticity, learningRatePerS: proj.etaPerMs / ts } : null,
  });
  const arrays: ArrayCircuit[] = g.projections.map((proj) =>
    toArray(proj, proj.weights, proj.role, proj.name, proj.feedbackOf !== null ? g.projections[proj.feedbackOf]!.name : null, proj.pre, proj.post, proj.rows, proj.cols),
  );
  // Exact NLA with separate error hardware: the error path gets its own array holding Wᵀ.
  if (g.feedback === 'transpose' && p.feedbackArray === 'separate') {
    for (const proj of g.projections) {
      if (proj.role !== 'forward' || proj.pre.type !== 'neuron') continue;
      const t = new Float64Array(proj.rows * proj.cols);
      for (let r = 0; r < proj.rows; r++) for (let c = 0; c < proj.cols; c++) t[c * proj.rows + r] = proj.weights[r * proj.cols + c]!;
      arrays.push(toArray(proj, t, 'feedback', `T:${proj.name}`, proj.name, proj.post, proj.pre, proj.cols, proj.rows));
    }
  }
  return {
    format: CIRCUIT_FORMAT,
    network: g.name,
    profile: p,
    seed,
    timeScale: ts,
    voltsPerUnit: p.voltsPerUnit,
    structure: {
      beta: g.beta,
      betaInterneuron: g.betaInterneuron,
      feedback: g.feedback,
      feedbackArray: g.feedback === 'transpose' ? p.feedbackArray : 'separate',
      layered: g.layered,
      plasticityEnabled: g.plasticity,
      populations: [
        ...g.inputs.map((x) => ({ name: x.name, kind: (x.constantRate !== null ? 'bias' : 'input') as 'bias' | 'input', size: x.size })),
        ...g.neurons.map((n) => ({ name: n.name, kind: n.kind, size: n.size, activation: n.activation })),
        ...g.interneurons.map((k) => ({ name: k.name, kind: 'interneuron' as const, size: k.size, serves: g.neurons[k.serves]!.name, above: g.neurons[k.above]!.name })),
      ],
    },
    inputs,
    neurons,
    interneurons,
    arrays,
    reports: [
      {
        pass: 'scale',
        summary: `model ms → ${p.timeScale} s, 1 unit → ${p.voltsPerUnit} V; ${neurons.length} membranes of ${C} F; ${arrays.length} synapse arrays`,
        details: {
          timeScale: ts,
          voltsPerUnit: p.voltsPerUnit,
          populations: g.neurons.map((n) => ({ name: n.name, tauS: n.tauMs * ts, capacitanceF: C, leakConductanceS: gOf(n.tauMs) })),
        },
        warnings: [],
      },
    ],
  };
}
