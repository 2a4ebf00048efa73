import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { comparisonNotes, compareRuns } from '../../cli/commands/compare.js';
import type { EngineRun } from '../../cli/engines.js';
import { compareTraces } from '../../emulator/compare/metrics.js';
import { TraceTable } from '../../emulator/probes/recorder.js';
import { ensureBuilt, nla, root } from './run-nla.js';

// nla compare's notes: plasticity on in either run, and a best time shift on the --max-shift bound.
// Truth: traces built with a known delay (B(t) = A(t − 3 ms)), so the best shift is 3 ms exactly.

const DELAY_MS = 3;

/** A smooth trace sampled every 0.1 ms over 100 ms, delayed by `delayMs`. */
function trace(delayMs: number): TraceTable {
  const t = new TraceTable(['u:out[0]'], 1001);
  for (let k = 0; k <= 1000; k++) {
    const tMs = k * 0.1;
    t.push(tMs, [Math.sin((2 * Math.PI * (tMs - delayMs)) / 40) + 0.3 * Math.sin((2 * Math.PI * (tMs - delayMs)) / 13)]);
  }
  return t;
}

/** A run as compareRuns takes it, with only traces and the summary's `learn`. */
function run(engine: string, traces: TraceTable, learn: boolean): EngineRun {
  return { engine, traces, summary: { learn }, weights: null, graph: null as never, circuit: null, snapshots: [], failure: null, state: null };
}

describe('the best-shift search bound', () => {
  it('a delay inside the bound is found, and not flagged', () => {
    const [m] = compareTraces(trace(0), trace(DELAY_MS), 5);
    expect(m!.bestShiftMs).toBeCloseTo(DELAY_MS, 2);
    expect(m!.shiftAtLimit).toBe(false);
  });

  it('a delay beyond the bound stops at the bound, flagged, and the note says to widen --max-shift', () => {
    const [m] = compareTraces(trace(0), trace(DELAY_MS), 1);
    expect(m!.bestShiftMs).toBeCloseTo(1, 9);
    expect(m!.shiftAtLimit).toBe(true);
    const c = compareRuns(run('digital', trace(0), false), run('analog', trace(DELAY_MS), false), 1, NaN);
    expect(c.notes).toEqual([expect.stringMatching(/^best shift = the search limit \(±1 ms\) for 1 of 1 probes \(u:out\[0\] \+1\.00 ms\).*widen with --max-shift/)]);
  });

  it('a delay in the other direction is flagged at the lower bound', () => {
    const [m] = compareTraces(trace(DELAY_MS), trace(0), 2);
    expect(m!.bestShiftMs).toBeCloseTo(-2, 9);
    expect(m!.shiftAtLimit).toBe(true);
  });
});

describe('plasticity', () => {
  it('is noted when on in either run, naming which', () => {
    const notes = (la: boolean, lb: boolean) => comparisonNotes(run('digital', trace(0), la), run('analog', trace(0), lb), compareTraces(trace(0), trace(0), 1), 1);
    expect(notes(false, false)).toEqual([]);
    expect(notes(true, false)[0]).toMatch(/^plasticity was on in A \(digital\): learning changes the weights/);
    expect(notes(false, true)[0]).toMatch(/^plasticity was on in B \(analog\):/);
    expect(notes(true, true)[0]).toMatch(/^plasticity was on in A \(digital\) and B \(analog\)/);
  });
});

describe('nla compare prints the notes', () => {
  beforeAll(ensureBuilt);
  const ex = join(root, 'examples/teacher');
  const base = ['compare', join(ex, 'network.json'), '--duration', '20ms', '--input', join(ex, 'input.csv'), '--quiet'];

  it('learning on (the spec\'s default for digital and analog): noted; --no-learn: not', () => {
    const on = nla([...base, '--json']);
    expect(on.code).toBe(0);
    expect(JSON.parse(on.out).notes.join('\n')).toContain('plasticity was on in A (digital) and B (analog)');
    const off = nla([...base, '--no-learn']);
    expect(off.code).toBe(0);
    expect(off.out).not.toContain('plasticity was on');
  });

  it('a --max-shift of one sample with a profile whose traces lag: the shift-limit note, in text', () => {
    const r = nla([...base, '--no-learn', '--profile', 'subthreshold', '--max-shift', '0.1ms']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: best shift = the search limit \(±0\.1 ms\) for \d+ of 27 probes/);
  });
});

describe('nla compare --seed: the seed goes to the engine that draws', () => {
  beforeAll(ensureBuilt);
  const ex = join(root, 'examples/teacher');
  const run = ['--duration', '20ms', '--input', join(ex, 'input.csv'), '--no-learn', '--quiet'];
  const tmp = mkdtempSync(join(tmpdir(), 'nla-cmp-seed-'));

  /** The trace columns of a CSV that `nla simulate --out` wrote, by time. */
  function traces(path: string): { names: string[]; rows: number[][] } {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    return { names: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
  }

  /** max |A − B| over the u probes at the common sample times: what compare's verdict must report. */
  function maxAbsU(a: string, b: string): number {
    const [ta, tb] = [traces(a), traces(b)];
    const byTime = new Map(tb.rows.map((r) => [r[0]!.toFixed(6), r]));
    let worst = 0;
    for (const ra of ta.rows) {
      const rb = byTime.get(ra[0]!.toFixed(6))!;
      ta.names.forEach((n, i) => {
        if (n.startsWith('u')) worst = Math.max(worst, Math.abs(ra[i]! - rb[tb.names.indexOf(n)]!));
      });
    }
    return worst;
  }

  it("digital vs analog --seed 2: B is the analog engine's seed-2 chip, A the network itself, and the note says so", () => {
    const sim = (engine: string, seed: string | null, out: string) => {
      const r = nla(['simulate', join(ex, 'network.json'), '--engine', engine, ...(engine === 'analog' ? ['--profile', 'subthreshold'] : []), ...(seed ? ['--seed', seed] : []), ...run, '--out', join(tmp, out)]);
      expect(r.code, r.err).toBe(0);
    };
    sim('digital', null, 'd.csv');
    sim('analog', '2', 'a2.csv');
    sim('analog', '1', 'a1.csv');
    const cmp = (seed: string) => {
      const r = nla(['compare', join(ex, 'network.json'), '--profile', 'subthreshold', '--seed', seed, ...run, '--json']);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as { verdict: { maxAbs: number }; notes: string[]; runs: { a: { seed: number }; b: { seed: number } } };
    };
    const c2 = cmp('2');
    expect(c2.runs.a.seed).toBe(1);
    expect(c2.runs.b.seed).toBe(2);
    expect(c2.verdict.maxAbs).toBe(maxAbsU(join(tmp, 'd.csv'), join(tmp, 'a2.csv')));
    expect(c2.verdict.maxAbs).not.toBe(maxAbsU(join(tmp, 'd.csv'), join(tmp, 'a1.csv')));
    expect(c2.notes[0]).toBe("--seed 2 chose the analog engine's draws; the digital engine draws nothing at run time (its weights come from the network's seed)");
    expect(cmp('1').notes.join('\n')).toContain('--seed 1 chose the analog engine');
  });

  it('the digital engine alone still refuses a seed other than the network\'s (exit 2)', () => {
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'digital', '--seed', '2', ...run]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--seed: the digital engine draws nothing at run time; its weights come from the spec's seed (1)");
  });
});
