/**
 * One engine's run in the page, on the library calls `nla simulate` makes (cli/engines.ts prepareEngine and
 * runPrepared): load the spec, check the memory, build the graph, create the engine from its factory,
 * build the drive from the CSV files (input or a stimulus generator, events, targets), record the probes. Files come from the page's table (web/shims/node-fs.ts).
 */
import { UsageError } from '../core/errors.js';
import { formatBytes, requireMemory } from '../core/memory-budget.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { planGraph } from '../compiler/graph/plan.js';
import { buildGraph } from '../compiler/graph/build.js';
import { driveFromFiles } from '../cli/drive-files.js';
import { parseProbes } from '../emulator/probes/probe.js';
import type { Engine, EngineFactory } from '../emulator/engine.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { digitalEngine } from '../emulator/digital/engine.js';
import { analogEngine } from '../emulator/analog/engine.js';
import { boardEngine } from '../host/engine/board-engine.js';
import { spiceEngine } from '../emulator/spice/engine.js';

/**
 * The engines the page runs: the spice engine's ngspice as WebAssembly in a Web Worker (web/spice-thread.ts),
 * the board engine's line over Web Serial (web/board-run.ts).
 */
export const WEB_ENGINES: readonly EngineFactory[] = [digitalEngine, analogEngine, spiceEngine, boardEngine];

/** What to run: paths in the page's file table and the options as `nla simulate` spells them (keys). */
export interface WebRunRequest {
  engine: string;
  spec: string;
  /** The input-rate CSV (`--input`); absent when `stimulus` gives the rates. */
  input?: string;
  /** A registered stimulus generator's name (a plugin's), in place of `input`. */
  stimulus?: string;
  /** The events CSV (`--events`: 't,channel,kind,value'). */
  events?: string;
  /** The targets CSV of the output neurons (`--target`). */
  target?: string;
  /** Interpolation of the input and target tables, `step` (default, as `nla simulate`) or `linear`. */
  interp?: string;
  targetInterp?: string;
  durationMs: number;
  /** Recording interval (model ms); default: the engine's. */
  sampleEveryMs?: number;
  /** Live rows and progress every this many model ms (RunRequest.progressEveryMs); default about twice a second. */
  progressEveryMs?: number;
  probe?: string;
  seed?: number;
  learn?: boolean;
  /** The engine's own options by key (dt, profile, kernels, odeSolver, …), strings as on the command line. */
  options: Record<string, string | boolean | undefined>;
}

/** One engine's run: its traces, summary and the failure (null when it ran to the end). */
export interface WebRun {
  engine: string;
  network: string;
  traces: TraceTable;
  summary: Record<string, unknown>;
  failure: { what: string; timeMs: number } | null;
}

function factoryOf(name: string): EngineFactory {
  const f = WEB_ENGINES.find((x) => x.name === name);
  if (!f) throw new UsageError(`engine: expected ${WEB_ENGINES.map((x) => x.name).join(' or ')} in the page, got '${name}'`);
  return f;
}

/**
 * Runs one engine; `onProgress(fraction, tMs)` as the engine reports it; `prepare` sees the engine before it
 * runs (the page gives the board engine its Web Serial line there); `onTraces` gets the table as it fills
 * (RunRequest.onTraces: the digital and analog engines).
 */
export async function runWebEngine(req: WebRunRequest, onProgress: (fraction: number, tMs: number) => void, prepare?: (engine: Engine) => void, onTraces?: (traces: TraceTable) => void): Promise<WebRun> {
  const factory = factoryOf(req.engine);
  if (!(req.durationMs > 0)) throw new UsageError(`duration: expected a positive time in ms, got ${req.durationMs}`);
  const spec = loadSpecFile(req.spec);
  const plan = planGraph(spec);
  const values = Object.fromEntries(factory.options.map((x) => [x.key, req.options[x.key]]));
  const common = { init: 'rest' as const, learn: req.learn ?? (factory.learnsByDefault ? undefined : false), seed: req.seed };
  const estimate = factory.estimateBytes(plan, common, values);
  requireMemory(plan.footprint.bytes + estimate.bytes, `this run (the weights of '${plan.name}' ${formatBytes(plan.footprint.bytes)} + ${estimate.what})`);
  const graph = buildGraph(spec);
  const engine = await factory.create({ kind: 'network', graph, file: req.spec }, common, values);
  prepare?.(engine);
  const drive = driveFromFiles(engine.graph, { input: req.input, stimulus: req.stimulus, interp: req.interp ?? 'step', events: req.events, target: req.target, targetInterp: req.targetInterp ?? 'step' });
  const probes = parseProbes(req.probe ?? factory.defaultProbes, engine.graph).filter((p) => p.quantity !== 'ustar' || drive.targetChannels > 0);
  const out = await engine.run({ durationMs: req.durationMs, drive, probes, sampleEveryMs: req.sampleEveryMs, weightsEveryMs: undefined, onProgress, ...(req.progressEveryMs !== undefined ? { progressEveryMs: req.progressEveryMs } : {}), ...(onTraces ? { onTraces } : {}) });
  return { engine: engine.name, network: engine.graph.name, traces: out.traces, summary: { ...out.summary }, failure: out.failure ? { what: out.failure.what, timeMs: out.failure.timeMs } : null };
}
