import { describe, expect, it } from 'vitest';
import { anyBelowFloor, atLeastFloor, logFloor } from '../../report/log-floor.js';
import { commandLine, shellWord } from '../../report/command-line.js';
import { linePlot } from '../../report/svg-plot.js';
import { htmlPage, pageHeader } from '../../report/html-page.js';
import { runVerdict, timeAxis } from '../../report/trace-report.js';
import { resultPage } from '../../experiments/report.js';
import type { ExperimentResult } from '../../experiments/experiment.js';

// The pure parts of the pages: the log-axis floor, the time unit, the interactive data, the header (verdict,
// QUICK banner, command), the legend listing every series, each against a hand-computed answer.

/** The interactive data block of a plot, parsed. */
function plotData(html: string): { logY: boolean; series: Array<{ label: string; dash?: number[] }>; data: Array<Array<number | null>> } {
  const m = /<script type="application\/json" class="nla-plot-data">(.*?)<\/script>/s.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

describe('log axis floor', () => {
  it('is the largest positive value / 10⁶ (zeros, negatives and non-finite values ignored), or the plot’s own floor', () => {
    expect(logFloor([[0, 3e-2, -5, NaN, Infinity, 1e-300], [2e-2]])).toBeCloseTo(3e-8, 20);
    expect(logFloor([[0, 0]])).toBeNaN();
    expect(logFloor([[1]], 1e-3)).toBe(1e-3);
    expect(() => logFloor([[1]], 0)).toThrow(/positive finite floor/);
  });

  it('values below the floor are drawn at it; NaN stays a gap; the check for a note is strict (< floor)', () => {
    expect(atLeastFloor(1e-300, 1e-8)).toBe(1e-8);
    expect(atLeastFloor(5e-3, 1e-8)).toBe(5e-3);
    expect(atLeastFloor(NaN, 1e-8)).toBeNaN();
    expect(anyBelowFloor([[1, 1e-8]], 1e-8)).toBe(false);
    expect(anyBelowFloor([[1, 0.99e-8]], 1e-8)).toBe(true);
  });

  it('a log plot with an exact zero spans 6 decades, not 300, and says so', () => {
    const html = linePlot([{ label: 'e', x: [0, 1, 2], y: [1e-2, 0, 1e-300] }], { logY: true });
    const d = plotData(html);
    expect(d.logY).toBe(true);
    expect(d.data[1]).toEqual([1e-2, 1e-8, 1e-8]);
    expect(html).toContain('values below 1.0e-8 (the largest value / 10^6), zeros included, are drawn at 1.0e-8');
    expect(html).not.toMatch(/e-300|e-30\d/);
  });
});

describe('time unit, interactive data, legend', () => {
  it('model time stays in ms on every page, also for a 30 s run', () => {
    const t = Float64Array.from([0, 15000, 30000]);
    const ax = timeAxis(t);
    expect(ax.xLabel).toBe('time (ms)');
    expect(Array.from(ax.t)).toEqual([0, 15000, 30000]);
  });

  it('series on one x become aligned columns; the dash of B and of targets is carried', () => {
    const x = [0, 0.5, 1];
    const d = plotData(linePlot([{ label: 'A', x, y: [1, 2, 3] }, { label: 'B', x, y: [1, NaN, 4], dashed: true }, { label: 'u*', x, y: [0, 0, 0], dotted: true }]));
    expect(d.data).toEqual([[0, 0.5, 1], [1, 2, 3], [1, null, 4], [0, 0, 0]]);
    expect(d.series.map((s) => s.dash ?? null)).toEqual([null, [5, 3], [2, 2]]);
  });

  it('series on different x are merged on the union of their x values, gaps as null', () => {
    const d = plotData(linePlot([{ label: 'p', x: [0, 2], y: [1, 3] }, { label: 'q', x: [1, 2], y: [5, 6] }]));
    expect(d.data).toEqual([[0, 1, 2], [1, null, 3], [null, 5, 6]]);
  });

  it('the legend lists every series in full (no truncation, no "more")', () => {
    const long = 'a very long series label that the old legend cut at 24 characters';
    const series = Array.from({ length: 20 }, (_, i) => ({ label: `${long} #${i}`, x: [0, 1], y: [i, i] }));
    const html = linePlot(series);
    for (let i = 0; i < 20; i++) expect(html).toContain(`${long} #${i}</span>`);
    expect(html).not.toContain('more</text>');
  });
});

describe('page header', () => {
  it('shows the verdicts, the QUICK banner only when quick, and the command in a copyable block', () => {
    const h = pageHeader({ verdicts: [{ status: 'fail', text: 'FAIL: 2 > 1' }], quick: true, command: "nla x --a 'b c'" });
    expect(h).toContain('<p class="verdict verdict-fail" data-status="fail">FAIL: 2 &gt; 1</p>');
    expect(h).toContain('id="quick-banner"');
    expect(h).toContain(`<pre id="command">nla x --a 'b c'</pre>`);
    expect(pageHeader({ quick: false })).not.toContain('quick-banner');
  });

  it('inlines uPlot only when the page has a line plot, and names no network address', () => {
    const plain = htmlPage('t', 'i', [{ heading: 'h', html: '<p>x</p>' }]);
    expect(plain).not.toContain('uPlot');
    const withPlot = htmlPage('t', 'i', [{ heading: 'h', html: linePlot([{ label: 'a', x: [0, 1], y: [0, 1] }]) }]);
    expect(withPlot).toContain('var uPlot=');
    expect(withPlot).toContain('.uplot');
    expect(withPlot).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('an experiment page carries the QUICK banner exactly when quick, its finding as the verdict, and the command line', () => {
    const r: ExperimentResult = { name: 'x', title: 'X', claim: 'c', finding: 'τ = 10 ms measured', settings: {}, table: { columns: ['a'], rows: [['1']] }, data: {}, sections: [] };
    const run = { command: 'nla experiment x', wallS: 1, machine: 'm', commandLine: 'nla experiment x --seed 2' };
    const quick = resultPage(r, { ...run, quick: true });
    expect(quick).toContain('id="quick-banner"');
    expect(quick).toContain('QUICK run: τ = 10 ms measured</p>');
    expect(quick).toContain('<pre id="command">nla experiment x --seed 2</pre>');
    const full = resultPage(r, { ...run, quick: false });
    expect(full).not.toContain('quick-banner');
    expect(full).toContain('data-status="info">τ = 10 ms measured</p>');
  });
});

describe('run verdict and command line', () => {
  it('a failed run says where it stopped (ms); a finished one its length and costs', () => {
    expect(runVerdict({ engine: 'analog' }, { what: 'step size underflow', timeMs: 12.25, where: 'h1[3]' })).toEqual({
      status: 'fail',
      text: 'FAIL: the analog engine stopped at t = 12.3 ms in h1[3]: step size underflow. The plots hold what was recorded until then.',
    });
    expect(runVerdict({ engine: 'digital', simulatedMs: 40, initialCost: 0.5, finalCost: 0.125 }, null)).toEqual({ status: 'info', text: 'Ran 40 ms on the digital engine; cost C 5.00e-1 (first 10 %) → 1.25e-1 (last 10 %).' });
  });

  it('quotes arguments for a POSIX shell so that the block can be pasted', () => {
    expect(shellWord('--duration')).toBe('--duration');
    expect(shellWord('a b')).toBe("'a b'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('')).toBe("''");
    expect(commandLine(['node', 'bin/nla.js', 'compare', 'x y.json', '--b', 'analog'])).toBe("nla compare 'x y.json' --b analog");
  });
});
