/**
 * Trace plots in the page with uPlot (loaded as a global by index.html, the library report/ inlines into
 * its HTML pages): one plot per run (the first columns of its traces) and the error over time.
 */
interface UPlotCtor {
  new (opts: object, data: ArrayLike<number>[], host: HTMLElement): { destroy(): void };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
/** At most this many columns per plot (the page stays fast; every column is in the result JSON). */
export const MAX_PLOTTED = 8;

function uPlotClass(): UPlotCtor {
  const u = (globalThis as { uPlot?: UPlotCtor }).uPlot;
  if (!u) throw new Error('uPlot is not loaded (vendor/uPlot.iife.min.js)');
  return u;
}

/** Draws one plot into `host` (replacing what it held): x = time (ms), one line per named series. */
export function plotSeries(host: HTMLElement, title: string, timeMs: ArrayLike<number>, series: Array<{ name: string; values: ArrayLike<number> }>): void {
  host.replaceChildren();
  const shown = series.slice(0, MAX_PLOTTED);
  const opts = {
    title,
    width: Math.min(1000, window.innerWidth - 60),
    height: 260,
    scales: { x: { time: false } },
    series: [{ label: 't (ms)' }, ...shown.map((s, i) => ({ label: s.name, stroke: PALETTE[i % PALETTE.length], width: 1 }))],
  };
  new (uPlotClass())(opts, [timeMs, ...shown.map((s) => s.values)], host);
}

/** The host element of the plot named `key` inside `parent`, created on first use. */
export function plotHost(parent: HTMLElement, key: string): HTMLElement {
  let host = parent.querySelector<HTMLElement>(`[data-plot="${key}"]`);
  if (!host) {
    host = document.createElement('div');
    host.dataset.plot = key;
    parent.append(host);
  }
  return host;
}
