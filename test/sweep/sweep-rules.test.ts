import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { parseSweepFile } from '../../sweep/sweep-file.js';
import { sweepJobs } from '../../sweep/job.js';
import { jobRecord, succeeded } from '../../sweep/job-store.js';
import { seedSummary } from '../../sweep/seed-summary.js';
import { sweepPage } from '../../sweep/html.js';
import { lockSweepDir } from '../../sweep/sweep-lock.js';
import { sweepFile } from './sweep-helpers.js';

// The rules that keep a sweep's table honest: what is one job, what counts as done, who writes the folder,
// and what the summaries average. Truth: hand-built inputs whose right answer is known.
beforeAll(ensureBuilt);
const ex = (f: string) => join(root, 'examples/teacher', f);

describe('what is one job', () => {
  it('two equal points are refused (exit 2 naming them): they would be one job counted twice', () => {
    expect(() => parseSweepFile({ command: 'simulate', grid: { '--seed': [1, 1] } })).toThrow("field 'grid' repeats a value: points 0 and 1 are the same");
    expect(() => parseSweepFile({ command: 'simulate', points: [{ '--seed': 1, '--dt': '0.1ms' }, { '--dt': '0.1ms', '--seed': 1 }] })).toThrow("field 'points[1]' is the same point as points[0]");
    const s = sweepFile({ command: 'simulate', args: [], grid: { '--seed': [2, 2] } });
    const r = nla(['sweep', s.file, '--out', s.out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("'grid' repeats a value");
  });

  it('a file given as --input=path is hashed like --input path: editing it gives a new job', () => {
    const s = sweepFile({});
    const input = join(s.dir, 'in.csv');
    writeFileSync(input, readFileSync(ex('input.csv')));
    const body = { command: 'simulate', args: [ex('network.json'), '--duration', '10ms', `--input=${input}`], grid: { '--seed': [1] } };
    const sweep = parseSweepFile(body);
    expect(sweep.args.slice(-2)).toEqual(['--input', input]);
    const before = sweepJobs(sweep, 'v')[0]!;
    expect(before.files.map((f) => f.arg)).toEqual([ex('network.json'), input]);
    writeFileSync(input, readFileSync(ex('input.csv'), 'utf8').replace(/\n0,/, '\n0.0,'));
    expect(sweepJobs(parseSweepFile(body), 'v')[0]!.hash).not.toBe(before.hash);
  });
});

describe('what counts as done', () => {
  it('exit 0 with a JSON summary is done; exit 0 without one, or any other exit, is failed', () => {
    const job = sweepJobs(parseSweepFile({ command: 'simulate', grid: { '--seed': [1] } }), 'v')[0]!;
    expect(succeeded({ exitCode: 0, json: { maxAbsU: 1 }, stderrTail: '' })).toBe(true);
    expect(succeeded({ exitCode: 0, json: null, stderrTail: '' })).toBe(false);
    expect(succeeded({ exitCode: 0, json: 3, stderrTail: '' })).toBe(false);
    expect(succeeded({ exitCode: 3, json: { maxAbsU: 1 }, stderrTail: '' })).toBe(false);
    expect(jobRecord(job, { exitCode: 0, json: null, stderrTail: '' }, 1).status).toBe('failed');
  });
});

describe('who writes the folder', () => {
  it('a second sweep into a folder a live sweep holds is refused (exit 2, naming its pid); a dead one\'s lock is taken over', () => {
    const s = sweepFile({ command: 'simulate', args: [], grid: { '--seed': [1] } });
    mkdirSync(s.out, { recursive: true });
    writeFileSync(join(s.out, '.sweep.lock'), `${process.pid}\n`); // this test process: alive
    const r = nla(['sweep', s.file, '--out', s.out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`another nla sweep (pid ${process.pid}) is writing into this folder`);
    writeFileSync(join(s.out, '.sweep.lock'), '999999999\n'); // no such process
    const release = lockSweepDir(s.out);
    expect(readFileSync(join(s.out, '.sweep.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });

  it("an earlier run's table does not outlive a run that fails before writing its own", () => {
    const s = sweepFile({ command: 'simulate', args: [ex('network.json'), '--engine', 'digital', '--duration', '1ms', '--input', ex('input.csv')], grid: { '--dt': ['0.1ms'] } });
    mkdirSync(s.out, { recursive: true });
    writeFileSync(join(s.out, 'results.csv'), 'stale\n');
    const r = nla(['sweep', s.file, '--out', s.out, '--metric', 'no-such-metric', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--metric no-such-metric: no result has it');
    expect(() => readFileSync(join(s.out, 'results.csv'))).toThrow(/ENOENT/);
  });
});

describe('what the summaries show', () => {
  const row = (seed: number, profile: string, dt: string, v: number | null, status = 'done') => ({ '--seed': seed, '--profile': profile, '--dt': dt, hash: `${seed}${profile}${dt}`, status, exitCode: 0, attempts: 1, ...(v === null ? {} : { m: v }) });
  const rows = [row(1, 'a', 'x', 1), row(2, 'a', 'x', 3), row(3, 'a', 'x', 0, 'failed'), row(1, 'b', 'x', 10), row(2, 'b', 'x', null)];

  it('across seeds: mean ± sample sd per combination of the other options; a failed or metric-less seed is missing, not averaged', () => {
    const g = seedSummary(['--seed', '--profile', '--dt'], rows, 'm')!;
    expect(g.map((x) => [x.params, x.seeds, x.missing, x.n, x.mean])).toEqual([[{ '--profile': 'a', '--dt': 'x' }, [1, 2], [3], 2, 2], [{ '--profile': 'b', '--dt': 'x' }, [1], [2], 1, 10]]);
    expect(g[0]!.sd).toBeCloseTo(Math.SQRT2, 12); // values 1, 3: sample sd √2 (population sd would be 1)
    expect(g[1]!.sd).toBeNaN();
    expect(seedSummary(['--profile'], rows, 'm')).toBeNull();
  });

  it('the plot draws one line per combination of every option after the first', () => {
    const three = [row(1, 'a', 'x', 1), row(2, 'a', 'x', 2), row(1, 'a', 'y', 5), row(2, 'a', 'y', 6)];
    const html = sweepPage({ title: 't', command: 'c', parameters: ['--seed', '--profile', '--dt'], columns: [], rows: three, metric: 'm' });
    expect(html).toContain('--profile a, --dt x');
    expect(html).toContain('--profile a, --dt y');
  });
});
