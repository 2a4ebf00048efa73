import type { VcoreBuild } from '../hardware-models/fixed-point/vcore-image.js';
import { VirtualBoard } from './board/virtual-board.js';
import { checkLine, type LineIssue } from './replay-line.js';
import type { ReadLog } from './stream-log.js';

export interface ReplayResult {
  /** Output frames in the log that were checked against the reference. */
  checked: number;
  /**
   * Outputs that differ from the reference: `message` the decoded values the log records, `line` the
   * output frames decoded from the bytes the line carried.
   */
  mismatches: Array<{ frame: number; source: 'message' | 'line'; line: number; logged: number[]; reference: number[] }>;
  /** Output frames decoded from the line's bytes and checked against the reference. */
  lineOutputsChecked: number;
  /** Where the bytes on the line disagree with the log (CRC, fields, messages never carried). */
  lineIssues: LineIssue[];
  /** Input frames in the log that the reference board accepted. */
  inputFrames: number;
  /** Logged outputs for frames the reference never computed (should be 0). */
  unmatched: number;
  /** Frames the reference computed (the board was sent and accepted them) with no output in the log. */
  missing: number[];
}

/**
 * The reference a log is checked against: a board that announced a vector core (CORE_INFO `nlav`, protocol 1.1) was
 * sent vector-core images, so its reference is the vector core's firmware model on the same build; any other board's
 * is the reference core on board images.
 */
function referenceCoreOf(log: ReadLog): { core: 'reference' | 'vcore'; vcoreBuild?: VcoreBuild } {
  for (const e of log.entries) {
    if ('event' in e || e.dir !== 'rx' || e.message.type !== 'core-info') continue;
    if (e.message.imageFormat === 'nlav' && e.message.build) return { core: 'vcore', vcoreBuild: e.message.build };
  }
  return { core: 'reference' };
}

/**
 * Replays a stream log against the reference board (the fixed-point core behind the protocol): every
 * message the host sent goes, in order, to a fresh VirtualBoard (rebooted where the log says the real
 * board lost its state), and every output frame the real board returned is compared, bit for bit, with
 * the reference's output for the same frame. This is how a board implementation is checked against the
 * bit-exact reference from a recording of a real session.
 */
export async function replayLog(log: ReadLog): Promise<ReplayResult> {
  const board = new VirtualBoard(referenceCoreOf(log));
  const reference = new Map<number, Int32Array>();
  const logged: Array<{ frame: number; values: Int32Array; line: number; source: 'message' | 'line' }> = [];
  for (const e of log.entries) {
    if ('event' in e) {
      if (e.event === 'replay') board.reboot();
      continue;
    }
    if (e.dir === 'rx') {
      if (e.message.type === 'output-frame') logged.push({ frame: e.message.frame, values: e.message.values, line: e.line, source: 'message' });
      continue;
    }
    for (const m of await board.handle(e.message, null)) {
      if (m.type === 'output-frame') reference.set(m.frame, m.values);
    }
  }
  const line = checkLine(log.lineFrames, log.entries);
  const mismatches: ReplayResult['mismatches'] = [];
  let unmatched = 0;
  let lineChecked = 0;
  for (const l of [...logged, ...line.outputs.map((o) => ({ ...o, source: 'line' as const }))]) {
    const r = reference.get(l.frame);
    if (!r) {
      if (l.source === 'message') unmatched++;
      else line.issues.push({ line: l.line, what: `the board sent an output for frame ${l.frame}, which the reference never computed` });
      continue;
    }
    if (l.source === 'line') lineChecked++;
    if (r.length !== l.values.length || r.some((v, i) => v !== l.values[i])) mismatches.push({ frame: l.frame, source: l.source, line: l.line, logged: Array.from(l.values), reference: Array.from(r) });
  }
  const checked = logged.length - unmatched;
  const seen = new Set(logged.map((l) => l.frame));
  const missing = [...reference.keys()].filter((f) => !seen.has(f)).sort((a, b) => a - b);
  // input frames: those the reference computed (resent outputs and replays counted once)
  return { checked, mismatches, lineOutputsChecked: lineChecked, lineIssues: line.issues, inputFrames: reference.size, unmatched, missing };
}
