import { anyBelowFloor, atLeastFloor, LOG_DECADES, logFloor } from './log-floor.js';
import { plotDataBlock, type InteractivePlotData } from './interactive-plot.js';

/**
 * Line plots as standalone SVG strings: no dependencies, no network access needed to view them.
 * Long series are reduced to at most `maxPoints` per series by min/max decimation, which keeps spikes.
 * Each plot also carries its data for the page's interactive version (uPlot: zoom, values on hover); the
 * SVG is the first paint and the fallback without JavaScript.
 */
export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
  /** Dotted line (targets). */
  dotted?: boolean;
}

/** How a line plot is drawn. */
export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  logY?: boolean;
  /** Log axis: values at or below this are drawn at it (default: the largest value / 10⁶). */
  logFloor?: number;
  maxPoints?: number;
  /** Carry the data for the interactive version (default true; needs every series on the same x). */
  interactive?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** The dash pattern of a series (SVG stroke-dasharray / uPlot dash), or none for a solid line. */
function dashOf(s: Series): number[] | undefined {
  return s.dotted ? [2, 2] : s.dashed ? [5, 3] : undefined;
}

/** A plot: the SVG with a legend that lists every series (wrapping), a log-floor note, and the interactive data. */
export function linePlot(series: Series[], opt: PlotOptions = {}): string {
  const floor = opt.logY ? logFloor(series.map((s) => s.y), opt.logFloor) : NaN;
  const colored = series.map((s, k) => ({ ...s, color: s.color ?? PALETTE[k % PALETTE.length]! }));
  const svg = svgPlot(colored, opt, floor);
  const legend = `<div class="legend">${colored.map((s) => `<span><svg width="22" height="8"><line x1="0" y1="4" x2="22" y2="4" stroke="${s.color}" stroke-width="2"${dashOf(s) ? ` stroke-dasharray="${dashOf(s)!.join(',')}"` : ''}/></svg>${esc(s.label)}</span>`).join('')}</div>`;
  const note =
    opt.logY && Number.isFinite(floor) && anyBelowFloor(series.map((s) => s.y), floor)
      ? `<p class="note">Log axis: values below ${fmt(floor)} (${opt.logFloor !== undefined ? 'the floor this plot sets' : `the largest value / 10^${LOG_DECADES}`}), zeros included, are drawn at ${fmt(floor)}.</p>`
      : '';
  const data = opt.interactive !== false ? interactiveData(colored, opt, floor) : null;
  return `<figure class="nla-plot"><div class="nla-static">${svg}${legend}</div>${note}${data ? plotDataBlock(data) : ''}</figure>`;
}

function svgPlot(series: Array<Series & { color: string }>, opt: PlotOptions, floor: number): string {
  const W = opt.width ?? 860;
  const H = opt.height ?? 300;
  const m = { l: 64, r: 16, t: opt.title ? 30 : 12, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const tf = (v: number) => (opt.logY ? (Number.isFinite(floor) && !Number.isNaN(v) ? Math.log10(atLeastFloor(v, floor)) : NaN) : v);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!;
      const y = tf(s.y[i]!);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.t + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  if (opt.title) parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">${esc(opt.title)}</text>`);
  for (const t of ticks(x0, x1, 7)) {
    const X = sx(t);
    parts.push(`<line x1="${X}" y1="${m.t}" x2="${X}" y2="${m.t + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${X}" y="${m.t + ph + 14}" text-anchor="middle" fill="#444">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1, 6)) {
    const Y = sy(t);
    parts.push(`<line x1="${m.l}" y1="${Y}" x2="${m.l + pw}" y2="${Y}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${Y + 4}" text-anchor="end" fill="#444">${opt.logY ? fmt(10 ** t) : fmt(t)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  if (opt.xLabel) parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(opt.xLabel)}</text>`);
  if (opt.yLabel) parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opt.yLabel)}</text>`);
  for (const s of series) {
    const pts = decimate(s.x, s.y, opt.maxPoints ?? 1500, tf);
    const segs: string[] = [];
    let pen = false;
    for (const [x, y] of pts) {
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      segs.push(`${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
      pen = true;
    }
    const dash = dashOf(s);
    parts.push(`<path d="${segs.join('')}" fill="none" stroke="${s.color}" stroke-width="1.4"${dash ? ` stroke-dasharray="${dash.join(',')}"` : ''}><title>${esc(s.label)}</title></path>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Largest number of rows the interactive version carries; longer tables keep the min and max of every series per bucket. */
const INTERACTIVE_ROWS = 20000;

/** The plot's data for uPlot: on the shared x, or on the sorted union of the series' x values (gaps bridged). */
function interactiveData(series: Array<Series & { color: string }>, opt: PlotOptions, floor: number): InteractivePlotData | null {
  if (series.length === 0) return null;
  // x with 7 significant digits (0.05 ms steps over 30 s), y with 6 (the page's tables show 4)
  const num = (v: number, digits = 7): number | null => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : null);
  const yOf = (v: number) => num(opt.logY ? (Number.isFinite(floor) ? atLeastFloor(v, floor) : NaN) : v, 6);
  const head = {
    ...(opt.title ? { title: opt.title } : {}),
    ...(opt.xLabel ? { xLabel: opt.xLabel } : {}),
    ...(opt.yLabel ? { yLabel: opt.yLabel } : {}),
    logY: opt.logY === true,
  };
  const style = (s: Series & { color: string }, bridge: boolean) => ({ label: s.label, color: s.color, ...(dashOf(s) ? { dash: dashOf(s) } : {}), ...(bridge ? { spanGaps: true } : {}) });
  const shared = sharedX(series);
  if (shared) {
    const rows = keptRows(series, shared.length);
    return { ...head, series: series.map((s) => style(s, false)), data: [rows.map((i) => num(shared[i]!)), ...series.map((s) => rows.map((i) => yOf(s.y[i]!)))] };
  }
  if (series.reduce((n, s) => n + s.x.length, 0) > INTERACTIVE_ROWS) return null;
  const xs = [...new Set(series.flatMap((s) => Array.from(s.x).filter((v) => Number.isFinite(v))))].sort((p, q) => p - q);
  const at = new Map(xs.map((v, i) => [v, i]));
  const data: Array<Array<number | null>> = [xs.map((v) => num(v))];
  for (const s of series) {
    const col: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]!)) col[at.get(s.x[i]!)!] = yOf(s.y[i]!);
    data.push(col);
  }
  return { ...head, series: series.map((s) => style(s, true)), data };
}

/** The x values every series shares (same length and values, ascending), or null. */
function sharedX(series: Series[]): ArrayLike<number> | null {
  const x = series[0]!.x;
  const n = x.length;
  for (const s of series) {
    if (s.y.length !== n || s.x.length !== n) return null;
    if (s.x !== x) for (let i = 0; i < n; i++) if (s.x[i] !== x[i]) return null;
  }
  for (let i = 1; i < n; i++) if (!(x[i]! >= x[i - 1]!)) return null;
  return x;
}

/** Row indices to keep: all up to INTERACTIVE_ROWS, else per bucket the first row and every series' min and max. */
function keptRows(series: Series[], n: number): number[] {
  if (n <= INTERACTIVE_ROWS) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(INTERACTIVE_ROWS / (1 + 2 * Math.min(series.length, 8))));
  const keep = new Set<number>([n - 1]);
  for (let b = 0; b < buckets; b++) {
    const s0 = Math.floor((b * n) / buckets);
    const e = Math.floor(((b + 1) * n) / buckets);
    keep.add(s0);
    for (const s of series) {
      let lo = s0;
      let hi = s0;
      for (let i = s0; i < e; i++) {
        if (s.y[i]! < s.y[lo]!) lo = i;
        if (s.y[i]! > s.y[hi]!) hi = i;
      }
      keep.add(lo).add(hi);
    }
  }
  return [...keep].sort((p, q) => p - q);
}

/** Keeps first/min/max/last per bucket so that peaks survive; transforms y with tf. */
function decimate(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number, tf: (v: number) => number): Array<[number, number]> {
  const n = x.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => [x[i]!, tf(y[i]!)]);
  const buckets = Math.floor(maxPoints / 2);
  const out: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor((b * n) / buckets);
    const e = Math.floor(((b + 1) * n) / buckets);
    let lo = s;
    let hi = s;
    for (let i = s; i < e; i++) {
      if (tf(y[i]!) < tf(y[lo]!)) lo = i;
      if (tf(y[i]!) > tf(y[hi]!)) hi = i;
    }
    for (const i of lo < hi ? [lo, hi] : [hi, lo]) out.push([x[i]!, tf(y[i]!)]);
  }
  return out;
}

export function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
