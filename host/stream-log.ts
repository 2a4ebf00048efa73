import { readInputText } from '../core/input-file.js';
import { createWriteStream, type WriteStream } from 'node:fs';
import { InputError } from '../core/errors.js';
import { encodePayload, typeCode } from './protocol/messages.js';
import type { SessionLogEntry } from './session.js';
import { bodyLine, headerLine, type LoggedEntry, type LoggedFrame, type LogHeader } from './stream-log-lines.js';

/** Version 2: frame lines carry the bytes the line carried (`line`, hex), which `nla replay` checks. */
export const LOG_FORMAT = 'nla-stream-log/2';

/**
 * The replayable stream log (JSON lines). The first line is a header; then one line per frame on the
 * line (`kind: "frame"`, as the link saw it: direction, header fields, payload in hex, retransmission,
 * and the frame's bytes on the line, COBS-encoded with the delimiter, in hex)
 * and one per message handed to or delivered by the link (`kind: "message"`: type code and payload in
 * hex, decodable with messages.ts), and events (session ends, resumes, replays). `nla replay` feeds the
 * logged messages to a reference board and checks the logged outputs bit for bit, and checks every
 * frame's bytes (CRC, fields, payload) against what the log says was sent and received.
 */
export type { LogHeader };

export class StreamLogWriter {
  private readonly out: WriteStream;
  private readonly done: Promise<void>;

  constructor(path: string, header: LogHeader) {
    this.out = createWriteStream(path);
    this.done = new Promise((resolve, reject) => {
      this.out.on('finish', resolve);
      this.out.on('error', reject);
    });
    this.out.write(JSON.stringify(header) + '\n');
  }

  readonly write = (e: SessionLogEntry): void => {
    if (e.kind === 'message') {
      const m = e.message;
      this.out.write(JSON.stringify({ kind: 'message', tMs: round(e.tMs), dir: e.dir, type: m.type, code: typeCode(m), payload: Buffer.from(encodePayload(m)).toString('hex') }) + '\n');
    } else this.out.write(JSON.stringify({ ...e, tMs: round(e.tMs) }) + '\n');
  };

  async close(): Promise<void> {
    this.out.end();
    await this.done;
  }
}

const round = (t: number) => Math.round(t * 1000) / 1000;

export interface ReadLog {
  header: LogHeader;
  /** Messages in log order with their direction; events as markers. */
  entries: LoggedEntry[];
  /** Frames on the line, in log order, with the bytes the line carried. */
  lineFrames: LoggedFrame[];
  /** Number of frame lines. */
  frames: number;
}

/** Reads a stream log; every line is validated, and a bad one is an InputError naming the file, line and field. */
export function readStreamLog(path: string): ReadLog {
  const lines = readInputText(path).split('\n');
  const parse = (i: number): unknown => {
    try {
      return JSON.parse(lines[i] ?? '') as unknown;
    } catch {
      throw new InputError('expected one JSON object per line', path, i + 1);
    }
  };
  if ((lines[0] ?? '').trim() === '') throw new InputError(`expected a header line with format '${LOG_FORMAT}', got an empty line`, path, 1);
  const header = headerLine(parse(0), path, LOG_FORMAT);
  const entries: LoggedEntry[] = [];
  const lineFrames: LoggedFrame[] = [];
  for (let i = 1; i < lines.length; i++) {
    if ((lines[i] ?? '').trim() === '') continue;
    const b = bodyLine(parse(i), path, i + 1);
    if ('frame' in b) lineFrames.push(b.frame);
    else entries.push(b.entry);
  }
  return { header, entries, lineFrames, frames: lineFrames.length };
}
