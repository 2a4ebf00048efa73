import { esc, ticks } from '../report/svg-plot.js';

/** One measured network: its depth (weight layers), size and cost, on this build or the baseline. */
export interface DepthPoint {
  depth: number;
  synapses: number;
  nsPerSynapseStep: number;
  build: 'this build' | 'baseline';
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** Marker path centred on (x, y): one shape per depth (circle, square, triangle, diamond, …). */
function marker(kind: number, x: number, y: number, color: string, filled: boolean): string {
  const paint = filled ? `fill="${color}" stroke="${color}"` : `fill="white" stroke="${color}" stroke-width="1.6"`;
  const r = 5;
  switch (kind % 4) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="${r}" ${paint}/>`;
    case 1:
      return `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" ${paint}/>`;
    case 2:
      return `<path d="M${x},${y - r - 1}L${x + r + 1},${y + r}L${x - r - 1},${y + r}Z" ${paint}/>`;
    default:
      return `<path d="M${x},${y - r - 1}L${x + r + 1},${y}L${x},${y + r + 1}L${x - r - 1},${y}Z" ${paint}/>`;
  }
}

/**
 * A standalone SVG scatter plot: ns per synapse·step (linear) against synapses (log axis), one marker shape
 * and colour per depth, filled for this build and hollow for the baseline, with the 1.5 ns goal dashed.
 */
export function depthPlot(points: DepthPoint[], title: string): string {
  const [W, H] = [760, 360];
  const m = { l: 64, r: 190, t: 34, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const lx = points.map((p) => Math.log10(p.synapses));
  const [x0, x1] = [Math.floor(Math.min(...lx) * 2) / 2, Math.ceil(Math.max(...lx) * 2) / 2];
  const y1 = Math.max(2, ...points.map((p) => p.nsPerSynapseStep)) * 1.1;
  const X = (s: number) => m.l + ((Math.log10(s) - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - (v / y1) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="20" font-size="14">${esc(title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
  ];
  for (const v of ticks(0, y1, 6)) out.push(`<line x1="${m.l - 4}" x2="${m.l}" y1="${Y(v)}" y2="${Y(v)}" stroke="#888"/><text x="${m.l - 8}" y="${Y(v) + 4}" text-anchor="end">${+v.toPrecision(6)}</text>`);
  for (let e = Math.ceil(x0); e <= x1; e++) out.push(`<line x1="${X(10 ** e)}" x2="${X(10 ** e)}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#888"/><text x="${X(10 ** e)}" y="${m.t + ph + 18}" text-anchor="middle">10^${e}</text>`);
  for (let e = Math.floor(x0); e < x1; e++)
    for (const k of [2, 5]) if (Math.log10(k * 10 ** e) > x0 && Math.log10(k * 10 ** e) < x1) out.push(`<line x1="${X(k * 10 ** e)}" x2="${X(k * 10 ** e)}" y1="${m.t + ph}" y2="${m.t + ph + 3}" stroke="#aaa"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">synapses (log scale)</text>`);
  out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">ns per synapse·step</text>`);
  out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(1.5)}" y2="${Y(1.5)}" stroke="#555" stroke-dasharray="5,4"/><text x="${m.l + pw - 4}" y="${Y(1.5) - 5}" text-anchor="end" fill="#555">goal 1.5 ns</text>`);
  const depths = [...new Set(points.map((p) => p.depth))].sort((a, b) => a - b);
  for (const p of points) {
    const k = depths.indexOf(p.depth);
    out.push(marker(k, X(p.synapses), Y(p.nsPerSynapseStep), COLORS[k % COLORS.length]!, p.build === 'this build'));
  }
  depths.forEach((d, k) => {
    const y = m.t + 12 + 20 * k;
    out.push(marker(k, W - m.r + 24, y, COLORS[k % COLORS.length]!, true), `<text x="${W - m.r + 36}" y="${y + 4}">depth ${d}</text>`);
  });
  // the filled/hollow key only when a baseline was measured
  if (points.some((p) => p.build === 'baseline')) {
    const yb = m.t + 12 + 20 * depths.length + 8;
    out.push(marker(0, W - m.r + 24, yb, '#444', true), `<text x="${W - m.r + 36}" y="${yb + 4}">this build</text>`);
    out.push(marker(0, W - m.r + 24, yb + 20, '#444', false), `<text x="${W - m.r + 36}" y="${yb + 24}">baseline</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
