import type { NlaGraph, Projection } from '../../graph/graph.js';
import { dpiTauCurrentA, type DpiParams } from '../../../hardware-models/components/dpi-neuron.js';
import { currentNoisePsd } from '../../../hardware-models/components/noise.js';
import { synapseConductance } from '../../../hardware-models/components/synapse-array.js';
import type { ErrorUnit, Profile, RateUnit } from '../../../hardware-models/profiles/profile.js';
import { conductanceForTimeConstant, perSecond, resistanceForTimeConstant, toSeconds } from '../../../hardware-models/units.js';
import { CIRCUIT_FORMAT, type ArrayCircuit, type CircuitIR, type InputCircuit, type InterneuronCircuit, type NeuronCircuit, type UnitCircuit } from '../ir.js';
import type { Pass } from './pass.js';
import { carrierFor, describeErrorPath, describeTopDown, errorPathOf } from './top-down.js';

/**
 * Pass 1, scale: maps the dimensionless network onto nominal component values of the profile. Model
 * time t (ms) becomes t·timeScale seconds; a membrane of time constant τ gets the profile's capacitance
 * C and g_L = C/τ; weights become conductances G = w·g_L of the target compartment; look-ahead constants
 * equal the membrane τ, parasitic poles poleRatio·τ. No quantisation or mismatch yet.
 * The error path follows the profile (top-down.ts): a separate error array `T:<name>` holds W(0)ᵀ and, with
 * `feedbackPlasticity: mirrored`, the forward array's plasticity (its update transposed); arrays that read
 * a presynaptic voltage get the profile's top-down carrier (wire, rate, or nominal depressing pools).
 */
export const scalePass: Pass<NlaGraph> = {
  name: 'scale',
  run(g, { profile: p, seed }) {
    const neurons = neuronCircuits(g, p);
    const arrays = arrayCircuits(g, p);
    return {
      format: CIRCUIT_FORMAT,
      network: g.name,
      profile: p,
      seed,
      timeScale: p.timeScale,
      voltsPerUnit: p.voltsPerUnit,
      structure: structureOf(g, p),
      inputs: inputCircuits(g, p),
      neurons,
      interneurons: interneuronCircuits(g, p),
      arrays,
      reports: [scaleReport(g, p, neurons.length, arrays.length)],
    };
  },
};

/** The leak g_L = C/τ of a compartment whose time constant is τ model ms. */
const leakFor = (p: Profile, tauMs: number) => conductanceForTimeConstant(p.membrane.capacitanceF, toSeconds(tauMs, p.timeScale));

function unitCircuit(u: RateUnit | ErrorUnit, tauS: number): UnitCircuit {
  if (u.kind === 'exact') return { kind: 'exact' };
  if (u.kind === 'current-sensing') return { kind: 'current-sensing', lookaheadS: tauS };
  return { kind: 'lead', leadS: tauS, poleS: u.poleRatio * tauS, maxOut: 'maxRate' in u ? u.maxRate : 1e6 };
}

function neuronCircuits(g: NlaGraph, p: Profile): NeuronCircuit[] {
  const m = p.membrane;
  return g.neurons.flatMap((pop) =>
    Array.from({ length: pop.size }, (_, i) => {
      const tauS = toSeconds(pop.tauMs, p.timeScale);
      const gl = leakFor(p, pop.tauMs);
      return {
        realises: `${pop.name}[${i}]`,
        population: pop.name,
        index: i,
        membrane: { capacitanceF: m.capacitanceF, leakConductanceS: gl, restV: m.restV, railLowV: m.railLowV, railHighV: m.railHighV },
        transfer: { gain: 1, offsetV: 0 },
        rateUnit: unitCircuit(p.rateUnit, tauS),
        errorUnit: unitCircuit(p.errorUnit, tauS),
        nudgeConductanceS: pop.kind === 'output' ? g.beta * gl : 0,
        noisePsdA2PerHz: p.noise ? currentNoisePsd(p.noise, gl) : 0,
        ...(p.circuit.kind === 'translinear' ? { dpi: dpiFor(p, tauS) } : {}),
      };
    }),
  );
}

/**
 * A translinear neuron's nominal DPI pair: both halves with I_τ = C U_T(T_bias)/(κ τ) (the bias that gives
 * τ at the temperature the biases were sized at), the profile's I_th, and the input stage designed for
 * the gain I_th/I_τ.
 */
function dpiFor(p: Profile, tauS: number): DpiParams {
  const c = p.circuit;
  if (c.kind !== 'translinear') throw new Error('dpiFor: not a translinear profile');
  const tauCurrentA = dpiTauCurrentA(p.membrane.capacitanceF, c.kappa, c.biasTemperatureK, tauS);
  const half = () => ({ tauCurrentA, thresholdCurrentA: c.thresholdCurrentA, inputScale: 1 });
  return { kappa: c.kappa, temperatureK: c.temperatureK, unitCurrentA: c.unitCurrentA, commonModeUnits: c.commonModeUnits, designGain: c.thresholdCurrentA / tauCurrentA, plus: half(), minus: half() };
}

function inputCircuits(g: NlaGraph, p: Profile): InputCircuit[] {
  const C = p.membrane.capacitanceF;
  return g.inputs
    .filter((inp) => inp.constantRate === null)
    .flatMap((inp) =>
      Array.from({ length: inp.size }, (_, i) => ({ realises: `${inp.name}[${i}]`, population: inp.name, index: i, capacitanceF: C, resistanceOhm: resistanceForTimeConstant(C, toSeconds(inp.tauInMs, p.timeScale)) })),
    );
}

function interneuronCircuits(g: NlaGraph, p: Profile): InterneuronCircuit[] {
  return g.interneurons.flatMap((k) =>
    Array.from({ length: k.size }, (_, i) => ({ realises: `${k.name}[${i}]`, population: k.name, index: i, leakConductanceS: leakFor(p, g.neurons[k.serves]!.tauMs) })),
  );
}

/** One array as the synapses of `proj` realise it in the role `role` (the transposed copy: feedback). */
interface ArrayPlace {
  weights: Float64Array;
  role: Projection['role'];
  realises: string;
  feedbackOf: string | null;
  pre: Projection['pre'];
  post: Projection['post'];
  rows: number;
  cols: number;
  /** A separate error array that mirrors its forward array's plasticity. */
  mirrors?: boolean;
}

function arrayCircuit(g: NlaGraph, p: Profile, proj: Projection, a: ArrayPlace): ArrayCircuit {
  const popName = (e: Projection['pre']) => (e.type === 'input' ? g.inputs[e.pop]!.name : e.type === 'neuron' ? g.neurons[e.pop]!.name : g.interneurons[e.pop]!.name);
  const postTau = a.post.type === 'neuron' ? g.neurons[a.post.pop]!.tauMs : g.neurons[g.interneurons[a.post.pop]!.serves]!.tauMs;
  const gPost = leakFor(p, postTau);
  const own = a.role === proj.role;
  return {
    realises: a.realises,
    role: a.role,
    pre: { type: a.pre.type, population: popName(a.pre) },
    post: { type: a.post.type as 'neuron' | 'interneuron', population: popName(a.post) },
    feedbackOf: a.feedbackOf,
    carrier: carrierFor(g, p, { name: a.realises, role: a.role, pre: a.pre, cols: a.cols }),
    rows: a.rows,
    cols: a.cols,
    realisation: { kind: 'ideal' },
    lsbWeight: 0,
    conductanceS: Array.from({ length: a.rows }, (_, r) => Array.from({ length: a.cols }, (_, c) => synapseConductance(a.weights[r * a.cols + c]!, gPost))),
    codes: null,
    mask: proj.mask && own ? Array.from({ length: a.rows }, (_, r) => Array.from(proj.mask!.subarray(r * a.cols, (r + 1) * a.cols))) : proj.mask && a.feedbackOf === proj.name ? transposedMask(proj.mask, proj.rows, proj.cols) : null,
    plastic: proj.plastic && (own || a.mirrors === true) && proj.etaPerMs > 0 ? { ...p.plasticity, learningRatePerS: perSecond(proj.etaPerMs, p.timeScale) } : null,
  };
}

/** The mask of a separate error array: the forward mask transposed (cols×rows). */
function transposedMask(mask: Uint8Array, rows: number, cols: number): number[][] {
  return Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => mask[r * cols + c]!));
}

function arrayCircuits(g: NlaGraph, p: Profile): ArrayCircuit[] {
  const arrays = g.projections.map((proj) =>
    arrayCircuit(g, p, proj, { ...proj, realises: proj.name, feedbackOf: proj.feedbackOf !== null ? g.projections[proj.feedbackOf]!.name : null }),
  );
  // Exact NLA with separate error hardware: the error path gets its own array holding Wᵀ, plastic when mirrored.
  if (g.feedback === 'transpose' && p.feedbackArray === 'separate') {
    const mirrors = p.feedbackPlasticity === 'mirrored';
    for (const proj of g.projections) {
      if (proj.role !== 'forward' || proj.pre.type !== 'neuron') continue;
      const t = new Float64Array(proj.rows * proj.cols);
      for (let r = 0; r < proj.rows; r++) for (let c = 0; c < proj.cols; c++) t[c * proj.rows + r] = proj.weights[r * proj.cols + c]!;
      arrays.push(arrayCircuit(g, p, proj, { weights: t, role: 'feedback', realises: `T:${proj.name}`, feedbackOf: proj.name, pre: proj.post, post: proj.pre, rows: proj.cols, cols: proj.rows, mirrors }));
    }
  }
  return arrays;
}

function structureOf(g: NlaGraph, p: Profile): CircuitIR['structure'] {
  return {
    beta: g.beta,
    betaInterneuron: g.betaInterneuron,
    feedback: g.feedback,
    feedbackArray: g.feedback === 'transpose' ? p.feedbackArray : 'separate',
    errorPath: errorPathOf(g, p),
    layered: g.layered,
    plasticityEnabled: g.plasticity,
    populations: [
      ...g.inputs.map((x) => ({ name: x.name, kind: (x.constantRate !== null ? 'bias' : 'input') as 'bias' | 'input', size: x.size })),
      ...g.neurons.map((n) => ({ name: n.name, kind: n.kind, size: n.size, activation: n.activation })),
      ...g.interneurons.map((k) => ({ name: k.name, kind: 'interneuron' as const, size: k.size, serves: g.neurons[k.serves]!.name, above: g.neurons[k.above]!.name })),
    ],
  };
}

function scaleReport(g: NlaGraph, p: Profile, nMembranes: number, nArrays: number): CircuitIR['reports'][number] {
  const C = p.membrane.capacitanceF;
  return {
    pass: 'scale',
    summary: `model ms → ${p.timeScale} s, 1 unit → ${p.voltsPerUnit} V; ${nMembranes} membranes of ${C} F; ${nArrays} synapse arrays; error path: ${describeErrorPath(errorPathOf(g, p))}; top-down carrier: ${g.feedback === 'microcircuit' ? describeTopDown(p.topDown) : 'none (no array reads a presynaptic voltage)'}`,
    details: {
      errorPath: errorPathOf(g, p),
      topDown: g.feedback === 'microcircuit' ? p.topDown : null,
      timeScale: p.timeScale,
      voltsPerUnit: p.voltsPerUnit,
      populations: g.neurons.map((n) => ({ name: n.name, tauS: toSeconds(n.tauMs, p.timeScale), capacitanceF: C, leakConductanceS: leakFor(p, n.tauMs) })),
    },
    warnings: [],
  };
}
