import { activationAt, activationValue, type Activation } from '../core/activation.js';
import { fitDecayMs } from './fit.js';
import { compileCircuit } from '../compiler/circuit/compile.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { network } from '../compiler/spec/builder.js';
import { modelFromCircuit, type AnalogModel } from '../emulator/analog/model.js';
import { createIntegrator } from '../emulator/analog/ode/registry.js';
import { throwIfFailed, type OdeSystem } from '../emulator/analog/ode/ode.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { ConstantSignal } from '../emulator/stimulus/signal.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { parseProbes } from '../emulator/probes/probe.js';
import { loadProfile } from '../hardware-models/profiles/load.js';
import { linePlot, type Series } from '../report/svg-plot.js';
import type { PageSection } from '../report/html-page.js';
import type { Experiment, ExperimentContext, ExperimentResult, ResultTable } from './experiment.js';
import { numberParam } from './params.js';

/**
 * A single neuron with a self-connection w and a constant input, started off its fixed point u*
 * (the input filter settled, r̄_in = r_in), relaxing back (paper Appendix 5 / theory §7).
 *
 * Analytic time constants, from the theory's equations linearised at u*:
 * - classical leaky neuron τu̇ = −u + wρ(u) + W_in r̄_in: τ_eff = τ / (1 − wρ'(u*));
 * - NLA with prospective rate: f = (1 − wρ')(u − wρ(u) − W_in r̄_in) obeys (1 + τ d/dt) f = 0, and
 *   f ≈ (1 − wρ'(u*))² (u − u*) near u*, so τ_eff = τ for every w.
 * Initial speeds (the paper's Newton-like argument): classical u̇(0) = −v/τ with v = u − wρ − W_in r̄_in;
 * NLA u̇(0) = −f/(τH), H = (1 − wρ')² − wρ''v, so the ratio NLA/classical is (1 − wρ')/H (= 1/(1 − wρ')
 * for a piecewise-linear ρ).
 */

interface Case {
  activation: 'hard-sigmoid' | 'logistic';
  w: number;
}

interface Measured {
  /** Relaxation time constant from the fit of log|u − u*|, ms. */
  tauFitMs: number;
  /** u̇ at t = 0 (per ms). */
  udot0: number;
  /** Sampled trajectory (ms, u). */
  t: number[];
  u: number[];
  /** Fixed point the fit used. */
  uFixed: number;
}

const TAU_MS = 10;
const U_FIXED = 0.5;
const HARD_DELTA = -0.3;
const LOGISTIC_DELTA = -0.5;

function cases(quick: boolean): Case[] {
  if (quick) {
    return [
      { activation: 'hard-sigmoid', w: -0.5 },
      { activation: 'hard-sigmoid', w: 0.5 },
      { activation: 'hard-sigmoid', w: 0.8 },
      { activation: 'logistic', w: 2 },
    ];
  }
  return [
    { activation: 'hard-sigmoid', w: -1 },
    { activation: 'hard-sigmoid', w: -0.5 },
    { activation: 'hard-sigmoid', w: 0.5 },
    { activation: 'hard-sigmoid', w: 0.8 },
    { activation: 'hard-sigmoid', w: 0.9 },
    { activation: 'logistic', w: -2 },
    { activation: 'logistic', w: 2 },
    { activation: 'logistic', w: 3 },
  ];
}

function act(kind: Case['activation']): Activation {
  return { kind } as Activation;
}

/** The ideal network: input weight 1, self weight w, input rate chosen so that u* = U_FIXED. */
function setup(c: Case) {
  const a = act(c.activation);
  const uFixed = U_FIXED;
  const drive = uFixed - c.w * activationValue(a, uFixed); // W_in r_in with W_in = 1
  const delta = c.activation === 'hard-sigmoid' ? HARD_DELTA : LOGISTIC_DELTA;
  const u0 = uFixed + delta;
  const at0 = activationAt(a, u0);
  const atF = activationAt(a, uFixed);
  const v0 = u0 - c.w * at0.rho - drive;
  const slope0 = 1 - c.w * at0.d1;
  const H0 = slope0 * slope0 - c.w * at0.d2 * v0;
  const gainF = 1 - c.w * atF.d1;
  return {
    a,
    rIn: drive,
    u0,
    uFixed,
    tauClassicalMs: TAU_MS / gainF,
    tauNlaMs: TAU_MS,
    udot0Classical: -v0 / TAU_MS,
    udot0Nla: -(slope0 * v0) / (TAU_MS * H0),
  };
}

function buildGraph(c: Case): NlaGraph {
  return network(`recurrent-neuron-${c.activation}-w${c.w}`)
    .structure('recurrent')
    .tauMs(TAU_MS)
    .tauInMs(TAU_MS)
    .activation(c.activation)
    .plasticity({ enabled: false })
    .input('in', 1)
    .output('n', 1)
    .connect('in', 'n', { weights: [[1]], plastic: false })
    .connect('n', 'n', { weights: [[c.w]], plastic: false })
    .build();
}

/** The relaxation time constant (ms): the decay of |u − u*| fitted between hi·|δ0| and lo·|δ0|. */
export function fitRelaxation(t: ArrayLike<number>, u: ArrayLike<number>, uFixed: number, hi = 0.05, lo = 1e-4): number {
  return fitDecayMs(t, u, uFixed, hi, lo);
}

function runDigital(c: Case, lookahead: boolean, dtMs: number, durationMs: number): Measured {
  const s = setup(c);
  const graph = buildGraph(c);
  const sim = new DigitalSimulator(graph, { dtMs, lookahead, learn: false, init: 'rest', solver: 'dense' });
  // start off the fixed point with the input filter already settled (r̄_in = r_in, as from t = −∞)
  sim.state.u[0] = s.u0;
  sim.state.rbarIn[0] = s.rIn;
  const drive = new SignalDrive(new ConstantSignal([s.rIn]));
  const steps = Math.round(durationMs / dtMs);
  const t: number[] = new Array<number>(steps + 1);
  const u: number[] = new Array<number>(steps + 1);
  let udot0 = NaN;
  for (let k = 0; k < steps; k++) {
    t[k] = sim.tMs;
    u[k] = sim.state.u[0]!;
    sim.step(drive, k === 0 ? (x) => (udot0 = x.state.udot[0]!) : undefined);
  }
  t[steps] = sim.tMs;
  u[steps] = sim.state.u[0]!;
  return { tauFitMs: fitRelaxation(t, u, s.uFixed), udot0, t, u, uFixed: s.uFixed };
}

/** The single neuron as the compiled circuit realises it. */
interface Realised {
  tauMs: number;
  /** Self weight and input weight. */
  w: number;
  wIn: number;
  /** Transfer function ρ_real(u) = gain·ρ(u − offset), and the rest offset θ. */
  gain: number;
  offset: number;
  theta: number;
  activation: Activation;
  /** Whether any noise source is on (the fits then use a wider window). */
  noisy: boolean;
}

/** The circuit's realised parameters of the single neuron (τ, weights, transfer gain/offset, rest offset). */
function realised(model: AnalogModel): Realised {
  const g = model.graph;
  const self = g.projections.findIndex((p) => p.pre.type !== 'input');
  const inp = g.projections.findIndex((p) => p.pre.type === 'input');
  return {
    tauMs: model.tauMs[0]!,
    w: g.projections[self]!.weights[0]!,
    wIn: g.projections[inp]!.weights[0]!,
    gain: g.neuronParams?.gain[0] ?? 1,
    offset: g.neuronParams?.offset[0] ?? 0,
    theta: model.theta[0]!,
    activation: g.neurons[0]!.activation,
    noisy: model.noiseSigma.some((x) => x > 0),
  };
}

/** The realised transfer function at u: ρ, ρ′, ρ″. */
function realisedRho(p: Realised, u: number): { rho: number; d1: number; d2: number } {
  const d = activationAt(p.activation, u - p.offset);
  return { rho: p.gain * d.rho, d1: p.gain * d.d1, d2: p.gain * d.d2 };
}

/** The ideal case's analytic values (setup) for one case. */
type Ideal = ReturnType<typeof setup>;

/**
 * The analytic values for the realised circuit: its fixed point u = θ + w ρ(u) + W_in r_in (Newton from
 * the ideal one), the relaxation time constant and the initial speed, with or without lookahead.
 */
function realisedTheory(p: Realised, s: Ideal, lookahead: boolean): { uF: number; tauAnalyticMs: number; udot0Analytic: number } {
  let uF = s.uFixed;
  for (let k = 0; k < 100; k++) {
    const r = realisedRho(p, uF);
    const g = uF - p.theta - p.w * r.rho - p.wIn * s.rIn;
    const step = g / (1 - p.w * r.d1);
    uF -= step;
    if (Math.abs(step) < 1e-15) break;
  }
  const atF = realisedRho(p, uF);
  const at0 = realisedRho(p, s.u0);
  const v0 = s.u0 - p.theta - p.w * at0.rho - p.wIn * s.rIn;
  const slope0 = 1 - p.w * at0.d1;
  const tauAnalyticMs = lookahead ? p.tauMs : p.tauMs / (1 - p.w * atF.d1);
  const udot0Analytic = lookahead ? -(slope0 * v0) / (p.tauMs * (slope0 * slope0 - p.w * at0.d2 * v0)) : -v0 / p.tauMs;
  return { uF, tauAnalyticMs, udot0Analytic };
}

/**
 * Analog engine: the compiled circuit (profile) in the continuous-time emulator, prospective units as
 * the profile builds them; the classical leaky neuron (which the emulator does not build) integrated with
 * the same realised parameters by the emulator's DOPRI5 solver.
 */
function runAnalog(c: Case, lookahead: boolean, profile: string, seed: number, durationMs: number): Measured & { tauAnalyticMs: number; udot0Analytic: number } {
  const s = setup(c);
  const model = modelFromCircuit(compileCircuit(buildGraph(c), loadProfile(profile), { seed }));
  const p = realised(model);
  const { uF, tauAnalyticMs, udot0Analytic } = realisedTheory(p, s, lookahead);
  const sampleMs = Math.min(0.05, tauAnalyticMs / 200);
  const m = lookahead ? relaxCircuit(model, p, s, uF, durationMs, sampleMs) : relaxClassical(p, s, uF, durationMs, sampleMs);
  return { ...m, tauAnalyticMs, udot0Analytic };
}

/**
 * The circuit in the emulator: a first instant at the equilibrium of the drive (r̄_in settled), then the
 * voltage displaced to u0 and the relaxation recorded every `sampleMs`. `uF`: the realised fixed point.
 */
function relaxCircuit(model: AnalogModel, p: Realised, s: Ideal, uF: number, durationMs: number, sampleMs: number): Measured {
  const t: number[] = [];
  const u: number[] = [];
  const sim = new AnalogSimulator(model, { init: 'equilibrium', rtol: 1e-9, atol: 1e-12 });
  const drive = new SignalDrive(new ConstantSignal([s.rIn]));
  sim.run({ durationMs: 1e-6, drive, sampleEveryMs: 1e-6 });
  const y = sim.state!;
  y[0] = s.u0;
  sim.system.settleLeads(y);
  sim.solver.reset();
  const dy = new Float64Array(y.length);
  sim.system.rhs(sim.tMs, y, dy);
  const udot0 = dy[0]!;
  const t0 = sim.tMs;
  const res = sim.run({ durationMs, drive, sampleEveryMs: sampleMs, probes: parseProbes('u', model.graph) });
  const tt = res.traces.time();
  const uu = res.traces.columnAt(res.traces.names.length - 1);
  for (let i = 0; i < tt.length; i++) {
    t.push(tt[i]! - t0);
    u.push(uu[i]!);
  }
  if (model.exactNla) return { tauFitMs: fitRelaxation(t, u, uF), udot0, t, u, uFixed: uF };
  // built units (rest offsets, separate feedback array, lead stages): the circuit's own fixed point is
  // not the classical one (ē ≠ 0 where θ ≠ 0), so it is read from the end of the run
  const tail = u.slice(Math.floor(u.length * 0.98));
  const uEnd = tail.reduce((x, z) => x + z, 0) / tail.length;
  return { tauFitMs: fitRelaxation(t, u, uEnd, 0.3, p.noisy ? 0.03 : 0.003), udot0, t, u, uFixed: uEnd };
}

/** The classical leaky neuron with the realised parameters, from u0, by DOPRI5, sampled every `sampleMs`. */
function relaxClassical(p: Realised, s: Ideal, uF: number, durationMs: number, sampleMs: number): Measured {
  const n = Math.ceil(durationMs / sampleMs);
  const t: number[] = [];
  const u: number[] = [];
  const sys: OdeSystem = {
    size: 1,
    rhs(_t, y, dy) {
      dy[0] = (-(y[0]! - p.theta) + p.w * realisedRho(p, y[0]!).rho + p.wIn * s.rIn) / p.tauMs;
    },
    componentName: () => 'u',
  };
  const y = new Float64Array([s.u0]);
  const dy = new Float64Array(1);
  sys.rhs(0, y, dy);
  const udot0 = dy[0]!;
  let k = 0;
  t.push(0);
  u.push(s.u0);
  const out = new Float64Array(1);
  const fail = createIntegrator('dopri5', { rtol: 1e-10, atol: 1e-13 }).integrate(sys, 0, y, n * sampleMs, (a, b, interp) => {
    while (k + 1 <= n && (k + 1) * sampleMs <= b + 1e-12) {
      k++;
      interp(Math.min(k * sampleMs, b), out);
      t.push(k * sampleMs);
      u.push(out[0]!);
    }
    void a;
  });
  throwIfFailed(fail, 'recurrent-neuron: the classical neuron could not be integrated');
  const [hi, lo] = p.noisy ? [0.3, 0.03] : [0.05, 1e-4];
  return { tauFitMs: fitRelaxation(t, u, uF, hi, lo), udot0, t, u, uFixed: uF };
}

export const recurrentNeuronExperiment: Experiment = {
  name: 'recurrent-neuron',
  title: 'A single recurrently connected neuron relaxes with τ, not τ/(1 − wρ′), with the prospective rate',
  summary: 'self-connected neuron: relaxation time constant with and without lookahead vs the analytic values (Appendix 5)',
  engines: ['digital', 'analog'],
  params: {
    dtMs: 'digital engine: forward-Euler step in ms (default 0.01; quick 0.05)',
  },
  run: runExperiment,
};

interface Row {
  activation: Case['activation'];
  w: number;
  wRhoPrime: number;
  lookahead: boolean;
  tauMeasuredMs: number;
  tauAnalyticMs: number;
  relError: number;
  udot0Measured: number;
  udot0Analytic: number;
  uFixed: number;
}

function readParams(ctx: ExperimentContext): { dtMs: number } {
  return { dtMs: numberParam(ctx.params, 'dtMs', ctx.quick ? 0.05 : 0.01, (x) => x > 0 && x <= 1, 'a step in (0, 1] ms') };
}

const CLAIM =
  'Appendix 5: for a single recurrently connected neuron the prospective (NLA) dynamics relax with time constant τ, not with τ/(1 − W_net ρ′) as the classical leaky neuron does; with positive feedback the prospective neuron therefore reaches the fixed point faster (its initial speed is larger by 1/(1 − W_net ρ′)).';

async function runExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const { dtMs } = readParams(ctx);
  if (ctx.engine === 'analog') loadProfile(ctx.profile); // a bad profile fails before any work
  const list = cases(ctx.quick);
  const { rows, traces } = measureAll(ctx, list, dtMs);
  return {
    name: 'recurrent-neuron',
    title: recurrentNeuronExperiment.title,
    claim: CLAIM,
    finding: findingText(ctx, rows, dtMs),
    settings: resultSettings(ctx, list, dtMs),
    table: resultTable(rows),
    data: { rows },
    sections: resultSections(ctx, rows, traces, dtMs),
  };
}

/** The relaxation of one case, one condition, as plotted. */
interface Trace {
  c: Case;
  lookahead: boolean;
  t: number[];
  u: number[];
  uFixed: number;
}

/** Every case with and without lookahead on the context's engine, in that order (progress per run). */
function measureAll(ctx: ExperimentContext, list: Case[], dtMs: number): { rows: Row[]; traces: Trace[] } {
  const rows: Row[] = [];
  const traces: Trace[] = [];
  const total = list.length * 2;
  let done = 0;
  for (const c of list) {
    for (const lookahead of [true, false]) {
      ctx.progress(done / total, `${c.activation} w = ${c.w}, ${lookahead ? 'with' : 'without'} lookahead`);
      const { row, m } = measureOne(ctx, c, lookahead, dtMs);
      rows.push(row);
      traces.push({ c, lookahead, t: m.t, u: m.u, uFixed: m.uFixed });
      done++;
    }
  }
  ctx.progress(1, 'done');
  return { rows, traces };
}

/** One case in one condition: the run on the context's engine and its row against the analytic values. */
function measureOne(ctx: ExperimentContext, c: Case, lookahead: boolean, dtMs: number): { row: Row; m: Measured } {
  const s = setup(c);
  const a = act(c.activation);
  const tauIdeal = lookahead ? s.tauNlaMs : s.tauClassicalMs;
  // the fit window reaches 10⁻⁴ of the initial displacement: about 9.2 τ_eff, plus margin
  const durationMs = Math.ceil(12 * tauIdeal);
  let m: Measured;
  let tauAnalyticMs: number;
  let udot0Analytic: number;
  if (ctx.engine === 'digital') {
    m = runDigital(c, lookahead, dtMs, durationMs);
    tauAnalyticMs = tauIdeal;
    udot0Analytic = lookahead ? s.udot0Nla : s.udot0Classical;
  } else {
    const r = runAnalog(c, lookahead, ctx.profile, ctx.seed, durationMs);
    m = r;
    tauAnalyticMs = r.tauAnalyticMs;
    udot0Analytic = r.udot0Analytic;
  }
  const row: Row = {
    activation: c.activation,
    w: c.w,
    wRhoPrime: c.w * activationAt(a, s.uFixed).d1,
    lookahead,
    tauMeasuredMs: m.tauFitMs,
    tauAnalyticMs,
    relError: Math.abs(m.tauFitMs - tauAnalyticMs) / tauAnalyticMs,
    udot0Measured: m.udot0,
    udot0Analytic,
    uFixed: m.uFixed,
  };
  return { row, m };
}

/** The finding: τ with and without lookahead against the analytic values, and the speed-up by feedback sign. */
function findingText(ctx: ExperimentContext, rows: Row[], dtMs: number): string {
  const withLa = rows.filter((r) => r.lookahead);
  const without = rows.filter((r) => !r.lookahead);
  const finite = (rs: Row[]) => rs.filter((r) => Number.isFinite(r.relError));
  const maxErr = (rs: Row[]) => Math.max(...finite(rs).map((r) => r.relError));
  const failed = rows.length - finite(rows).length;
  const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
  const speedups = withLa.filter((r) => r.wRhoPrime > 0).map((r) => without.find((q) => q.activation === r.activation && q.w === r.w)!.tauMeasuredMs / r.tauMeasuredMs);
  const slowdowns = withLa.filter((r) => r.wRhoPrime < 0).map((r) => r.tauMeasuredMs / without.find((q) => q.activation === r.activation && q.w === r.w)!.tauMeasuredMs);
  const engineText = ctx.engine === 'digital' ? `digital engine (forward Euler, dt = ${dtMs} ms)` : `analog emulator (profile ${ctx.profile}; the classical neuron by DOPRI5 with the circuit's realised parameters)`;
  return (
    `On the ${engineText}, with the prospective rate the relaxation time constant stays at τ = ${TAU_MS} ms for every self-weight ` +
    `(measured ${fmtRange(finite(withLa).map((r) => r.tauMeasuredMs))} ms; largest deviation from the analytic value ${pct(maxErr(withLa))}), ` +
    `while the classical leaky neuron relaxes with τ/(1 − wρ′(u*)) (largest deviation ${pct(maxErr(without))}). ` +
    (speedups.length ? `For positive feedback (wρ′ > 0) the prospective neuron is ${fmtRange(speedups)}× faster` : '') +
    (slowdowns.length ? `; for negative feedback it is ${fmtRange(slowdowns)}× slower, since the classical neuron then relaxes faster than τ.` : '.') +
    (failed ? ` ${failed} of ${rows.length} runs gave no fit (no relaxation to a fixed point, e.g. a realised loop gain above 1).` : '')
  );
}

function resultTable(rows: Row[]): ResultTable {
  return {
    columns: ['neuron', 'wρ′(u*)', 'lookahead', 'τ measured (ms)', 'τ analytic (ms)', 'rel. error', 'u̇(0) measured (1/ms)', 'u̇(0) analytic (1/ms)'],
    rows: rows.map((r) => [`${r.activation} w=${r.w}`, r.wRhoPrime, r.lookahead ? 'yes' : 'no', r.tauMeasuredMs, r.tauAnalyticMs, r.relError, r.udot0Measured, r.udot0Analytic]),
  };
}

/** One relaxation section per activation (u(t) and |u − u*| on a log scale), then τ against the loop gain. */
function resultSections(ctx: ExperimentContext, rows: Row[], traces: Trace[], dtMs: number): PageSection[] {
  const sections: PageSection[] = [];
  for (const kind of ['hard-sigmoid', 'logistic'] as const) {
    const sel = traces.filter((x) => x.c.activation === kind);
    if (sel.length) sections.push(relaxationSection(ctx, kind, sel, dtMs));
  }
  const withLa = rows.filter((r) => r.lookahead);
  const byX = (rs: Row[]) => [...rs].sort((p, q) => p.wRhoPrime - q.wRhoPrime);
  const xs = byX(rows.filter((r) => !r.lookahead));
  const grid = Array.from({ length: 60 }, (_, i) => -1.6 + (i * (0.93 + 1.6)) / 59);
  sections.push({
    heading: 'Time constant against the loop gain wρ′(u*)',
    html: linePlot(
      [
        { label: 'classical, analytic', x: grid, y: grid.map((g) => TAU_MS / (1 - g)), color: '#d62728' },
        { label: 'classical, measured', x: xs.map((r) => r.wRhoPrime), y: xs.map((r) => r.tauMeasuredMs), color: '#d62728', dashed: true },
        { label: 'NLA, analytic', x: grid, y: grid.map(() => TAU_MS), color: '#1f77b4' },
        { label: 'NLA, measured', x: byX(withLa).map((r) => r.wRhoPrime), y: byX(withLa).map((r) => r.tauMeasuredMs), color: '#1f77b4', dashed: true },
      ],
      { title: 'relaxation time constant', xLabel: 'wρ′(u*)', yLabel: 'τ_eff (ms)', logY: true },
    ),
  });
  return sections;
}

/** The relaxations of one activation's cases: u(t) over the first 150 ms, and |u − u*| on a log scale. */
function relaxationSection(ctx: ExperimentContext, kind: Case['activation'], sel: Trace[], dtMs: number): PageSection {
  const series: Series[] = [];
  const logSeries: Series[] = [];
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
  const ws = [...new Set(sel.map((x) => x.c.w))];
  for (const x of sel) {
    const color = colors[ws.indexOf(x.c.w) % colors.length]!;
    const label = `w=${x.c.w} ${x.lookahead ? 'NLA' : 'classical'}`;
    const lim = Math.min(x.t.length, Math.ceil((x.t.length * 150) / x.t[x.t.length - 1]!)); // first 150 ms
    series.push({ label, x: x.t.slice(0, lim), y: x.u.slice(0, lim), color, dashed: !x.lookahead });
    logSeries.push({ label, x: x.t, y: x.u.map((v) => Math.abs(v - x.uFixed)), color, dashed: !x.lookahead });
  }
  return {
    heading: `Relaxation, ${kind}`,
    html:
      linePlot(series, { title: `u(t) from u(0) = u* ${kind === 'logistic' ? LOGISTIC_DELTA : HARD_DELTA} (solid: prospective rate, dashed: classical)`, xLabel: 't (ms)', yLabel: 'u' }) +
      linePlot(logSeries, { title: '|u − u*| (log scale): the slope is −1/τ_eff', xLabel: 't (ms)', yLabel: '|u − u*|', logY: true }),
    note: `Dashed: the classical leaky neuron. ${ctx.engine === 'digital' ? `Forward Euler shifts a measured τ_eff to dt/−ln(1 − dt/τ_eff) (${(TAU_MS * (dtMs / TAU_MS / -Math.log(1 - dtMs / TAU_MS)) ).toFixed(3)} ms for τ = ${TAU_MS} ms). ` : 'On non-ideal profiles the analytic values use the realised τ, weights and transfer gain; the table\'s wρ′(u*) column is nominal. '}The fit takes log|u − u*| where it lies between 5·10⁻² and 10⁻⁴ of the initial displacement${ctx.engine === 'analog' ? ' (3·10⁻¹ to 3·10⁻² with noise)' : ''}.`,
  };
}

/** The settings that determine the numbers, as recorded in the result. */
function resultSettings(ctx: ExperimentContext, list: Case[], dtMs: number): Record<string, unknown> {
  return {
    engine: ctx.engine,
    ...(ctx.engine === 'analog' ? { profile: ctx.profile, seed: ctx.seed } : { dtMs }),
    tauMs: TAU_MS,
    uFixed: U_FIXED,
    initialDisplacement: { 'hard-sigmoid': HARD_DELTA, logistic: LOGISTIC_DELTA },
    inputWeight: 1,
    selfWeights: list.map((c) => `${c.activation} ${c.w}`),
    start: 'r̄_in settled at r_in, u(0) = u* + displacement; no plasticity, no target',
    fitWindow: ctx.engine === 'analog' ? 'analog: |u − u*| in [1e-4, 5e-2]·|δ0| (noise: [3e-2, 3e-1])' : '|u − u*| in [1e-4, 5e-2]·|δ0|',
    quick: ctx.quick,
  };
}

function fmtRange(all: number[]): string {
  const xs = all.filter(Number.isFinite);
  if (!xs.length) return 'n/a';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  return lo === hi || f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
}
