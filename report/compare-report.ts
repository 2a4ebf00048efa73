import type { ColumnMetrics } from '../emulator/compare/metrics.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { resample } from '../emulator/compare/metrics.js';
import { htmlPage, htmlTable, type PageHeader, type PageSection } from './html-page.js';
import { esc, linePlot, type Series } from './svg-plot.js';
import { timeAxis } from './trace-report.js';
import { comparisonVerdict, verdictNumber, worstPoint, type Tolerance, type Verdict } from './verdict.js';

/** One comparison of B against A: the traces, the metrics emulator/compare computed, and what B is held to. */
export interface ComparisonPart {
  a: { name: string; traces: TraceTable };
  b: { name: string; traces: TraceTable };
  metrics: ColumnMetrics[];
  errorOverTime: Float64Array;
  perPopulation: Array<Record<string, string | number>>;
  summary: Record<string, string | number>;
  /** B passes when max |A − B| ≤ tolerance (drawn on the error plot); null or absent: no tolerance, the verdict only informs. */
  tolerance?: Tolerance | null;
}

/** A comparison page: the first comparison, and further engines compared with the same A. */
export interface ComparisonData extends ComparisonPart {
  title: string;
  intro: string;
  /** Further engines compared with the same A, each in its own part of the page. */
  others?: Array<Omit<ComparisonPart, 'a'> & { heading: string; text: string; a?: { name: string; traces: TraceTable } }>;
  /** The command line (and QUICK flag) shown at the top. */
  header?: Omit<PageHeader, 'verdicts'>;
  /** What the reader should know before trusting the numbers (plasticity on, a best shift at its search limit), listed under the verdict. */
  notes?: string[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** The verdict of one comparison, from its traces: the worst |A − B| over the compared probes, against its tolerance. */
export function partVerdict(p: ComparisonPart): Verdict {
  return comparisonVerdict(worstPoint(p.a.traces, p.b.traces, p.metrics.map((m) => m.column)), p.tolerance ?? null, { a: p.a.name, b: p.b.name });
}

/**
 * The comparison report: the verdict of every comparison first, then per population the traces of A (solid)
 * and B (dashed) overlaid with the targets (dotted) where A recorded them, the largest error over time with
 * the tolerance, and tables of the per-population and per-probe metrics. One self-contained file.
 */
export function comparisonReport(d: ComparisonData, maxPerPlot = 4): string {
  const parts: ComparisonPart[] = [d, ...(d.others ?? []).map((o) => ({ ...o, a: o.a ?? d.a }))];
  const verdicts = parts.map(partVerdict);
  const sections = comparisonSections(d, maxPerPlot);
  if (d.notes?.length) sections.unshift({ heading: 'Read this first', html: `<ul class="nla-notes">${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` });
  (d.others ?? []).forEach((o, i) => {
    sections.push({ heading: o.heading, html: `<p>${o.text}</p>` });
    sections.push(...comparisonSections(parts[i + 1]!, maxPerPlot));
  });
  return htmlPage(d.title, d.intro, sections, { ...d.header, verdicts });
}

/** Columns grouped by population (`u:out[0]` → `u:out`), in order. */
function byPopulation(columns: string[]): Map<string, string[]> {
  const pops = new Map<string, string[]>();
  for (const c of columns) {
    const key = c.includes('[') ? c.slice(0, c.indexOf('[')) : c;
    if (!pops.has(key)) pops.set(key, []);
    pops.get(key)!.push(c);
  }
  return pops;
}

function comparisonSections(d: ComparisonPart, maxPerPlot: number): PageSection[] {
  const { t: tA, xLabel } = timeAxis(d.a.traces.time());
  const tRaw = d.a.traces.time();
  const sections: PageSection[] = [];
  for (const [key, cols] of byPopulation(d.metrics.map((m) => m.column))) {
    const series: Series[] = [];
    let targets = false;
    cols.slice(0, maxPerPlot).forEach((c, i) => {
      const short = c.slice(c.indexOf(':') + 1);
      const color = COLORS[i % COLORS.length];
      series.push({ label: `${short} A`, x: tA, y: d.a.traces.column(c), color });
      series.push({ label: `${short} B`, x: tA, y: resample(d.b.traces, c, tRaw), color, dashed: true });
      const target = key.startsWith('u:') ? `ustar:${c.slice(2)}` : '';
      if (target && d.a.traces.names.includes(target)) {
        series.push({ label: `${short} target u*`, x: tA, y: d.a.traces.column(target), color, dotted: true });
        targets = true;
      }
    });
    const more = cols.length > maxPerPlot ? `, first ${maxPerPlot} of ${cols.length}` : '';
    sections.push({ heading: `${key}: A = ${d.a.name} (solid), B = ${d.b.name} (dashed)${targets ? ', targets u* (dotted)' : ''}${more}`, html: linePlot(series, { xLabel, yLabel: key.split(':')[0] }) });
  }
  const err: Series[] = [{ label: '|A − B| max over probes', x: tA, y: d.errorOverTime }];
  if (d.tolerance) err.push({ label: `${d.tolerance.what} ${verdictNumber(d.tolerance.value)}`, x: tA, y: new Float64Array(tA.length).fill(d.tolerance.value), color: '#555', dashed: true });
  sections.push({
    heading: `Largest error over time, max over the compared probes of |A − B| (B = ${d.b.name})${d.tolerance ? `, and the ${d.tolerance.what} (dashed)` : ''}`,
    html: linePlot(err, { xLabel, yLabel: 'error', logY: true }),
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
