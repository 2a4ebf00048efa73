import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { mismatchKnobs, withoutMismatch } from '../../compiler/circuit/passes/mismatch-classes.js';
import { buildGraph } from '../../compiler/graph/build.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { withStateWeights } from '../../compiler/graph/state-weights.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { readJsonFile } from '../../core/json-file.js';
import { UsageError } from '../../core/errors.js';
import { cornerShift, type Corner } from '../../hardware-models/profiles/corner.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { analogEngine } from '../../emulator/analog/engine.js';
import { emulatorMeter } from '../../emulator/analog/calibration-meter.js';
import { DcOperatingPoint } from '../../emulator/analog/dc-operating-point.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { driveFromFiles, type DriveFiles } from '../drive-files.js';
import { testImages, type TestImages } from './test-set.js';

/**
 * What every chip of a Monte Carlo run shares (structured-cloneable: it goes to each worker once).
 * Either `transient` (the same drive on every chip, the analog emulator in continuous time) or
 * `classifier` (a trained layered classifier's test set, each image at the chip's DC operating point).
 */
export interface MonteCarloSetup {
  specPath: string;
  /** Trained weights (nla-state/1), or null for the spec's own. */
  statePath: string | null;
  /** The profile, circuit choices applied; corners and sensitivity knobs derive from it. */
  profile: Profile;
  /** Calibrate every chip as `--calibrate [scope]` does: none, neuron trims, or synapse codes then neurons. */
  calibrate: 'none' | 'neurons' | 'synapses';
  transient: TransientSetup | null;
  classifier: { dataset: 'mnist'; images: number } | null;
}

export interface TransientSetup extends DriveFiles {
  durationMs: number;
  sampleEveryMs: number;
  learn: boolean | undefined;
  init: 'rest' | 'equilibrium';
  /** Probe list recorded on each chip (outputs' u, and u* where targets are given). */
  probes: string;
  /** The analog engine's own options (solver, tolerances, switches such as affineInputs), by key. */
  engineValues: Record<string, string | boolean | undefined>;
}

/** One chip: its seed, corner, and which mismatch knob it keeps (sensitivity runs) or none (nominal). */
export interface ChipTask {
  /** Position in the run's result list. */
  id: number;
  /** Chip number within its population (the seed is derived from it). */
  chip: number;
  seed: number;
  corner: Corner | null;
  /** `all` (every class), `none` (the nominal chip: no mismatch), or a profile σ field kept alone. */
  mismatch: 'all' | 'none' | string;
}

/** What one chip gives back (structured-cloneable). */
export interface ChipResult {
  task: ChipTask;
  /** transient: the recorded columns on the run's time grid. */
  traces: { names: string[]; time: number[]; columns: number[][] } | null;
  /** classifier: the output voltages per test image (images × outputs, row-major). */
  outputs: number[] | null;
  /** classifier: test images whose operating point had a node at a rail. */
  railImages: number;
  /** The run stopped early: what, when (model ms) and where; the chip counts as failed. */
  failure: { what: string; timeMs: number; where: string } | null;
  /** The compiler's reports that describe this chip (corner, mismatch σ drawn, calibration). */
  reports: string[];
}

/** The profile a task compiles with: all mismatch, none, or one knob alone. */
export function taskProfile(setup: MonteCarloSetup, task: ChipTask): Profile {
  if (task.mismatch === 'all') return setup.profile;
  const nominal = withoutMismatch(setup.profile);
  if (task.mismatch === 'none') return nominal;
  const knob = mismatchKnobs(setup.profile).find((k) => k.field === task.mismatch);
  if (!knob) throw new Error(`internal: no mismatch knob '${task.mismatch}' in profile '${setup.profile.name}'`);
  return knob.withSigma(nominal, knob.sigma(setup.profile));
}

/** Loads the network (with trained weights) once per worker. */
export function loadNetwork(setup: MonteCarloSetup): NlaGraph {
  const g = buildGraph(loadSpecFile(setup.specPath));
  return setup.statePath ? withStateWeights(g, readJsonFile(setup.statePath), setup.statePath) : g;
}

/** A chip runner for one setup: the network and test images are loaded once, then each task compiles and runs a chip. */
export function chipRunner(setup: MonteCarloSetup): (task: ChipTask) => Promise<ChipResult> {
  const graph = loadNetwork(setup);
  const images = setup.classifier ? testImages(setup.classifier.dataset, setup.classifier.images, graph) : null;
  return async (task) => {
    const ir = compileCircuit(graph, taskProfile(setup, task), {
      seed: task.seed,
      ...(task.corner ? { corner: cornerShift(task.corner, setup.profile) } : {}),
      ...(setup.calibrate !== 'none' ? { calibrate: emulatorMeter, calibrateSynapses: setup.calibrate === 'synapses' } : {}),
    });
    const reports = ir.reports.filter((r) => ['corner', 'mismatch', 'calibrate'].includes(r.pass)).map((r) => r.summary);
    if (images) return { ...classify(ir, images), task, traces: null, failure: null, reports };
    return { ...(await transient(ir, setup.transient!, setup.specPath)), task, outputs: null, railImages: 0, reports };
  };
}

async function transient(ir: CircuitIR, t: TransientSetup, file: string): Promise<Pick<ChipResult, 'traces' | 'failure'>> {
  const engine = await analogEngine.create({ kind: 'circuit', circuit: ir, file }, { init: t.init, learn: t.learn, seed: ir.seed }, t.engineValues);
  const drive = driveFromFiles(engine.graph, t);
  const out = await engine.run({ durationMs: t.durationMs, drive, probes: parseProbes(t.probes, engine.graph), sampleEveryMs: t.sampleEveryMs, weightsEveryMs: undefined });
  const tr = out.traces;
  const traces = { names: [...tr.names], time: Array.from(tr.time()), columns: tr.names.map((_, i) => Array.from(tr.columnAt(i))) };
  return { traces, failure: out.failure ? { what: out.failure.what, timeMs: out.failure.timeMs, where: out.failure.where ?? 'unknown' } : null };
}

/** Output voltages of the chip at the DC operating point of every test image. */
export function classify(ir: CircuitIR, images: TestImages): Pick<ChipResult, 'outputs' | 'railImages'> {
  const model = modelFromCircuit(ir);
  const dc = new DcOperatingPoint(model);
  const g = model.graph;
  if (images.size !== g.nStimulusInputs) throw new UsageError(`the test images have ${images.size} pixels, the network '${g.name}' has ${g.nStimulusInputs} inputs`);
  const outIdx = Array.from(g.outputs);
  const outputs: number[] = [];
  let railImages = 0;
  const x = new Float64Array(images.size);
  for (let k = 0; k < images.count; k++) {
    for (let j = 0; j < images.size; j++) x[j] = images.pixels[k * images.size + j]!;
    const u = dc.solve(x);
    if (dc.railNodes > 0) railImages++;
    for (const i of outIdx) outputs.push(u[i]!);
  }
  return { outputs, railImages };
}
