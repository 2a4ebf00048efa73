import { UsageError } from '../../core/errors.js';
import { htmlTable } from '../../report/html-page.js';
import { linePlot } from '../../report/svg-plot.js';
import { percent } from '../report.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';
import { mnist } from './dataset.js';
import { drawData, runPresentation, type PresentationResult } from './mnist-run.js';
import { etaPerMs, MNIST_PARAMS, mnistSettings, type MnistSettings } from './settings.js';

const CLAIM =
  'MNIST, 784-500-10, hard sigmoid, β = 0.1: with image presentations from 5 ms to 200 ms, rt-DeEP learns with a test error ' +
  'comparable to error back-propagation even at 5 ms (half a membrane time constant), while without lookahead learning fails at ' +
  'short presentation times (Fig. 4c).';

/** Issue 5, experiment 2: rt-DeEP on MNIST at several presentation times, against two controls. */
export const mnistExperiment: Experiment = {
  name: 'mnist',
  title: 'MNIST at short presentation times: rt-DeEP vs. no lookahead vs. back-propagation',
  summary: 'test error per presentation time (5–200 ms): rt-DeEP, w/o lookahead, back-propagation (Fig. 4c)',
  engines: ['digital'],
  params: MNIST_PARAMS,
  run(ctx: ExperimentContext): Promise<ExperimentResult> {
    if (ctx.engine !== 'digital') return Promise.reject(new UsageError('experiment mnist runs on the digital engine only (784-500-10 is too large for the analog emulator)'));
    return Promise.resolve(runMnist(ctx));
  },
};

function runMnist(ctx: ExperimentContext): ExperimentResult {
  const s = mnistSettings(ctx.quick, ctx.params, ctx.seed);
  ctx.progress(0, 'reading MNIST');
  const data = drawData(s, mnist('train', s.downsample), mnist('t10k', s.downsample));
  const results: PresentationResult[] = [];
  const t0 = performance.now();
  s.presentationsMs.forEach((T, i) => {
    const n = s.presentationsMs.length;
    results.push(runPresentation(s, data, T, (f, what) => ctx.progress((i + f) / n, what)));
  });
  const wallS = (performance.now() - t0) / 1000;
  return {
    name: 'mnist',
    title: mnistExperiment.title,
    claim: CLAIM,
    finding: finding(s, results),
    settings: settingsRecord(s),
    table: {
      columns: ['presentation', 'dt ms', 'train samples', 'rt-DeEP %', 'rt-DeEP settled %', 'w/o lookahead %', 'w/o lookahead settled %', 'backprop %'],
      rows: results.map((r) => [`${r.presentationMs} ms`, r.dtMs, s.trainSamples, percent(r.rtDeep.asPresented), percent(r.rtDeep.settled), percent(r.noLookahead.asPresented), percent(r.noLookahead.settled), percent(r.backprop.error)]),
    },
    data: { results, wallS },
    sections: sections(s, results),
  };
}


/** Computed from the numbers: per presentation time, whether rt-DeEP matches back-propagation and whether the control fails. */
export function finding(s: MnistSettings, results: PresentationResult[]): string {
  const net = `${s.sizes.join('-')}${s.downsample === 2 ? ' (14 × 14 images)' : ''}, ${s.trainSamples} training presentations`;
  const parts = results.map((r) => {
    const [rt, nl, bp] = [percent(r.rtDeep.asPresented), percent(r.noLookahead.asPresented), percent(r.backprop.error)];
    const gap = Math.round((rt - bp) * 10) / 10;
    const comparable = rt - bp <= Math.max(2, 0.25 * bp);
    // the control fails when it ends at least 10 points above rt-DeEP (chance is 90 %)
    const fails = nl - rt >= 10;
    return (
      `at ${r.presentationMs} ms rt-DeEP ${rt} % (settled ${percent(r.rtDeep.settled)} %) vs back-propagation ${bp} % ` +
      `(gap ${gap >= 0 ? '+' : ''}${gap} points, ${comparable ? 'comparable' : 'not comparable'}), w/o lookahead ${nl} % (settled ${percent(r.noLookahead.settled)} %) ` +
      `(${fails ? 'clearly worse than rt-DeEP' : 'not clearly worse'})`
    );
  });
  return `Test error (${net}): ${parts.join('; ')}.`;
}

function settingsRecord(s: MnistSettings): Record<string, unknown> {
  return {
    network: `${s.sizes.join('-')}, biases (constant-rate unit), hard sigmoid`,
    images: s.downsample === 2 ? '14 × 14 (2 × 2 means of MNIST)' : '28 × 28 MNIST',
    presentationsMs: s.presentationsMs,
    dtMs: 'paper: 0.05 / 0.1 / 0.5 ms for 5 / 10 / 50 ms, 1 ms otherwise',
    trainSamples: s.trainSamples,
    testSamples: s.testSamples,
    curveTestSamples: s.curveTestSamples,
    lrPerPresentation: s.fixedEtaPerMs === null ? s.lrPerPresentation : null,
    etaPerMs: Object.fromEntries(s.presentationsMs.map((T) => [`${T} ms`, etaPerMs(s, T)])),
    backpropLearningRate: 'η·β·T per presentation (what the NLA rule integrates to over one settled presentation)',
    beta: s.beta,
    tauMs: s.tauMs,
    tauInMs: s.tauInMs,
    weightInit: s.init,
    targets: 'one-hot label (1 / 0) switching with the image, passed through the input\'s low-pass τ_in like the input (u* = F*(r̄_in), as in the paper); test: no nudging, argmax of output voltages at the end of each presentation',
    engine: 'digital, explicit method (layered solver); control: lookahead off',
    seed: s.seed,
    seeds: 'network weights: spec seed = seed; training order: fork "mnist:train-order"; test subset: fork "mnist:test-subset"',
  };
}

function sections(s: MnistSettings, results: PresentationResult[]) {
  const out = results.map((r) => ({
    heading: `Learning curves, ${r.presentationMs} ms presentation`,
    note: `Test error (settled readout) on ${s.curveTestSamples} test images against training presentations seen.`,
    html: linePlot(
      [
        { label: 'rt-DeEP', x: r.rtDeep.curve.samples, y: r.rtDeep.curve.error.map((e) => 100 * e) },
        { label: 'w/o lookahead', x: r.noLookahead.curve.samples, y: r.noLookahead.curve.error.map((e) => 100 * e) },
        { label: 'backprop', x: r.backprop.curve.samples, y: r.backprop.curve.error.map((e) => 100 * e), dashed: true },
      ],
      { xLabel: 'training presentations', yLabel: 'test error %', title: `${r.presentationMs} ms` },
    ),
  }));
  if (results.length > 1) {
    const x = results.map((r) => r.presentationMs);
    out.unshift({
      heading: 'Test error against presentation time',
      note: 'As presented: argmax of the output voltages at the end of each test presentation.',
      html: linePlot(
        [
          { label: 'rt-DeEP', x, y: results.map((r) => 100 * r.rtDeep.asPresented) },
          { label: 'w/o lookahead', x, y: results.map((r) => 100 * r.noLookahead.asPresented) },
          { label: 'backprop', x, y: results.map((r) => 100 * r.backprop.error), dashed: true },
        ],
        { xLabel: 'presentation time (ms)', yLabel: 'test error %' },
      ),
    });
  }
  out.push({
    heading: 'Throughput',
    note: 'Engine steps per second while training.',
    html: htmlTable([['presentation', 'rt-DeEP steps/s', 'w/o lookahead steps/s'], ...results.map((r) => [`${r.presentationMs} ms`, Math.round(r.rtDeep.stepsPerSecond), Math.round(r.noLookahead.stepsPerSecond)])]),
  });
  return out;
}
