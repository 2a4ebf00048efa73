import type { BoardInfo } from '../session.js';
import type { StreamStats } from './stats.js';

/** Something that went wrong during a stream and was recovered from, with the frame it happened at. */
export interface Incident {
  atFrame: number;
  what: string;
}

/** What `streamToBoard` returns: the board's output frames (Q3.16), latencies, statistics and incidents. */
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

/** Up to `max` ranges of ascending frame numbers: `a–b, c, …`. */
export function frameRanges(f: number[], max = 8): string {
  const ranges: string[] = [];
  let k = 0;
  while (k < f.length) {
    let j = k;
    while (j + 1 < f.length && f[j + 1] === f[j]! + 1) j++;
    ranges.push(j === k ? `${f[k]}` : `${f[k]}–${f[j]}`);
    k = j + 1;
  }
  return ranges.slice(0, max).join(', ') + (ranges.length > max ? ', …' : '');
}

/** `n frame(s) (a–b, c, …)`: a count and up to eight ranges of ascending frame numbers. */
export function describeFrames(f: number[]): string {
  return f.length === 0 ? 'no frames' : `${f.length} frame(s) (${frameRanges(f)})`;
}
