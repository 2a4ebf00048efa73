import type { EngineFailure } from '../emulator/engine.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { htmlPage, htmlTable, type PageHeader, type PageSection } from './html-page.js';
import { linePlot, type Series } from './svg-plot.js';
import { verdictNumber, type Verdict } from './verdict.js';

/**
 * An HTML page for one run: its verdict first (what ran, the cost, or where it stopped), one plot per probed
 * quantity and population (at most `maxSeries` neurons each), targets drawn dotted over the output voltages,
 * and the cost and max |f| over time.
 */
export function traceReport(title: string, intro: string, traces: TraceTable, summary: Record<string, unknown>, header: PageHeader = {}, failure: EngineFailure | null = null, maxSeries = 8): string {
  const { t, xLabel } = timeAxis(traces.time());
  const verdicts = header.verdicts ?? [runVerdict(summary, failure)];
  return htmlPage(title, intro, [...traceSections(traces, t, xLabel, maxSeries), summarySection(summary)], { ...header, verdicts });
}

/**
 * Times for plotting, in ms. Every page quotes model time in ms (summaries, shifts, verdicts, dt), so its
 * axes do too, whatever the run's length: one time unit per page.
 */
export function timeAxis(tMs: Float64Array): { t: Float64Array; xLabel: string } {
  return { t: tMs, xLabel: 'time (ms)' };
}

/** A run's one-line answer: where it stopped (fail), or how long it ran and its cost first vs last 10 % (info). */
export function runVerdict(summary: Record<string, unknown>, failure: EngineFailure | null): Verdict {
  const engine = String(summary.engine ?? 'the');
  if (failure) return { status: 'fail', text: `FAIL: the ${engine} engine stopped at t = ${failure.timeMs.toFixed(1)} ms${failure.where ? ` in ${failure.where}` : ''}: ${failure.what}. The plots hold what was recorded until then.` };
  const ms = summary.simulatedMs;
  const parts = [`Ran ${typeof ms === 'number' ? `${ms} ms` : 'the run'} on the ${engine} engine`];
  const c0 = summary.initialCost;
  const c1 = summary.finalCost;
  if (typeof c0 === 'number' && typeof c1 === 'number' && Number.isFinite(c0) && Number.isFinite(c1)) parts.push(`cost C ${verdictNumber(c0)} (first 10 %) → ${verdictNumber(c1)} (last 10 %)`);
  if (typeof summary.maxAbsF === 'number') parts.push(`max |f| after the transient ${verdictNumber(summary.maxAbsF)}`);
  return { status: 'info', text: `${parts.join('; ')}.` };
}

export function summarySection(summary: Record<string, unknown>): PageSection {
  const rows: Array<Array<string | number>> = [['quantity', 'value']];
  for (const [k, v] of Object.entries(summary)) rows.push([k, typeof v === 'number' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  return { heading: 'Summary', html: htmlTable(rows) };
}

/** The plots of a trace table, one section per quantity and population, plus cost and max |f|. */
export function traceSections(traces: TraceTable, t: Float64Array, xLabel: string, maxSeries = 8): PageSection[] {
  const groups = new Map<string, string[]>();
  for (const name of traces.names) {
    const key = name.includes('[') ? name.slice(0, name.indexOf('[')) : name;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(name);
  }
  const sections: PageSection[] = [];
  const ustarCols = [...groups.entries()].filter(([k]) => k.startsWith('ustar:'));
  for (const [key, cols] of groups) {
    if (key === 'cost' || key === 'fmax' || (key.startsWith('ustar:') && groups.has(`u:${key.slice(6)}`))) continue;
    const series: Series[] = cols.slice(0, maxSeries).map((c) => ({ label: c, x: t, y: traces.column(c) }));
    let targets = '';
    if (key.startsWith('u:')) {
      const pop = key.slice(2);
      const tcols = ustarCols.find(([k]) => k === `ustar:${pop}`)?.[1] ?? [];
      tcols.slice(0, maxSeries).forEach((c) => series.push({ label: `${c} (target)`, x: t, y: traces.column(c), dotted: true }));
      series.forEach((s, i) => (s.color = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'][i % Math.min(cols.length, maxSeries)]));
      if (tcols.length) targets = ', dotted: targets u*';
    }
    const more = cols.length > maxSeries ? ` (first ${maxSeries} of ${cols.length})` : '';
    sections.push({ heading: `${key}${more}${targets}`, html: linePlot(series, { xLabel, yLabel: key.split(':')[0] }) });
  }
  if (groups.has('cost')) {
    sections.push({
      heading: 'Cost C = ½‖P(u* − u)‖²',
      html: linePlot([{ label: 'C', x: t, y: traces.column('cost') }], { xLabel, yLabel: 'C', logY: true }),
    });
  }
  if (groups.has('fmax')) {
    sections.push({
      heading: 'Moving equilibrium: max |f| over neurons',
      note: 'f = ∂L/∂u is 0 on the moving equilibrium; it decays with τ after the start and after kinks of a piecewise-linear ρ.',
      html: linePlot([{ label: 'max |f|', x: t, y: traces.column('fmax') }], { xLabel, yLabel: '|f|', logY: true }),
    });
  }
  return sections;
}
