import { hex } from '../core/bytes.js';
import { FLAG_SEQ, FrameDecoder, type Frame, type Rejection } from './protocol/frame.js';
import { decodePayload, MSG, typeCode, encodePayload, type Message } from './protocol/messages.js';
import type { LoggedEntry, LoggedFrame } from './stream-log-lines.js';

/** A disagreement between what the line carried and what the log says, at a log line. */
export interface LineIssue {
  line: number;
  what: string;
}

export interface LineCheck {
  issues: LineIssue[];
  /** Output frames decoded from the bytes the board sent, with the log line of their frame. */
  outputs: Array<{ frame: number; values: Int32Array; line: number }>;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks what the line carried against the log (nla replay):
 *
 * 1. every frame's bytes decode (COBS, length, CRC) to exactly one frame whose header fields and payload
 *    are the ones logged beside them;
 * 2. every message the log says was received was carried by a received frame logged before it (same
 *    type and payload, in order), and every sent frame that is not an ACK or a retransmission carries a
 *    message the log says was sent before it, in order;
 * 3. the board's output frames are collected from the bytes themselves, for the bit-exact comparison.
 */
export function checkLine(frames: LoggedFrame[], entries: LoggedEntry[]): LineCheck {
  const issues: LineIssue[] = [];
  const outputs: LineCheck['outputs'] = [];
  const carried: Array<{ l: LoggedFrame; f: Frame }> = [];
  for (const l of frames) {
    const f = decodeOne(l, issues);
    if (!f) continue;
    carried.push({ l, f });
    if (l.dir === 'rx' && f.type === MSG.OUTPUT_FRAME) {
      const d = decodePayload(f.type, f.payload);
      if (d.ok && d.message.type === 'output-frame') outputs.push({ frame: d.message.frame, values: d.message.values, line: l.line });
      else issues.push({ line: l.line, what: `the OUTPUT_FRAME on the line does not decode: ${d.ok ? d.message.type : d.why}` });
    }
  }
  matchMessages(carried, entries, issues);
  checkSequence(frames, issues);
  return { issues, outputs };
}

/**
 * Every sequenced frame the board sent is in the log: within a session (from the host's HELLO on), each
 * sequence number from the first to the last received appears at least once. A frame lost on the line
 * comes again as a retransmission with its number, so only a number that never appears means frames
 * missing from the log.
 */
function checkSequence(frames: LoggedFrame[], issues: LineIssue[]): void {
  // the logged header fields (checked against the bytes elsewhere), so a corrupted frame still counts as there
  let session: SessionSeqs | null = null;
  const close = () => session && reportGaps(session, issues);
  for (const l of frames) {
    if (l.dir === 'tx' && l.type === MSG.HELLO) {
      close();
      session = null;
    }
    if (l.dir !== 'rx' || !(l.flags & FLAG_SEQ)) continue;
    session ??= { raw: l.seq, at: 0, seen: new Map() };
    // unwrap mod 2¹⁶ around the last number seen: forward up to 2¹⁵, else a repeat of an earlier one
    const d = (l.seq - session.raw) & 0xffff;
    const n = d < 0x8000 ? session.at + d : session.at - ((session.raw - l.seq) & 0xffff);
    if (n > session.at) {
      session.at = n;
      session.raw = l.seq;
    }
    if (!session.seen.has(n)) session.seen.set(n, l.line);
  }
  close();
}

interface SessionSeqs {
  /** The highest number seen, raw and unwrapped (the session's first frame is 0). */
  raw: number;
  at: number;
  /** Unwrapped number → the log line it first appeared on. */
  seen: Map<number, number>;
}

function reportGaps(s: SessionSeqs, issues: LineIssue[]): void {
  let gap: number[] = [];
  for (let n = 0; n <= s.at; n++) {
    if (!s.seen.has(n)) {
      gap.push(n);
      continue;
    }
    if (gap.length) issues.push({ line: s.seen.get(n)!, what: `${gap.length} sequenced frame(s) the board sent before this one never appear in the log (not even retransmitted): missing from the log` });
    gap = [];
  }
}

/** Decodes a logged frame's bytes; null (and an issue naming the line and field) unless they agree with the log. */
function decodeOne(l: LoggedFrame, issues: LineIssue[]): Frame | null {
  const got: Frame[] = [];
  const rejected: Rejection[] = [];
  const dec = new FrameDecoder(
    (f) => got.push(f),
    (why) => rejected.push(why),
  );
  dec.push(l.bytes);
  const f = got[0];
  if (!f || got.length !== 1 || rejected.length || l.bytes[l.bytes.length - 1] !== 0) {
    issues.push({ line: l.line, what: `field 'line': the ${l.dir} frame's bytes are not one valid frame (${rejected.length ? `rejected: ${rejected.join(', ')}` : `${got.length} frames`})` });
    return null;
  }
  const fields: Array<[string, number | string, number | string]> = [
    ['type', l.type, f.type],
    ['flags', l.flags, f.flags],
    ['seq', l.seq, f.seq],
    ['ack', l.ack, f.ack],
    ['credits', l.credits, f.credits],
    ['payload', hex(l.payload), hex(f.payload)],
  ];
  const wrong = fields.find(([, logged, onLine]) => logged !== onLine);
  if (wrong) {
    const [name, logged, onLine] = wrong;
    const show = (v: number | string) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 40)}…` : String(v));
    issues.push({ line: l.line, what: `field '${name}': the line carried ${show(onLine)}, the log says ${show(logged)}` });
    return null;
  }
  return f;
}

/** Step 2 of checkLine: messages ↔ frames, per direction, in log order. */
function matchMessages(carried: Array<{ l: LoggedFrame; f: Frame }>, entries: LoggedEntry[], issues: LineIssue[]): void {
  const messages = entries.filter((e): e is Extract<LoggedEntry, { dir: 'tx' | 'rx' }> => 'dir' in e);
  const same = (f: Frame, m: Message) => f.type === typeCode(m) && sameBytes(f.payload, encodePayload(m));
  // received: each message comes from a frame logged before it (duplicates and ACKs are passed over)
  const rx = carried.filter((c) => c.l.dir === 'rx');
  let k = 0;
  for (const m of messages.filter((e) => e.dir === 'rx')) {
    while (k < rx.length && rx[k]!.l.line < m.line && !same(rx[k]!.f, m.message)) k++;
    if (k < rx.length && rx[k]!.l.line < m.line) k++;
    else issues.push({ line: m.line, what: `the received ${m.message.type} was not carried by any frame received before it` });
  }
  // sent: the first copy of each frame (not an ACK) carries a message logged before it
  const tx = messages.filter((e) => e.dir === 'tx');
  let j = 0;
  for (const c of carried.filter((x) => x.l.dir === 'tx' && x.f.type !== MSG.ACK && !x.l.retransmit)) {
    while (j < tx.length && tx[j]!.line < c.l.line && !same(c.f, tx[j]!.message)) j++;
    if (j < tx.length && tx[j]!.line < c.l.line) j++;
    else issues.push({ line: c.l.line, what: `the sent frame (type 0x${c.f.type.toString(16).padStart(2, '0')}, seq ${c.f.seq}) carries no message the log says was sent before it` });
  }
}
