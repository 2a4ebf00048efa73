import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { InputError } from '../core/errors.js';
import { decodePayload, encodePayload, typeCode, type Message } from './protocol/messages.js';
import type { SessionLogEntry } from './session.js';

export const LOG_FORMAT = 'nla-stream-log/1';

/**
 * The replayable stream log (JSON lines). The first line is a header; then one line per frame on the
 * line (`kind: "frame"`, as the link saw it: direction, header fields, payload in hex, retransmission)
 * and one per message handed to or delivered by the link (`kind: "message"`: type code and payload in
 * hex, decodable with messages.ts), and events (session ends, resumes, replays). `nla replay` feeds the
 * logged messages to a reference board and checks the logged outputs bit for bit.
 */
export interface LogHeader {
  format: typeof LOG_FORMAT;
  startedAt: string;
  port: string;
  baud: number;
  image: string;
  imageCrc: string;
  frames: number;
}

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
  entries: Array<{ dir: 'tx' | 'rx'; message: Message; line: number } | { event: string; detail?: string; line: number }>;
  frames: number;
}

/** Reads a stream log; every malformed line is an InputError naming the line. */
export function readStreamLog(path: string): ReadLog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parse = (l: string, i: number): Record<string, unknown> => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new InputError('expected one JSON object per line', path, i + 1);
    }
  };
  const header = parse(lines[0] ?? '', 0) as unknown as LogHeader;
  if (header.format !== LOG_FORMAT) throw new InputError(`expected a header with format '${LOG_FORMAT}', got ${JSON.stringify(header.format)}`, path, 1);
  const entries: ReadLog['entries'] = [];
  let frames = 0;
  lines.slice(1).forEach((l, k) => {
    const i = k + 1;
    const e = parse(l, i);
    if (e.kind === 'frame') {
      frames++;
      return;
    }
    if (e.kind === 'event') {
      entries.push({ event: String(e.event), ...(e.detail !== undefined ? { detail: String(e.detail) } : {}), line: i + 1 });
      return;
    }
    if (e.kind !== 'message') throw new InputError(`expected kind 'frame', 'message' or 'event', got ${JSON.stringify(e.kind)}`, path, i + 1);
    if (e.dir !== 'tx' && e.dir !== 'rx') throw new InputError(`expected dir 'tx' or 'rx', got ${JSON.stringify(e.dir)}`, path, i + 1);
    if (typeof e.payload !== 'string' || !/^([0-9a-f]{2})*$/.test(e.payload)) throw new InputError('expected the payload as hex', path, i + 1);
    const d = decodePayload(Number(e.code), new Uint8Array(Buffer.from(e.payload, 'hex')));
    if (!d.ok) throw new InputError(`message does not decode: ${d.why}`, path, i + 1);
    entries.push({ dir: e.dir, message: d.message, line: i + 1 });
  });
  return { header, entries, frames };
}
