import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { numericFields } from '../../sweep/results.js';
import { FIXED, modelFields, sweepFile } from './sweep-helpers.js';

// `nla sweep` with the local process pool on the bundled teacher example (analog engine, 20 ms):
// 2 seeds × 2 profiles. Truth: the same commands run by hand, and the job hash recomputed from its definition.
beforeAll(ensureBuilt);
const grid = { command: 'simulate', args: FIXED, grid: { '--seed': [1, 2], '--profile': ['ideal', 'subthreshold'] } };
type Rows = Array<Record<string, unknown>>;
const rowsOf = (out: string): Rows => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).rows;
let reference: Rows;
const hex = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** The code's fingerprint by hand: sha256 over `path NUL sha256 LF` of the .js files of dist's code folders, sorted. */
function distFingerprint(): string {
  const folders = ['api', 'cli', 'compiler', 'core', 'emulator', 'experiments', 'hardware-models', 'host', 'report', 'sweep'];
  const dist = join(root, 'dist');
  const files = folders.flatMap((f) => (readdirSync(join(dist, f), { recursive: true }) as string[]).filter((p) => p.endsWith('.js')).map((p) => `${f}/${p}`));
  return hex(files.sort().map((f) => `${f}\0${hex(readFileSync(join(dist, f)))}\n`).join(''));
}

describe('nla sweep (local)', () => {
  it('runs the 4 points, with stable hashes and the same numbers as running each command by hand', () => {
    const s = sweepFile(grid);
    const r = nla(['sweep', s.file, '--out', s.out, '--workers', '2', '--quiet', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ jobs: 4, skipped: 0, ran: 4, failed: 0 });
    reference = rowsOf(s.out);
    expect(reference.map((x) => [x['--seed'], x['--profile'], x.status])).toEqual([[1, 'ideal', 'done'], [1, 'subthreshold', 'done'], [2, 'ideal', 'done'], [2, 'subthreshold', 'done']]);
    const fileSha = (p: string) => createHash('sha256').update(readFileSync(join(root, p))).digest('hex');
    const version = `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}+${distFingerprint().slice(0, 12)}`;
    for (const row of reference) {
      const args = [...FIXED, '--seed', String(row['--seed']), '--profile', String(row['--profile'])];
      // the hash by hand: sha256 of the canonical (sorted-key) JSON of command, args, file digests, version
      const files = [FIXED[0]!, FIXED[6]!].map((arg) => `{"arg":${JSON.stringify(arg)},"sha256":"${fileSha(arg)}"}`);
      const canonical = `{"args":${JSON.stringify(args)},"command":"simulate","files":[${files.join(',')}],"version":${JSON.stringify(version)}}`;
      expect(row.hash).toBe(createHash('sha256').update(canonical).digest('hex'));
      const byHand = nla(['simulate', ...args, '--json', '--quiet']);
      expect(byHand.code).toBe(0);
      const want = modelFields(numericFields(JSON.parse(byHand.out)));
      const got = modelFields(row);
      for (const [k, v] of Object.entries(want)) expect(got[k], k).toBe(v);
    }
    expect(readFileSync(join(s.out, 'results.csv'), 'utf8').split('\n')[0]).toMatch(/^--seed,--profile,hash,status/);
    expect(readFileSync(join(s.out, 'sweep.html'), 'utf8')).toContain('<svg');
  });

  it('resumes a killed sweep: only the missing jobs run, and the table equals the uninterrupted one', async () => {
    const s = sweepFile(grid);
    const child = spawn(process.execPath, [join(root, 'bin/nla.js'), 'sweep', s.file, '--out', s.out, '--workers', '1', '--quiet'], { cwd: root, stdio: 'ignore' });
    const jobs = join(s.out, 'jobs');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (existsSync(jobs) && readdirSync(jobs).some((f) => f.endsWith('.json'))) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => child.once('exit', r));
    const stored = readdirSync(jobs).filter((f) => f.endsWith('.json')).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(4);
    const r = nla(['sweep', s.file, '--out', s.out, '--workers', '2', '--quiet', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ jobs: 4, skipped: stored, ran: 4 - stored, failed: 0 });
    expect(rowsOf(s.out).map(modelFields)).toEqual(reference.map(modelFields));
  });

  it('reports a failing point as failed after its retries and exits 1, keeping the others', () => {
    const s = sweepFile({ command: 'simulate', args: FIXED, points: [{ '--profile': 'ideal' }, { '--profile': 'no-such-profile' }] });
    const r = nla(['sweep', s.file, '--out', s.out, '--workers', '2', '--retries', '2', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('1 failed');
    const rows = rowsOf(s.out);
    expect(rows.map((x) => [x['--profile'], x.status])).toEqual([['ideal', 'done'], ['no-such-profile', 'failed']]);
    expect(rows[1]).toMatchObject({ attempts: 3, exitCode: 2 });
    expect(readFileSync(join(s.out, 'results.csv'), 'utf8')).toContain('no-such-profile');
    // run again on the same folder: the done job is kept, the failed one is tried again (never taken as done)
    const again = nla(['sweep', s.file, '--out', s.out, '--workers', '1', '--retries', '0', '--json', '--quiet']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out)).toMatchObject({ skipped: 1, ran: 1, failed: 1 });
    expect(rowsOf(s.out)[1]).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('refuses a bad sweep file with exit 2 naming the field', () => {
    for (const [body, field] of [[{ command: 'train', grid: { '--seed': [1] } }, 'command'], [{ command: 'simulate', grid: { '--seed': [] } }, 'grid.--seed'], [{ command: 'simulate', points: [{ seed: 1 }] }, 'points[0].seed']] as const) {
      const s = sweepFile(body);
      const r = nla(['sweep', s.file, '--out', s.out]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`'${field}'`);
    }
  });
});
