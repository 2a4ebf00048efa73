import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { Rng } from '../../core/rng.js';
import type { ImageSet } from './dataset.js';
import { FeedForwardNet } from './ff-net.js';
import { testAsPresented, trainNla, type PresentationSetting } from './nla-train.js';
import { etaPerMs, paperDtMs, type MnistSettings } from './settings.js';

/** Learning curve: settled test error (fraction) on the curve subset after `samples` presentations. */
export interface Curve {
  samples: number[];
  error: number[];
}

/** What one presentation time measured. Errors are fractions of the test images. */
export interface PresentationResult {
  presentationMs: number;
  dtMs: number;
  /** rt-DeEP (lookahead) and the control without lookahead: read at the end of each presentation, and settled. */
  rtDeep: { asPresented: number; settled: number; curve: Curve; stepsPerSecond: number };
  noLookahead: { asPresented: number; settled: number; curve: Curve; stepsPerSecond: number };
  /** Back-propagation on the feed-forward net, same initial weights, data order and per-sample rate. */
  backprop: { error: number; curve: Curve; learningRate: number };
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

/** Runs rt-DeEP, the no-lookahead control and back-propagation at one presentation time. */
export function runPresentation(s: MnistSettings, d: MnistData, presentationMs: number, progress: (f: number, what: string) => void): PresentationResult {
  const g = mnistGraph(s, presentationMs);
  const dtMs = paperDtMs(presentationMs);
  const at = Array.from({ length: s.checkpoints }, (_, i) => Math.round(((i + 1) * d.order.length) / s.checkpoints));
  // progress: training takes about 0.4 of a presentation time's work per method, testing 0.08
  const nla = (lookahead: boolean, label: string) => {
    const base = lookahead ? 0 : 0.49;
    const setting: PresentationSetting = { dtMs, presentationMs, engine: { lookahead } };
    const curve: Curve = { samples: [], error: [] };
    const { sim, stepsPerSecond } = trainNla(g, setting, d.train, d.order, at, (k, sm) => {
      curve.samples.push(k);
      curve.error.push(FeedForwardNet.fromWeights(g, sm.weights(), true).errorRate(d.test, d.curveIdx));
    }, (f) => progress(base + 0.4 * f, `${presentationMs} ms: training ${label}`));
    const weights = sim.weights().map((w) => Float64Array.from(w));
    const settled = FeedForwardNet.fromWeights(g, weights).errorRate(d.test, d.testIdx);
    const asPresented = testAsPresented(g, weights, setting, d.test, d.testIdx, (f) => progress(base + 0.4 + 0.08 * f, `${presentationMs} ms: testing ${label}`));
    return { asPresented, settled, curve, stepsPerSecond };
  };
  const rtDeep = nla(true, 'rt-DeEP');
  const noLookahead = nla(false, 'w/o lookahead');
  progress(0.97, `${presentationMs} ms: back-propagation`);
  const backprop = runBackprop(s, g, d, presentationMs, at);
  progress(1, `${presentationMs} ms: done`);
  return { presentationMs, dtMs, rtDeep, noLookahead, backprop };
}

/**
 * Plain SGD on the feed-forward net with the NLA net's initial weights and the same presentations. Its
 * learning rate η·β·T is what the NLA rule Ẇ = η ē r̄ᵀ with ē_out = β(u* − u) integrates to over one
 * presentation of length T when the network is settled, so both spend the same learning budget.
 */
export function runBackprop(s: MnistSettings, g: NlaGraph, d: MnistData, presentationMs: number, at: number[]): PresentationResult['backprop'] {
  return trainBackprop(g, d, etaPerMs(s, presentationMs) * s.beta * presentationMs, at);
}

/**
 * Back-propagation control: the forward net of layered graph `g` from its initial weights, one SGD step
 * per image of `d.order` on the clean image with learning rate `lr`; the test error on `d.testIdx`, and
 * the learning curve on `d.curveIdx` after each presentation count in `at`.
 */
export function trainBackprop(g: NlaGraph, d: MnistData, lr: number, at: number[]): PresentationResult['backprop'] {
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
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const take = Math.min(n, count - filled);
    out.set(perm.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
