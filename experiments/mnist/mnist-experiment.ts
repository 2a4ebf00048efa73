import { UsageError } from '../../core/errors.js';
import { htmlTable } from '../../report/html-page.js';
import { linePlot } from '../../report/svg-plot.js';
import { percent } from '../report.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';
import { mnist } from './dataset.js';
import { drawData, runPresentation, type Curve, type PresentationResult } from './mnist-run.js';
import { runPaperMnist } from './paper-experiment.js';
import { etaPerMs, isPaperProtocol, MNIST_PARAMS, mnistSettings, type MnistSettings } from './settings.js';

const CLAIM =
  'MNIST, 784-500-10, hard sigmoid, β = 0.1: with image presentations from 5 ms to 200 ms, rt-DeEP learns with a test error ' +
  'comparable to error back-propagation applied at each dt to the same filtered input stream, even at 5 ms (half a membrane time ' +
  'constant), while without lookahead learning fails at short presentation times (Fig. 4c1); the remaining limit is the input ' +
  'filter, presentation times of the order of τ_in (Fig. 4c2).';

/** Issue 5, experiment 2: rt-DeEP on MNIST at several presentation times, against two controls. */
export const mnistExperiment: Experiment = {
  name: 'mnist',
  title: 'MNIST at short presentation times: rt-DeEP vs. no lookahead vs. back-propagation (at each dt, and on clean images)',
  summary: 'test error per presentation time (5–200 ms): rt-DeEP, w/o lookahead, back-propagation at each dt and on clean images (Fig. 4c)',
  engines: ['digital'],
  params: MNIST_PARAMS,
  run(ctx: ExperimentContext): Promise<ExperimentResult> {
    if (ctx.engine !== 'digital') return Promise.reject(new UsageError('experiment mnist runs on the digital engine only (784-500-10 is too large for the analog emulator)'));
    try {
      if (isPaperProtocol(ctx.params)) return runPaperMnist(ctx);
      return Promise.resolve(runMnist(ctx));
    } catch (e) {
      return Promise.reject(e);
    }
  },
  resumable: (params) => params.protocol === 'paper',
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
      columns: ['presentation', 'dt ms', 'train samples', 'rt-DeEP %', 'rt-DeEP settled %', 'w/o lookahead %', 'w/o lookahead settled %', 'backprop %', 'backprop each dt %', 'backprop each dt settled %'],
      rows: results.map((r) => [
        `${r.presentationMs} ms`, r.dtMs, s.trainSamples,
        pct(r.rtDeep?.asPresented), pct(r.rtDeep?.settled), pct(r.noLookahead?.asPresented), pct(r.noLookahead?.settled),
        pct(r.backprop?.error), pct(r.backpropPerStep?.asPresented), pct(r.backpropPerStep?.settled),
      ]),
    },
    data: { results, wallS },
    sections: sections(s, results),
  };
}


/** A percentage for the table, or '—' for a method that was not run. */
function pct(v: number | undefined): number | string {
  return v === undefined ? '—' : percent(v);
}

/**
 * Computed from the numbers: per presentation time, whether rt-DeEP matches each back-propagation
 * reference that was run and whether the control without lookahead fails.
 */
export function finding(s: MnistSettings, results: PresentationResult[]): string {
  const net = `${s.sizes.join('-')}${s.downsample === 2 ? ' (14 × 14 images)' : ''}, ${s.trainSamples} training presentations`;
  const against = (rt: number, name: string, ref: number) => {
    const gap = Math.round((rt - ref) * 10) / 10;
    const comparable = rt - ref <= Math.max(2, 0.25 * ref);
    return `${name} ${ref} % (gap ${gap >= 0 ? '+' : ''}${gap} points, ${comparable ? 'comparable' : 'not comparable'})`;
  };
  const parts = results.map((r) => {
    const bits: string[] = [];
    const rt = r.rtDeep ? percent(r.rtDeep.asPresented) : undefined;
    if (r.rtDeep) bits.push(`rt-DeEP ${rt} % (settled ${percent(r.rtDeep.settled)} %)`);
    if (r.backpropPerStep) {
      const bps = percent(r.backpropPerStep.asPresented);
      bits.push(rt === undefined ? `back-propagation at every dt ${bps} % (settled ${percent(r.backpropPerStep.settled)} %)` : `vs ${against(rt, 'back-propagation at every dt', bps)}`);
    }
    if (r.backprop) bits.push(rt === undefined ? `back-propagation on clean images ${percent(r.backprop.error)} %` : `vs ${against(rt, 'back-propagation on clean images', percent(r.backprop.error))}`);
    if (r.noLookahead) {
      const nl = percent(r.noLookahead.asPresented);
      // the control fails when it ends at least 10 points above rt-DeEP (chance is 90 %)
      const verdict = rt === undefined ? '' : nl - rt >= 10 ? ' (clearly worse than rt-DeEP)' : ' (not clearly worse)';
      bits.push(`w/o lookahead ${nl} % (settled ${percent(r.noLookahead.settled)} %)${verdict}`);
    }
    return `at ${r.presentationMs} ms ${bits.join(', ')}`;
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
    methods: s.methods,
    backpropLearningRate: 'η·β·T per presentation (what the NLA rule integrates to over one settled presentation)',
    backpropPerStep: 'the forward net on the filtered input r̄_in(t) (forward Euler, as the engine), one SGD step towards u*(t) at every dt with rate η·β·dt; as presented: argmax at the end of each test presentation through the same filter',
    beta: s.beta,
    tauMs: s.tauMs,
    tauInMs: s.tauInMs,
    weightInit: s.init,
    targets: 'one-hot label (1 / 0) switching with the image, passed through the input\'s low-pass τ_in like the input (u* = F*(r̄_in), as in the paper); test: no nudging, argmax of output voltages at the end of each presentation',
    engine: 'digital, explicit method (layered solver); control: lookahead off',
    inputProducts: s.inputProducts,
    seed: s.seed,
    seeds: 'network weights: spec seed = seed; training order: fork "mnist:train-order"; test subset: fork "mnist:test-subset"',
  };
}

function sections(s: MnistSettings, results: PresentationResult[]) {
  type Series = { label: string; x: number[]; y: number[]; dashed?: boolean };
  const curves = (r: PresentationResult): Series[] => {
    const out: Series[] = [];
    const add = (label: string, c: Curve | undefined, dashed = false) => {
      if (c) out.push({ label, x: c.samples, y: c.error.map((e) => 100 * e), dashed });
    };
    add('rt-DeEP', r.rtDeep?.curve);
    add('w/o lookahead', r.noLookahead?.curve);
    add('backprop each dt', r.backpropPerStep?.curve, true);
    add('backprop', r.backprop?.curve, true);
    return out;
  };
  const out = results.map((r) => ({
    heading: `Learning curves, ${r.presentationMs} ms presentation`,
    note: `Test error (settled readout) on ${s.curveTestSamples} test images against training presentations seen.`,
    html: linePlot(curves(r), { xLabel: 'training presentations', yLabel: 'test error %', title: `${r.presentationMs} ms` }),
  }));
  if (results.length > 1) {
    const x = results.map((r) => r.presentationMs);
    const line = (label: string, v: (r: PresentationResult) => number | undefined, dashed = false): Series[] =>
      results.every((r) => v(r) !== undefined) ? [{ label, x, y: results.map((r) => 100 * v(r)!), dashed }] : [];
    out.unshift({
      heading: 'Test error against presentation time',
      note: 'As presented: argmax of the output voltages at the end of each test presentation (clean back-propagation: on the clean images).',
      html: linePlot(
        [
          ...line('rt-DeEP', (r) => r.rtDeep?.asPresented),
          ...line('w/o lookahead', (r) => r.noLookahead?.asPresented),
          ...line('backprop each dt', (r) => r.backpropPerStep?.asPresented, true),
          ...line('backprop', (r) => r.backprop?.error, true),
        ],
        { xLabel: 'presentation time (ms)', yLabel: 'test error %' },
      ),
    });
  }
  out.push({
    heading: 'Throughput',
    note: 'Steps per second while training.',
    html: htmlTable([
      ['presentation', 'rt-DeEP steps/s', 'w/o lookahead steps/s', 'backprop each dt steps/s'],
      ...results.map((r) => [`${r.presentationMs} ms`, ...[r.rtDeep, r.noLookahead, r.backpropPerStep].map((m) => (m ? Math.round(m.stepsPerSecond) : '—'))]),
    ]),
  });
  return out;
}
