import { evaluateActivation, type Activation } from '../../core/activation.js';
import { maxOf } from '../../core/vector.js';
import { SpecError, UsageError } from '../../core/errors.js';
import { BETA_MAX_Q16, datapath, MAX_FAN, ONE, SIGNAL_MAX, toSignal, toWeight } from '../../hardware-models/fixed-point/format.js';
import { IMAGE_FORMAT, TABLE_KNOTS, TABLE_SHIFT, type BoardActivation, type BoardImage, type BoardPopulation, type BoardProjection } from '../../hardware-models/fixed-point/image.js';
import { neuronLabel, type NlaGraph, type Projection } from '../graph/graph.js';
import { sin } from '../../core/libm.js';

/** Options of `compileBoardImage`: step, frame length and the implicit solve's iterations and relaxation. */
export interface BoardCompileOptions {
  /** Model time per step, ms (sets every decay factor dt/τ). */
  dtMs: number;
  /** Model time per input frame, ms; a whole number of steps. */
  frameMs: number;
  /** Iterations of the implicit solve per step (default 4). */
  iterations?: number;
  /** Relaxation α = 2^−relaxShift; default: the smallest shift with α·λ_max(H) ≤ 1 (estimated). */
  relaxShift?: number;
}

/** What `compileBoardImage` returns: the board image, the quantisation warnings and the eigenvalue estimate that set the relaxation. */
export interface BoardCompileResult {
  image: BoardImage;
  /** Quantisation effects a user should know about (silenced or saturated neurons, coarse factors). */
  warnings: string[];
  /** Estimated largest eigenvalue of H at rest, which set the relaxation. */
  lambdaMax: number;
}

/**
 * Renders a network as a board image in fixed point (hardware-models/fixed-point/format.ts): weights as
 * Q3.28 registers, τ as per-step decay factors dt/τ in Q0.24, β in Q8.16, η·dt in Q0.24, activations as
 * exact clip functions or 257-knot tables. Refuses what the board core cannot run, naming the reason
 * (feedback other than the transposed weights, interneurons, per-neuron mismatch, fan-in over 1024,
 * dt ≥ τ); warns where quantisation saturates weights or silences neurons and synapses.
 */
export function compileBoardImage(g: NlaGraph, o: BoardCompileOptions): BoardCompileResult {
  const { steps, iterations } = checkTiming(o);
  checkSupported(g);
  const warnings: string[] = [];
  const layout = boardPopulations(g, o.dtMs, warnings);
  const synapses = new SynapseTally(g.nNeurons);
  const projections: BoardProjection[] = [];
  g.projections.forEach((p, k) => projections.push(boardProjection(g, p, k, layout, o.dtMs, synapses, warnings)));
  synapses.check(g, warnings);
  const betaQ16 = Math.round(g.beta * 2 ** 16);
  if (betaQ16 > BETA_MAX_Q16) refuse('beta', `β = ${g.beta} exceeds the Q8.16 register (< 256)`);
  if (g.beta > 0 && betaQ16 === 0) warnings.push(`beta: β = ${g.beta} rounds to 0 in Q8.16: targets do not nudge the outputs on the board`);
  const { lambdaMax, relaxShift } = relaxation(g, o.relaxShift, warnings);

  const image: BoardImage = {
    format: IMAGE_FORMAT,
    network: g.name,
    dtNs: Math.round(o.dtMs * 1e6),
    stepsPerFrame: steps,
    iterations,
    relaxShift,
    betaQ16,
    populations: layout.populations,
    projections,
    nInputs: g.nInputs,
    nStimulusInputs: g.nStimulusInputs,
    nNeurons: g.nNeurons,
    outputs: Array.from(g.outputs),
  };
  return { image, warnings, lambdaMax };
}

/** A refusal: what the board core cannot run, at a spec path. */
function refuse(path: string, message: string): never {
  throw new SpecError([{ path, message }]);
}

/** dt, the frame (a whole number of steps, at most 65535) and the iterations; a UsageError otherwise. */
function checkTiming(o: BoardCompileOptions): { steps: number; iterations: number } {
  if (!(o.dtMs > 0)) throw new UsageError(`dt: expected a positive time, got ${o.dtMs} ms`);
  const steps = Math.round(o.frameMs / o.dtMs);
  if (!(steps >= 1) || Math.abs(steps * o.dtMs - o.frameMs) > 1e-9 * o.frameMs) throw new UsageError(`frame: expected a whole number of steps of ${o.dtMs} ms, got ${o.frameMs} ms`);
  if (steps > 0xffff) throw new UsageError(`frame: at most 65535 steps per frame, got ${steps}`);
  const iterations = o.iterations ?? 4;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 0xffff) throw new UsageError(`iterations: expected an integer in 1..65535, got ${iterations}`);
  return { steps, iterations };
}

/** Refuses what the core has no circuit for: random or microcircuit feedback, interneurons, mismatch. */
function checkSupported(g: NlaGraph): void {
  if (g.feedback !== 'transpose') refuse('feedback', `the board core computes errors with the transposed weights; feedback '${g.feedback}' is not supported`);
  if (g.interneurons.length) refuse('populations', `the board core has no interneurons ('${g.interneurons[0]!.name}')`);
  if (g.neuronParams) refuse('neurons', 'per-neuron τ, gain or offset (mismatch) cannot be expressed in a board image');
}

/** The decay factor dt/τ in Q0.24; refused when dt ≥ τ or it rounds to 0, a warning when it is off by over 0.1 %. */
function decayFactor(path: string, dt: number, tau: number, warnings: string[]): number {
  if (!(dt < tau)) refuse(path, `dt = ${dt} ms must be smaller than τ = ${tau} ms for the decay factor dt/τ (Q0.24)`);
  const q = Math.min(Math.round((dt / tau) * 2 ** 24), 2 ** 24 - 1);
  if (q === 0) refuse(path, `dt/τ = ${dt}/${tau} rounds to 0 in Q0.24 (needs dt/τ ≥ 2⁻²⁵)`);
  const rel = Math.abs(q / 2 ** 24 - dt / tau) / (dt / tau);
  if (rel > 0.001) warnings.push(`${path}: dt/τ = ${(dt / tau).toPrecision(4)} becomes ${(q / 2 ** 24).toPrecision(4)} in Q0.24 (${(rel * 100).toFixed(2)}% off)`);
  return q;
}

/** The board's populations (inputs first, then neurons) and where each graph population went. */
interface BoardLayout {
  populations: BoardPopulation[];
  /** Board population of each graph input population, by index. */
  inputPop: Map<number, number>;
  /** Board population of each graph neuron population, by index. */
  neuronPop: Map<number, number>;
}

/** The populations of the image; bias units must have rate 1, and stimulus inputs must precede them. */
function boardPopulations(g: NlaGraph, dtMs: number, warnings: string[]): BoardLayout {
  const populations: BoardPopulation[] = [];
  const inputPop = new Map<number, number>();
  const neuronPop = new Map<number, number>();
  g.inputs.forEach((p, k) => {
    inputPop.set(k, populations.length);
    const bias = p.constantRate !== null;
    if (bias && p.constantRate !== 1) refuse(`populations["${p.name}"]`, `bias units must have rate 1 on the board, got ${p.constantRate}`);
    populations.push({ name: p.name, kind: bias ? 'bias' : 'input', size: p.size, offset: p.offset, decayQ24: bias ? 0 : decayFactor(`populations["${p.name}"].tauInMs`, dtMs, p.tauInMs, warnings), activation: { kind: 'linear' } });
  });
  // the board lays out stimulus inputs first, in order; check that the graph does the same
  let expect = 0;
  for (const p of g.inputs) if (p.constantRate === null) {
    if (p.offset !== expect) refuse(`populations["${p.name}"]`, 'stimulus inputs must precede the bias unit');
    expect += p.size;
  }
  g.neurons.forEach((p, k) => {
    neuronPop.set(k, populations.length);
    populations.push({ name: p.name, kind: p.kind, size: p.size, offset: p.offset, decayQ24: decayFactor(`populations["${p.name}"].tauMs`, dtMs, p.tauMs, warnings), activation: boardActivation(p.activation) });
  });
  return { populations, inputPop, neuronPop };
}

/**
 * Per neuron: synapses in (fan-in), and whether any nonzero weight reaches it and whether one survives
 * quantisation. `check` refuses a fan-in over MAX_FAN and warns of neurons silenced by rounding.
 */
class SynapseTally {
  readonly fanIn: Float64Array;
  /** Some incoming weight is nonzero after quantisation. */
  readonly liveIn: Uint8Array;
  /** Some incoming weight is nonzero before quantisation. */
  readonly hadIn: Uint8Array;

  constructor(nNeurons: number) {
    this.fanIn = new Float64Array(nNeurons);
    this.liveIn = new Uint8Array(nNeurons);
    this.hadIn = new Uint8Array(nNeurons);
  }

  check(g: NlaGraph, warnings: string[]): void {
    for (let i = 0; i < g.nNeurons; i++) {
      if (this.fanIn[i]! > MAX_FAN) refuse(`neurons`, `${neuronLabel(g, i)} has a fan-in of ${this.fanIn[i]} synapses; the core's accumulators hold at most ${MAX_FAN}`);
      if (this.hadIn[i] && !this.liveIn[i]) warnings.push(`${neuronLabel(g, i)}: every incoming weight rounds to 0 in Q3.16: the neuron is silenced`);
    }
  }
}

/** Projection k as weight registers; warns of saturated, vanishing and coarse values, refuses what cannot run. */
function boardProjection(g: NlaGraph, p: Projection, k: number, layout: BoardLayout, dtMs: number, synapses: SynapseTally, warnings: string[]): BoardProjection {
  const path = `projections[${k}] '${p.name}'`;
  if (p.role !== 'forward' || p.post.type !== 'neuron' || p.pre.type === 'interneuron') refuse(`projections[${k}]`, `a '${p.role}' projection cannot run on the board core`);
  const post = g.neurons[p.post.pop]!;
  const weights = new Int32Array(p.weights.length);
  let saturated = 0;
  let zeroed = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = p.weights[i]!;
    weights[i] = toWeight(w);
    if (Math.abs(w) >= 8) saturated++;
    const q = datapath(weights[i]!);
    const r = post.offset + Math.floor(i / p.cols);
    if (w !== 0) {
      synapses.hadIn[r] = 1;
      if (q === 0) zeroed++;
      else synapses.liveIn[r] = 1;
    }
  }
  for (let r = 0; r < p.rows; r++) synapses.fanIn[post.offset + r] = synapses.fanIn[post.offset + r]! + p.cols;
  if (saturated) warnings.push(`${path}: ${saturated} weight(s) outside the Q3.28 range ±8 saturate`);
  if (zeroed) warnings.push(`${path}: ${zeroed} nonzero weight(s) round to 0 in the Q3.16 datapath (|w| < 2⁻¹⁷) and do nothing`);
  const etaDt = p.plastic ? p.etaPerMs * dtMs : 0;
  const etaDtQ24 = Math.round(etaDt * 2 ** 24);
  if (etaDtQ24 > 0xffffffff) refuse(`projections[${k}].etaPerMs`, `η·dt = ${etaDt} exceeds the Q0.24 register (< 256)`);
  if (etaDt > 0 && etaDtQ24 === 0) warnings.push(`${path}: η·dt = ${etaDt.toExponential(2)} rounds to 0 in Q0.24: the projection does not learn on the board`);
  else if (etaDt > 0 && Math.abs(etaDtQ24 / 2 ** 24 - etaDt) / etaDt > 0.01) warnings.push(`${path}: η·dt = ${etaDt.toExponential(3)} becomes ${(etaDtQ24 / 2 ** 24).toExponential(3)} in Q0.24`);
  return {
    name: p.name,
    pre: p.pre.type === 'input' ? { kind: 'input', pop: layout.inputPop.get(p.pre.pop)! } : { kind: 'neuron', pop: layout.neuronPop.get(p.pre.pop)! },
    post: layout.neuronPop.get(p.post.pop)!,
    rows: p.rows,
    cols: p.cols,
    etaDtQ24,
    weights,
  };
}

/** The relaxation shift (given, or the smallest with α·λ_max(H) ≤ 1); warns when the iteration would diverge. */
function relaxation(g: NlaGraph, given: number | undefined, warnings: string[]): { lambdaMax: number; relaxShift: number } {
  const lambdaMax = estimateLambdaMax(g);
  const relaxShift = given ?? Math.max(0, Math.ceil(Math.log2(lambdaMax) - 1e-12));
  if (!Number.isInteger(relaxShift) || relaxShift < 0 || relaxShift > 15) throw new UsageError(`relax-shift: expected an integer in 0..15, got ${relaxShift}`);
  if (2 ** -relaxShift * lambdaMax >= 2) warnings.push(`relaxation α = 2^−${relaxShift} exceeds 2/λ_max(H) ≈ ${(2 / lambdaMax).toPrecision(3)}: the implicit iteration diverges`);
  return { lambdaMax, relaxShift };
}

/** The board form of a transfer function: exact clips where ρ is piecewise linear, tables otherwise. */
export function boardActivation(a: Activation): BoardActivation {
  if (a.kind === 'linear') return { kind: 'linear' };
  if (a.kind === 'hard-sigmoid') return { kind: 'clip', topQ: ONE };
  if (a.kind === 'clipped-relu') {
    if (!(a.max < 8)) throw new SpecError([{ path: 'activation.max', message: `the clipped ReLU's maximum ${a.max} exceeds the Q3.16 range (< 8)` }]);
    return { kind: 'clip', topQ: toSignal(a.max) };
  }
  const u = Float64Array.from({ length: TABLE_KNOTS }, (_, k) => -8 + k * 2 ** (TABLE_SHIFT - 16));
  const r = new Float64Array(TABLE_KNOTS);
  const d1 = new Float64Array(TABLE_KNOTS);
  const d2 = new Float64Array(TABLE_KNOTS);
  evaluateActivation(a, u, r, d1, d2, 0, TABLE_KNOTS);
  const q = (x: Float64Array) => Int32Array.from(x, (v) => Math.max(-SIGNAL_MAX - 1, Math.min(SIGNAL_MAX, Math.round(v * ONE))));
  return { kind: 'table', source: a.kind, rho: q(r), drho: q(d1), ddrho: q(d2) };
}

/**
 * λ_max of H = (I − W_net D)ᵀ(I − W_net D) + βP at the largest slope D = max ρ' (power iteration);
 * the relaxed iteration contracts for α < 2/λ_max.
 */
function estimateLambdaMax(g: NlaGraph): number {
  const N = g.nNeurons;
  const slope = new Float64Array(N);
  const probe = new Float64Array(TABLE_KNOTS).map((_, k) => -8 + k / 16);
  for (const p of g.neurons) {
    const d = new Float64Array(TABLE_KNOTS);
    evaluateActivation(p.activation, probe, null, d, null, 0, TABLE_KNOTS);
    slope.fill(maxOf(d), p.offset, p.offset + p.size);
  }
  const net = g.projections.filter((p) => p.pre.type === 'neuron' && p.post.type === 'neuron');
  const apply = (x: Float64Array): Float64Array => {
    const a = Float64Array.from(x);
    for (const p of net) {
      const po = g.neurons[p.post.pop]!.offset;
      const qo = g.neurons[p.pre.pop]!.offset;
      for (let r = 0; r < p.rows; r++) {
        let s = 0;
        for (let c = 0; c < p.cols; c++) s += p.weights[r * p.cols + c]! * slope[qo + c]! * x[qo + c]!;
        a[po + r] = a[po + r]! - s;
      }
    }
    const y = Float64Array.from(a);
    for (const p of net) {
      const po = g.neurons[p.post.pop]!.offset;
      const qo = g.neurons[p.pre.pop]!.offset;
      for (let r = 0; r < p.rows; r++) for (let c = 0; c < p.cols; c++) y[qo + c] = y[qo + c]! - (slope[qo + c]! * p.weights[r * p.cols + c]! * a[po + r]!);
    }
    for (const o of g.outputs) y[o] = y[o]! + g.beta * x[o]!;
    return y;
  };
  let x = Float64Array.from({ length: N }, (_, i) => 1 + 0.1 * sin(i + 1));
  let lambda = 1;
  for (let it = 0; it < 200; it++) {
    const y = apply(x);
    const norm = l2(y);
    const next = norm / l2(x);
    x = y.map((v) => v / norm);
    if (Math.abs(next - lambda) < 1e-6 * next) {
      lambda = next;
      break;
    }
    lambda = next;
  }
  return lambda;
}

function l2(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}
