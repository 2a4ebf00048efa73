import type { BoardInfo } from '../session.js';
import type { StreamStats } from './stats.js';

export interface Incident {
  atFrame: number;
  what: string;
}

export interface StreamResult {
  outputs: Int32Array[];
  /** Latency of every frame of the first session, ms, in frame order. */
  latencies: Float64Array;
  stats: StreamStats;
  incidents: Incident[];
  board: BoardInfo;
}

/** The stream did not complete: says which frames were not acknowledged and which have no output. */
export class StreamError extends Error {
  constructor(
    message: string,
    readonly unacknowledged: number[],
    readonly missingOutputs: number[],
    readonly partial: Omit<StreamResult, 'board'> & { board: BoardInfo | null },
  ) {
    super(`${message}; ${describeFrames(unacknowledged)} not acknowledged, ${describeFrames(missingOutputs)} without output`);
    this.name = 'StreamError';
  }
}

/** `n frame(s) (a–b, c, …)`: a count and up to eight ranges of ascending frame numbers. */
export function describeFrames(f: number[]): string {
  if (f.length === 0) return 'no frames';
  const ranges: string[] = [];
  let a = f[0]!;
  let b = a;
  for (const x of f.slice(1)) {
    if (x === b + 1) b = x;
    else {
      ranges.push(a === b ? `${a}` : `${a}–${b}`);
      a = b = x;
    }
  }
  ranges.push(a === b ? `${a}` : `${a}–${b}`);
  return `${f.length} frame(s) (${ranges.slice(0, 8).join(', ')}${ranges.length > 8 ? ', …' : ''})`;
}
