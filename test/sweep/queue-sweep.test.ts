import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../cli/run-nla.js';
import { FIXED, modelFields, sideFileSpec, sweepFile } from './sweep-helpers.js';
import { haveRedis, startRedis } from '../../sweep/local-redis.js';
import { bullQueueName } from '../../sweep/queue-url.js';
import { runQueuedJob } from '../../sweep/queue-worker.js';

// `nla sweep --queue` with `nla worker` processes on a throwaway redis-server: every job exactly once in the
// results (also when a worker is SIGKILLed mid-job), an always-failing job reported failed after its attempts,
// and the same numbers as the local pool (the truth: the local sweep, itself checked against commands by hand).
const grid = { command: 'simulate', args: FIXED, grid: { '--seed': [1, 2], '--profile': ['ideal', 'subthreshold'] } };
type Rows = Array<Record<string, unknown>>;
const rowsOf = (out: string): Rows => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).rows;
let redis: Awaited<ReturnType<typeof startRedis>>;
const children: ChildProcess[] = [];

/** Runs `nla …` without blocking the test (workers and coordinator run side by side). */
function nlaAsync(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [join(root, 'bin/nla.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, done: new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err }))) };
}
const worker = (name: string) => nlaAsync(['worker', '--queue', `redis://127.0.0.1:${redis.port}/${name}`, '--lock-ms', '1000']).child;
const sweep = (file: string, out: string, name: string, ...more: string[]) =>
  nlaAsync(['sweep', file, '--out', out, '--queue', `redis://127.0.0.1:${redis.port}/${name}`, '--quiet', '--json', ...more]);

/** The identity of the built CLI that the workers run (the test itself runs the sources). */
function builtIdentity(): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { toolkitVersion } from ${JSON.stringify(join(root, 'dist/sweep/job.js'))}; process.stdout.write(toolkitVersion());`], { encoding: 'utf8' });
  expect(r.stdout, r.stderr).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
  return r.stdout;
}

beforeAll(async () => {
  ensureBuilt();
  if (haveRedis) redis = await startRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (redis) await redis.stop();
});

describe('a queued job', () => {
  it('is refused by a worker of another build, naming both', async () => {
    const data = { hash: 'h', command: 'simulate', args: [], version: '0.1.0+aaaaaaaaaaaa', files: [] };
    await expect(runQueuedJob(data, '0.1.0+bbbbbbbbbbbb')).rejects.toThrow('worker runs toolkit 0.1.0+bbbbbbbbbbbb, the job needs 0.1.0+aaaaaaaaaaaa');
  });

  it("goes on a queue named after the build, so that another build's workers never take it", () => {
    expect(bullQueueName({ host: 'h', port: 1, name: 'my-sweep' }, '0.1.0+abc')).toBe('my-sweep@0.1.0+abc');
  });
});

describe.skipIf(!haveRedis)('nla sweep --queue', () => {
  it('2 workers: every job exactly once, and the same numbers as the local pool', async () => {
    const s = sweepFile(grid);
    worker('two');
    worker('two');
    const q = await sweep(s.file, s.out, 'two').done;
    expect(q.code, q.err).toBe(0);
    expect(JSON.parse(q.out)).toMatchObject({ jobs: 4, ran: 4, failed: 0 });
    const local = await nlaAsync(['sweep', s.file, '--out', join(s.dir, 'local'), '--workers', '2', '--quiet']).done;
    expect(local.code, local.err).toBe(0);
    const rows = rowsOf(s.out);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(4);
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    expect(rows.map(modelFields)).toEqual(rowsOf(join(s.dir, 'local')).map(modelFields));
    // --collect assembles the same table from the queue alone
    const c = await sweep(s.file, join(s.dir, 'collected'), 'two', '--collect').done;
    expect(c.code, c.err).toBe(0);
    expect(rowsOf(join(s.dir, 'collected')).map(modelFields)).toEqual(rows.map(modelFields));
  });

  it('a worker killed mid-job: its job goes to another worker, every job once and complete', async () => {
    const s = sweepFile(grid);
    const first = worker('kill');
    const run = sweep(s.file, s.out, 'kill');
    const queue = new Queue(bullQueueName({ host: '127.0.0.1', port: redis.port, name: 'kill' }, builtIdentity()), { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      while ((await queue.getActiveCount()) === 0) await new Promise((r) => setTimeout(r, 20));
      first.kill('SIGKILL');
      worker('kill');
      const q = await run.done;
      expect(q.code, q.err).toBe(0);
      const rows = rowsOf(s.out);
      expect(rows.map((r) => [r['--seed'], r['--profile'], r.status])).toEqual([[1, 'ideal', 'done'], [1, 'subthreshold', 'done'], [2, 'ideal', 'done'], [2, 'subthreshold', 'done']]);
      expect(new Set(rows.map((r) => r.hash)).size).toBe(4);
      expect(await queue.getCompletedCount()).toBe(4);
    } finally {
      await queue.close();
    }
  });

  it("a spec's side files travel with the job: the worker's run (in its own temp folder) equals the local one", async () => {
    const s = sweepFile({});
    const file = sweepFile(sideFileSpec(s.dir, 0.7).sweep).file;
    worker('side');
    const q = await sweep(file, s.out, 'side').done;
    expect(q.code, q.err).toBe(0);
    const local = await nlaAsync(['sweep', file, '--out', join(s.dir, 'local'), '--workers', '2', '--quiet']).done;
    expect(local.code, local.err).toBe(0);
    expect(rowsOf(s.out).map(modelFields)).toEqual(rowsOf(join(s.dir, 'local')).map(modelFields));
    expect(rowsOf(s.out).every((r) => r.status === 'done')).toBe(true);
  });

  it('an always-failing job is reported failed after all its attempts (exit 1), and a rerun runs it again with its own retries', async () => {
    const s = sweepFile({ command: 'simulate', args: FIXED, points: [{ '--profile': 'no-such-profile' }] });
    worker('fail');
    const q = await sweep(s.file, s.out, 'fail', '--retries', '2').done;
    expect(q.code).toBe(1);
    const [row] = rowsOf(s.out);
    expect(row).toMatchObject({ status: 'failed', attempts: 3, exitCode: 2 });
    const again = await sweep(s.file, s.out, 'fail', '--retries', '0').done;
    expect(again.code).toBe(1);
    expect(rowsOf(s.out)[0]).toMatchObject({ status: 'failed', attempts: 1, exitCode: 2 });
  });

  it("the files a job writes come back from the worker into jobs/<hash>/, byte-equal to the local sweep's", async () => {
    const s = sweepFile({ command: 'simulate', args: [...FIXED, '--out', 'traces.csv'], grid: { '--seed': [1, 2] } });
    worker('files');
    const q = await sweep(s.file, s.out, 'files').done;
    expect(q.code, q.err).toBe(0);
    const local = await nlaAsync(['sweep', s.file, '--out', join(s.dir, 'local'), '--workers', '2', '--quiet']).done;
    expect(local.code, local.err).toBe(0);
    for (const r of rowsOf(s.out)) {
      const mine = readFileSync(join(s.out, 'jobs', String(r.hash), 'traces.csv'), 'utf8');
      expect(mine.split('\n').length).toBeGreaterThan(100);
      expect(mine).toBe(readFileSync(join(s.dir, 'local', 'jobs', String(r.hash), 'traces.csv'), 'utf8'));
    }
  });
});
