import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { InputError, UsageError } from '../../core/errors.js';
import { RunInterrupted } from '../run-interrupted.js';
import { captureState, restoreState } from '../../emulator/digital/state-file.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import type { ImageSet } from './dataset.js';
import { EpochOrder } from './epoch-order.js';
import { FeedForwardNet } from './ff-net.js';
import { stepsPerPresentation, type PresentationSetting } from './nla-train.js';
import { PresentationDrive } from './presentation-drive.js';
import { CHECKPOINT_FORMAT, numbers, settingsHash, writeCheckpoint, type PaperCheckpoint, type PaperCurve } from './paper-checkpoint.js';
import { etaAt, paperRunSettings, switchPresentation, totalPresentations, type PaperSettings } from './paper-settings.js';
import { paperDtMs } from './settings.js';
import { StreamDrive } from './stream-drive.js';

/** The images of a paper-protocol run: the training set (cycled in epochs) and the test subsets. */
export interface PaperData {
  train: ImageSet;
  test: ImageSet;
  /** Test images of the final numbers, and the curve subset (its first curveTestSamples). */
  testIdx: Int32Array;
  curveIdx: Int32Array;
}

/** How a run meets the outside world: its checkpoint file, a checkpoint to continue from, a stop request, progress. */
export interface PaperIo {
  /** Where checkpoints go (null: none are written). */
  file: string | null;
  resume: PaperCheckpoint | null;
  toolkitVersion: string;
  /** Polled after every presentation: true makes the run checkpoint and throw RunInterrupted. */
  stop(): boolean;
  /** Fraction of this presentation time's run, and a line of what it is doing. */
  progress(fraction: number, what: string): void;
}

/** What one presentation time's run gives. Errors are fractions of the test images. */
export interface PaperRunResult {
  presentationMs: number;
  dtMs: number;
  done: number;
  /** Presentations of the full schedule (switchS + continueS of simulated time). */
  fullSchedule: number;
  simulatedS: number;
  stepsDone: number;
  /** Presentations trained by this session (the rest came from the checkpoint). */
  sessionPresentations: number;
  /** Training wall time over all sessions, s, and the steps per second of this session. */
  wallS: number;
  stepsPerSecond: number;
  curve: PaperCurve;
  rtDeep: { settled: number; asPresented: number };
  backprop: { error: number } | null;
  weights: Float64Array[];
  backpropWeights: Float64Array[] | null;
}

/** The network at learning rate η (the weights are the seed's initial ones; a restore replaces them). */
export function paperGraph(s: PaperSettings, etaPerMs: number): NlaGraph {
  return layeredNetwork(s.sizes, { activation: 'hard-sigmoid', bias: true, seed: s.seed, beta: s.beta, tauMs: s.tauMs, tauInMs: s.tauInMs, init: s.init })
    .plasticity({ enabled: true, etaPerMs })
    .build();
}

/**
 * Trains rt-DeEP (and back-propagation on the same presentations with the same budget η·β·T per
 * presentation) for one presentation time under the paper's schedule, writing a checkpoint every
 * `checkpointEvery` presentations and when asked to stop; checkpoints fall on presentation boundaries.
 * From a checkpoint it continues bit for bit where the uninterrupted run would be.
 */
export async function runPaperPresentation(s: PaperSettings, d: PaperData, T: number, io: PaperIo): Promise<PaperRunResult> {
  const t = new PaperTrainer(s, d, T, io);
  await t.train();
  return await t.finish();
}

class PaperTrainer {
  readonly dtMs: number;
  readonly setting: PresentationSetting;
  readonly total: number;
  readonly full: number;
  readonly switchAt: number;
  readonly settings: Record<string, unknown>;
  graph: NlaGraph;
  sim: DigitalSimulator;
  phase: 0 | 1 = 0;
  readonly drive: StreamDrive;
  readonly bp: FeedForwardNet | null;
  done = 0;
  stepsDone = 0;
  wallBeforeS = 0;
  curve: PaperCurve = { samples: [], rtDeep: [], backprop: [] };
  private sessionSteps = 0;
  private sessionStart = 0;
  /** When this session's training ended (null while it runs): the final test is not training time. */
  private trainEnd: number | null = null;

  constructor(
    readonly s: PaperSettings,
    readonly d: PaperData,
    readonly T: number,
    readonly io: PaperIo,
  ) {
    this.dtMs = paperDtMs(T);
    this.setting = { dtMs: this.dtMs, presentationMs: T, engine: { lookahead: true, inputProducts: s.inputProducts } };
    this.total = totalPresentations(s, T);
    this.full = totalPresentations({ ...s, trainLimit: null }, T);
    this.switchAt = switchPresentation(s, T);
    this.settings = paperRunSettings(s, T);
    this.drive = new StreamDrive(d.train, new EpochOrder(d.train.count, s.seed), T, s.tauInMs);
    const c = io.resume;
    if (c) this.phase = c.phase;
    this.graph = paperGraph(s, s.etaPerMs[this.phase]);
    this.sim = this.newSim();
    this.bp = s.methods.includes('backprop') ? FeedForwardNet.fromWeights(this.graph, this.graph.projections.map((p) => p.weights)) : null;
    if (c) this.restore(c);
    else this.curvePoint();
  }

  private newSim(): DigitalSimulator {
    return new DigitalSimulator(this.graph, { ...this.setting.engine, dtMs: this.dtMs, learn: true });
  }

  /** Continues from a checkpoint (its settings were checked by readCheckpoint; here its values against them). */
  private restore(c: PaperCheckpoint): void {
    const file = this.io.file ?? undefined;
    const fail = (field: string, msg: string): never => {
      throw new InputError(`${field}: ${msg}`, file);
    };
    if (c.done > this.full) fail('done', `${c.done} presentations, more than the schedule's ${this.full}`);
    if (c.done > this.total) throw new UsageError(`--param train=${this.total}: ${file ?? 'the checkpoint'} has trained ${c.done} presentations already; give train ≥ ${c.done}, or leave it out for the whole schedule`);
    const phase = c.done <= this.switchAt ? 0 : 1;
    if (c.phase !== phase) fail('phase', `expected ${phase} after ${c.done} presentations (the η switch is at ${this.switchAt}), got ${c.phase}`);
    const k = Math.max(0, c.done - 1);
    if (c.drive.k !== k) fail('drive.k', `expected ${k} (the last presentation trained), got ${c.drive.k}`);
    if (c.stepsDone !== c.done * stepsPerPresentation(this.setting)) fail('stepsDone', `expected ${c.done} × ${stepsPerPresentation(this.setting)}, got ${c.stepsDone}`);
    if (c.sim.timeMs !== c.stepsDone * this.dtMs) fail('sim.timeMs', `expected ${c.stepsDone * this.dtMs} ms, got ${c.sim.timeMs}`);
    restoreState(this.sim, c.sim, { file });
    this.drive.restore(c.drive);
    if (this.bp) {
      if (!c.backprop) return fail('backprop', 'missing (this run trains back-propagation)');
      const { W1, b1, W2, b2 } = this.bp;
      const b = c.backprop;
      numbers(b.W1, W1.length, 'backprop.W1', fail);
      numbers(b.b1, b1.length, 'backprop.b1', fail);
      numbers(b.W2, W2.length, 'backprop.W2', fail);
      numbers(b.b2, b2.length, 'backprop.b2', fail);
      W1.set(b.W1);
      b1.set(b.b1);
      W2.set(b.W2);
      b2.set(b.b2);
    }
    this.done = c.done;
    this.stepsDone = c.stepsDone;
    this.wallBeforeS = c.wallS;
    this.curve = { samples: [...c.curve.samples], rtDeep: [...c.curve.rtDeep], backprop: [...c.curve.backprop] };
  }

  async train(): Promise<void> {
    const n = stepsPerPresentation(this.setting);
    const { train } = this.d;
    this.sessionStart = performance.now();
    let lastReport = -Infinity;
    while (this.done < this.total) {
      const k = this.done;
      if (k === this.switchAt && this.phase === 0) this.switchEta();
      // every presentation boundary may become a checkpoint: start each with the products a resume starts with
      this.sim.recomputeInputProducts();
      for (let j = 0; j < n; j++) this.sim.step(this.drive);
      if (this.bp) {
        const img = this.drive.imageAt(k);
        this.bp.sgdStep(train.pixels, img * train.size, train.labels[img]!, etaAt(this.s, this.T, k) * this.s.beta * this.T);
      }
      this.done++;
      this.stepsDone += n;
      this.sessionSteps += n;
      // curve points fall on the schedule's own boundaries, so a run stopped early (train=N) and resumed has
      // the uninterrupted run's curve; its checkpoint is written all the same
      const boundary = this.done % this.s.checkpointEvery === 0 || this.done === this.full;
      if (boundary) this.curvePoint();
      if (boundary || this.done === this.total) this.checkpoint();
      const now = performance.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        this.report();
      }
      await new Promise<void>((r) => setImmediate(r));
      if (this.io.stop() && this.done < this.total) {
        if (this.done % this.s.checkpointEvery !== 0) this.checkpoint();
        throw new RunInterrupted(this.io.file, this.done, this.total);
      }
    }
    this.trainEnd = performance.now();
  }

  /** η changes at the switch: the state moves into a simulator of the network at the second rate. */
  private switchEta(): void {
    const st = captureState(this.sim);
    this.phase = 1;
    this.graph = paperGraph(this.s, this.s.etaPerMs[1]);
    this.sim = this.newSim();
    restoreState(this.sim, st);
  }

  /** Settled test error on the curve subset, for rt-DeEP and the back-propagation control. */
  private curvePoint(): void {
    this.curve.samples.push(this.done);
    this.curve.rtDeep.push(FeedForwardNet.fromWeights(this.graph, this.sim.weights(), true).errorRate(this.d.test, this.d.curveIdx));
    if (this.bp) this.curve.backprop.push(this.bp.errorRate(this.d.test, this.d.curveIdx));
  }

  private checkpoint(): void {
    if (this.io.file === null) return;
    const bp = this.bp;
    writeCheckpoint(this.io.file, {
      format: CHECKPOINT_FORMAT,
      toolkitVersion: this.io.toolkitVersion,
      settingsHash: settingsHash(this.settings),
      settings: this.settings,
      presentationMs: this.T,
      done: this.done,
      phase: this.phase,
      stepsDone: this.stepsDone,
      wallS: this.wallS(),
      sim: captureState(this.sim),
      drive: this.drive.state(),
      backprop: bp ? { W1: Array.from(bp.W1), b1: Array.from(bp.b1), W2: Array.from(bp.W2), b2: Array.from(bp.b2) } : null,
      curve: this.curve,
    });
  }

  /** Training wall time over all sessions, s (checkpoints and curve points included, the final test not). */
  private wallS(): number {
    return this.wallBeforeS + ((this.trainEnd ?? performance.now()) - this.sessionStart) / 1000;
  }

  /** Training steps per second of this session (checkpoints and curve points included). */
  private stepsPerSecond(): number {
    return this.sessionSteps / Math.max(1e-9, ((this.trainEnd ?? performance.now()) - this.sessionStart) / 1000);
  }

  /** The progress line: presentations, simulated time, speed, ETA, and the latest curve point. */
  private report(): void {
    const sps = this.stepsPerSecond();
    const left = (this.total - this.done) * stepsPerPresentation(this.setting);
    const last = this.curve.samples.length - 1;
    const err = last >= 0 ? `; test error ${(100 * this.curve.rtDeep[last]!).toFixed(1)} %${this.bp ? ` (backprop ${(100 * this.curve.backprop[last]!).toFixed(1)} %)` : ''} at ${this.curve.samples[last]} on ${this.d.curveIdx.length} images` : '';
    this.io.progress(
      this.done / this.total,
      `${this.T} ms: ${this.done}/${this.total} presentations, ${((this.done * this.T) / 1000).toFixed(0)} s simulated, ${Math.round(sps)} steps/s, ETA ${formatDuration(left / Math.max(sps, 1e-9))}${err}`,
    );
  }

  /**
   * testAsPresented (nla-train.ts) on the test images, the same stream and readout, yielding to the event
   * loop every 100 images so that a stop request is seen (and throws; the finished checkpoint stays).
   */
  private async asPresented(weights: Float64Array[]): Promise<number> {
    const { test, testIdx } = this.d;
    const sim = new DigitalSimulator(this.graph, { ...this.setting.engine, dtMs: this.dtMs, learn: false });
    sim.weights().forEach((w, k) => w.set(weights[k]!));
    const drive = new PresentationDrive(test, testIdx, this.T, false, this.s.tauInMs);
    const n = stepsPerPresentation(this.setting);
    const outs = this.graph.outputs;
    let wrong = 0;
    for (let k = 0; k < testIdx.length; k++) {
      for (let j = 0; j < n; j++) sim.step(drive);
      const u = sim.state.u;
      let best = 0;
      for (let o = 1; o < outs.length; o++) if (u[outs[o]!]! > u[outs[best]!]!) best = o;
      if (best !== test.labels[testIdx[k]!]) wrong++;
      if (k % 100 === 99) {
        this.io.progress(1, `${this.T} ms: testing as presented, ${k + 1}/${testIdx.length} images`);
        await new Promise<void>((r) => setImmediate(r));
        if (this.io.stop()) throw new RunInterrupted(this.io.file, this.done, this.total);
      }
    }
    return wrong / Math.max(1, testIdx.length);
  }

  /** The final numbers (after the last presentation of the run; a stop request during the test throws, the checkpoint stays). */
  async finish(): Promise<PaperRunResult> {
    const weights = this.sim.weights().map((w) => Float64Array.from(w));
    const { test, testIdx } = this.d;
    const settled = FeedForwardNet.fromWeights(this.graph, weights).errorRate(test, testIdx);
    const asPresented = await this.asPresented(weights);
    const bp = this.bp;
    return {
      presentationMs: this.T,
      dtMs: this.dtMs,
      done: this.done,
      fullSchedule: this.full,
      simulatedS: (this.done * this.T) / 1000,
      stepsDone: this.stepsDone,
      sessionPresentations: this.sessionSteps / stepsPerPresentation(this.setting),
      wallS: this.wallS(),
      stepsPerSecond: this.stepsPerSecond(),
      curve: this.curve,
      rtDeep: { settled, asPresented },
      backprop: bp ? { error: bp.errorRate(test, testIdx) } : null,
      weights,
      backpropWeights: bp ? [bp.W1, bp.b1, bp.W2, bp.b2].map((w) => Float64Array.from(w)) : null,
    };
  }
}

/** A duration for the progress line: 42 s, 17 min, 3.2 h. */
export function formatDuration(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}
