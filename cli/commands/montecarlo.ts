import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { UsageError } from '../../core/errors.js';
import { nonNegativeInt, oneOf, optionalSeed, positiveInt, positiveNumber, positiveTimeMs } from '../../core/option-values.js';
import { formatTimeMs } from '../../core/units.js';
import { parseCornerList, type Corner } from '../../hardware-models/profiles/corner.js';
import { estimatePower } from '../../hardware-models/power/power-estimate.js';
import { powerText } from '../../hardware-models/power/power-text.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import { CIRCUIT_OPTIONS, withCircuitChoices } from '../../emulator/analog/circuit-source.js';
import { analogEngine } from '../../emulator/analog/engine.js';
import { digitalEngine } from '../../emulator/digital/engine.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { montecarloReport } from '../montecarlo/html-report.js';
import { driveFromFiles } from '../drive-files.js';
import { driveOptions } from '../engines.js';
import { writeOutput } from '../files.js';
import { classify, loadNetwork, type MonteCarloSetup } from '../montecarlo/chip.js';
import { runMonteCarlo, type MonteCarloResult, type Reference } from '../montecarlo/run.js';
import { TEST_SETS, testImages } from '../montecarlo/test-set.js';
import { montecarloText } from '../montecarlo/text.js';

export interface MonteCarloCliOptions {
  profile: string;
  runs: string;
  seed?: string;
  calibrate?: string | boolean;
  corner?: string;
  cornerSigmas: string;
  sensitivity?: string;
  workers?: string;
  tolerance?: string;
  maxTaskError?: string;
  state?: string;
  testSet?: string;
  testImages: string;
  duration?: string;
  input?: string;
  interp: string;
  events?: string;
  target?: string;
  targetInterp: string;
  learn?: boolean;
  init: string;
  sampleEvery: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  [engineOption: string]: unknown;
}

/** The analog engine's own options that a Monte Carlo passes to every chip (solver, tolerances). */
const SOLVER_OPTIONS = analogEngine.options.filter((x) => !CIRCUIT_OPTIONS.some((c) => c.key === x.key));

export function registerMontecarlo(program: Command): void {
  const cmd = program
    .command('montecarlo')
    .description('draw N chips of a network on a hardware profile (mismatch, corners), run the same drive or test set on each, and report the spread of trace and task error, the yield and which component class matters most')
    .argument('<spec>', 'network spec (JSON)')
    .option('--profile <p>', 'hardware profile (nla profiles) or profile JSON', 'subthreshold')
    .option('--runs <n>', 'chips per corner', '20')
    .option('--seed <n>', "seed of the run: chip i's mismatch seed is derived from it and i (default: the network's)")
    .option('--calibrate [scope]', "calibrate every chip before it runs: neurons (the default: τ, row gain, nudging, transfer trims) or synapses (each DAC synapse's code, then the neurons)")
    .option('--corner <list>', "operating corners, comma-separated, each parts joined by '+': typical, slow, fast, low-supply, high-supply, cold, hot, room; presets worst-slow, worst-fast (default: the profile as it is)")
    .option('--corner-sigmas <k>', 'the process corners shift each class by k times its mismatch σ', '3')
    .option('--sensitivity <m>', 'chips per mismatch class for the sensitivity ranking (0: none; default: min(runs, 5))')
    .option('--workers <n>', `worker threads (default: the machine's cores, here ${availableParallelism()})`)
    .option('--tolerance <x>', 'yield: a chip passes with a trace error (RMS, units) at most this')
    .option('--max-task-error <x>', 'yield: a chip passes with a task error at most this (test error rate for classifiers, RMS to the target otherwise)')
    .option('--state <json>', 'trained weights (nla-state/1) instead of the spec\'s initial ones')
    .optionsGroup('Classifier (with --test-set: each chip at its DC operating point):')
    .option('--test-set <name>', `classifier: evaluate each chip on a test set at its DC operating point (${TEST_SETS.join(', ')})`)
    .option('--test-images <n>', 'classifier: how many test images', '1000');
  cmd.optionsGroup('Transient (without --test-set: each chip runs this drive):');
  driveOptions(cmd, 'transient: ')
    .option('--sample-every <time>', 'transient: recording interval of the outputs', '1ms');
  cmd.optionsGroup('Circuit and analog solver (every chip):');
  for (const x of [...CIRCUIT_OPTIONS.filter((c) => c.key !== 'profile' && c.key !== 'calibrate' && c.key !== 'corner'), ...SOLVER_OPTIONS]) cmd.option(x.flag, x.description + (x.defaultValue !== undefined ? ` (default: ${x.defaultValue})` : ''));
  cmd
    .optionsGroup('Options:')
    .option('--out <dir>', 'write montecarlo.json and montecarlo.html (histograms) into this folder')
    .option('--json', 'print the result as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .action((spec: string, o: MonteCarloCliOptions) => montecarlo(spec, o));
}

async function montecarlo(specPath: string, o: MonteCarloCliOptions): Promise<void> {
  const runs = positiveInt(o.runs, '--runs');
  const sensitivityRuns = o.sensitivity !== undefined ? nonNegativeInt(o.sensitivity, '--sensitivity') : Math.min(runs, 5);
  if (sensitivityRuns > runs) throw new UsageError(`--sensitivity: at most --runs (${runs}) chips per class, got ${sensitivityRuns}`);
  const workers = o.workers !== undefined ? positiveInt(o.workers, '--workers') : availableParallelism();
  const corners: Array<Corner | null> = o.corner ? parseCornerList(o.corner, '--corner', Number.isFinite(Number(o.cornerSigmas)) ? Number(o.cornerSigmas) : NaN) : [null];
  const setup = buildSetup(specPath, o);
  const graph = loadNetwork(setup);
  const seed = optionalSeed(o.seed) ?? graph.seed;
  const reference = await buildReference(setup, specPath);
  const started = performance.now();
  const progress = chipProgress(o.quiet === true);
  const result = await runMonteCarlo({
    setup,
    runs,
    seed,
    corners,
    sensitivityRuns,
    workers,
    tolerance: o.tolerance !== undefined ? positiveNumber(o.tolerance, '--tolerance') : null,
    maxTaskError: o.maxTaskError !== undefined ? nonNegativeNumber(o.maxTaskError, '--max-task-error') : null,
    reference,
    onProgress: progress,
  });
  const wallS = (performance.now() - started) / 1000;
  const power = estimatePower(compileCircuit(graph, setup.profile, { seed }));
  const chips = result.corners.reduce((s, c) => s + c.chips.length + Math.max(1, sensitivityRuns), 0) + (result.sensitivity ? result.sensitivity.entries.length * result.sensitivity.runs : 0);
  const meta = { command: `nla montecarlo ${process.argv.slice(3).join(' ')}`.trim(), network: graph.name, profile: setup.profile.name, seed, runs, workers, calibrate: setup.calibrate, mode: setup.classifier ? `classifier (${setup.classifier.dataset}, ${setup.classifier.images} test images at the DC operating point)` : `transient (${formatTimeMs(setup.transient!.durationMs)} on the analog emulator)`, wallS, chipsRun: chips, chipsPerMinute: (chips / wallS) * 60, power: powerText(power) };
  const files: string[] = [];
  if (o.out) {
    files.push(writeOutput(`${o.out}/montecarlo.json`, JSON.stringify({ format: 'nla-montecarlo/1', ...meta, powerEstimate: power, ...result }, jsonNumbers, 2) + '\n'));
    files.push(writeOutput(`${o.out}/montecarlo.html`, montecarloReport(meta, result)));
  }
  if (o.json) process.stdout.write(JSON.stringify({ format: 'nla-montecarlo/1', ...meta, powerEstimate: power, ...result, files }, jsonNumbers, 2) + '\n');
  else process.stdout.write(montecarloText(meta, result, files).join('\n') + '\n');
}

/** JSON has no NaN or Infinity: they are written as null. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

function calibrationScope(v: string | boolean | undefined): MonteCarloSetup['calibrate'] {
  if (v === undefined || v === false) return 'none';
  return v === true ? 'neurons' : oneOf(v, ['neurons', 'synapses'] as const, '--calibrate');
}

function nonNegativeNumber(v: string, what: string): number {
  const x = Number(v);
  if (!(v.trim() !== '' && Number.isFinite(x) && x >= 0)) throw new UsageError(`${what}: expected a number ≥ 0, got '${v}'`);
  return x;
}

/** The run's setup from the command line's values: the profile with its circuit choices, the transient or classifier task, the analog options every chip gets. */
export function buildSetup(specPath: string, o: MonteCarloCliOptions): MonteCarloSetup {
  const profile = withCircuitChoices(loadProfile(o.profile), o as Record<string, string | boolean | undefined>);
  if (o.testSet !== undefined) {
    const dataset = oneOf(o.testSet, TEST_SETS, '--test-set');
    for (const f of ['duration', 'input', 'target', 'events'] as const) if (o[f] !== undefined) throw new UsageError(`--${f}: a classifier Monte Carlo (--test-set) evaluates each test image at the chip's DC operating point; it runs no transient`);
    return { specPath, statePath: o.state ?? null, profile, calibrate: calibrationScope(o.calibrate), transient: null, classifier: { dataset, images: positiveInt(o.testImages, '--test-images') } };
  }
  if (!o.duration) throw new UsageError('--duration is required for a transient Monte Carlo (e.g. 500ms), or give --test-set for a classifier');
  // strings and switches (--no-affine-inputs reads false when given) reach every chip as given
  const engineValues = Object.fromEntries(SOLVER_OPTIONS.map((x) => [x.key, typeof o[x.key] === 'string' || typeof o[x.key] === 'boolean' ? (o[x.key] as string | boolean) : undefined]));
  const transient = {
    durationMs: positiveTimeMs(o.duration, '--duration'),
    sampleEveryMs: positiveTimeMs(o.sampleEvery, '--sample-every'),
    learn: o.learn,
    init: oneOf(o.init, ['rest', 'equilibrium'] as const, '--init'),
    probes: '',
    engineValues,
    input: o.input,
    interp: o.interp,
    events: o.events,
    target: o.target,
    targetInterp: o.targetInterp,
  };
  const setup: MonteCarloSetup = { specPath, statePath: o.state ?? null, profile, calibrate: calibrationScope(o.calibrate), transient, classifier: null };
  const g = loadNetwork(setup);
  const outs = g.neurons.filter((p) => p.kind === 'output').map((p) => p.name);
  transient.probes = outs.map((n) => `u:${n}`).concat(o.target ? outs.map((n) => `ustar:${n}`) : []).join(',');
  return setup;
}

/** The digital engine's run of the same drive, or the ideal network's outputs on the test images. */
async function buildReference(setup: MonteCarloSetup, file: string): Promise<Reference> {
  const graph = loadNetwork(setup);
  if (setup.classifier) {
    const images = testImages(setup.classifier.dataset, setup.classifier.images, graph);
    const ideal = compileCircuit(graph, BUILTIN_PROFILES.ideal!, { seed: graph.seed });
    return { kind: 'classifier', outputs: classify(ideal, images).outputs!, labels: images.labels, outputsPerImage: graph.outputs.length };
  }
  const t = setup.transient!;
  const engine = await digitalEngine.create({ kind: 'network', graph, file }, { init: t.init, learn: t.learn, seed: undefined }, {});
  const out = await engine.run({ durationMs: t.durationMs, drive: driveFromFiles(graph, t), probes: parseProbes(t.probes.split(',').filter((p) => p.startsWith('u:')).join(','), graph), sampleEveryMs: t.sampleEveryMs, weightsEveryMs: undefined });
  if (out.failure) throw new UsageError(`the digital reference run failed: ${out.failure.what} at t = ${out.failure.timeMs} ms`);
  return { kind: 'transient', traces: out.traces };
}

/** Progress on stderr: chips done, the rate, and the time left at that rate. */
function chipProgress(quiet: boolean): (done: number, total: number) => void {
  const t0 = performance.now();
  let last = 0;
  return (done, total) => {
    if (quiet) return;
    const now = performance.now();
    if (done < total && now - last < 2000) return;
    last = now;
    const perChip = (now - t0) / done / 1000;
    const eta = perChip * (total - done);
    process.stderr.write(`montecarlo: ${done}/${total} chips (${Math.floor((100 * done) / total)} %), ${(60 / perChip).toFixed(1)} chips/min, ETA ${eta < 90 ? `${Math.round(eta)} s` : `${Math.floor(eta / 60)} min ${Math.round(eta % 60)} s`}\n`);
  };
}

export type { MonteCarloResult };
