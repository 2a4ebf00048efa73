import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { compileCircuit } from '../compiler/circuit/compile.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { network } from '../compiler/spec/builder.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { parseProbes } from '../emulator/probes/probe.js';
import { ConstantSignal } from '../emulator/stimulus/signal.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { loadProfile } from '../hardware-models/profiles/load.js';
import type { Profile } from '../hardware-models/profiles/profile.js';
import { validateProfile } from '../hardware-models/profiles/validate.js';
import { linePlot, type Series } from '../report/svg-plot.js';
import type { PageSection } from '../report/html-page.js';
import type { Experiment, ExperimentContext, ExperimentResult, ResultTable } from './experiment.js';
import { numberParam } from './params.js';

/**
 * Instantaneous propagation through depth (theory §2, paper Fig. 2c).
 *
 * A layered feed-forward network (logistic units, no target, β = 0) sits at its equilibrium for a constant
 * input; then the input rates step by a small amount (so that every layer responds as its linearisation
 * and the settling time measures propagation delay, not how the sigmoids bend a large step). For each
 * layer l the response is projected on its total change,
 *
 *   s_l(t) = ⟨u_l(t) − u_l(0), Δu_l⟩ / ‖Δu_l‖²,   Δu_l = u_l(end) − u_l(0),
 *
 * which goes 0 → 1; the settling time is the time after the step from which |s_l − 1| stays below the
 * tolerance (5 %). Layer l of the deep network is the output of a depth-l network.
 *
 * - Digital engine: the NLA with lookahead and the leaky-neuron ablation without it (forward Euler).
 *   With lookahead every layer follows the input's own low-pass τ_in (95 % after 3 τ_in) whatever its
 *   depth; without, each layer is one more first-order low-pass with τ, so the settling time grows by
 *   about 1.3–1.8 τ per layer.
 * - Analog emulator: the network compiled for `--profile`, in variants whose prospective units (rate and
 *   error) are lead stages ρ + τ dρ/dt with a parasitic pole τ_p = poleRatio·τ, H(s) = (1 + sτ)/(1 + sτ_p);
 *   poleRatio 0 makes the units exact. Through one layer the lead cancels the membrane's τ and leaves
 *   1/(1 + sτ_p): each layer adds about τ_p of delay. poleRatio 1 cancels the lead altogether (r = ρ = r̄):
 *   the classical leaky neuron, i.e. no lookahead, built from the same circuit.
 */

const INPUTS = 6;
const BASELINE_MS = 10;

interface Settings {
  depth: number;
  width: number;
  tauMs: number;
  tauInMs: number;
  dtMs: number;
  sampleEveryMs: number;
  stepSize: number;
  tolerance: number;
  poles: number[];
  weightStd: number;
  /** Recorded time after the step, ms (analog variants with τ_p ≥ τ/2: windowSlowMs). */
  windowMs: number;
  windowSlowMs: number;
}

/** One run: settling per layer of one network and its layer responses. */
interface Measured {
  /** Per layer 1..depth, ms after the step (NaN: not settled within the window). */
  settlingMs: number[];
  /** Sampled layer responses: times after the step (ms) and s_l(t) per layer. */
  tMs: number[];
  s: number[][];
}

/** One measured condition (an engine setting) over the depths. */
export interface Condition {
  key: string;
  label: string;
  engine: 'digital' | 'analog';
  lookahead: boolean;
  /** Analog: the parasitic pole τ_p/τ of the prospective units (0 = exact units). */
  poleRatio: number | null;
  /** Settling time of the last layer of the depth-d network, d = 1..depth, ms after the step (NaN: not settled). */
  depthSettlingMs: number[];
  /** Least-squares slope of depthSettlingMs over d, ms per layer, and its intercept (ms). */
  slopeMsPerLayer: number;
  interceptMs: number;
  /** The deepest network: settling time of each of its layers, and their slope (ms per layer). */
  layerSettlingMs: number[];
  layerSlopeMsPerLayer: number;
  /** The deepest network's layer responses. */
  tMs: number[];
  s: number[][];
  wallMs: number;
}

const KNOWN = ['depth', 'width', 'tauMs', 'tauInMs', 'dtMs', 'stepSize', 'tolerance', 'poles', 'weightStd'];

function readSettings(ctx: ExperimentContext): Settings {
  for (const k of Object.keys(ctx.params)) {
    if (!KNOWN.includes(k)) throw new UsageError(`--param ${k}: instantaneity does not know this key; expected one of ${KNOWN.join(', ')}`);
  }
  const int = (x: number) => Number.isInteger(x);
  const depth = numberParam(ctx.params, 'depth', ctx.quick ? 6 : 10, (x) => int(x) && x >= 2 && x <= 50, 'an integer number of layers in 2…50');
  const width = numberParam(ctx.params, 'width', 8, (x) => int(x) && x >= 1 && x <= 500, 'an integer layer width in 1…500');
  const tauMs = numberParam(ctx.params, 'tauMs', 10, (x) => x > 0, 'a positive time in ms');
  const tauInMs = numberParam(ctx.params, 'tauInMs', 10, (x) => x > 0, 'a positive time in ms');
  const dtMs = numberParam(ctx.params, 'dtMs', ctx.quick ? 0.2 : 0.1, (x) => x > 0 && x <= tauMs / 5, `a step in (0, τ/5 = ${tauMs / 5}] ms`);
  const stepSize = numberParam(ctx.params, 'stepSize', 0.01, (x) => x > 0 && x <= 0.5, 'an RMS input step in (0, 0.5]');
  const tolerance = numberParam(ctx.params, 'tolerance', 0.05, (x) => x > 0 && x < 0.5, 'a settling tolerance in (0, 0.5)');
  const weightStd = numberParam(ctx.params, 'weightStd', 1.6, (x) => x > 0, 'a positive standard deviation');
  let poles = ctx.quick ? [0, 0.03, 0.1] : [0, 0.01, 0.03, 0.1];
  if (ctx.params.poles !== undefined) {
    poles = ctx.params.poles.split(',').map((p) => Number(p.trim()));
    if (!poles.length || poles.some((p) => !Number.isFinite(p) || p < 0 || p > 1)) {
      throw new UsageError(`--param poles: expected a comma-separated list of τ_p/τ in [0, 1] (0 = exact units, 1 = no lookahead), got '${ctx.params.poles}'`);
    }
    poles = [...new Set(poles)].sort((a, b) => a - b);
  }
  // the leaky network settles in about 3 τ_in + 1.8 τ per layer; the window leaves room so that u(end)
  // is the final value to well under the tolerance
  const windowMs = 5 * tauInMs + 2.5 * Math.max(tauMs, tauInMs) * depth;
  // a lead cancelled by its pole (τ_p → τ) leaves leaky neurons whose error units still feed the mismatch
  // back: that network relaxes far more slowly (several τ per layer)
  const windowSlowMs = 5 * tauInMs + 8 * Math.max(tauMs, tauInMs) * depth;
  return { depth, width, tauMs, tauInMs, dtMs, sampleEveryMs: dtMs, stepSize, tolerance, poles, weightStd, windowMs, windowSlowMs };
}

/**
 * A layered network of `depth` layers: populations in, h1 … h<depth> (the last one the output), all-to-all
 * between consecutive layers (as layeredNetwork builds it, but with the layer names kept across depths:
 * weights are drawn per projection name, so the depth-d network is exactly the first d layers of the
 * deepest one).
 */
function buildNetwork(s: Settings, depth: number, seed: number): NlaGraph {
  const b = network(`instantaneity-depth${depth}`)
    .seed(seed)
    .beta(0)
    .tauMs(s.tauMs)
    .tauInMs(s.tauInMs)
    .activation('logistic')
    .init({ distribution: 'normal', std: s.weightStd })
    .plasticity({ enabled: false })
    .input('in', INPUTS);
  for (let l = 1; l <= depth; l++) {
    if (l < depth) b.hidden(`h${l}`, s.width);
    else b.output(`h${l}`, s.width);
    b.connect(l === 1 ? 'in' : `h${l - 1}`, `h${l}`);
  }
  return b.build();
}

/** Input rates before and after the step, drawn from the seed: r0 in [0.2, 0.8], a step of RMS `stepSize`. */
function inputStep(s: Settings, seed: number): { r0: number[]; r1: number[] } {
  const rng = new Rng(seed).fork('instantaneity-input');
  const r0 = Array.from({ length: INPUTS }, () => 0.2 + 0.6 * rng.uniform());
  const d = Array.from({ length: INPUTS }, () => rng.normal());
  const rms = Math.sqrt(d.reduce((a, x) => a + x * x, 0) / INPUTS);
  return { r0, r1: r0.map((v, i) => v + (s.stepSize * d[i]!) / rms) };
}

/** Least squares y = a + b x: slope b and intercept a (NaN entries skipped). */
export function fitLine(x: number[], y: number[]): { slope: number; intercept: number } {
  const pts = x.map((xi, i) => [xi, y[i]!] as const).filter(([, yi]) => Number.isFinite(yi));
  const n = pts.length;
  if (n < 2) return { slope: NaN, intercept: NaN };
  const mx = pts.reduce((a, [xi]) => a + xi, 0) / n;
  const my = pts.reduce((a, [, yi]) => a + yi, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [xi, yi] of pts) {
    sxy += (xi - mx) * (yi - my);
    sxx += (xi - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * Settling per layer from sampled voltages: `us[k]` is u (all neurons) at time `t[k]` after the step,
 * `us[0]` the state just before it. Returns the settling times and the projected responses.
 */
export function settling(
  graph: NlaGraph,
  t: number[],
  us: Float64Array[],
  tolerance: number,
  windowMs: number,
): { settlingMs: number[]; s: number[][] } {
  const before = us[0]!;
  const after = us[us.length - 1]!;
  const settlingMs: number[] = [];
  const s: number[][] = [];
  for (const pop of graph.neurons) {
    const idx = Array.from({ length: pop.size }, (_, i) => pop.offset + i);
    const delta = idx.map((i) => after[i]! - before[i]!);
    const norm = delta.reduce((a, x) => a + x * x, 0);
    const sl = us.map((u) => (norm > 0 ? idx.reduce((a, i, j) => a + (u[i]! - before[i]!) * delta[j]!, 0) / norm : NaN));
    let last = -1;
    for (let k = 0; k < sl.length; k++) if (!(Math.abs(sl[k]! - 1) <= tolerance)) last = k;
    // settled when it stays within the tolerance from some sample on, well before the window ends
    const ts = last < 0 ? t[0]! : last + 1 < t.length ? t[last + 1]! : NaN;
    settlingMs.push(norm > 1e-20 && ts < 0.8 * windowMs ? ts : NaN);
    s.push(sl);
  }
  return { settlingMs, s };
}

type Step = { r0: number[]; r1: number[] };

function measureDigital(g: NlaGraph, st: Settings, step: Step, lookahead: boolean): Measured {
  const sim = new DigitalSimulator(g, { dtMs: st.dtMs, lookahead, init: 'equilibrium', learn: false });
  const d0 = new SignalDrive(new ConstantSignal(step.r0));
  const d1 = new SignalDrive(new ConstantSignal(step.r1));
  const nBase = Math.round(BASELINE_MS / st.dtMs);
  for (let k = 0; k < nBase; k++) sim.step(d0);
  const tStep = sim.tMs;
  const t: number[] = [0];
  const us: Float64Array[] = [Float64Array.from(sim.state.u)];
  const n = Math.round(st.windowMs / st.dtMs);
  for (let k = 0; k < n; k++) {
    sim.step(d1);
    t.push(sim.tMs - tStep);
    us.push(Float64Array.from(sim.state.u));
  }
  return { ...settling(g, t, us, st.tolerance, st.windowMs), tMs: t };
}

/**
 * The chosen profile with both prospective units replaced: exact (poleRatio 0) or lead stages with a
 * parasitic pole poleRatio·τ (keeping the profile's look-ahead mismatch and output swing where it has them).
 */
export function poleVariant(base: Profile, poleRatio: number): Profile {
  const sigma = (u: Profile['rateUnit'] | Profile['errorUnit']) => ('lookaheadSigma' in u ? u.lookaheadSigma : 0);
  const maxRate = base.rateUnit.kind === 'lead' ? base.rateUnit.maxRate : 1e6;
  const v: Profile = {
    ...structuredClone(base),
    name: `${base.name}, τ_p = ${poleRatio}·τ`,
    rateUnit: poleRatio === 0 ? { kind: 'exact' } : { kind: 'lead', poleRatio, lookaheadSigma: sigma(base.rateUnit), maxRate },
    errorUnit: poleRatio === 0 ? { kind: 'exact' } : { kind: 'lead', poleRatio, lookaheadSigma: sigma(base.errorUnit) },
  };
  return validateProfile(v, `profile ${base.name} with poleRatio ${poleRatio}`);
}

function measureAnalog(g: NlaGraph, st: Settings, step: Step, profile: Profile, seed: number, windowMs: number): Measured {
  const model = modelFromCircuit(compileCircuit(g, profile, { seed }));
  const sim = new AnalogSimulator(model, { init: 'equilibrium', learn: false });
  sim.run({ durationMs: BASELINE_MS, drive: new SignalDrive(new ConstantSignal(step.r0)), sampleEveryMs: BASELINE_MS });
  const res = sim.run({ durationMs: windowMs, drive: new SignalDrive(new ConstantSignal(step.r1)), probes: parseProbes('u', model.graph), sampleEveryMs: st.sampleEveryMs });
  const tr = res.traces;
  const time = tr.time();
  const N = model.graph.nNeurons;
  const first = tr.names.length - N; // the probe columns follow the run's own (fmax)
  const cols = Array.from({ length: N }, (_, i) => tr.columnAt(first + i));
  const t: number[] = [];
  const us: Float64Array[] = [];
  for (let k = 0; k < time.length; k++) {
    t.push(time[k]! - time[0]!);
    us.push(Float64Array.from(cols, (c) => c[k]!));
  }
  return { ...settling(model.graph, t, us, st.tolerance, windowMs), tMs: t };
}

function poleLabel(p: number): string {
  if (p === 0) return 'lookahead, exact units (τ_p = 0)';
  if (p === 1) return 'lead cancelled, τ_p = τ';
  return `lead, τ_p = ${p}·τ`;
}

/** Keeps at most `max` samples (every k-th) for the JSON result and plots. */
function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const k = Math.ceil(xs.length / max);
  return xs.filter((_, i) => i % k === 0 || i === xs.length - 1);
}

export const instantaneityExperiment: Experiment = {
  name: 'instantaneity',
  title: 'Instantaneous propagation through depth: settling time per layer with and without lookahead',
  summary: 'deep feed-forward net, step input: settling time per layer with/without lookahead (Fig. 2c); analog: parasitic pole sweep',
  engines: ['digital', 'analog'],
  params: {
    depth: 'number of layers (default 10; quick 6)',
    width: 'neurons per layer (default 8; 6 inputs)',
    tauMs: 'membrane time constant τ, ms (default 10)',
    tauInMs: 'input low-pass τ_in, ms (default 10)',
    dtMs: 'digital: forward-Euler step; analog: sampling interval, ms (default 0.1; quick 0.2)',
    stepSize: 'RMS size of the input-rate step (default 0.01: small, so that every layer responds as its linearisation)',
    tolerance: 'settling band around the final value, relative (default 0.05)',
    poles: 'analog: comma-separated τ_p/τ of the prospective units; 0 = exact, 1 = no lookahead (default 0,0.01,0.03,0.1,1; quick 0,0.1,1)',
    weightStd: 'standard deviation of the normal weight initialisation (default 1.6)',
  },
  run: runExperiment,
};

const CLAIM =
  'Fig. 2c / §2: with prospective rates and errors, voltages propagate "instantaneously": in a feed-forward network the response to the low-pass filtered input is independent of depth, only the input\'s own low-pass τ_in delays it; "in the absence of the look-ahead activity, each additional layer slows down the network relaxation time" (about τ per layer).';

async function runExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const st = readSettings(ctx);
  const base = ctx.engine === 'analog' ? loadProfile(ctx.profile) : null; // a bad profile fails before any work
  const variants = base ? st.poles.map((p) => ({ p, profile: poleVariant(base, p) })) : [];
  const step = inputStep(st, ctx.seed);
  const layers = Array.from({ length: st.depth }, (_, i) => i + 1);
  const graphs = layers.map((d) => buildNetwork(st, d, ctx.seed));
  const plans = conditionPlans(ctx, st, step, variants);
  const conditions = measureConditions(ctx, st, plans, graphs);
  return {
    name: 'instantaneity',
    title: instantaneityExperiment.title,
    claim: CLAIM,
    finding: findingText(ctx, st, conditions),
    settings: resultSettings(ctx, st),
    table: resultTable(st, layers, conditions),
    data: resultData(layers, step, conditions),
    sections: resultSections(ctx, st, layers, conditions),
  };
}

/** One condition to measure: what the result records about it, and how it measures one network. */
type ConditionPlan = Pick<Condition, 'key' | 'label' | 'engine' | 'lookahead' | 'poleRatio'> & { measure: (g: NlaGraph) => Measured };

/**
 * The conditions of the context's engine: digital, with and without lookahead; analog, those two as the
 * reference columns, then one circuit variant per pole ratio. Throws a UsageError for any other engine.
 */
function conditionPlans(ctx: ExperimentContext, st: Settings, step: Step, variants: Array<{ p: number; profile: Profile }>): ConditionPlan[] {
  const digital = (lookahead: boolean, reference: boolean): ConditionPlan => ({
    key: lookahead ? 'lookahead' : 'noLookahead',
    label: `${reference ? 'digital, ' : ''}${lookahead ? 'lookahead' : 'no lookahead'}`,
    engine: 'digital',
    lookahead,
    poleRatio: null,
    measure: (g) => measureDigital(g, st, step, lookahead),
  });
  if (ctx.engine === 'digital') return [digital(true, false), digital(false, false)];
  if (ctx.engine === 'analog') {
    return [
      digital(true, true),
      digital(false, true),
      ...variants.map(
        (v): ConditionPlan => ({
          key: `pole${v.p}`,
          label: poleLabel(v.p),
          engine: 'analog',
          lookahead: v.p < 1,
          poleRatio: v.p,
          measure: (g) => measureAnalog(g, st, step, v.profile, ctx.seed, v.p >= 0.5 ? st.windowSlowMs : st.windowMs),
        }),
      ),
    ];
  }
  throw new UsageError(`instantaneity runs on the digital and analog engines, not '${String(ctx.engine)}'`);
}

/**
 * Measures every condition on every depth d (its own network `graphs[d − 1]`, the first d layers of the
 * deepest): the output's settling time per depth and their fit, and the deepest network's layers.
 */
function measureConditions(ctx: ExperimentContext, st: Settings, plans: ConditionPlan[], graphs: NlaGraph[]): Condition[] {
  const layers = graphs.map((_, i) => i + 1);
  // cost grows with d
  const work = plans.length * layers.reduce((a, d) => a + d, 0);
  let done = 0;
  const conditions: Condition[] = [];
  for (const x of plans) {
    const start = performance.now();
    const depthSettlingMs: number[] = [];
    let deepest: Measured | null = null;
    for (const d of layers) {
      ctx.progress(done / work, `${x.engine}, ${x.label}, depth ${d}`);
      const m = x.measure(graphs[d - 1]!);
      depthSettlingMs.push(m.settlingMs[d - 1]!);
      if (d === st.depth) deepest = m;
      done += d;
    }
    const byDepth = fitLine(layers, depthSettlingMs);
    const byLayer = fitLine(layers, deepest!.settlingMs);
    const { measure: _m, ...meta } = x;
    conditions.push({
      ...meta,
      depthSettlingMs,
      slopeMsPerLayer: byDepth.slope,
      interceptMs: byDepth.intercept,
      layerSettlingMs: deepest!.settlingMs,
      layerSlopeMsPerLayer: byLayer.slope,
      tMs: deepest!.tMs,
      s: deepest!.s,
      wallMs: performance.now() - start,
    });
  }
  ctx.progress(1, 'done');
  return conditions;
}

function resultTable(st: Settings, layers: number[], conditions: Condition[]): ResultTable {
  return {
    columns: ['depth', ...conditions.map((c) => `${c.label} (ms)`)],
    rows: [
      ...layers.map((d) => [d, ...conditions.map((c) => c.depthSettlingMs[d - 1]!)]),
      ['slope (ms/layer)', ...conditions.map((c) => c.slopeMsPerLayer)],
      [`slope in the ${st.depth}-layer net (ms/layer)`, ...conditions.map((c) => c.layerSlopeMsPerLayer)],
    ],
  };
}

/** A time or slope for the finding: one decimal from 10 on, two below; 'n/a' when not finite. */
function f1(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)) : 'n/a';
}

/** The range of the finite values as 'lo–hi' (one value when both print alike), 'n/a' when none. */
function range(xs: number[]): string {
  const ys = xs.filter(Number.isFinite);
  if (!ys.length) return 'n/a';
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return f1(lo) === f1(hi) ? f1(lo) : `${f1(lo)}–${f1(hi)}`;
}

/** The finding of the engine's conditions, and how many settings did not settle. */
function findingText(ctx: ExperimentContext, st: Settings, conditions: Condition[]): string {
  const unsettled = conditions.reduce((a, c) => a + c.depthSettlingMs.filter((x) => !Number.isFinite(x)).length, 0);
  let finding = ctx.engine === 'digital' ? digitalFinding(st, conditions) : analogFinding(ctx, st, conditions);
  if (unsettled) finding += ` ${unsettled} setting(s) did not settle within 80 % of the recorded window (shown as NaN).`;
  return finding;
}

/** Digital: settling with lookahead against depth, and the growth per layer without it. */
function digitalFinding(st: Settings, conditions: Condition[]): string {
  const last = st.depth - 1;
  const [la, nl] = conditions as [Condition, Condition];
  return (
    `Digital engine (dt = ${st.dtMs} ms, τ = ${st.tauMs} ms, τ_in = ${st.tauInMs} ms, depth 1–${st.depth}): ` +
    `with lookahead the output of every network settles ${range(la.depthSettlingMs)} ms after the input step (slope ${f1(la.slopeMsPerLayer)} ms/layer = ${(la.slopeMsPerLayer / st.tauMs).toFixed(3)} τ; ` +
    `the input low-pass alone needs 3 τ_in = ${f1(3 * st.tauInMs)} ms to reach 95 %), so depth costs nothing; ` +
    `without lookahead the settling time grows from ${f1(nl.depthSettlingMs[0]!)} ms (depth 1) to ${f1(nl.depthSettlingMs[last]!)} ms (depth ${st.depth}), ` +
    `${f1(nl.slopeMsPerLayer)} ms per layer (${(nl.slopeMsPerLayer / st.tauMs).toFixed(2)} τ).`
  );
}

/** Analog: the slope per pole ratio (in τ_p where the pole is finite), with the digital engine for reference. */
function analogFinding(ctx: ExperimentContext, st: Settings, conditions: Condition[]): string {
  const last = st.depth - 1;
  const analog = conditions.filter((c) => c.engine === 'analog');
  const [la, nl] = conditions as [Condition, Condition];
  const parts = analog.map((c) => {
    const p = c.poleRatio!;
    const rel = p > 0 && p < 1 ? ` = ${(c.slopeMsPerLayer / (p * st.tauMs)).toFixed(2)} τ_p` : ` = ${(c.slopeMsPerLayer / st.tauMs).toFixed(3)} τ`;
    return `${p === 0 ? 'exact units' : p === 1 ? 'τ_p = τ (lead cancelled)' : `τ_p = ${p} τ`} ${f1(c.slopeMsPerLayer)} ms/layer${rel} (depth 1: ${f1(c.depthSettlingMs[0]!)} ms, depth ${st.depth}: ${f1(c.depthSettlingMs[last]!)} ms)`;
  });
  const finite = analog.filter((c) => c.poleRatio! > 0 && c.poleRatio! < 1);
  const increasing = finite.every((c, i) => i === 0 || c.slopeMsPerLayer > finite[i - 1]!.slopeMsPerLayer);
  const perTauP = finite.map((c) => c.slopeMsPerLayer / (c.poleRatio! * st.tauMs));
  const deepest = finite.map((c) => c.layerSlopeMsPerLayer / (c.poleRatio! * st.tauMs));
  return (
    `Analog emulator (profile ${ctx.profile}, depth 1–${st.depth}), settling time of the output against depth: ${parts.join('; ')}. ` +
    `(Digital reference: ${f1(la.slopeMsPerLayer)} ms/layer with lookahead, ${f1(nl.slopeMsPerLayer)} ms/layer = ${(nl.slopeMsPerLayer / st.tauMs).toFixed(2)} τ without.) ` +
    (finite.length
      ? `A finite parasitic pole in the prospective units makes the settling time grow with depth${increasing ? ', the more the slower the pole' : ''}: ` +
        `each layer adds ${range(perTauP)} τ_p; inside the ${st.depth}-layer network, where the error units feed the upper layers' transient mismatch back down, layer after layer adds ${range(deepest)} τ_p.`
      : '')
  );
}

const COLORS = ['#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** A condition's plot colour: blue/red for lookahead/none on the digital engine and for τ_p = τ, else by index. */
function colorOf(i: number, c: Condition): string {
  return c.engine === 'digital' ? (c.lookahead ? '#1f77b4' : '#d62728') : c.poleRatio === 1 ? '#d62728' : COLORS[i % COLORS.length]!;
}

/** Settling against depth; analog: settling per layer of the deepest network; then every condition's layer responses. */
function resultSections(ctx: ExperimentContext, st: Settings, layers: number[], conditions: Condition[]): PageSection[] {
  return [
    {
      heading: 'Settling time against depth',
      html: linePlot(
        conditions.map((c, i) => ({ label: c.label, x: layers, y: c.depthSettlingMs, color: colorOf(i, c), dashed: c.engine === 'digital' && ctx.engine === 'analog' })),
        { title: `output of a depth-d network: time to settle within ${Math.round(st.tolerance * 100)} % after an input step`, xLabel: 'depth d', yLabel: 'settling time (ms)' },
      ),
      note:
        `Each depth d is its own network, the first d layers of the ${st.depth}-layer one. ` +
        `${INPUTS} inputs, ${st.width} logistic units per layer, weights N(0, ${st.weightStd}²), seed ${ctx.seed}, β = 0 (no target); the input rates step at t = 0 by an RMS of ${st.stepSize} ` +
        `and pass the input low-pass τ_in = ${st.tauInMs} ms. Slopes are least-squares fits over d.${ctx.engine === 'analog' ? ' Dashed: the digital engine, for reference.' : ''}`,
    },
    ...(ctx.engine === 'analog'
      ? [
          {
            heading: `Settling time per layer inside the ${st.depth}-layer network`,
            html: linePlot(
              conditions.map((c, i) => ({ label: c.label, x: layers, y: c.layerSettlingMs, color: colorOf(i, c), dashed: c.engine === 'digital' })),
              { title: `layer l of the ${st.depth}-layer network`, xLabel: 'layer l', yLabel: 'settling time (ms)' },
            ),
            note: 'With lead stages the layers above feed their transient mismatch back through the error units, so a layer inside a deep network is not quite the output of a shallower one.',
          },
        ]
      : []),
    ...conditions.map((c) => responseSection(st, c)),
  ];
}

/** The layer responses s_l(t) of a condition's deepest network, up to a little after its slowest layer settled. */
function responseSection(st: Settings, c: Condition): PageSection {
  const finiteMax = (xs: number[]) => Math.max(0, ...xs.filter(Number.isFinite));
  const tEnd = Math.min(c.tMs[c.tMs.length - 1]!, Math.max(4 * st.tauInMs, 1.3 * finiteMax(c.layerSettlingMs)));
  const idx = thin(
    c.tMs.map((_, k) => k).filter((k) => c.tMs[k]! <= tEnd),
    1500,
  );
  const series: Series[] = c.s.map((sl, l) => ({ label: `layer ${l + 1}`, x: idx.map((k) => c.tMs[k]!), y: idx.map((k) => sl[k]!) }));
  return {
    heading: `Layer responses, ${c.engine === 'digital' ? '' : 'analog, '}${c.label}`,
    html: linePlot(series, { title: `s_l(t) = ⟨u_l(t) − u_l(0), Δu_l⟩/‖Δu_l‖² in the ${st.depth}-layer network, ${c.label}`, xLabel: 't after the step (ms)', yLabel: 's_l(t)' }),
  };
}

/** The JSON data: depths, the input step, and every condition with its responses thinned to 300 samples. */
function resultData(layers: number[], step: Step, conditions: Condition[]): Record<string, unknown> {
  return {
    depths: layers,
    inputBefore: step.r0,
    inputAfter: step.r1,
    conditions: conditions.map((c) => {
      const keep = thin(
        c.tMs.map((_, k) => k),
        300,
      );
      return {
        key: c.key,
        label: c.label,
        engine: c.engine,
        lookahead: c.lookahead,
        poleRatio: c.poleRatio,
        depthSettlingMs: c.depthSettlingMs,
        slopeMsPerLayer: c.slopeMsPerLayer,
        interceptMs: c.interceptMs,
        layerSettlingMs: c.layerSettlingMs,
        layerSlopeMsPerLayer: c.layerSlopeMsPerLayer,
        wallMs: c.wallMs,
        response: { tMs: keep.map((k) => c.tMs[k]!), s: c.s.map((sl) => keep.map((k) => sl[k]!)) },
      };
    }),
  };
}

/** The settings that determine the numbers, as recorded in the result. */
function resultSettings(ctx: ExperimentContext, st: Settings): Record<string, unknown> {
  return {
    engine: ctx.engine,
    ...(ctx.engine === 'analog' ? { profile: ctx.profile, poleRatios: st.poles, units: 'rate and error units both lead stages with τ_L = τ and τ_p = poleRatio·τ (0: exact)', sampleEveryMs: st.sampleEveryMs } : { dtMs: st.dtMs, method: 'explicit (lookahead) / leaky neurons (no lookahead), forward Euler' }),
    seed: ctx.seed,
    depth: st.depth,
    widths: [INPUTS, ...Array<number>(st.depth).fill(st.width)],
    activation: 'logistic',
    weightInit: `normal, std ${st.weightStd}`,
    tauMs: st.tauMs,
    tauInMs: st.tauInMs,
    beta: 0,
    inputStepRms: st.stepSize,
    tolerance: st.tolerance,
    baselineMs: BASELINE_MS,
    windowMs: st.windowMs,
    ...(st.poles.some((p) => p >= 0.5) && ctx.engine === 'analog' ? { windowSlowMs: st.windowSlowMs } : {}),
    quick: ctx.quick,
  };
}
