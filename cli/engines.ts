import { UsageError } from '../core/errors.js';
import { TraceTable } from '../emulator/probes/recorder.js';
import { parseTimeMs } from '../core/units.js';
import type { CircuitIR } from '../compiler/circuit/ir.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { buildGraph } from '../compiler/graph/build.js';
import { emitSpice } from '../compiler/spice/emit.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import { ODE_SOLVER_FLAG, SOLVER_CHOICES } from '../emulator/analog/ode/registry.js';
import type { DigitalOptions } from '../emulator/digital/options.js';
import { runDigital, type WeightSnapshot } from '../emulator/digital/run.js';
import type { DigitalSimulator } from '../emulator/digital/simulator.js';
import { parseProbes } from '../emulator/probes/probe.js';
import { runSpice, type SpiceEngine } from '../emulator/spice/run.js';
import { loadSignalCsv } from '../emulator/stimulus/load.js';
import { loadBoardOutputs } from './board-outputs.js';
import { loadOrCompileCircuit } from './circuit-load.js';
import { channelNames, createDigital, driveFromFiles, type DriveFiles } from './digital-run.js';
import { progressReporter } from './progress.js';

export type EngineName = 'digital' | 'analog' | 'spice' | 'board';
export const ENGINES: EngineName[] = ['digital', 'analog', 'spice', 'board'];

/** Options shared by `nla simulate` and `nla compare` (strings as the CLI gives them). */
export interface EngineOptions extends DriveFiles {
  duration: string;
  dt?: string;
  learn?: boolean;
  init: string;
  probe: string;
  sampleEvery?: string;
  quiet?: boolean;
  // digital
  method?: string;
  solver?: string;
  lookahead?: boolean;
  batch?: string;
  iterations?: string;
  relaxation?: string;
  kernels?: string;
  loadState?: string;
  loadWeights?: string;
  /** Digital and analog: interval of weight snapshots (only when set); the final weights are always the last. */
  snapshotEvery?: string;
  // analog / spice
  profile?: string;
  seed?: string;
  calibrate?: boolean;
  rtol?: string;
  atol?: string;
  odeSolver?: string;
  spiceEngine?: string;
  // board: the output frames recorded by nla stream
  boardOutputs?: string;
}

export interface EngineRun {
  engine: EngineName;
  traces: TraceTable;
  summary: Record<string, unknown>;
  /** Weights at the end (digital and analog), per projection name. */
  weights: Map<string, Float64Array> | null;
  graph: NlaGraph;
  circuit: CircuitIR | null;
  digital: DigitalSimulator | null;
  snapshots: WeightSnapshot[];
}

export function oneOf<T extends string>(v: string, options: readonly T[], what: string): T {
  if (!options.includes(v as T)) throw new UsageError(`${what}: expected one of ${options.join(', ')}, got '${v}'`);
  return v as T;
}

export function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: expected a positive integer, got '${v}'`);
  return n;
}

export function positiveNumber(v: string, what: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${what}: expected a positive number, got '${v}'`);
  return n;
}

/** Runs one engine on a spec (or, for analog and spice, a compiled circuit file). */
export async function runEngine(engine: EngineName, specPath: string, o: EngineOptions): Promise<EngineRun> {
  const durationMs = parseTimeMs(o.duration, '--duration');
  if (!(durationMs > 0)) throw new UsageError(`--duration: expected a positive time, got '${o.duration}'`);
  const init = oneOf(o.init, ['rest', 'equilibrium'] as const, '--init');
  const progress = progressReporter(`${engine}`, o.quiet === true);
  if (engine === 'digital') {
    const graph = buildGraph(loadSpecFile(specPath));
    const sim = createDigital(
      graph,
      {
        dtMs: parseTimeMs(o.dt ?? '0.1ms', '--dt'),
        method: oneOf(o.method ?? 'explicit', ['explicit', 'implicit'] as const, '--method'),
        solver: oneOf(o.solver ?? 'auto', ['auto', 'layered', 'dense'] as const, '--solver'),
        init,
        lookahead: o.lookahead ?? true,
        batch: positiveInt(o.batch ?? '1', '--batch'),
        iterations: (o.iterations ?? 'converge') === 'converge' ? 'converge' : positiveInt(o.iterations!, '--iterations'),
        relaxation: (o.relaxation ?? 'auto') === 'auto' ? 'auto' : positiveNumber(o.relaxation!, '--relaxation'),
        kernels: oneOf(o.kernels ?? 'wasm', ['wasm', 'js'] as const, '--kernels'),
        ...(o.learn !== undefined ? { learn: o.learn } : {}),
      } satisfies DigitalOptions,
      { state: o.loadState, weights: o.loadWeights },
    );
    const drive = driveFromFiles(graph, o);
    const probes = parseProbes(o.probe, graph).filter((p) => p.quantity !== 'ustar' || drive.targetChannels > 0);
    const res = runDigital(sim, {
      durationMs,
      drive,
      probes,
      sampleEveryMs: o.sampleEvery ? parseTimeMs(o.sampleEvery, '--sample-every') : undefined,
      weightsEveryMs: o.snapshotEvery ? parseTimeMs(o.snapshotEvery, '--weights-every') : undefined,
      onProgress: progress.update,
    });
    progress.done();
    const weights = new Map(sim.weights().map((W, k) => [graph.projections[k]!.name, Float64Array.from(W)]));
    return { engine, traces: res.traces, summary: { ...res.summary }, weights, graph, circuit: null, digital: sim, snapshots: res.snapshots };
  }
  if (engine === 'board') {
    if (!o.boardOutputs) throw new UsageError('--board-outputs is required for the board engine: the CSV written by nla stream --out');
    const graph = buildGraph(loadSpecFile(specPath));
    const traces = loadBoardOutputs(o.boardOutputs, graph);
    return { engine, traces, summary: { engine: 'board', file: o.boardOutputs, frames: traces.rows }, weights: null, graph, circuit: null, digital: null, snapshots: [] };
  }
  if (o.loadState || o.loadWeights) throw new UsageError(`--load-state/--load-weights apply to the digital engine; compile the network for the ${engine} engine instead`);
  const ir = loadOrCompileCircuit(specPath, o);
  const model = modelFromCircuit(ir);
  const graph = model.graph;
  const drive = driveFromFiles(graph, o);
  const sampleEveryMs = o.sampleEvery ? parseTimeMs(o.sampleEvery, '--sample-every') : 0.1;
  if (engine === 'analog') {
    const sim = new AnalogSimulator(model, {
      solver: oneOf(o.odeSolver ?? 'auto', SOLVER_CHOICES, ODE_SOLVER_FLAG),
      ...(o.rtol !== undefined ? { rtol: positiveNumber(o.rtol, '--rtol') } : {}),
      ...(o.atol !== undefined ? { atol: positiveNumber(o.atol, '--atol') } : {}),
      ...(o.dt ? { dtMs: parseTimeMs(o.dt, '--dt') } : {}),
      learn: o.learn ?? graph.plasticity,
      init,
    });
    const probes = parseProbes(o.probe, graph).filter((p) => p.quantity !== 'ustar' || drive.targetChannels > 0);
    const weightsEveryMs = o.snapshotEvery ? parseTimeMs(o.snapshotEvery, '--weights-every') : undefined;
    const res = sim.run({ durationMs, drive, probes, sampleEveryMs, ...(weightsEveryMs ? { weightsEveryMs } : {}), onProgress: progress.update });
    progress.done();
    // plastic weights live in the state vector
    if (sim.state) sim.system.loadWeights(sim.state, false);
    const weights = new Map(graph.projections.map((p, k) => [p.name, Float64Array.from(sim.system.workspace.proj[k]!.W)]));
    return { engine, traces: res.traces, summary: { ...res.summary }, weights, graph, circuit: ir, digital: null, snapshots: res.snapshots };
  }
  // spice: inputs and targets become PWL sources
  if (o.learn) throw new UsageError('--learn: the SPICE netlist has fixed weights (plasticity is emulated, not exported)');
  if (!o.input) throw new UsageError('--input is required');
  const names = channelNames(graph);
  const step = (o.interp ?? 'step') === 'step';
  const inTable = loadSignalCsv(o.input, step ? 'step' : 'linear', names.inputs);
  const tgTable = o.target ? loadSignalCsv(o.target, (o.targetInterp ?? 'step') === 'step' ? 'step' : 'linear', names.outputs, false) : null;
  const asPwl = (t: { times: Float64Array; columns: Float64Array[]; interpolation: string }) => {
    if (t.interpolation !== 'step') return { times: t.times, channels: t.columns };
    // a step becomes a ramp of 1e-6 model ms
    const times: number[] = [];
    const channels = t.columns.map(() => [] as number[]);
    for (let k = 0; k < t.times.length; k++) {
      if (k > 0) {
        times.push(t.times[k]! - 1e-6);
        t.columns.forEach((c, j) => channels[j]!.push(c[k - 1]!));
      }
      times.push(t.times[k]!);
      t.columns.forEach((c, j) => channels[j]!.push(c[k]!));
    }
    return { times: Float64Array.from(times), channels: channels.map((c) => Float64Array.from(c)) };
  };
  const net = emitSpice(ir, { durationModelMs: durationMs, sampleEveryModelMs: sampleEveryMs, init, inputs: asPwl(inTable), ...(tgTable ? { targets: asPwl(tgTable) } : {}) });
  const spiceEngine = oneOf(o.spiceEngine ?? 'wasm', ['wasm', 'native'] as const, '--spice-engine') as SpiceEngine;
  if (!o.quiet) process.stderr.write(`spice: running ngspice (${spiceEngine}) on ${ir.neurons.length} neurons…\n`);
  const res = await runSpice(net, { engine: spiceEngine, sampleEveryModelMs: sampleEveryMs, durationModelMs: durationMs });
  return {
    engine,
    traces: res.traces,
    summary: { engine: 'spice', ngspice: spiceEngine, profile: ir.profile.name, init, points: res.points, wallMs: res.wallMs, simulatedMs: durationMs, seed: ir.seed },
    weights: null,
    graph,
    circuit: ir,
    digital: null,
    snapshots: [],
  };
}
