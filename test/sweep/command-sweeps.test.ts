import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { numericFields } from '../../sweep/results.js';
import { readSweepFile } from '../../sweep/sweep-file.js';
import { sweepJobs } from '../../sweep/job.js';
import { modelFields, sweepFile } from './sweep-helpers.js';

// `nla sweep` over the three other commands that produce a result: compare, experiment, montecarlo.
// Truth: each point's command run by hand (its --json summary, flattened as the sweep flattens it).
beforeAll(ensureBuilt);
type Row = Record<string, unknown>;
const ex = (f: string) => join(root, 'examples/teacher', f);

/** Runs `nla sweep` with its working directory in the sweep's temp dir (so stray files would show there). */
function sweepIn(body: object): { rows: Row[]; out: string; dir: string } {
  const s = sweepFile(body);
  const r = spawnSync(process.execPath, [join(root, 'bin/nla.js'), 'sweep', s.file, '--out', s.out, '--workers', '2', '--quiet'], { cwd: s.dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { rows: JSON.parse(readFileSync(join(s.out, 'results.json'), 'utf8')).rows, out: s.out, dir: s.dir };
}

/** Every model field (not a timing) of the command run by hand equals the sweep's row. */
function expectRowEqualsByHand(row: Row, args: string[]): void {
  const byHand = nla([...args, '--json', '--quiet']);
  expect(byHand.code, byHand.err).toBe(0);
  const want = modelFields(numericFields(JSON.parse(byHand.out)));
  expect(Object.keys(want).length).toBeGreaterThan(3);
  for (const [k, v] of Object.entries(want)) expect(row[k], k).toBe(v);
}

describe('nla sweep over compare, experiment and montecarlo', () => {
  it('compare: profiles × seeds, the seed choosing the analog chip; every row as by hand', () => {
    const args = [ex('network.json'), '--duration', '20ms', '--input', ex('input.csv'), '--no-learn'];
    const { rows } = sweepIn({ command: 'compare', args, grid: { '--profile': ['ideal', 'subthreshold'], '--seed': [1, 2] } });
    expect(rows.map((r) => [r['--profile'], r['--seed'], r.status])).toEqual([['ideal', 1, 'done'], ['ideal', 2, 'done'], ['subthreshold', 1, 'done'], ['subthreshold', 2, 'done']]);
    // two subthreshold chips differ; the verdict of each is the one compare prints by hand
    expect(rows[2]!['verdict.maxAbs']).not.toBe(rows[3]!['verdict.maxAbs']);
    expectRowEqualsByHand(rows[3]!, ['compare', ...args, '--profile', 'subthreshold', '--seed', '2']);
  });

  it('experiment: seeds, each job writing its page into jobs/<hash>/, nothing into the working directory', () => {
    const { rows, out, dir } = sweepIn({ command: 'experiment', args: ['instantaneity', '--quick'], grid: { '--seed': [1, 2] } });
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
    for (const r of rows) expect(readdirSync(join(out, 'jobs', String(r.hash))).sort()).toEqual(['instantaneity-quick.html', 'instantaneity-quick.json', 'instantaneity-quick.md']);
    expect(existsSync(join(dir, 'out', 'experiments'))).toBe(false);
    const page = JSON.parse(readFileSync(join(out, 'jobs', String(rows[1]!.hash), 'instantaneity-quick.json'), 'utf8'));
    expect(page.seed).toBe(2);
    const html = readFileSync(join(out, 'sweep.html'), 'utf8');
    for (const r of rows) expect(html).toContain(`<a href="jobs/${String(r.hash)}/instantaneity-quick.html">${String(r.hash)}</a>`);
    expectRowEqualsByHand(rows[1]!, ['experiment', 'instantaneity', '--quick', '--seed', '2', '--out', join(dir, 'by-hand')]);
    // the two seeds draw two networks: some settling figure differs
    const differs = Object.keys(modelFields(rows[0]!)).filter((k) => k.startsWith('data.') && typeof rows[0]![k] === 'number' && rows[0]![k] !== rows[1]![k]);
    expect(differs.length).toBeGreaterThan(0);
  });

  it('montecarlo: profiles, chips on one thread each, yield and trace errors as by hand', () => {
    const args = [ex('network.json'), '--runs', '3', '--sensitivity', '0', '--duration', '20ms', '--input', ex('input.csv'), '--tolerance', '0.5'];
    const { rows, out } = sweepIn({ command: 'montecarlo', args, grid: { '--profile': ['subthreshold', 'translinear'] } });
    expect(rows.map((r) => [r['--profile'], r.status, r.workers])).toEqual([['subthreshold', 'done', 1], ['translinear', 'done', 1]]);
    expect(existsSync(join(out, 'jobs', String(rows[0]!.hash), 'montecarlo.html'))).toBe(true);
    expect(rows[0]!['corners.0.traceError.mean']).not.toBe(rows[1]!['corners.0.traceError.mean']);
    // a different thread count gives the same chips (montecarlo's own guarantee), so by hand on 2 threads
    const hand = nla(['montecarlo', ...args, '--profile', 'translinear', '--workers', '2', '--json', '--quiet']);
    expect(hand.code, hand.err).toBe(0);
    const want = modelFields(numericFields(JSON.parse(hand.out)));
    for (const [k, v] of Object.entries(want)) if (k !== 'workers') expect(rows[1]![k], k).toBe(v);
  });
});

describe('files a job writes', () => {
  it("simulate --out/--plot: each job's traces in jobs/<hash>/, equal to the command by hand; a file of that name is no input", () => {
    const args = [ex('network.json'), '--engine', 'analog', '--profile', 'subthreshold', '--duration', '10ms', '--input', ex('input.csv'), '--out', 'traces.csv', '--plot', 'page.html'];
    const body = { command: 'simulate', args, grid: { '--seed': [1, 2] } };
    const { rows, out, dir } = sweepIn(body);
    expect(existsSync(join(dir, 'traces.csv'))).toBe(false);
    const traces = rows.map((r) => readFileSync(join(out, 'jobs', String(r.hash), 'traces.csv'), 'utf8'));
    expect(traces[0]).not.toBe(traces[1]);
    const hand = nla(['simulate', ...args.slice(0, -4), '--seed', '2', '--out', join(dir, 'by-hand.csv'), '--quiet']);
    expect(hand.code, hand.err).toBe(0);
    expect(traces[1]).toBe(readFileSync(join(dir, 'by-hand.csv'), 'utf8'));
    expect(readFileSync(join(out, 'sweep.html'), 'utf8')).toContain(`<a href="jobs/${String(rows[0]!.hash)}/page.html">`);
    // a traces.csv now in the working directory (another run's output) changes no hash: the rerun skips both
    writeFileSync(join(dir, 'traces.csv'), 't,u\n0,1\n');
    const again = spawnSync(process.execPath, [join(root, 'bin/nla.js'), 'sweep', join(dir, 'sweep.json'), '--out', out, '--quiet', '--json'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(again.stdout)).toMatchObject({ jobs: 2, skipped: 2, ran: 0 });
  });
});

describe('the bundled sweep files', () => {
  it('each parses, names files that exist, and gives one distinct job per point', () => {
    const dir = join(root, 'examples/sweep');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['compare-profiles.json', 'experiment-seeds.json', 'montecarlo-profiles.json', 'seeds.json']);
    // a sweep file's paths are relative to where nla sweep runs; vitest runs in the repository root
    for (const f of files) {
      const sweep = readSweepFile(join(dir, f));
      const named = sweep.args.filter((x) => x.startsWith('examples/'));
      for (const a of named) expect(existsSync(join(root, a)), `${f}: ${a}`).toBe(true);
      const jobs = sweepJobs(sweep, 'test'); // the version by hand: job.ts reads package.json relative to dist/
      expect(new Set(jobs.map((j) => j.hash)).size, f).toBe(sweep.points.length);
      expect(jobs.every((j) => j.files.length === named.length), f).toBe(true);
    }
  });
});
