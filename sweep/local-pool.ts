import type { SweepJob } from './job.js';
import { runCommandProcess } from './job-process.js';
import { jobRecord, succeeded, type JobRecord } from './job-store.js';
import { jobArtifactDir, jobRunArgs } from './job-artifacts.js';
import { mkdirSync } from 'node:fs';

/** How the local pool runs jobs. */
export interface PoolOptions {
  workers: number;
  /** Extra attempts for a job that exits non-zero. */
  retries: number;
  /** Called as soon as a job finishes (after its retries). */
  onDone: (r: JobRecord) => void;
  /** The sweep's folder: the files a job writes of its own go into its jobs/<hash>/ (job-artifacts.ts). */
  dir?: string;
}

/** Runs one job, retrying a failing one up to `retries` times. */
export async function runJobWithRetries(job: SweepJob, retries: number, dir?: string): Promise<JobRecord> {
  let args = job.args;
  if (dir !== undefined) {
    const own = jobArtifactDir(dir, job.hash);
    args = jobRunArgs(job.command, job.args, own);
    if (args.some((a, k) => a !== job.args[k])) mkdirSync(own, { recursive: true }); // only a job that writes files of its own
  }
  let attempts = 0;
  for (;;) {
    attempts++;
    const outcome = await runCommandProcess(job.command, args);
    if (succeeded(outcome) || attempts > retries) return jobRecord(job, outcome, attempts);
  }
}

/** Runs jobs as child processes, at most `workers` at a time; resolves with every record in job order. */
export async function runLocalPool(jobs: SweepJob[], o: PoolOptions): Promise<JobRecord[]> {
  const records: JobRecord[] = new Array(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      const r = await runJobWithRetries(jobs[k]!, o.retries, o.dir);
      records[k] = r;
      o.onDone(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, jobs.length)) }, lane));
  return records;
}
