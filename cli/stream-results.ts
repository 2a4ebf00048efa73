import { frameRanges } from '../host/stream/result.js';
import { csvNumber } from '../core/csv.js';
import { fromSignal } from '../hardware-models/fixed-point/format.js';
import type { BoardInfo } from '../host/session.js';
import type { StreamResult } from '../host/stream.js';

/** What `nla stream` reports: a whole stream, or what arrived before it failed. */
export interface StreamOutcome {
  result: Omit<StreamResult, 'board'> & { board: BoardInfo | null };
  /** Frames without an output, ascending (empty when the stream completed). */
  missing: number[];
  /** Frames the board's link never acknowledged (empty when the stream completed). */
  unacknowledged: number[];
  /** Why the stream failed; null when it completed. */
  error: string | null;
}

/**
 * The output CSV: a header `t` and the probe columns, then one row per frame at the end of the frame
 * (ms). A frame without an output (a failed stream) keeps its row with the values left empty, so the
 * file never passes for a complete recording: readers that require numbers refuse it, naming the row.
 */
export function outputCsv(columns: string[], frameMs: number, outputs: Int32Array[]): string {
  const lines = [['t', ...columns].join(',')];
  outputs.forEach((v, k) => {
    const t = csvNumber((k + 1) * frameMs);
    lines.push(v.length ? [t, ...Array.from(v, (x) => csvNumber(fromSignal(x)))].join(',') : t + ','.repeat(columns.length));
  });
  return lines.join('\n') + '\n';
}

/** The stderr note of a failed stream: what was kept and what is missing. */
export function partialNote(o: StreamOutcome, total: number, files: string[]): string {
  const got = total - o.missing.length;
  const where = files.length ? `; wrote what arrived to ${files.join(', ')} (frames without an output have empty values)` : '';
  return `stream: failed after ${got} of ${total} output frames; missing: ${o.missing.length ? frameRanges(o.missing) : 'none'}${where}\n`;
}
