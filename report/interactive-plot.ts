import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The class of the JSON block each line plot carries for the interactive (uPlot) version. */
export const PLOT_DATA_CLASS = 'nla-plot-data';

/** What a line plot hands the page script: aligned columns (x first) and how to draw each series. */
export interface InteractivePlotData {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logY: boolean;
  series: Array<{ label: string; color: string; dash?: number[]; spanGaps?: boolean }>;
  /** [x, y1, y2, …], all the same length; null is a gap. */
  data: Array<Array<number | null>>;
}

/** The JSON block for one plot (safe inside a script element: no `<`). */
export function plotDataBlock(d: InteractivePlotData): string {
  return `<script type="application/json" class="${PLOT_DATA_CLASS}">${JSON.stringify(d).replace(/</g, '\\u003c')}</script>`;
}

let assets: { js: string; css: string } | null = null;

/**
 * uPlot's script and style, read from the installed package at run time (so the page works offline). The
 * package's banner comment is replaced by one without a URL: the page must name no network address.
 */
export function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const req = createRequire(import.meta.url);
    const version = (JSON.parse(readFileSync(req.resolve('uplot/package.json'), 'utf8')) as { version: string }).version;
    const banner = `/*! uPlot ${version}, MIT licence, Copyright (c) 2022 Leon Sorokin (github.com/leeoniya/uPlot) */`;
    const js = readFileSync(req.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/^\/\*![^*]*\*\//, banner);
    const css = readFileSync(req.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    assets = { js, css };
  }
  return assets;
}

/**
 * The page script: turns every plot's JSON block into a uPlot chart (drag to zoom, double-click to reset,
 * values under the cursor in the legend) and hides the static SVG it replaces. Without JavaScript the SVG stays.
 * The charts are kept in `window.nlaPlots` (in page order) for scripts and tests.
 */
export const PLOT_INIT_SCRIPT = `
(function(){
  if (typeof uPlot === 'undefined') return;
  window.nlaPlots = [];
  // log-axis tick labels: uPlot's default prints 1e-4 as "0"; decades outside [0.01, 1e4) as 1e-4
  function logTicks(u, splits){
    return splits.map(function(v){
      if (v == null) return '';
      return v >= 0.01 && v < 1e4 ? String(+v.toPrecision(3)) : v.toExponential(0).replace('e+', 'e');
    });
  }
  document.querySelectorAll('script.${PLOT_DATA_CLASS}').forEach(function(block){
    var d = JSON.parse(block.textContent);
    var fig = block.parentElement;
    var host = document.createElement('div');
    host.className = 'nla-uplot';
    fig.insertBefore(host, block);
    var width = Math.max(320, (fig.clientWidth || 860) - 4);
    var opts = {
      title: d.title, width: width, height: 300,
      scales: { x: { time: false }, y: d.logY ? { distr: 3, log: 10 } : {} },
      axes: [{ label: d.xLabel }, d.logY ? { label: d.yLabel, size: 70, values: logTicks } : { label: d.yLabel, size: 70 }],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      series: [{ label: d.xLabel || 'x' }].concat(d.series.map(function(s){
        return { label: s.label, stroke: s.color, width: 1.4, dash: s.dash, spanGaps: s.spanGaps === true };
      }))
    };
    window.nlaPlots.push(new uPlot(opts, d.data, host));
    var still = fig.querySelector('.nla-static');
    if (still) still.style.display = 'none';
  });
})();
`;
