import { InputError } from '../core/errors.js';
import { decodePayload, type Message } from './protocol/messages.js';

/**
 * Validation of the lines of a stream log (stream-log.ts), one function per kind of line. Each takes
 * the parsed JSON of one line and returns it typed, or throws an InputError naming the file, the line
 * number and the field, with what was expected and what was found: `nla replay` never meets a value it
 * did not check.
 */

export interface LogHeader {
  format: string;
  startedAt: string;
  port: string;
  baud: number;
  image: string;
  imageCrc: string;
  frames: number;
}

/** A frame as the link logged it, with the bytes the line carried. */
export interface LoggedFrame {
  line: number;
  dir: 'tx' | 'rx';
  type: number;
  seq: number;
  ack: number;
  credits: number;
  flags: number;
  retransmit: boolean;
  /** The decoded payload, as the log states it. */
  payload: Uint8Array;
  /** The frame on the line: COBS-encoded, with its 0x00 delimiter. */
  bytes: Uint8Array;
}

export type LoggedEntry = { dir: 'tx' | 'rx'; message: Message; line: number } | { event: string; detail?: string; line: number };

const HEX = /^([0-9a-f]{2})*$/;

/** Reads the fields of one parsed line, each checked, errors naming file, line and field. */
class Fields {
  constructor(
    private readonly o: Record<string, unknown>,
    private readonly file: string,
    private readonly line: number,
  ) {}

  static of(raw: unknown, file: string, line: number): Fields {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}`, file, line);
    return new Fields(raw as Record<string, unknown>, file, line);
  }

  fail(field: string, expected: string): never {
    const v = this.o[field];
    throw new InputError(`field '${field}': expected ${expected}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`, this.file, this.line);
  }
  has(field: string): boolean {
    return this.o[field] !== undefined;
  }
  string(field: string): string {
    const v = this.o[field];
    return typeof v === 'string' ? v : this.fail(field, 'a string');
  }
  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.o[field];
    return values.includes(v as T) ? (v as T) : this.fail(field, values.map((x) => `'${x}'`).join(' or '));
  }
  int(field: string, lo: number, hi: number): number {
    const v = this.o[field];
    return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : this.fail(field, `an integer ${lo}..${hi}`);
  }
  time(field: string): number {
    const v = this.o[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(field, 'a time in ms');
  }
  bool(field: string): boolean {
    const v = this.o[field];
    return typeof v === 'boolean' ? v : this.fail(field, 'true or false');
  }
  hex(field: string, nonEmpty = false): Uint8Array {
    const v = this.o[field];
    if (typeof v !== 'string' || !HEX.test(v) || (nonEmpty && v === '')) return this.fail(field, `${nonEmpty ? 'non-empty ' : ''}lowercase hex bytes`);
    return new Uint8Array(Buffer.from(v, 'hex'));
  }
}

/** The first line. */
export function headerLine(raw: unknown, file: string, format: string): LogHeader {
  const f = Fields.of(raw, file, 1);
  const got = f.string('format');
  if (got !== format) throw new InputError(`field 'format': expected '${format}', got '${got}'${/^nla-stream-log\/1$/.test(got) ? ' (a log recorded before the line bytes were logged: record the stream again to replay it)' : ''}`, file, 1);
  const imageCrc = f.string('imageCrc');
  if (!/^0x[0-9a-f]{8}$/.test(imageCrc)) f.fail('imageCrc', "'0x' and 8 hex digits");
  return { format, startedAt: f.string('startedAt'), port: f.string('port'), baud: f.int('baud', 1, 2 ** 31), image: f.string('image'), imageCrc, frames: f.int('frames', 0, 2 ** 32) };
}

/** A frame line (`kind: "frame"`). */
function frameLine(f: Fields, line: number): LoggedFrame {
  f.time('tMs');
  const bytes = f.hex('line', true);
  const lineBytes = f.int('lineBytes', 1, 1 << 20);
  if (lineBytes !== bytes.length) f.fail('lineBytes', `${bytes.length} (the length of 'line')`);
  return {
    line,
    dir: f.oneOf('dir', ['tx', 'rx'] as const),
    type: f.int('type', 0, 255),
    seq: f.int('seq', 0, 0xffff),
    ack: f.int('ack', 0, 0xffff),
    credits: f.int('credits', 0, 0xffff),
    flags: f.int('flags', 0, 255),
    retransmit: f.bool('retransmit'),
    payload: f.hex('payload'),
    bytes,
  };
}

/** A message line (`kind: "message"`): the payload must decode to a message of the stated type. */
function messageLine(f: Fields, line: number): LoggedEntry {
  f.time('tMs');
  const dir = f.oneOf('dir', ['tx', 'rx'] as const);
  const type = f.string('type');
  const d = decodePayload(f.int('code', 0, 255), f.hex('payload'));
  if (!d.ok) f.fail('payload', `a payload that decodes (${d.why})`);
  if (d.message.type !== type) f.fail('type', `'${d.message.type}' (what the code and payload decode to)`);
  return { dir, message: d.message, line };
}

/** An event line (`kind: "event"`). */
function eventLine(f: Fields, line: number): LoggedEntry {
  f.time('tMs');
  return { event: f.string('event'), ...(f.has('detail') ? { detail: f.string('detail') } : {}), line };
}

/** Any line after the header, by its kind. */
export function bodyLine(raw: unknown, file: string, line: number): { frame: LoggedFrame } | { entry: LoggedEntry } {
  const f = Fields.of(raw, file, line);
  const kind = f.oneOf('kind', ['frame', 'message', 'event'] as const);
  if (kind === 'frame') return { frame: frameLine(f, line) };
  return { entry: kind === 'message' ? messageLine(f, line) : eventLine(f, line) };
}
