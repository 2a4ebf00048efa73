import type { TraceTable } from '../emulator/probes/recorder.js';
import { htmlPage, htmlTable, type PageSection } from './html-page.js';
import { linePlot, type Series } from './svg-plot.js';

/**
 * An HTML page for one run: one plot per probed quantity and population (at most `maxSeries` neurons
 * each), targets drawn dashed over the output voltages, and the cost and max |f| over time.
 */
export function traceReport(title: string, intro: string, traces: TraceTable, summary: Record<string, unknown>, maxSeries = 8): string {
  const { t, xLabel } = timeAxis(traces.time());
  return htmlPage(title, intro, [...traceSections(traces, t, xLabel, maxSeries), summarySection(summary)]);
}

/** Times for plotting: seconds when the run is longer than 5 s, else milliseconds. */
export function timeAxis(tMs: Float64Array): { t: Float64Array; xLabel: string } {
  const span = tMs.length ? tMs[tMs.length - 1]! - tMs[0]! : 0;
  return span > 5000 ? { t: tMs.map((v) => v / 1000), xLabel: 'time (s)' } : { t: tMs, xLabel: 'time (ms)' };
}

export function summarySection(summary: Record<string, unknown>): PageSection {
  const rows: Array<Array<string | number>> = [['quantity', 'value']];
  for (const [k, v] of Object.entries(summary)) rows.push([k, typeof v === 'number' ? v : String(v)]);
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
    if (key === 'cost' || key === 'fmax' || key.startsWith('ustar:')) continue;
    const series: Series[] = cols.slice(0, maxSeries).map((c) => ({ label: c, x: t, y: traces.column(c) }));
    if (key.startsWith('u:')) {
      const pop = key.slice(2);
      const targets = ustarCols.find(([k]) => k === `ustar:${pop}`)?.[1] ?? [];
      targets.slice(0, maxSeries).forEach((c, i) => series.push({ label: `${c}`, x: t, y: traces.column(c), dashed: true, color: series[i]?.color ?? undefined }));
      series.forEach((s, i) => (s.color = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'][i % Math.min(cols.length, maxSeries)]));
    }
    const more = cols.length > maxSeries ? ` (first ${maxSeries} of ${cols.length})` : '';
    sections.push({ heading: `${key}${more}`, html: linePlot(series, { xLabel, yLabel: key.split(':')[0] }) });
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
