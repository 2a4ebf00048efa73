/**
 * The user's scale on every built-in profile (`npm run bench:scale`): the paper's 784-500-10 network (hard
 * sigmoid, β = 0.1, weights N(0, 0.01²) cut at ±0.03, as Fig. 4) compiled, calibrated and emulated with
 * learning on, against the digital engine on the same drive. Per profile and stage: wall time and the
 * process's peak resident memory (each profile runs in a child process of its own, so the peaks do not
 * mix). What learning did is held against the digital engine: the cosine between the analog and the digital
 * output-layer weight change, and their norm ratio.
 *
 *   npm run bench:scale [-- --duration 20 --profiles ideal,opamp-board --seeds 1,2,3 --no-calibrate --microcircuit --depressing --kinks lock|free|auto]
 *
 * Writes out/benchmarks-scale.{md,json}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileCircuit } from '../compiler/circuit/compile.js';
import type { CircuitIR } from '../compiler/circuit/ir.js';
import { layeredNetwork, network } from '../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { emulatorMeter } from '../emulator/analog/calibration-meter.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import { runDigital } from '../emulator/digital/run.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { parseProbes } from '../emulator/probes/probe.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { FrameDrive } from './frame-drive.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const SIZES = [784, 500, 10];
/** `--depressing`: the microcircuit with depression-matched outputs (a = d = 1) read through depressing pools. */
const DEPRESSING = process.argv.includes('--depressing');
const MICRO = process.argv.includes('--microcircuit') || DEPRESSING;
const INIT = { distribution: 'normal', std: 0.01, cutoff: 0.03 } as const;
const MICRO_FEEDBACK = { mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.03 }, feedbackInit: { distribution: 'normal', std: 0.03 } } as const;

/** 784-500-10 microcircuit: hard-sigmoid hidden layer, depression-matched outputs, built population by population. */
function depressingMicrocircuit(seed: number) {
  return network('microcircuit-784-500-10-depressing')
    .seed(seed)
    .beta(0.1)
    .activation('hard-sigmoid')
    .init(INIT)
    .feedback(MICRO_FEEDBACK)
    .input('in', SIZES[0]!)
    .hidden('h1', SIZES[1]!, { bias: true })
    .interneurons('i1', SIZES[2]!, 'h1')
    .output('out', SIZES[2]!, { bias: true, activation: { name: 'depression-matched', a: 1, d: 1 } })
    .connect('in', 'h1')
    .connect('h1', 'out');
}
/** The microcircuit's digital step solves a dense 510² system: the paper's 0.05 ms (5 ms presentations) keeps it affordable. */
const DIGITAL_DT_MS = Number(arg('digital-dt', MICRO ? '0.05' : '0.01'));
/** `--kinks lock|free|auto`: the analog solver's treatment of ρ's kinks and the rails (AnalogOptions.events). */
const KINKS = arg('kinks', 'auto');
const EVENTS: boolean | 'auto' = KINKS === 'lock' ? true : KINKS === 'free' ? false : 'auto';
const FRAME_MS = 5;

interface StageRow {
  stage: string;
  wallMs: number;
  /** Peak resident memory of the process up to the end of this stage, bytes. */
  peakRssBytes: number;
  note: string;
}

interface ProfileResult {
  profile: string;
  seed: number;
  stages: StageRow[];
  analog: { steps: number; rejected: number; solver: string; events: number | null };
  /** RMS over time of the largest output |u_analog − u_digital|. */
  outputRmse: number;
  /** Cosine between the analog and digital change of the output weights, and |ΔW_analog|/|ΔW_digital|. */
  learningCosine: number;
  learningNormRatio: number;
  errorPath: string;
}

let lastReport = 0;
const progress = (what: string) => (f: number, tMs: number) => {
  if (performance.now() - lastReport < 10_000) return;
  lastReport = performance.now();
  process.stderr.write(`    ${what}: ${(100 * f).toFixed(0)} % (t = ${tMs.toFixed(2)} ms)\n`);
};

const peakRss = () => process.resourceUsage().maxRSS * 1024;

function timed<T>(stages: StageRow[], stage: string, note: (x: T) => string, f: () => T): T {
  const t0 = performance.now();
  const x = f();
  stages.push({ stage, wallMs: performance.now() - t0, peakRssBytes: peakRss(), note: note(x) });
  process.stderr.write(`  ${stage}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return x;
}

function rmsOfMaxDiff(a: TraceTable, b: TraceTable): number {
  const cols = b.names.filter((c) => c.startsWith('u:'));
  let s = 0;
  const n = b.column(cols[0]!).length;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const c of cols) m = Math.max(m, Math.abs(a.column(c)[i]! - b.column(c)[i]!));
    s += m * m;
  }
  return Math.sqrt(s / n);
}

function cosineAndRatio(a: Float64Array, b: Float64Array): { cos: number; ratio: number } {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return { cos: ab / Math.sqrt(aa * bb), ratio: Math.sqrt(aa / bb) };
}

/** One profile, one seed, in this process. */
function runProfile(profileName: string, seed: number, durationMs: number, calibrate: boolean): ProfileResult {
  const stages: StageRow[] = [];
  const g = timed(stages, 'build graph', () => '', () => {
    const b = DEPRESSING ? depressingMicrocircuit(seed) : layeredNetwork(SIZES, { activation: 'hard-sigmoid', seed, beta: 0.1, bias: true, init: INIT });
    // the microcircuit (Algorithm 2): one interneuron per output neuron in the hidden layer, B and B^IP random
    if (MICRO && !DEPRESSING) b.feedback(MICRO_FEEDBACK).interneurons('i1', SIZES[2]!, 'h1');
    return b.plasticity({ enabled: true, etaPerMs: 1e-3 }).build();
  });
  const profile = structuredClone(BUILTIN_PROFILES[profileName]!);
  // depressing top-down synapses, τ_rec = τ; pool mismatch σ 10 % (τ_rec) and 5 % (a, d) off the ideal profile
  if (DEPRESSING) profile.topDown = { kind: 'depressing', recoveryRatio: 1, ...(profileName === 'ideal' ? { recoverySigma: 0, releaseSigma: 0 } : { recoverySigma: 0.1, releaseSigma: 0.05 }) };
  let ir: CircuitIR = timed(stages, 'compile', (c) => `${c.arrays.length} arrays`, () => compileCircuit(g, profile, { seed }));
  if (calibrate) ir = timed(stages, 'calibrate', () => '', () => compileCircuit(g, profile, { seed, calibrate: emulatorMeter }));
  const drive = new FrameDrive(SIZES[0]!, SIZES[2]!, FRAME_MS, 16, seed);
  const probes = parseProbes('u:out', g);
  const outProj = g.projections.findIndex((p) => p.name === 'h1->out');
  const w0 = Float64Array.from(g.projections[outProj]!.weights);
  const model = modelFromCircuit(ir);
  const outArray = ir.arrays.findIndex((a) => a.realises === 'h1->out');
  // the circuit's own starting weights (quantised, mismatched): learning is the change from them
  const a0 = Float64Array.from(model.graph.projections[outArray]!.weights);
  const analog = timed(stages, `emulate ${durationMs} ms, learning`, (r) => `${r.summary.steps} steps`, () => {
    const sim = new AnalogSimulator(model, { learn: true, rtol: 1e-4, atol: 1e-7, events: EVENTS });
    const res = sim.run({ durationMs, drive, probes, sampleEveryMs: 0.5, onProgress: progress('analog') });
    return { ...res, weights: sim.system.weightsAt(sim.state!), rejected: sim.solver.stats.rejected };
  });
  const digital = timed(stages, `digital reference, dt ${DIGITAL_DT_MS} ms`, () => '', () => {
    const sim = new DigitalSimulator(g, { dtMs: DIGITAL_DT_MS, learn: true });
    const res = runDigital(sim, { durationMs, drive, probes, sampleEveryMs: 0.5, onProgress: progress('digital') });
    return { ...res, weights: Float64Array.from(sim.workspace.proj[outProj]!.W) };
  });
  const dA = analog.weights[outArray]!.map((w, i) => w - a0[i]!);
  const dD = digital.weights.map((w, i) => w - w0[i]!);
  const { cos, ratio } = cosineAndRatio(dA, dD);
  const s = analog.summary as unknown as Record<string, unknown>;
  return {
    profile: profileName,
    seed,
    stages,
    analog: { steps: analog.summary.steps, rejected: analog.rejected, solver: String(s.solver), events: typeof s.events === 'number' ? s.events : null },
    outputRmse: rmsOfMaxDiff(analog.traces, digital.traces),
    learningCosine: cos,
    learningNormRatio: ratio,
    errorPath: ir.structure.errorPath,
  };
}

/** NaN travels through JSON as null: no change to compare (e.g. no register update within the run). */
const fix = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? 'no change' : x.toFixed(digits));
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function render(results: ProfileResult[], durationMs: number, calibrate: boolean): string {
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. 784-500-10${MICRO ? ' microcircuit (10 interneurons, B and B^IP N(0, 0.03²))' : ''}${DEPRESSING ? ', outputs depression-matched (a = d = 1) read top-down through depressing pools (τ_rec = τ; pool mismatch σ 10 % of τ_rec, 5 % of a and d except on ideal)' : ''}, hard sigmoid, β = 0.1, η = 10⁻³/ms, weights N(0, 0.01²) cut at ±0.03; ${FRAME_MS} ms random frames; ${durationMs} ms with learning; analog DOPRI5/ROS3 at rtol 10⁻⁴; digital reference at dt = ${DIGITAL_DT_MS} ms.${calibrate ? '' : ' No calibration.'}`,
    '',
    '| profile | seed | error path | stage | wall | peak RSS | note |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) for (const s of r.stages) lines.push(`| ${r.profile} | ${r.seed} | ${r.errorPath} | ${s.stage} | ${(s.wallMs / 1000).toFixed(2)} s | ${mb(s.peakRssBytes)} | ${s.note} |`);
  lines.push('', '| profile | seed | solver | steps (rejected) | events | output RMS of max \\|Δu\\| vs digital | cos(ΔW_out analog, digital) | \\|ΔW\\| ratio |', '|---|---|---|---|---|---|---|---|');
  for (const r of results) lines.push(`| ${r.profile} | ${r.seed} | ${r.analog.solver} | ${r.analog.steps} (${r.analog.rejected}) | ${r.analog.events ?? '–'} | ${r.outputRmse.toExponential(2)} | ${fix(r.learningCosine, 4)} | ${fix(r.learningNormRatio, 3)} |`);
  return lines.join('\n');
}

const durationMs = Number(arg('duration', '20'));
const calibrate = !process.argv.includes('--no-calibrate');
if (process.argv.includes('--child')) {
  const r = runProfile(arg('profile', 'ideal'), Number(arg('seed', '1')), durationMs, calibrate);
  process.stdout.write(JSON.stringify(r));
} else {
  const profiles = arg('profiles', Object.keys(BUILTIN_PROFILES).join(',')).split(',');
  const seeds = arg('seeds', '1').split(',').map(Number);
  const results: ProfileResult[] = [];
  for (const p of profiles)
    for (const seed of seeds) {
      process.stderr.write(`${p}, seed ${seed}\n`);
      const args = [fileURLToPath(import.meta.url), '--child', '--profile', p, '--seed', String(seed), '--duration', String(durationMs), ...(calibrate ? [] : ['--no-calibrate']), ...(MICRO ? ['--microcircuit'] : []), ...(DEPRESSING ? ['--depressing'] : []), '--kinks', KINKS];
      results.push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })) as ProfileResult);
    }
  const md = render(results, durationMs, calibrate);
  process.stdout.write(md + '\n');
  mkdirSync('out', { recursive: true });
  const name = DEPRESSING ? 'benchmarks-scale-depressing' : MICRO ? 'benchmarks-scale-microcircuit' : 'benchmarks-scale';
  writeFileSync(`out/${name}.md`, md + '\n');
  writeFileSync(`out/${name}.json`, JSON.stringify({ durationMs, calibrate, microcircuit: MICRO, results }, null, 2));
}
