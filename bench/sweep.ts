/**
 * Benchmark of `nla sweep` (`npm run bench:sweep`): jobs per minute on the local process pool with 1 and
 * 2 workers, and through a BullMQ queue (a throwaway redis-server on loopback) with 1 and 2 `nla worker`
 * processes, the same jobs in the same run, alternating, REPS times; medians and ratios. Two workloads:
 * 1. CPU-bound: `nla simulate` of the bundled example on the analog engine (subthreshold profile, 30 ms,
 *    a second or two per job), 8 jobs (8 seeds);
 * 2. tiny: `nla simulate` of the example on the digital engine for 1 ms (the job is Node's start-up), 8 jobs
 *    (8 values of --dt): the queue's overhead per job = (queue, 1 worker − local, 1 worker) / jobs.
 * Each repetition uses a fresh output folder and a fresh queue name, so no job is skipped as already done.
 * Writes out/benchmarks-sweep.{md,json}.
 *
 *   npm run bench:sweep [-- --quick]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveRedis, startRedis } from '../sweep/local-redis.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;
const JOBS = 8;
const root = fileURLToPath(new URL('../..', import.meta.url));
const nlaBin = join(root, 'bin/nla.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ex = (f: string) => join(root, 'examples/teacher', f);

const WORKLOADS = {
  'cpu-bound (analog, 30 ms)': { command: 'simulate', args: [ex('network.json'), '--engine', 'analog', '--profile', 'subthreshold', '--duration', '30ms', '--input', ex('input.csv'), '--no-learn'], grid: { '--seed': Array.from({ length: JOBS }, (_, k) => k + 1) } },
  'tiny (digital, 1 ms)': { command: 'simulate', args: [ex('network.json'), '--engine', 'digital', '--duration', '1ms', '--input', ex('input.csv')], grid: { '--dt': ['0.01ms', '0.02ms', '0.025ms', '0.04ms', '0.05ms', '0.1ms', '0.125ms', '0.2ms'] } },
};

/** Runs one sweep to completion and returns its wall time in seconds; a failed sweep stops the benchmark. */
function sweepSeconds(file: string, extra: string[]): number {
  const out = mkdtempSync(join(tmpdir(), 'nla-bench-sweep-out-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [nlaBin, 'sweep', file, '--out', out, '--quiet', '--json', ...extra], { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`nla sweep ${extra.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}${failedJob(out)}`);
  const summary = JSON.parse(r.stdout) as { ran: number; failed: number };
  if (summary.ran !== JOBS || summary.failed !== 0) throw new Error(`nla sweep ran ${summary.ran} jobs, ${summary.failed} failed`);
  return s;
}

/** The first failed job's command and stderr, from the sweep's stored records. */
function failedJob(out: string): string {
  try {
    const jobs = readdirSync(join(out, 'jobs')).filter((f) => f.endsWith('.json'));
    const failed = jobs.map((f) => JSON.parse(readFileSync(join(out, 'jobs', f), 'utf8'))).find((j) => j.status !== 'done');
    return failed ? `\nfailed job: nla ${failed.command} ${failed.args.join(' ')}\n${failed.stderrTail}` : '';
  } catch {
    return '';
  }
}

/** Starts `n` workers on a queue and resolves once each has said it is taking jobs. */
async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const procs = Array.from({ length: n }, () => spawn(process.execPath, [nlaBin, 'worker', '--queue', url], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await Promise.all(procs.map((p) => new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('taking jobs')) resolve();
    });
    p.once('close', (code) => reject(new Error(`nla worker exited ${code}: ${err}`)));
  })));
  return procs;
}

async function queueSeconds(file: string, port: number, workers: number, tag: string): Promise<number> {
  const url = `redis://127.0.0.1:${port}/bench-${tag}`;
  const procs = await startWorkers(url, workers);
  try {
    return sweepSeconds(file, ['--queue', url]);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  if (spawnSync(process.execPath, [nlaBin, '--version']).status !== 0) throw new Error('bin/nla.js does not run: npm run build first');
  const redis = haveRedis ? await startRedis() : null;
  if (!redis) process.stderr.write('bench:sweep: no /usr/bin/redis-server: the queue columns are skipped\n');
  const dir = mkdtempSync(join(tmpdir(), 'nla-bench-sweep-'));
  const results: Record<string, Record<string, number[]>> = {};
  try {
    for (const [name, body] of Object.entries(WORKLOADS)) {
      const file = join(dir, `${Object.keys(results).length}.json`);
      writeFileSync(file, JSON.stringify(body));
      const r: Record<string, number[]> = { local1: [], local2: [], queue1: [], queue2: [] };
      for (let rep = 0; rep < REPS; rep++) {
        r.local1!.push(sweepSeconds(file, ['--workers', '1']));
        r.local2!.push(sweepSeconds(file, ['--workers', '2']));
        if (redis) {
          r.queue1!.push(await queueSeconds(file, redis.port, 1, `${rep}-1-${Date.now()}`));
          r.queue2!.push(await queueSeconds(file, redis.port, 2, `${rep}-2-${Date.now()}`));
        }
        process.stderr.write(`bench:sweep: ${name}, repetition ${rep + 1}/${REPS} done\n`);
      }
      results[name] = r;
    }
  } finally {
    await redis?.stop();
  }
  report(results);
}

function report(results: Record<string, Record<string, number[]>>): void {
  const perMin = (s: number) => (JOBS * 60) / s;
  const rows = Object.entries(results).map(([name, r]) => {
    const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.length ? median(v) : NaN]));
    return { name, seconds: m, jobsPerMin: Object.fromEntries(Object.entries(m).map(([k, s]) => [k, perMin(s!)])), queueOverheadMsPerJob: ((m.queue1! - m.local1!) / JOBS) * 1000 };
  });
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const md = [
    `${JOBS} jobs a sweep, medians of ${REPS}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
    '',
    '| workload | local, 1 worker | local, 2 workers | speed-up | queue, 1 worker | queue, 2 workers | speed-up | queue overhead per job |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.jobsPerMin.local1!)} jobs/min | ${fmt(r.jobsPerMin.local2!)} | ${(r.jobsPerMin.local2! / r.jobsPerMin.local1!).toFixed(2)}× | ${fmt(r.jobsPerMin.queue1!)} | ${fmt(r.jobsPerMin.queue2!)} | ${(r.jobsPerMin.queue2! / r.jobsPerMin.queue1!).toFixed(2)}× | ${fmt(r.queueOverheadMsPerJob)} ms |`),
  ].join('\n');
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(join(root, 'out/benchmarks-sweep.md'), md + '\n');
  writeFileSync(join(root, 'out/benchmarks-sweep.json'), JSON.stringify({ jobs: JOBS, reps: REPS, results, rows }, null, 2) + '\n');
  process.stdout.write(md + '\n');
}

await main();
