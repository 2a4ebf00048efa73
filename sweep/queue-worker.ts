import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Job } from 'bullmq';
import { bullQueueName, type QueueAddress } from './queue-url.js';
import { runCommandProcess, type ProcessOutcome } from './job-process.js';
import { failureReason, type QueuedJobData } from './queue-job.js';
import { toolkitVersion } from './job.js';
import { succeeded } from './job-store.js';
import { jobRunArgs } from './job-artifacts.js';
import { withSideFilesRenamed } from './side-files.js';

/** How a worker process takes jobs. */
export interface WorkerOptions {
  concurrency: number;
  /** Lock duration and stalled-job check interval (ms): a killed worker's job goes to another after about this long. */
  lockMs: number;
}

/** Runs one queued job in a fresh temp directory holding its files; a non-zero exit throws (BullMQ retries it). */
export async function runQueuedJob(data: QueuedJobData, version = toolkitVersion()): Promise<ProcessOutcome> {
  if (data.version !== version) throw new Error(failureReason({ exitCode: -1, json: null, stderrTail: `worker runs toolkit ${version}, the job needs ${data.version}` }));
  const dir = mkdtempSync(join(tmpdir(), 'nla-job-'));
  try {
    const paths = new Map<string, string>();
    data.files.forEach((f, k) => {
      const p = join(dir, `${k}-${basename(f.arg)}`);
      const bytes = Buffer.from(f.contentBase64, 'base64');
      // a spec's side files go beside it under new names, and the spec is pointed at them
      const names = (f.side ?? []).map((s, j) => {
        const name = `${k}-side-${j}${extname(s.ref)}`;
        writeFileSync(join(dir, name), Buffer.from(s.contentBase64, 'base64'));
        return name;
      });
      writeFileSync(p, names.length ? withSideFilesRenamed(bytes.toString('utf8'), names) : bytes);
      paths.set(f.arg, p);
    });
    const artifacts = join(dir, 'artifacts');
    mkdirSync(artifacts);
    const out = await runCommandProcess(data.command, jobRunArgs(data.command, data.args.map((a) => paths.get(a) ?? a), artifacts), dir);
    if (!succeeded(out)) throw new Error(failureReason(out));
    return { ...out, artifacts: readArtifacts(artifacts) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a job may send back through Redis with its result: its traces and pages, not a data set. */
export const MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;

/** The files a job wrote into its folder, to go back with its result; more than MAX_ARTIFACT_BYTES fails the job. */
function readArtifacts(dir: string): NonNullable<ProcessOutcome['artifacts']> {
  const names = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => statSync(join(dir, n)).isFile()).sort();
  const bytes = names.reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
  if (bytes > MAX_ARTIFACT_BYTES) throw new Error(failureReason({ exitCode: -1, json: null, stderrTail: `the job wrote ${(bytes / 2 ** 20).toFixed(1)} MiB of files (${names.join(', ')}), more than the ${MAX_ARTIFACT_BYTES / 2 ** 20} MiB a queued job sends back; record less (--probe, --sample-every) or run this sweep locally` }));
  return names.map((name) => ({ name, contentBase64: readFileSync(join(dir, name)).toString('base64') }));
}

/** Takes jobs from the queue until SIGINT/SIGTERM, then closes (finishing the jobs it holds). */
export async function runQueueWorker(q: QueueAddress, o: WorkerOptions): Promise<void> {
  const name = bullQueueName(q, toolkitVersion());
  const { Worker } = await import('bullmq'); // loaded here, not at start: other commands start without it
  const worker = new Worker(name, (job: Job<QueuedJobData>) => runQueuedJob(job.data), {
    connection: { host: q.host, port: q.port, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    maxStalledCount: 5,
  });
  process.stderr.write(`nla worker: taking jobs from ${name} on ${q.host}:${q.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void worker.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
