import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { commandLine } from '../../report/command-line.js';
import { readSweepFile } from '../../sweep/sweep-file.js';
import { sweepJobs } from '../../sweep/job.js';
import { runLocalPool } from '../../sweep/local-pool.js';
import { runSweep, type JobRunner, type SweepOutcome } from '../../sweep/run-sweep.js';
import { queueRunner } from '../../sweep/queue-coordinator.js';
import { parseQueueUrl } from '../../sweep/queue-url.js';
import { runQueueWorker } from '../../sweep/queue-worker.js';

interface SweepOpts {
  out: string;
  workers?: string;
  retries: string;
  metric?: string;
  queue?: string;
  collect?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function count(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name}: expected a whole number ≥ ${min}, got '${v}'`);
  return n;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a command over a grid or list of parameter points, in parallel (local processes or a Redis queue), resumable')
    .argument('<sweep>', 'sweep file (JSON): {"command", "args", "grid" | "points"}')
    .requiredOption('--out <dir>', 'directory for jobs/<hash>.json, results.csv, results.json and sweep.html')
    .option('--workers <n>', 'concurrent local processes (default: the core count)')
    .option('--retries <n>', 'extra attempts for a failing job', '1')
    .option('--metric <name>', 'numeric field plotted in sweep.html and summed up across seeds (default: the command\'s main result, e.g. verdict.maxAbs for compare)')
    .option('--queue <url>', 'run on a BullMQ queue instead: redis://host:port/name (start workers with nla worker)')
    .option('--collect', 'with --queue: only assemble the results of a sweep already queued (queues nothing new)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print a summary on stdout')
    .action((path: string, o: SweepOpts) => sweep(path, o));
  program
    .command('worker')
    .description('take sweep jobs from a BullMQ queue and run them (any number of processes or machines)')
    .requiredOption('--queue <url>', 'redis://host:port/name')
    .option('--concurrency <n>', 'jobs at a time in this process', '1')
    .option('--lock-ms <ms>', 'job lock duration and stalled-job check interval', '5000')
    .action((o: { queue: string; concurrency: string; lockMs: string }) =>
      runQueueWorker(parseQueueUrl(o.queue), { concurrency: count('--concurrency', o.concurrency, 1), lockMs: count('--lock-ms', o.lockMs, 100) }),
    );
}

/** The plotted metric's mean ± sd across seeds, a line per combination of the other swept options. */
function seedLines(a: SweepOutcome['acrossSeeds']): string[] {
  if (!a) return [];
  const f = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : '–');
  return a.groups.map((g) => {
    const at = Object.entries(g.params).map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'all points';
    const missing = g.missing.length ? `; seed${g.missing.length > 1 ? 's' : ''} ${g.missing.join(', ')} missing: failed, or no ${a.metric}` : '';
    return `${a.metric} across seeds (${at}): ${f(g.mean)} ± ${f(g.sd)} (n = ${g.n}, min ${f(g.min)}, max ${f(g.max)}${missing})`;
  });
}

async function sweep(path: string, o: SweepOpts): Promise<void> {
  const file = readSweepFile(path);
  const retries = count('--retries', o.retries, 0);
  const workers = o.workers === undefined ? availableParallelism() : count('--workers', o.workers, 1);
  if (o.collect && !o.queue) throw new UsageError('--collect needs --queue');
  const jobs = sweepJobs(file);
  const runner: JobRunner = o.queue
    ? queueRunner(parseQueueUrl(o.queue), { retries, collect: o.collect === true })
    : (todo, onDone) => runLocalPool(todo, { workers, retries, onDone, dir: o.out }).then(() => undefined);
  const r = await runSweep(file, jobs, o.out, runner, { ...(o.metric ? { metric: o.metric } : {}), quiet: o.quiet === true, command: commandLine() });
  const line = `sweep: ${jobs.length} jobs: ${r.skipped} skipped (already done), ${r.ran} run, ${r.failed} failed`;
  if (o.json) process.stdout.write(JSON.stringify({ jobs: jobs.length, ...r }, null, 2) + '\n');
  else process.stdout.write([line, ...seedLines(r.acrossSeeds), ...r.files.map((f) => `wrote ${f}`)].join('\n') + '\n');
  if (r.failed) process.exitCode = 1;
}
