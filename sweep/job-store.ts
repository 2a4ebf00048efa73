import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepJob } from './job.js';
import type { ProcessOutcome } from './job-process.js';

/** A finished job as stored in `dir/jobs/<hash>.json`. */
export interface JobRecord extends ProcessOutcome {
  hash: string;
  command: string;
  args: string[];
  params: SweepJob['params'];
  status: 'done' | 'failed';
  attempts: number;
}

/** The record of a job from its last attempt's outcome. */
export function jobRecord(job: SweepJob, outcome: ProcessOutcome, attempts: number): JobRecord {
  return { hash: job.hash, command: job.command, args: job.args, params: job.params, status: succeeded(outcome) ? 'done' : 'failed', attempts, ...outcome };
}

/** A job succeeded when it exited 0 with a JSON summary on stdout: an exit 0 that printed none is a failure. */
export function succeeded(o: ProcessOutcome): boolean {
  return o.exitCode === 0 && o.json !== null && typeof o.json === 'object';
}

/** Writes a record atomically (temp file, then rename), so a killed sweep never leaves half a file. */
export function saveRecord(dir: string, r: JobRecord): void {
  const jobs = join(dir, 'jobs');
  mkdirSync(jobs, { recursive: true });
  const tmp = join(jobs, `.${r.hash}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n');
  renameSync(tmp, join(jobs, `${r.hash}.json`));
}

/** The stored record of a job, or undefined when none is stored. */
export function loadRecord(dir: string, hash: string): JobRecord | undefined {
  const p = join(dir, 'jobs', `${hash}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as JobRecord) : undefined;
}

/** How many job files are stored (for tests and progress). */
export function storedCount(dir: string): number {
  const jobs = join(dir, 'jobs');
  return existsSync(jobs) ? readdirSync(jobs).filter((f) => f.endsWith('.json')).length : 0;
}
