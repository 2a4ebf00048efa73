import type { CornerResult, MonteCarloResult } from './run.js';
import type { Verdict } from '../../report/verdict.js';
import { fmtDist, type MonteCarloMeta } from './text.js';
import { htmlPage, htmlTable } from '../../report/html-page.js';
import { histogramPlot } from '../../report/svg-histogram.js';

/** The Monte Carlo page: the verdict per corner, histograms of trace and task error, the sensitivity ranking, every chip. */
export function montecarloReport(meta: MonteCarloMeta, r: MonteCarloResult): string {
  const classifier = Number.isFinite(r.referenceTaskError);
  const sections = r.corners.map((c) => {
    const y = c.yield;
    const verdict = y ? `Yield ${(100 * y.fraction).toFixed(1)} % (${y.passed}/${y.n}; 95 % interval ${(100 * y.low95).toFixed(1)}–${(100 * y.high95).toFixed(1)} %).` : `${c.chips.length} chips.`;
    const plots = [histogramPlot(c.traceHistogram.edges, c.traceHistogram.counts, { title: 'trace error (RMS, units)', xLabel: 'RMS of chip − reference', mark: { x: c.nominal.traceError, label: 'nominal' } })];
    if (c.taskError.n) plots.push(histogramPlot(c.taskHistogram.edges, c.taskHistogram.counts, { title: classifier ? 'test error rate' : 'task error (RMS u − u*)', xLabel: classifier ? 'error rate' : 'RMS', mark: { x: classifier ? r.referenceTaskError : c.nominal.taskError, label: classifier ? 'ideal' : 'nominal' } }));
    return {
      heading: `Corner: ${c.corner}`,
      note: `${verdict} Trace error ${fmtDist(c.traceError)}${c.taskError.n ? `; task error ${fmtDist(c.taskError, classifier)}` : ''}${c.failed ? `; ${c.failed} chips failed` : ''}.`,
      html: `<div>${plots.join(' ')}</div>`,
    };
  });
  if (r.sensitivity) {
    const s = r.sensitivity;
    sections.push({
      heading: 'Which spread matters most',
      note: `${s.runs} chips per class with that class's σ alone (the same draws as the full chips: one stream per class). Share of the mean-square trace error above the nominal chip; all classes together ${s.allKnobsExcessMs.toPrecision(3)}, the sum of the classes alone ${s.sumOfKnobsExcessMs.toPrecision(3)} (close when the effects add).`,
      html: htmlTable([['profile field', 'σ', 'classes', 'RMS trace error', 'share'], ...s.entries.map((e) => [e.knob, e.sigma, e.classes.join(', '), e.traceErrorRms, `${(100 * e.share).toFixed(1)} %`])]),
    });
  }
  sections.push({ heading: 'Power, energy and area (nominal chip)', note: 'The estimate nla compile prints; formulas and assumptions in docs/hardware.md.', html: `<pre>${meta.power.map(escHtml).join('\n')}</pre>` });
  const chips = r.corners.flatMap((c) => [c.nominal, ...c.chips]);
  sections.push({ heading: 'Every chip', note: 'Chip i has the same mismatch seed in every corner.', html: htmlTable([['corner', 'chip', 'seed', 'mismatch', 'trace error', 'task error', 'failed'], ...chips.map((c) => [c.corner, c.chip, c.seed, c.mismatch, c.traceError, c.taskError, c.failed ?? ''])]) });
  return htmlPage(`${meta.network}: Monte Carlo on ${meta.profile}`, `${meta.mode}; seed ${meta.seed}; ${meta.chipsRun} chips in ${meta.wallS.toFixed(1)} s on ${meta.workers} worker(s).`, sections, {
    verdicts: r.corners.map(cornerVerdict),
    command: meta.command,
  });
}

/**
 * A corner's verdict: its yield against the run's limits (pass when every chip passed, fail when none did,
 * else the yield as information), or, without limits, the spread of the trace error.
 */
export function cornerVerdict(c: CornerResult): Verdict {
  const y = c.yield;
  const failed = c.failed ? `; ${c.failed} chips failed` : '';
  if (!y) return { status: c.failed ? 'fail' : 'info', text: `Corner ${c.corner}: ${c.chips.length} chips, trace error ${fmtDist(c.traceError)}${failed} (no --tolerance or --max-task-error: no yield).` };
  const status = y.passed === y.n ? 'pass' : y.passed === 0 ? 'fail' : 'info';
  return { status, text: `Corner ${c.corner}: yield ${(100 * y.fraction).toFixed(1)} % (${y.passed}/${y.n} chips within the limits; 95 % interval ${(100 * y.low95).toFixed(1)}–${(100 * y.high95).toFixed(1)} %)${failed}.` };
}

function escHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
