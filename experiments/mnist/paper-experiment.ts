import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { toolkitIdentity } from '../../core/package-info.js';
import { Rng } from '../../core/rng.js';
import { linePlot } from '../../report/svg-plot.js';
import type { ExperimentContext, ExperimentResult } from '../experiment.js';
import { percent } from '../report.js';
import { mnist } from './dataset.js';
import { permutation } from './epoch-order.js';
import { readCheckpoint } from './paper-checkpoint.js';
import { runPaperPresentation, type PaperData, type PaperRunResult } from './paper-run.js';
import { paperRunSettings, paperSettings, switchPresentation, type PaperSettings } from './paper-settings.js';

const CLAIM =
  'MNIST, 784-500-10, hard sigmoid, β = 0.1, η = 10⁻³ reduced to 10⁻⁴ after 22,000 s of training time, dt = 1 ms (0.5 ms at 50 ms ' +
  'presentations): rt-DeEP learns MNIST with a test error comparable to error back-propagation (Fig. 4c; the paper gives the results as figures).';

/**
 * The build that writes and may resume a checkpoint: the version and the code's fingerprint
 * (core/package-info.ts), so a run is never continued by other code than the one that began it.
 */
export function toolkitVersion(): string {
  return toolkitIdentity();
}

/** The checkpoint file of one presentation time in the run's --out folder. */
export function checkpointFile(dir: string, s: PaperSettings, presentationMs: number): string {
  return join(dir, `mnist${s.quick ? '-quick' : ''}-paper-${presentationMs}ms.checkpoint`);
}

/** `nla experiment mnist --param protocol=paper`: each presentation time in turn, with checkpoints and --resume. */
export async function runPaperMnist(ctx: ExperimentContext): Promise<ExperimentResult> {
  const s = paperSettings(ctx.quick, ctx.params, ctx.seed);
  const cp = ctx.checkpoint;
  const files = s.presentationsMs.map((T) => (cp ? checkpointFile(cp.dir, s, T) : null));
  const present = files.filter((f): f is string => f !== null && existsSync(f));
  if (cp?.resume && present.length === 0) throw new UsageError(`--resume: no checkpoint in ${cp.dir} (looked for ${files.join(', ')})`);
  if (cp && !cp.resume && present.length > 0) throw new UsageError(`${present[0]} exists: continue that run with --resume, or give another --out`);
  ctx.progress(0, 'reading MNIST');
  const data = paperData(s);
  const version = toolkitVersion();
  const results: PaperRunResult[] = [];
  for (const [i, T] of s.presentationsMs.entries()) {
    const file = files[i]!;
    const resume = file !== null && existsSync(file) ? readCheckpoint(file, { toolkitVersion: version, settings: paperRunSettings(s, T) }) : null;
    const n = s.presentationsMs.length;
    results.push(await runPaperPresentation(s, data, T, { file, resume, toolkitVersion: version, stop: () => cp?.stop() ?? false, progress: (f, what) => ctx.progress((i + f) / n, what) }));
  }
  return paperResult(s, results);
}

/** MNIST at the settings' resolution, and the test subsets (fork "mnist:test-subset", as the other mnist runs). */
export function paperData(s: PaperSettings): PaperData {
  const train = mnist('train', s.downsample);
  const test = mnist('t10k', s.downsample);
  const testIdx = s.testSamples >= test.count ? Int32Array.from({ length: test.count }, (_, i) => i) : permutation(test.count, new Rng(s.seed).fork('mnist:test-subset'), s.testSamples);
  // the curve's images do not depend on `test` (which may change between sessions of one run)
  const curveIdx = permutation(test.count, new Rng(s.seed).fork('mnist:curve-subset'), Math.min(s.curveTestSamples, test.count));
  return { train, test, testIdx, curveIdx };
}

function paperResult(s: PaperSettings, results: PaperRunResult[]): ExperimentResult {
  const data = results.map(({ weights: _w, backpropWeights: _b, ...r }) => r);
  return {
    name: 'mnist',
    title: `MNIST, the paper's protocol: ${s.sizes.join('-')}${s.downsample === 2 ? ' (14 × 14 images)' : ''} for ${s.switchS} s of training time at η = ${s.etaPerMs[0]}, then ${s.continueS} s at η = ${s.etaPerMs[1]}`,
    claim: CLAIM,
    finding: paperFinding(s, results),
    settings: { ...paperRunSettings(s, s.presentationsMs[0]!), presentationsMs: s.presentationsMs, dtMs: results.map((r) => r.dtMs), testSamples: s.testSamples, trainLimit: s.trainLimit,
      schedule: 'η per ms = etaPerMs[0] for the first switchS of simulated time, then etaPerMs[1] for continueS (the paper does not give the length of the second phase)',
      order: 'the 60,000 training images cycled in epochs; epoch e is a permutation drawn from new Rng(seed).fork("mnist:epoch:" + e)',
      backprop: 'the feed-forward net from the same initial weights, one SGD step per presentation on the clean image, learning rate η·β·T (what the NLA rule integrates to over a settled presentation), η switched with the same schedule' },
    table: {
      columns: ['presentation', 'dt ms', 'presentations', 'simulated s', 'rt-DeEP %', 'rt-DeEP settled %', 'backprop (same budget) %', 'steps/s', 'training wall s'],
      rows: results.map((r) => [`${r.presentationMs} ms`, r.dtMs, `${r.done} of ${r.fullSchedule}`, r.simulatedS, percent(r.rtDeep.asPresented), percent(r.rtDeep.settled), r.backprop ? percent(r.backprop.error) : '—', Math.round(r.stepsPerSecond), Math.round(r.wallS)]),
    },
    data: { results: data },
    sections: results.map((r) => ({
      heading: `Learning curve, ${r.presentationMs} ms presentation`,
      note: `Settled test error on ${s.curveTestSamples} test images against simulated training time; η switches at ${s.switchS} s.`,
      html: linePlot(
        [
          { label: 'rt-DeEP', x: r.curve.samples.map((k) => (k * r.presentationMs) / 1000), y: r.curve.rtDeep.map((e) => 100 * e) },
          ...(r.curve.backprop.length ? [{ label: 'backprop (same budget)', x: r.curve.samples.map((k) => (k * r.presentationMs) / 1000), y: r.curve.backprop.map((e) => 100 * e), dashed: true }] : []),
        ],
        { xLabel: 'simulated training time (s)', yLabel: 'test error %', title: `${r.presentationMs} ms` },
      ),
    })),
  };
}

/** Computed from the numbers: how far each run got, and rt-DeEP against back-propagation with the same budget. */
export function paperFinding(s: PaperSettings, results: PaperRunResult[]): string {
  const parts = results.map((r) => {
    const partial = r.done < r.fullSchedule ? ` (partial: ${r.done} of the schedule's ${r.fullSchedule} presentations${r.done <= switchPresentation(s, r.presentationMs) ? ', before the η switch' : ''})` : '';
    const rt = percent(r.rtDeep.asPresented);
    const bp = r.backprop ? `, back-propagation with the same budget ${percent(r.backprop.error)} % (gap ${(Math.round((rt - percent(r.backprop.error)) * 10) / 10).toString()} points)` : '';
    return `at ${r.presentationMs} ms after ${r.simulatedS} s of training${partial}: rt-DeEP ${rt} % (settled ${percent(r.rtDeep.settled)} %)${bp}`;
  });
  return `Test error on ${s.testSamples} images (${s.sizes.join('-')}): ${parts.join('; ')}.`;
}
