import type { ColumnMetrics } from '../emulator/compare/metrics.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { resample } from '../emulator/compare/metrics.js';
import { htmlPage, htmlTable, type PageSection } from './html-page.js';
import { linePlot, type Series } from './svg-plot.js';
import { timeAxis } from './trace-report.js';

export interface ComparisonData {
  title: string;
  intro: string;
  a: { name: string; traces: TraceTable };
  b: { name: string; traces: TraceTable };
  metrics: ColumnMetrics[];
  errorOverTime: Float64Array;
  perPopulation: Array<Record<string, string | number>>;
  summary: Record<string, string | number>;
  /** Further engines compared with the same A, each in its own part of the page. */
  others?: Array<{ heading: string; text: string; b: { name: string; traces: TraceTable }; a?: { name: string; traces: TraceTable }; metrics: ColumnMetrics[]; errorOverTime: Float64Array; perPopulation: Array<Record<string, string | number>>; summary: Record<string, string | number> }>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * The comparison report: per population the traces of A (solid) and B (dashed) overlaid, the largest
 * error over time, and tables of the per-population and per-probe metrics. One self-contained file.
 */
export function comparisonReport(d: ComparisonData, maxPerPlot = 4): string {
  const sections = comparisonSections(d, maxPerPlot);
  for (const o of d.others ?? []) {
    sections.push({ heading: o.heading, html: `<p>${o.text}</p>` });
    sections.push(...comparisonSections({ ...d, ...o, a: o.a ?? d.a }, maxPerPlot));
  }
  return htmlPage(d.title, d.intro, sections);
}

function comparisonSections(d: Omit<ComparisonData, 'title' | 'intro' | 'others'>, maxPerPlot: number): PageSection[] {
  const { t: tA, xLabel } = timeAxis(d.a.traces.time());
  const tRaw = d.a.traces.time();
  const sections: PageSection[] = [];
  const pops = new Map<string, string[]>();
  for (const m of d.metrics) {
    const key = m.column.includes('[') ? m.column.slice(0, m.column.indexOf('[')) : m.column;
    if (!pops.has(key)) pops.set(key, []);
    pops.get(key)!.push(m.column);
  }
  for (const [key, cols] of pops) {
    const series: Series[] = [];
    cols.slice(0, maxPerPlot).forEach((c, i) => {
      const short = c.slice(c.indexOf(':') + 1);
      series.push({ label: `${short} A`, x: tA, y: d.a.traces.column(c), color: COLORS[i % COLORS.length] });
      series.push({ label: `${short} B`, x: tA, y: resample(d.b.traces, c, tRaw), color: COLORS[i % COLORS.length], dashed: true });
    });
    sections.push({ heading: `${key}: A = ${d.a.name} (solid), B = ${d.b.name} (dashed)${cols.length > maxPerPlot ? `, first ${maxPerPlot} of ${cols.length}` : ''}`, html: linePlot(series, { xLabel, yLabel: key.split(':')[0] }) });
  }
  sections.push({
    heading: `Largest error over time, max over the compared probes of |A − B| (B = ${d.b.name})`,
    html: linePlot([{ label: '|A − B| max', x: tA, y: d.errorOverTime.map((v) => Math.max(v, 1e-16)) }], { xLabel, yLabel: 'error', logY: true }),
  });
  if (d.perPopulation.length) {
    const keys = Object.keys(d.perPopulation[0]!);
    sections.push({ heading: `Per population (${d.b.name})`, html: htmlTable([keys, ...d.perPopulation.map((r) => keys.map((k) => r[k]!))]) });
  }
  sections.push({
    heading: `Per probe (${d.b.name})`,
    html: htmlTable([
      ['probe', 'RMSE', 'max |error|', 'NRMSE', 'best shift (ms)', 'RMSE after shift'],
      ...d.metrics.map((m) => [m.column, m.rmse, m.maxAbs, m.nrmse, m.bestShiftMs, m.rmseShifted]),
    ]),
  });
  sections.push({ heading: `Summary: ${d.a.name} vs ${d.b.name}`, html: htmlTable([['quantity', 'value'], ...Object.entries(d.summary)]) });
  return sections;
}
