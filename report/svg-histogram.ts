import { esc, ticks } from './svg-plot.js';

/** A histogram as a standalone SVG bar chart (bins given by their edges), with an optional marked value. */
export function histogramPlot(edges: readonly number[], counts: readonly number[], opt: { title?: string; xLabel?: string; mark?: { x: number; label: string } } = {}): string {
  const W = 420;
  const H = 240;
  const m = { l: 44, r: 12, t: opt.title ? 28 : 10, b: 40 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const x0 = edges[0]!;
  const x1 = edges[edges.length - 1]!;
  const top = Math.max(1, ...counts);
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (c: number) => m.t + ph - (c / top) * ph;
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="white"/>`];
  if (opt.title) p.push(`<text x="${W / 2}" y="17" text-anchor="middle" font-size="12" font-weight="600">${esc(opt.title)}</text>`);
  counts.forEach((c, i) => p.push(`<rect x="${sx(edges[i]!) + 0.5}" y="${sy(c)}" width="${Math.max(1, sx(edges[i + 1]!) - sx(edges[i]!) - 1)}" height="${m.t + ph - sy(c)}" fill="#1f77b4"><title>${c} in [${edges[i]!.toPrecision(3)}, ${edges[i + 1]!.toPrecision(3)}]</title></rect>`));
  for (const t of ticks(x0, x1, 5)) p.push(`<text x="${sx(t)}" y="${m.t + ph + 14}" text-anchor="middle" fill="#444">${Number(t.toPrecision(3))}</text>`);
  for (const t of ticks(0, top, 4).filter((t) => Number.isInteger(t))) p.push(`<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${t}</text><line x1="${m.l}" x2="${m.l + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
  p.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#888"/>`);
  if (opt.xLabel) p.push(`<text x="${m.l + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(opt.xLabel)}</text>`);
  if (opt.mark && Number.isFinite(opt.mark.x)) {
    const X = Math.min(m.l + pw, Math.max(m.l, sx(opt.mark.x)));
    p.push(`<line x1="${X}" x2="${X}" y1="${m.t}" y2="${m.t + ph}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${X + 3}" y="${m.t + 10}" fill="#d62728">${esc(opt.mark.label)}</text>`);
  }
  p.push('</svg>');
  return p.join('');
}
