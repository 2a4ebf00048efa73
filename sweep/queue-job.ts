import { readFileSync } from 'node:fs';
import type { SweepJob } from './job.js';
import type { ProcessOutcome } from './job-process.js';

/** A queued job's data: everything a worker on another machine needs, file contents included. */
export interface QueuedJobData {
  hash: string;
  command: string;
  args: string[];
  version: string;
  files: Array<{ arg: string; sha256: string; contentBase64: string }>;
}

/** The job's data for the queue (reads every file argument). */
export function queuedJobData(job: SweepJob): QueuedJobData {
  const files = job.files.map((f) => ({ ...f, contentBase64: readFileSync(f.arg).toString('base64') }));
  return { hash: job.hash, command: job.command, args: job.args, version: job.version, files };
}

/** A failed attempt's outcome travels as the job's failure reason (JSON), so the coordinator can store it. */
export function failureReason(o: ProcessOutcome): string {
  return JSON.stringify(o);
}

/** The outcome inside a failure reason; a reason that is not one (a worker's own error) becomes exit code -1. */
export function outcomeFromReason(reason: string | undefined): ProcessOutcome {
  try {
    const o = JSON.parse(reason ?? '') as ProcessOutcome;
    if (typeof o.exitCode === 'number') return o;
  } catch {
    /* not an outcome */
  }
  return { exitCode: -1, json: null, stderrTail: reason ?? 'failed' };
}
