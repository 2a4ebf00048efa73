import { htmlPage } from '../report/html-page.js';
import { esc, linePlot, type Series } from '../report/svg-plot.js';
import type { ResultRow } from './results.js';
import type { SeedGroup } from './seed-summary.js';

/** What the sweep page shows: the metric against the first swept parameter, one series per combination of the others. */
export interface SweepPageInput {
  title: string;
  command: string;
  parameters: string[];
  columns: string[];
  rows: ResultRow[];
  metric: string;
  /** A job's own page (experiment, montecarlo), relative to the sweep page, by job hash: the hash cell links to it. */
  pages?: Readonly<Record<string, string>>;
  /** The metric across seeds, when the sweep varies --seed (seed-summary.ts). */
  acrossSeeds?: readonly SeedGroup[] | null;
}

const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : '–');

/** The metric's mean ± sd, min and max across seeds, one row per combination of the other options. */
function seedTable(groups: readonly SeedGroup[], metric: string): string {
  const keys = Object.keys(groups[0]?.params ?? {});
  const head = `<tr>${[...keys, 'seeds', 'n', `${metric}: mean ± sd`, 'min', 'max', 'missing'].map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = groups.map((g) => `<tr${g.missing.length ? ' class="failed"' : ''}>${[...keys.map((k) => String(g.params[k])), g.seeds.join(', '), String(g.n), `${num(g.mean)} ± ${num(g.sd)}`, num(g.min), num(g.max), g.missing.join(', ')].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  return `<div style="overflow-x:auto"><table>${head}${body.join('')}</table></div>`;
}

/** x positions of the first parameter's values: the numbers themselves, or their order when not all numeric. */
function xPositions(values: Array<string | number | boolean>): { x: Map<string, number>; numeric: boolean } {
  const distinct = [...new Set(values.map(String))];
  const numeric = distinct.every((v) => v !== '' && Number.isFinite(Number(v)));
  return { x: new Map(distinct.map((v, k) => [v, numeric ? Number(v) : k])), numeric };
}

function metricSeries(p: SweepPageInput): { series: Series[]; note: string } {
  const [px, ...rest] = p.parameters;
  const ok = p.rows.filter((r) => r.status === 'done' && typeof r[p.metric] === 'number');
  if (!px) return { series: [], note: 'no swept parameter' };
  const { x, numeric } = xPositions(ok.map((r) => r[px]!));
  // one line per combination of every other swept option: a line never joins points that differ in one
  const groups = new Map<string, ResultRow[]>();
  for (const r of ok) {
    const key = rest.length ? rest.map((q) => `${q} ${String(r[q])}`).join(', ') : p.metric;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const series = [...groups].map(([label, rs]) => {
    const pts = rs.map((r) => [x.get(String(r[px]))!, r[p.metric] as number] as const).sort((a, b) => a[0] - b[0]);
    return { label, x: pts.map((q) => q[0]), y: pts.map((q) => q[1]) };
  });
  const note = numeric ? '' : `x: ${px} values in order ${[...x.keys()].map((v, k) => `${k} = ${v}`).join(', ')}`;
  return { series, note };
}

function cell(r: ResultRow, c: string, pages: Readonly<Record<string, string>>): string {
  const text = esc(r[c] === undefined ? '' : String(r[c]));
  const page = c === 'hash' ? pages[String(r.hash)] : undefined;
  return `<td>${page ? `<a href="${esc(page)}">${text}</a>` : text}</td>`;
}

function table(columns: string[], rows: ResultRow[], pages: Readonly<Record<string, string>>): string {
  const head = `<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr${r.status === 'failed' ? ' class="failed"' : ''}>${columns.map((c) => cell(r, c, pages)).join('')}</tr>`);
  return `<div style="overflow-x:auto"><table>${head}${body.join('')}</table></div>`;
}

/** The sweep's HTML page: the metric plot and the full table (failed rows included). */
export function sweepPage(p: SweepPageInput): string {
  const { series, note } = metricSeries(p);
  const failed = p.rows.filter((r) => r.status !== 'done').length;
  const plot = series.length ? linePlot(series, { title: p.metric, xLabel: p.parameters[0], yLabel: p.metric, interactive: false }) : '<p>no finished point has this metric</p>';
  return htmlPage(
    p.title,
    `${p.rows.length} points, ${failed} failed.`,
    [
      { heading: `${p.metric} against ${p.parameters[0] ?? '(none)'}`, html: plot, ...(note ? { note } : {}) },
      ...(p.acrossSeeds ? [{ heading: `${p.metric} across seeds`, html: seedTable(p.acrossSeeds, p.metric), note: 'sample standard deviation (n − 1); a seed whose job failed is listed as missing, never averaged in' }] : []),
      { heading: 'Results', html: table(p.columns, p.rows, p.pages ?? {}), ...(p.pages && Object.keys(p.pages).length ? { note: "a job's hash links to its own page" } : {}) },
    ],
    { verdicts: [{ status: failed ? 'fail' : 'pass', text: failed ? `${failed} of ${p.rows.length} jobs failed` : `all ${p.rows.length} jobs finished` }], command: p.command },
  );
}
