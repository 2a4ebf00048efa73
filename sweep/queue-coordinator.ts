import type { Queue } from 'bullmq';
import type { ProcessOutcome } from './job-process.js';
import { bullQueueName, type QueueAddress } from './queue-url.js';
import { toolkitVersion } from './job.js';
import type { SweepJob } from './job.js';
import { jobRecord, type JobRecord } from './job-store.js';
import { outcomeFromReason, queuedJobData } from './queue-job.js';
import type { JobRunner } from './run-sweep.js';

/** How the coordinator queues and waits. */
export interface QueueRunOptions {
  retries: number;
  /** Only collect: queue nothing, report jobs that are not on the queue as missing. */
  collect: boolean;
  pollMs?: number;
}

/**
 * The record of a job in a final state, or undefined while it is still pending. The state is read first and
 * the job after it: a job read before it finished would carry no return value yet.
 */
async function finished(queue: Queue, sj: SweepJob): Promise<JobRecord | 'missing' | undefined> {
  const state = await queue.getJobState(sj.hash);
  if (state === 'unknown') return 'missing';
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job = await queue.getJob(sj.hash);
  if (!job) return 'missing';
  if (state === 'completed') return jobRecord(sj, job.returnvalue as ProcessOutcome, job.attemptsMade || 1);
  return jobRecord(sj, outcomeFromReason(job.failedReason), job.attemptsMade);
}

/**
 * A JobRunner that puts the jobs on a BullMQ queue (jobId = the hash: a job is never queued twice) and polls
 * them until each is completed or has failed all its attempts (attempts = retries + 1, exponential backoff).
 */
export function queueRunner(q: QueueAddress, o: QueueRunOptions): JobRunner {
  return async (jobs, onDone) => {
    const name = bullQueueName(q, toolkitVersion());
    // bullmq is loaded here, not at start: every other command starts without it (~0.2 s)
    const { Queue } = await import('bullmq');
    const queue = new Queue(name, { connection: { host: q.host, port: q.port } });
    try {
      if (!o.collect && jobs.length) {
        // a job that failed on an earlier run is run again, with this run's attempts (addBulk skips a known jobId)
        for (const j of jobs) if ((await queue.getJobState(j.hash)) === 'failed') await (await queue.getJob(j.hash))?.remove();
        await queue.addBulk(jobs.map((j) => ({ name: j.command, data: queuedJobData(j), opts: { jobId: j.hash, attempts: o.retries + 1, backoff: { type: 'exponential', delay: 200 } } })));
      }
      let pending = jobs;
      let lastWorkerCheck = -Infinity;
      while (pending.length) {
        if (Date.now() - lastWorkerCheck > 30_000) {
          lastWorkerCheck = Date.now();
          if ((await queue.getWorkers()).length === 0) process.stderr.write(`nla sweep: no worker is taking jobs from ${name} on ${q.host}:${q.port} (the name carries this build's identity); start one: nla worker --queue redis://${q.host}:${q.port}/${q.name}\n`);
        }
        const still: SweepJob[] = [];
        for (const j of pending) {
          const r = await finished(queue, j);
          if (r === 'missing') continue; // not queued (--collect): reported as missing by the caller
          if (r) onDone(r);
          else still.push(j);
        }
        pending = still;
        if (pending.length) await new Promise((res) => setTimeout(res, o.pollMs ?? 200));
      }
    } finally {
      await queue.close();
    }
  };
}
