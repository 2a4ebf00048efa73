/**
 * Line plots as standalone SVG strings: no dependencies, no network access needed to view them.
 * Long series are reduced to at most `maxPoints` per series by min/max decimation, which keeps spikes.
 */
export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  logY?: boolean;
  maxPoints?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function linePlot(series: Series[], opt: PlotOptions = {}): string {
  const W = opt.width ?? 860;
  const H = opt.height ?? 300;
  // the legend sits in the right margin, outside the data
  const m = { l: 64, r: 170, t: opt.title ? 30 : 12, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const tf = (v: number) => (opt.logY ? (v > 0 ? Math.log10(v) : NaN) : v);
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
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
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
    parts.push(`<path d="${segs.join('')}" fill="none" stroke="${color}" stroke-width="1.4"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
  });
  const shown = series.slice(0, 16);
  const lx = m.l + pw + 12;
  shown.forEach((s, k) => {
    const y = m.t + 8 + k * 15;
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    parts.push(`<line x1="${lx}" y1="${y}" x2="${lx + 20}" y2="${y}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    const label = s.label.length > 24 ? `${s.label.slice(0, 23)}…` : s.label;
    parts.push(`<text x="${lx + 25}" y="${y + 4}" fill="#222">${esc(label)}</text>`);
  });
  if (series.length > shown.length) parts.push(`<text x="${lx + 25}" y="${m.t + 8 + shown.length * 15 + 4}" fill="#666">… ${series.length - shown.length} more</text>`);
  parts.push('</svg>');
  return parts.join('\n');
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
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
