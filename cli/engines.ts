import { Option, type Command } from 'commander';
import { NumericalError, UsageError } from '../core/errors.js';
import { readJsonFile } from '../core/json-file.js';
import { oneOf, optionalSeed, positiveTimeMs } from '../core/option-values.js';
import type { CircuitIR } from '../compiler/circuit/ir.js';
import { validateCircuit } from '../compiler/circuit/validate.js';
import { CIRCUIT_FORMAT } from '../compiler/circuit/ir.js';
import { buildGraph } from '../compiler/graph/build.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import type { ResolvedSpec } from '../compiler/spec/format.js';
import { planGraph, type GraphPlan } from '../compiler/graph/plan.js';
import { formatBytes, requireMemory } from '../core/memory-budget.js';
import type { WeightSnapshot } from '../emulator/digital/run.js';
import type { CommonOptions, Engine, EngineFactory, EngineFailure, EngineOption, EngineSource } from '../emulator/engine.js';
import { parseProbes } from '../emulator/probes/probe.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { driveFromFiles, type DriveFiles } from './drive-files.js';
import { ENGINE_FACTORIES, ENGINE_NAMES, engineFactory } from './engine-registry.js';
import { progressReporter } from './progress.js';
import { requirePort } from '../host/transport/port-exists.js';

/** Options of the commands that run engines (strings as the CLI gives them); engines' own options ride along by key. */
export interface EngineOptions extends DriveFiles {
  duration: string;
  learn?: boolean;
  init: string;
  seed?: string;
  probe?: string;
  sampleEvery?: string;
  quiet?: boolean;
  /** Interval of weight snapshots (only when set); the final weights are always the last. */
  snapshotEvery?: string;
  [engineOption: string]: unknown;
}

/** An engine ready to run, with the bytes its run was estimated to take. */
export interface PreparedEngine {
  factory: EngineFactory;
  engine: Engine;
  bytes: number;
}

/** One engine's run as the commands use it. */
export interface EngineRun {
  engine: string;
  traces: TraceTable;
  summary: Record<string, unknown>;
  /** Weights at the end, per projection name (null where the engine cannot read them back). */
  weights: Map<string, Float64Array> | null;
  graph: NlaGraph;
  circuit: CircuitIR | null;
  snapshots: WeightSnapshot[];
  /** Set when the run stopped early; `traces` then hold what was recorded before. */
  failure: EngineFailure | null;
  /** The engine's saved state (engines that can save one), else null. */
  state: (() => unknown) | null;
}

/**
 * The drive and run options a command that runs a network takes: duration, input and target files,
 * interpolation, events, plasticity (unless `learns` is false) and the initial state (descriptions
 * prefixed with `note`).
 */
export function driveOptions(cmd: Command, note = '', learns = true): Command {
  cmd
    .option('--duration <time>', `${note}simulated time, e.g. 500ms or 2s (required)`)
    .option('--input <csv>', `${note}input rates: column 't' (ms) then one column per input neuron`)
    .option('--interp <mode>', `${note}input interpolation: step or linear`, 'step')
    .option('--events <csv>', `${note}input events: header 't,channel,kind,value', kind delta or step`)
    .option('--target <csv>', `${note}targets for the output neurons: 't' then one column per output; empty cell = no target`)
    .option('--target-interp <mode>', `${note}target interpolation: step or linear`, 'step');
  if (learns) cmd.option('--learn', `${note}plasticity on (Eq. 8)`).option('--no-learn', `${note}plasticity off, whatever the spec says`);
  return cmd.option('--init <mode>', `${note}initial state: rest or equilibrium`, 'rest');
}

/**
 * Adds the options every engine shares, then the options of each engine in `engines` (default: every
 * registered one), each under the heading of the engine(s) that take it (`--help` groups them so; see
 * engine-help.ts for the selection that hides the others).
 */
export function engineOptions(cmd: Command, engines: readonly EngineFactory[] = ENGINE_FACTORIES): Command {
  driveOptions(cmd, '', engines.some((f) => f.learns))
    .option('--seed <n>', 'seed of every draw the engine makes (mismatch, noise); default: the network\'s')
    .option('--sample-every <time>', "recording interval (default: the engine's grid: every step, 0.1ms, or every frame)")
    .option('--quiet', 'no progress on stderr');
  for (const { option, takers } of engineOptionTable(engines)) {
    const heading = engines.length === 1 ? `Options of the ${takers[0]} engine:` : `Options of the ${takers.join(' and ')} engine${takers.length > 1 ? 's' : ''}:`;
    cmd.addOption(new Option(option.flag, option.description + (option.defaultValue !== undefined ? ` (default: ${option.defaultValue})` : '')).helpGroup(heading));
  }
  return cmd;
}

/** Each distinct engine option among `engines` (by flag), with the names of the engines that declare it. */
export function engineOptionTable(engines: readonly EngineFactory[]): Array<{ option: EngineOption; takers: string[] }> {
  const byFlag = new Map<string, { option: EngineOption; takers: string[] }>();
  for (const f of engines) {
    for (const opt of f.options) {
      const row = byFlag.get(opt.flag);
      if (row) row.takers.push(f.name);
      else byFlag.set(opt.flag, { option: opt, takers: [f.name] });
    }
  }
  return [...byFlag.values()];
}

/**
 * Makes `--help` list the options of the engines chosen on the command line only: once one of the
 * `selectors` (`engine`, or `a` and `b`) is given, the options of engines none of them names are hidden
 * (each selector's value counts, given or default). Without a selector, every engine's group is shown.
 */
export function helpForSelectedEngines(cmd: Command, selectors: readonly string[]): Command {
  let noted = false;
  const select = (): void => {
    const chosen = selectors.map((k) => cmd.getOptionValue(k) as unknown).filter((v): v is string => typeof v === 'string' && engineFactory(v) !== undefined);
    if (chosen.length === 0) return;
    const keep = new Set(ENGINE_FACTORIES.filter((f) => chosen.includes(f.name)).flatMap((f) => f.options.map((o) => o.flag)));
    const own = new Set(ENGINE_FACTORIES.flatMap((f) => f.options.map((o) => o.flag)));
    for (const opt of cmd.options) if (own.has(opt.flags)) opt.hidden = !keep.has(opt.flags);
    if (!noted) {
      noted = true;
      cmd.addHelpText('after', `\n(engine options shown for ${[...new Set(chosen)].join(' and ')} only; without ${selectors.map((k) => `--${k}`).join('/')} --help lists every engine's)`);
    }
  };
  for (const k of selectors) cmd.on(`option:${k}`, select);
  return cmd;
}

/** Whether an engine option was given (a `--no-x` switch reads true when it was not). */
function given(o: EngineOptions, flag: string, key: string): boolean {
  return flag.startsWith('--no-') ? o[key] === false : o[key] !== undefined;
}

/** Refuses an option that none of the chosen engines declares, naming who takes it. */
export function refuseForeignOptions(o: EngineOptions, chosen: readonly EngineFactory[]): void {
  const keys = new Set(chosen.flatMap((f) => f.options.map((x) => x.key)));
  for (const f of ENGINE_FACTORIES) {
    for (const opt of f.options) {
      if (keys.has(opt.key) || !given(o, opt.flag, opt.key)) continue;
      const takers = ENGINE_FACTORIES.filter((x) => x.options.some((y) => y.key === opt.key)).map((x) => x.name);
      const own = chosen.flatMap((c) => c.options.map((x) => x.flag.split(' ')[0]!));
      throw new UsageError(`${opt.flag.split(' ')[0]} is an option of the ${takers.join(' and ')} engine${takers.length > 1 ? 's' : ''} (${opt.description}); the ${chosen.map((c) => c.name).join(' and ')} engine does not take it${own.length ? ` (its options: ${own.join(', ')})` : ''}`);
    }
  }
}

/** The engine factory named on the command line. */
export function factoryOf(name: string, what: string): EngineFactory {
  return engineFactory(oneOf(name, ENGINE_NAMES, what)) as EngineFactory;
}

/** A network spec (laid out, its weights not drawn yet) or a compiled circuit file. */
type LoadedFile = { kind: 'network'; spec: ResolvedSpec; plan: GraphPlan; file: string } | { kind: 'circuit'; circuit: CircuitIR; file: string };

function loadFile(path: string): LoadedFile {
  const raw = readJsonFile(path) as { format?: unknown } | null;
  if (raw && raw.format === CIRCUIT_FORMAT) return { kind: 'circuit', circuit: validateCircuit(raw, path), file: path };
  const spec = loadSpecFile(path);
  return { kind: 'network', spec, plan: planGraph(spec), file: path };
}

/** The options every engine shares, parsed and checked against what the engine can do. */
function commonOptions(f: EngineFactory, o: EngineOptions): CommonOptions {
  const init = oneOf(o.init ?? 'rest', ['rest', 'equilibrium'] as const, '--init');
  const seed = optionalSeed(o.seed);
  if (o.learn === true && !f.learns) throw new UsageError(`--learn: the ${f.name} engine cannot learn`);
  const learn = o.learn !== undefined ? o.learn : f.learnsByDefault ? undefined : false;
  return { init, learn, seed };
}

/**
 * Creates the named engine for a file, refusing options the engine does not take. For a network, the
 * whole run's memory (its weights, and what the engine will allocate, plus `reservedBytes` already taken
 * by another engine of the same command) is checked against the budget before a weight is drawn.
 */
export async function prepareEngine(name: string, path: string, o: EngineOptions, alsoAllowed: readonly EngineFactory[] = [], reservedBytes = 0): Promise<PreparedEngine> {
  const factory = factoryOf(name, '--engine');
  refuseForeignOptions(o, [factory, ...alsoAllowed]);
  // a serial device with nothing at its path fails now (exit 4), not after the engine's retried opens
  if (typeof o.boardPort === 'string' && factory.options.some((x) => x.key === 'boardPort')) requirePort(o.boardPort, '--board-port');
  const loaded = loadFile(path);
  if (!factory.accepts.includes(loaded.kind)) throw new UsageError(`the ${name} engine does not run a ${loaded.kind === 'circuit' ? 'compiled circuit' : 'network spec'} (${path})`);
  const values = Object.fromEntries(factory.options.map((x) => [x.key, o[x.key] as string | boolean | undefined]));
  const common = commonOptions(factory, o);
  let bytes = 0;
  let source: EngineSource;
  if (loaded.kind === 'network') {
    const weights = loaded.plan.footprint.bytes;
    const engine = factory.estimateBytes(loaded.plan, common, values);
    bytes = weights + engine.bytes;
    const other = reservedBytes ? ` + ${formatBytes(reservedBytes)} for the other engine` : '';
    requireMemory(bytes + reservedBytes, `this run (the weights of '${loaded.plan.name}' ${formatBytes(weights)} + ${engine.what}${other})`);
    source = { kind: 'network', graph: buildGraph(loaded.spec), file: path };
  } else source = loaded;
  return { factory, engine: await factory.create(source, common, values), bytes };
}

/** Runs a prepared engine on the drive and probes the options name. */
export async function runPrepared(prepared: PreparedEngine, o: EngineOptions): Promise<EngineRun> {
  const { factory, engine } = prepared;
  if (!o.duration) throw new UsageError('--duration is required (e.g. 500ms or 2s)');
  const durationMs = positiveTimeMs(o.duration, '--duration');
  const drive = driveFromFiles(engine.graph, o);
  const probes = parseProbes(o.probe ?? factory.defaultProbes, engine.graph).filter((p) => p.quantity !== 'ustar' || drive.targetChannels > 0);
  const progress = progressReporter(engine.name, o.quiet === true);
  const out = await engine.run({
    durationMs,
    drive,
    probes,
    sampleEveryMs: o.sampleEvery ? positiveTimeMs(o.sampleEvery, '--sample-every') : undefined,
    weightsEveryMs: o.snapshotEvery ? positiveTimeMs(o.snapshotEvery, '--weights-every') : undefined,
    onProgress: (f, t) => progress.update(f, t, NaN),
  });
  progress.done();
  const state = engine.captureState ? () => engine.captureState!() : null;
  return { engine: engine.name, traces: out.traces, summary: { ...out.summary }, weights: out.weights, graph: engine.graph, circuit: engine.circuit, snapshots: out.snapshots, failure: out.failure, state };
}

/** Runs one engine on a spec (or a compiled circuit file). */
export async function runEngine(name: string, path: string, o: EngineOptions): Promise<EngineRun> {
  return runPrepared(await prepareEngine(name, path, o), o);
}

/** The failure of a run as the error the CLI reports (exit 3), after what was recorded has been written. */
export function failureError(run: EngineRun): NumericalError | null {
  const f = run.failure;
  return f ? new NumericalError(`${run.engine} engine: ${f.what}`, f.timeMs, f.where, f.hint) : null;
}
