import { readFileSync } from 'node:fs';
import { sha256, type SweepJob } from './job.js';
import { InputError } from '../core/errors.js';
import { sideFiles } from './side-files.js';
import type { ProcessOutcome } from './job-process.js';

/** A queued job's data: everything a worker on another machine needs, file contents included. */
export interface QueuedJobData {
  hash: string;
  command: string;
  args: string[];
  version: string;
  files: Array<{ arg: string; sha256: string; contentBase64: string; side?: Array<{ ref: string; sha256: string; contentBase64: string }> }>;
}

/** A file's contents for the queue, refused when they are no longer what the job's hash was made from. */
function contents(path: string, want: string, what: string): string {
  const bytes = readFileSync(path);
  if (sha256(bytes) !== want) throw new InputError(`${what} changed after the sweep hashed its jobs; run the sweep again`, path);
  return bytes.toString('base64');
}

/** The job's data for the queue (reads every file argument and every side file of a network spec). */
export function queuedJobData(job: SweepJob): QueuedJobData {
  const files = job.files.map((f) => {
    const refs = f.side ? sideFiles(f.arg) : [];
    const side = f.side?.map((s, k) => ({ ...s, contentBase64: contents(refs[k]!.path, s.sha256, `side file ${s.ref} of ${f.arg}`) }));
    return { arg: f.arg, sha256: f.sha256, contentBase64: contents(f.arg, f.sha256, f.arg), ...(side ? { side } : {}) };
  });
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
