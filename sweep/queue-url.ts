import { UsageError } from '../core/errors.js';

/** Where a sweep queue lives: a Redis server and the BullMQ queue's name. */
export interface QueueAddress {
  host: string;
  port: number;
  name: string;
}

/** Parses `redis://host:port/name`; anything else is a UsageError naming --queue. */
export function parseQueueUrl(url: string): QueueAddress {
  const m = /^redis:\/\/([^:/]+)(?::(\d+))?\/([A-Za-z0-9_.-]+)$/.exec(url);
  if (!m) throw new UsageError(`--queue: expected redis://host:port/name (name: letters, digits, _ . -), got '${url}'`);
  const port = m[2] === undefined ? 6379 : Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError(`--queue: port ${port} is out of range`);
  return { host: m[1]!, port, name: m[3]! };
}

/**
 * The BullMQ queue a sweep and its workers use: the name given, then `@` and the toolkit's identity
 * (version + code fingerprint, job.ts). Workers of another build listen on another queue, so they never take
 * (and burn the attempts of) a job they would refuse; with no worker of this build, the coordinator says so.
 */
export function bullQueueName(q: QueueAddress, identity: string): string {
  return `${q.name}@${identity}`;
}
