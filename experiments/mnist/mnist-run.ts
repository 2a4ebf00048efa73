import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { Rng } from '../../core/rng.js';
import { PerStepBackprop } from './backprop-per-step.js';
import type { ImageSet } from './dataset.js';
import { FeedForwardNet } from './ff-net.js';
import { shuffleInPlace } from './epoch-order.js';
import { testAsPresented, trainNla, type PresentationSetting } from './nla-train.js';
import { etaPerMs, paperDtMs, type MnistSettings } from './settings.js';

/** Learning curve: settled test error (fraction) on the curve subset after `samples` presentations. */
export interface Curve {
  samples: number[];
  error: number[];
}

/** One NLA-style method's outcome: read at the end of each test presentation, and settled. */
export interface StreamResult {
  asPresented: number;
  settled: number;
  curve: Curve;
  stepsPerSecond: number;
}

/** What one presentation time measured (the methods that were run). Errors are fractions of the test images. */
export interface PresentationResult {
  presentationMs: number;
  dtMs: number;
  /** rt-DeEP (lookahead) and the control without lookahead. */
  rtDeep?: StreamResult;
  noLookahead?: StreamResult;
  /** Back-propagation on the feed-forward net, clean images, same initial weights, data order and per-sample rate. */
  backprop?: { error: number; curve: Curve; learningRate: number };
  /** Back-propagation at every time step on the filtered stream (PerStepBackprop), step η·β·dt. */
  backpropPerStep?: StreamResult & { learningRatePerStep: number };
}

export interface MnistData {
  train: ImageSet;
  test: ImageSet;
  order: Int32Array;
  testIdx: Int32Array;
  curveIdx: Int32Array;
}

/** The network of the run: layered with biases, hard sigmoid, weights drawn from the run's seed, η for this presentation time. */
export function mnistGraph(s: MnistSettings, presentationMs: number): NlaGraph {
  return layeredNetwork(s.sizes, { activation: 'hard-sigmoid', bias: true, seed: s.seed, beta: s.beta, tauMs: s.tauMs, tauInMs: s.tauInMs, init: s.init })
    .plasticity({ enabled: true, etaPerMs: etaPerMs(s, presentationMs) })
    .build();
}

/** Runs the settings' methods (rt-DeEP, the no-lookahead control, the two back-propagation controls) at one presentation time. */
export function runPresentation(s: MnistSettings, d: MnistData, presentationMs: number, progress: (f: number, what: string) => void): PresentationResult {
  const g = mnistGraph(s, presentationMs);
  const dtMs = paperDtMs(presentationMs);
  const at = Array.from({ length: s.checkpoints }, (_, i) => Math.round(((i + 1) * d.order.length) / s.checkpoints));
  const setting = (lookahead: boolean): PresentationSetting => ({ dtMs, presentationMs, engine: { lookahead, inputProducts: s.inputProducts } });
  // progress: the stream methods cost about the same each, clean back-propagation almost nothing
  const heavy = s.methods.filter((m) => m !== 'backprop').length;
  let done = 0;
  const share = (f: number) => (done + f) / Math.max(1, heavy);
  const nla = (lookahead: boolean, label: string): StreamResult => {
    const curve: Curve = { samples: [], error: [] };
    const { sim, stepsPerSecond } = trainNla(g, setting(lookahead), d.train, d.order, at, (k, sm) => {
      curve.samples.push(k);
      curve.error.push(FeedForwardNet.fromWeights(g, sm.weights(), true).errorRate(d.test, d.curveIdx));
    }, (f) => progress(share(0.83 * f), `${presentationMs} ms: training ${label}`));
    const weights = sim.weights().map((w) => Float64Array.from(w));
    const settled = FeedForwardNet.fromWeights(g, weights).errorRate(d.test, d.testIdx);
    const asPresented = testAsPresented(g, weights, setting(lookahead), d.test, d.testIdx, (f) => progress(share(0.83 + 0.17 * f), `${presentationMs} ms: testing ${label}`));
    done++;
    return { asPresented, settled, curve, stepsPerSecond };
  };
  const out: PresentationResult = { presentationMs, dtMs };
  if (s.methods.includes('rt-deep')) out.rtDeep = nla(true, 'rt-DeEP');
  if (s.methods.includes('no-lookahead')) out.noLookahead = nla(false, 'w/o lookahead');
  if (s.methods.includes('backprop-per-step')) {
    out.backpropPerStep = runBackpropPerStep(s, g, d, setting(true), at, (f) => progress(share(f), `${presentationMs} ms: back-propagation at every step`));
    done++;
  }
  if (s.methods.includes('backprop')) {
    progress(share(0), `${presentationMs} ms: back-propagation`);
    out.backprop = runBackprop(s, g, d, presentationMs, at);
  }
  progress(1, `${presentationMs} ms: done`);
  return out;
}

/** Back-propagation at every time step on the filtered stream, from the NLA net's initial weights, step η·β·dt. */
export function runBackpropPerStep(s: MnistSettings, g: NlaGraph, d: MnistData, setting: PresentationSetting, at: number[], progress: (f: number) => void): NonNullable<PresentationResult['backpropPerStep']> {
  const bp = new PerStepBackprop(g, g.projections.map((p) => p.weights), setting, s.tauInMs);
  const curve: Curve = { samples: [], error: [] };
  const { stepsPerSecond, learningRatePerStep } = bp.train(d.train, d.order, etaPerMs(s, setting.presentationMs) * s.beta, at, (k) => {
    curve.samples.push(k);
    curve.error.push(bp.net.errorRate(d.test, d.curveIdx));
  }, (f) => progress(0.9 * f));
  const settled = bp.net.errorRate(d.test, d.testIdx);
  const asPresented = bp.testAsPresented(d.test, d.testIdx);
  return { asPresented, settled, curve, stepsPerSecond, learningRatePerStep };
}

/**
 * Plain SGD on the feed-forward net with the NLA net's initial weights and the same presentations. Its
 * learning rate η·β·T is what the NLA rule Ẇ = η ē r̄ᵀ with ē_out = β(u* − u) integrates to over one
 * presentation of length T when the network is settled, so both spend the same learning budget.
 */
export function runBackprop(s: MnistSettings, g: NlaGraph, d: MnistData, presentationMs: number, at: number[]): NonNullable<PresentationResult['backprop']> {
  return trainBackprop(g, d, etaPerMs(s, presentationMs) * s.beta * presentationMs, at);
}

/**
 * Back-propagation control: the forward net of layered graph `g` from its initial weights, one SGD step
 * per image of `d.order` on the clean image with learning rate `lr`; the test error on `d.testIdx`, and
 * the learning curve on `d.curveIdx` after each presentation count in `at`.
 */
export function trainBackprop(g: NlaGraph, d: MnistData, lr: number, at: number[]): NonNullable<PresentationResult['backprop']> {
  const net = FeedForwardNet.fromWeights(g, g.projections.map((p) => p.weights));
  const marks = new Set(at);
  const curve: Curve = { samples: [0], error: [net.errorRate(d.test, d.curveIdx)] };
  for (let k = 0; k < d.order.length; k++) {
    const n = d.order[k]!;
    net.sgdStep(d.train.pixels, n * d.train.size, d.train.labels[n]!, lr);
    if (marks.has(k + 1)) {
      curve.samples.push(k + 1);
      curve.error.push(net.errorRate(d.test, d.curveIdx));
    }
  }
  return { error: net.errorRate(d.test, d.testIdx), curve, learningRate: lr };
}

/** Draws the training order and the test subsets from generators forked off the run's seed. */
export function drawData(s: MnistSettings, train: ImageSet, test: ImageSet): MnistData {
  const rng = new Rng(s.seed);
  const orderRng = rng.fork('mnist:train-order');
  const testRng = rng.fork('mnist:test-subset');
  const order = shuffled(train.count, s.trainSamples, orderRng);
  const testIdx = s.testSamples >= test.count ? Int32Array.from({ length: test.count }, (_, i) => i) : shuffled(test.count, s.testSamples, testRng);
  return { train, test, order, testIdx, curveIdx: testIdx.subarray(0, s.curveTestSamples) };
}

function shuffled(n: number, count: number, rng: Rng): Int32Array {
  const out = new Int32Array(count);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let filled = 0; filled < count; ) {
    shuffleInPlace(perm, rng); // each pass reshuffles the previous one
    const take = Math.min(n, count - filled);
    out.set(perm.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
