import type { CircuitIR } from '../compiler/circuit/ir.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import type { GraphPlan } from '../compiler/graph/plan.js';
import type { WeightSnapshot } from './digital/run.js';
import type { Drive } from './drive.js';
import type { Probe } from './probes/probe.js';
import type { TraceTable } from './probes/recorder.js';

/**
 * The contract every back end implements (the digital reference engine, the analog emulator, ngspice,
 * a board over the serial protocol, and whatever comes next), so that one command line, one comparison
 * and one conformance suite serve them all. Types and behavioural comments only: each back end lives in
 * its own folder and registers an `EngineFactory` (cli/engine-registry.ts).
 *
 * Units everywhere: model time in ms (the network's own time; a circuit's seconds are model ms × its
 * time scale), voltages and rates in the network's dimensionless units.
 */

/** What the user gave to run: a network (its graph, from a spec) or a compiled circuit (nla-circuit/1). */
export type EngineSource =
  | { kind: 'network'; graph: NlaGraph; file: string }
  | { kind: 'circuit'; circuit: CircuitIR; file: string };

/** Options that mean the same thing on every engine; an engine that cannot honour one refuses it. */
export interface CommonOptions {
  /** Initial state: `rest` (u = 0, input filters at 0) or `equilibrium` (the settled state for the drive at t = 0). */
  init: 'rest' | 'equilibrium';
  /** Plasticity on or off; undefined: as the network says. An engine without plasticity refuses `true`. */
  learn: boolean | undefined;
  /** Seed of every random draw the engine makes (mismatch, noise); undefined: the network's seed. */
  seed: number | undefined;
}

/**
 * An option of one engine only (`--ode-solver`, `--spice-engine`, `--board-port` …). The CLI adds every
 * registered engine's options to its commands, documents them with the engine's name, and refuses an
 * option given to an engine that did not declare it.
 */
export interface EngineOption {
  /** commander flag syntax: `--ode-solver <name>`, or `--calibrate` for a switch. */
  flag: string;
  /** The key commander stores the value under (camelCase of the flag). */
  key: string;
  description: string;
  /** Shown in the help and used when the option is not given (the engine parses it like a given value). */
  defaultValue?: string;
}

/** Digital settings that run another engine's algorithm in float (see Engine.reference). */
export interface DigitalReference {
  method: 'implicit';
  dtMs: number;
  iterations: number;
  relaxation: number;
  /** Inputs and targets held for this long, sampled at each frame's start. */
  frameMs: number;
}

/** One run: the same request for every engine. */
export interface RunRequest {
  /** Model time to simulate, ms (> 0). */
  durationMs: number;
  drive: Drive;
  /** What to record; column names come from `columnLabel` (`u:out[0]`), the same on every engine. */
  probes: Probe[];
  /** Interval of recorded rows, model ms; undefined: the engine's natural grid (every step, every frame). */
  sampleEveryMs: number | undefined;
  /** Interval of weight snapshots, model ms, the final weights always last; undefined: none. */
  weightsEveryMs: number | undefined;
  /** Called now and then with the fraction done, for progress on long runs. */
  onProgress?: (fraction: number, tMs: number) => void;
  /**
   * How often `onProgress` and `onTraces` are called, in model ms: each time the run has advanced this far
   * (the digital engine rounds it to whole steps; an adaptive solver's step that crosses several intervals
   * reports once). Undefined: about twice a second of wall time. A model-time cadence gives the same calls on every machine
   * (a live view that must show a given number of updates, a test). Engines that report no progress ignore it.
   */
  progressEveryMs?: number;
  /**
   * Called with the run's table as it fills, right after each progress report, by engines that record as
   * they go (digital, analog): rows below `traces.rows` are final. The callee reads, never writes, and
   * copies what it keeps. Engines that get their rows at the end (spice, board) do not call it.
   */
  onTraces?: (traces: TraceTable) => void;
}

/** A run that could not go on: what happened, when (model ms) and where (a neuron or circuit node). */
export interface EngineFailure {
  what: string;
  timeMs: number;
  /** The neuron (`h1[3]`) or node (in words) where it happened, when known. */
  where?: string;
  hint?: string;
}

/** The common part of every engine's summary; engines add their own fields (solver, profile, frames…). */
export interface EngineSummary {
  engine: string;
  /** Model time actually simulated, ms (less than asked only together with a failure). */
  simulatedMs: number;
  wallMs: number;
  seed: number;
  learn: boolean;
  [field: string]: unknown;
}

/**
 * What a run returns. A failure is a value, not an exception: `traces` then hold every row recorded
 * before it and `summary.simulatedMs` says how far the run got, so a caller can write what there is and
 * report the failure with its time and place. Bad options or inputs are still thrown (UsageError,
 * InputError) before anything runs.
 */
export interface RunOutcome {
  traces: TraceTable;
  summary: EngineSummary;
  failure: EngineFailure | null;
  /** Weights at the end, per projection name (null where the engine cannot read them back). */
  weights: Map<string, Float64Array> | null;
  snapshots: WeightSnapshot[];
}

/** A back end ready to run one network. `run` may be called once; it continues from the engine's state. */
export interface Engine {
  readonly name: string;
  /** The network as this engine realises it (for circuits: with mismatch), used to parse probes and label traces. */
  readonly graph: NlaGraph;
  /** The compiled circuit, for engines that run one (analog, spice); null otherwise. */
  readonly circuit: CircuitIR | null;
  /**
   * For an engine that runs the paper's algorithm in another arithmetic (a board's fixed-point core): the
   * digital settings that run the same algorithm in float, inputs held per frame, so that a comparison
   * with the digital engine isolates this engine's own error.
   */
  readonly reference?: DigitalReference;
  run(req: RunRequest): Promise<RunOutcome>;
  /** For engines whose whole state can be saved and resumed: that state as JSON (digital: nla-state/1). */
  captureState?(): unknown;
}

/**
 * How the CLI (or a program) gets an engine: one factory per back end, in the registry. Adding a back
 * end is one folder implementing this and one registry line.
 */
export interface EngineFactory {
  readonly name: string;
  /** One line for `--help`: what the engine is. */
  readonly description: string;
  /** The sources it runs: a network, a compiled circuit, or both. */
  readonly accepts: ReadonlyArray<EngineSource['kind']>;
  /** Whether it can learn (plasticity during the run). */
  readonly learns: boolean;
  /**
   * Whether, with neither --learn nor --no-learn, it learns when the network's plasticity is on (digital,
   * analog) or stays fixed unless asked (a board; an engine that cannot learn).
   */
  readonly learnsByDefault: boolean;
  /**
   * Whether it makes random draws of its own at run time (mismatch, noise), which `--seed` chooses. An
   * engine that draws nothing (digital, board: their weights come from the network's seed) refuses a seed
   * other than the network's; `nla compare` gives the seed only to the engines that draw.
   */
  readonly drawsAtRunTime: boolean;
  /** What it records when no probe is asked for (`u,ustar`; `u` where u* is not a node of its own). */
  readonly defaultProbes: string;
  readonly options: readonly EngineOption[];
  /**
   * What the engine will allocate for a network beyond its weights, estimated from the network's plan
   * before anything is built, so that a run too large for the machine is refused at once (the caller
   * adds the weights and checks the total against the memory budget). May throw a ResourceError itself
   * for a limit of its own.
   */
  estimateBytes(plan: GraphPlan, common: CommonOptions, options: Readonly<Record<string, string | boolean | undefined>>): { bytes: number; what: string };
  /**
   * Builds the engine for a source, parsing its own options (values as given on the command line, or
   * the declared defaults). Throws UsageError for an option value it cannot take or a common option it
   * cannot honour, naming the option.
   */
  create(source: EngineSource, common: CommonOptions, options: Readonly<Record<string, string | boolean | undefined>>): Promise<Engine>;
}
