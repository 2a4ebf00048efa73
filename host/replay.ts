import { VirtualBoard } from './board/virtual-board.js';
import type { ReadLog } from './stream-log.js';

export interface ReplayResult {
  /** Output frames in the log that were checked against the reference. */
  checked: number;
  mismatches: Array<{ frame: number; logged: number[]; reference: number[] }>;
  /** Input frames in the log that the reference board accepted. */
  inputFrames: number;
  /** Logged outputs for frames the reference never computed (should be 0). */
  unmatched: number;
}

/**
 * Replays a stream log against the reference board (the fixed-point core behind the protocol): every
 * message the host sent goes, in order, to a fresh VirtualBoard (rebooted where the log says the real
 * board lost its state), and every output frame the real board returned is compared, bit for bit, with
 * the reference's output for the same frame. This is how a board implementation is checked against the
 * bit-exact reference from a recording of a real session.
 */
export async function replayLog(log: ReadLog): Promise<ReplayResult> {
  const board = new VirtualBoard();
  const reference = new Map<number, Int32Array>();
  const logged: Array<{ frame: number; values: Int32Array }> = [];
  let inputFrames = 0;
  for (const e of log.entries) {
    if ('event' in e) {
      if (e.event === 'replay') board.reboot();
      continue;
    }
    if (e.dir === 'rx') {
      if (e.message.type === 'output-frame') logged.push({ frame: e.message.frame, values: e.message.values });
      continue;
    }
    for (const m of await board.handle(e.message, null)) {
      if (m.type === 'output-frame') {
        reference.set(m.frame, m.values);
        inputFrames++;
      }
    }
  }
  const mismatches: ReplayResult['mismatches'] = [];
  let unmatched = 0;
  for (const l of logged) {
    const r = reference.get(l.frame);
    if (!r) {
      unmatched++;
      continue;
    }
    if (r.length !== l.values.length || r.some((v, i) => v !== l.values[i])) mismatches.push({ frame: l.frame, logged: Array.from(l.values), reference: Array.from(r) });
  }
  return { checked: logged.length - unmatched, mismatches, inputFrames, unmatched };
}
