import { describe, expect, it } from 'vitest';
import { TraceTable } from '../../emulator/probes/recorder.js';
import { BOARD_INFERENCE_BOUND, comparisonVerdict, worstPoint, type WorstPoint } from '../../report/verdict.js';
import { partVerdict } from '../../report/compare-report.js';
import { compareTraces } from '../../emulator/compare/metrics.js';

// The verdict a comparison page opens with, against hand-computed traces: where B departs most from A, and
// whether that is within the tolerance (equal passes), by how much, at what time (ms).

/** A table with the given columns, one row per time (ms). */
function table(times: number[], cols: Record<string, number[]>): TraceTable {
  const names = Object.keys(cols);
  const t = new TraceTable(names, times.length);
  times.forEach((tm, i) => t.push(tm, names.map((n) => cols[n]![i]!)));
  return t;
}

const names = { a: 'digital', b: 'analog' };
const at = (absError: number): WorstPoint => ({ column: 'u:out[1]', timeMs: 1234.5, absError, nonFinite: false });

describe('worstPoint', () => {
  it('finds the largest |A − B| over probes and time, with its probe and time in ms', () => {
    const a = table([0, 1, 2, 3], { 'u:out[0]': [0, 1, 2, 3], 'u:out[1]': [0, 0, 0, 0] });
    // out[0]: B − A = 0.1 at 1 ms; out[1]: |B − A| = 0.3 at 2 ms (negative), 0.25 at 3 ms
    const b = table([0, 1, 2, 3], { 'u:out[0]': [0, 1.1, 2, 3], 'u:out[1]': [0, 0, -0.3, 0.25] });
    expect(worstPoint(a, b, ['u:out[0]', 'u:out[1]'])).toEqual({ column: 'u:out[1]', timeMs: 2, absError: 0.3, nonFinite: false });
  });

  it('interpolates B onto A’s times (B sampled twice as coarsely) and agrees with the per-probe max |error|', () => {
    const a = table([0, 1, 2, 3, 4], { 'u:x[0]': [0, 0, 0, 0, 0] });
    const b = table([0, 2, 4], { 'u:x[0]': [0, 0.4, 0] }); // B at 1 ms and 3 ms interpolates to 0.2
    const w = worstPoint(a, b, ['u:x[0]'])!;
    expect(w).toMatchObject({ timeMs: 2, absError: 0.4 });
    expect(w.absError).toBe(compareTraces(a, b, 0)[0]!.maxAbs);
  });

  it('skips A’s times outside B’s range, and reports a non-finite value as the worst point at its first time', () => {
    const a = table([0, 1, 2, 3], { 'u:x[0]': [0, 0, 0, 0] });
    expect(worstPoint(a, table([1, 2], { 'u:x[0]': [0.5, 0.1] }), ['u:x[0]'])).toMatchObject({ timeMs: 1, absError: 0.5 });
    const w = worstPoint(a, table([0, 1, 2, 3], { 'u:x[0]': [0, 9, NaN, 0] }), ['u:x[0]'])!;
    expect(w).toMatchObject({ timeMs: 2, nonFinite: true, absError: Infinity }); // B is NaN at 2 ms, after a 9 at 1 ms
    expect(comparisonVerdict(w, { value: 1e3, what: 'the tolerance' }, names).status).toBe('fail');
  });

  it('is null when nothing overlaps', () => {
    const a = table([0, 1], { 'u:x[0]': [0, 0] });
    expect(worstPoint(a, table([5, 6], { 'u:x[0]': [0, 0] }), ['u:x[0]'])).toBeNull();
    expect(comparisonVerdict(null, null, names).status).toBe('fail');
  });
});

describe('comparisonVerdict', () => {
  const tol = { value: 2e-3, what: 'the tolerance' };

  it('passes within the tolerance, with the share of it, the probe and the time in ms', () => {
    const v = comparisonVerdict(at(5e-4), tol, names);
    expect(v.status).toBe('pass');
    expect(v.text).toBe('PASS: within the tolerance 2.00e-3: max |A − B| = 5.00e-4 (25 % of it) on u:out[1] at t = 1234.5 ms (A = digital, B = analog).');
  });

  it('fails above the tolerance, with the multiple of it', () => {
    const v = comparisonVerdict(at(7e-3), tol, names);
    expect(v.status).toBe('fail');
    expect(v.text).toContain('FAIL: outside the tolerance 2.00e-3: max |A − B| = 7.00e-3 (3.5× it) on u:out[1] at t = 1234.5 ms');
  });

  it('edge: an error equal to the tolerance passes; the next double above it fails', () => {
    expect(comparisonVerdict(at(2e-3), tol, names).status).toBe('pass');
    expect(comparisonVerdict(at(2e-3 * (1 + Number.EPSILON)), tol, names).status).toBe('fail');
    expect(comparisonVerdict(at(BOARD_INFERENCE_BOUND), { value: 2 ** -12, what: 'the fixed-point bound' }, names).status).toBe('pass');
  });

  it('without a tolerance it informs; a tolerance that is not positive is refused', () => {
    expect(comparisonVerdict(at(0.5), null, names)).toEqual({ status: 'info', text: 'No tolerance set: max |A − B| = 5.00e-1 on u:out[1] at t = 1234.5 ms (A = digital, B = analog).' });
    expect(() => comparisonVerdict(at(0.5), { value: 0, what: 'x' }, names)).toThrow(/positive finite/);
    expect(() => comparisonVerdict(at(0.5), { value: -1, what: 'x' }, names)).toThrow(/positive finite/);
  });

  it('partVerdict reads the traces the page plots: B off by 0.01 from 2 ms on fails a 5e-3 tolerance at t = 2 ms', () => {
    const a = table([0, 1, 2, 3], { 'u:o[0]': [1, 1, 1, 1] });
    const b = table([0, 1, 2, 3], { 'u:o[0]': [1, 1, 1.01, 1.01] });
    const metrics = compareTraces(a, b, 0);
    const part = { a: { name: 'A', traces: a }, b: { name: 'B', traces: b }, metrics, errorOverTime: new Float64Array(4), perPopulation: [], summary: {} };
    const v = partVerdict({ ...part, tolerance: { value: 5e-3, what: 'the tolerance' } });
    expect(v.status).toBe('fail');
    expect(v.text).toContain('max |A − B| = 1.00e-2 (2.0× it) on u:o[0] at t = 2.0 ms');
  });
});
