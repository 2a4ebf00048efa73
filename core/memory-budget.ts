import { totalmem } from 'node:os';
import { UsageError } from './errors.js';

/**
 * How much memory one run may take for its large arrays (weights, the engine's workspace, dense
 * factorisations). Every layer that allocates in proportion to the network's size estimates the bytes
 * first and asks `requireMemory`, so a network too large for the machine is refused at once with the
 * figure and the limit, instead of crashing with a RangeError or swapping for minutes.
 *
 * The limit is `NLA_MEMORY_LIMIT` (bytes, or with a unit: `512MB`, `8GB`, `1.5GiB`) when set, else 75 %
 * of the machine's physical memory.
 */
export interface MemoryBudget {
  bytes: number;
  /** Where the limit comes from, for the message. */
  source: string;
}

/** Refusal of a run whose arrays would not fit; exit code 2 like any other bad input. */
export class ResourceError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceError';
  }
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** Parses `8GB`, `512MiB`, `1e9` (bytes) into bytes. */
export function parseBytes(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const scale = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || scale === undefined || !(Number(m[1]) > 0)) throw new UsageError(`${what}: expected a size such as 512MB or 8GB, got '${text}'`);
  return Number(m[1]) * scale;
}

/** The budget of this process (see the interface). */
export function memoryBudget(env: NodeJS.ProcessEnv = globalThis.process?.env ?? {}): MemoryBudget {
  const set = env.NLA_MEMORY_LIMIT;
  if (set !== undefined && set !== '') return { bytes: parseBytes(set, 'NLA_MEMORY_LIMIT'), source: 'NLA_MEMORY_LIMIT' };
  return { bytes: Math.floor(0.75 * totalmem()), source: `75 % of this machine's ${formatBytes(totalmem())}; set NLA_MEMORY_LIMIT to change it` };
}

/** Throws a ResourceError when `bytes` exceeds the budget; `what` says what the bytes are for. */
export function requireMemory(bytes: number, what: string, budget: MemoryBudget = memoryBudget()): void {
  if (bytes <= budget.bytes) return;
  throw new ResourceError(`${what} need ${formatBytes(bytes)}, more than the memory limit of ${formatBytes(budget.bytes)} (${budget.source})`);
}

/** 1.6 GB, 512 MB, 3.2 kB (decimal units, three significant digits). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let k = 0;
  let v = bytes;
  while (v >= 1000 && k < units.length - 1) {
    v /= 1000;
    k++;
  }
  return `${Number(v.toPrecision(3))} ${units[k]}`;
}
