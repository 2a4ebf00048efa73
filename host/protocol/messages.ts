import { ByteReader, ByteWriter } from '../../core/bytes.js';
import { NO_TARGET_WIRE, WIRE_SIGNAL_BYTES, type Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { VCORE_FORMATS, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { ALL_READ_BANKS, READ_ROLES } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';

/**
 * The messages of the NLA board protocol 1.1 (1.0 and CORE_QUERY/CORE_INFO) and their payloads (little-endian; docs/protocol.md has
 * the byte layouts and hex examples). Values of signals are Q3.16 fixed point (value·2¹⁶) sent as
 * 3-byte little-endian two's complement (i24); NO_TARGET (−2²³) marks an output without a target.
 */
export const MSG = {
  HELLO: 0x01,
  HELLO_ACK: 0x02,
  LOAD_IMAGE: 0x03,
  SET_PARAM: 0x04,
  RESET: 0x05,
  START_STREAM: 0x06,
  STOP_STREAM: 0x07,
  INPUT_FRAME: 0x08,
  TARGET_FRAME: 0x09,
  OUTPUT_FRAME: 0x0a,
  STATUS: 0x0b,
  ERROR: 0x0c,
  ACK: 0x0d,
  END_STREAM: 0x0e,
  RESEND_OUTPUTS: 0x0f,
  /** 1.1: what the board's core takes (boards reporting minor ≥ 1 answer it). */
  CORE_QUERY: 0x10,
  CORE_INFO: 0x11,
} as const;

/** The image format a board's core takes (CORE_INFO): 1 a board image (section 10), 2 a vector-core image (10.5). */
export const IMAGE_FORMAT_CODE = { nlai: 1, nlav: 2 } as const;

export const NO_TARGET = NO_TARGET_WIRE;
export const NO_FRAME = 0xffffffff;

export type { Capabilities };

export type Message =
  | { type: 'hello'; major: number; minor: number; window: number; nonce: number; hostId: string }
  | { type: 'hello-ack'; major: number; minor: number; boardId: string; caps: Capabilities; booted: boolean; imageLoaded: boolean; imageCrc: number; lastFrame: number }
  | { type: 'load-image'; offset: number; total: number; chunk: Uint8Array }
  | { type: 'set-param'; id: number; value: number }
  | { type: 'reset'; restoreWeights: boolean }
  | { type: 'start-stream'; firstFrame: number; framePeriodUs: number; probes: number }
  | { type: 'stop-stream' }
  | { type: 'input-frame'; frame: number; timeUs: number; values: Int32Array }
  | { type: 'target-frame'; frame: number; values: Int32Array }
  | { type: 'output-frame'; frame: number; timeUs: number; values: Int32Array }
  | { type: 'status'; state: number; framesProcessed: number; lastFrame: number; saturations: number; rejectedFrames: number; imageLoaded: boolean }
  | { type: 'error'; code: number; frame: number; message: string }
  | { type: 'ack' }
  | { type: 'end-stream'; lastFrame: number; framesProcessed: number }
  | { type: 'resend-outputs'; fromFrame: number }
  | { type: 'core-query' }
  /** `build`: the vector core's limits, present for `nlav`. */
  | { type: 'core-info'; imageFormat: keyof typeof IMAGE_FORMAT_CODE; build: VcoreBuild | null };

export type MessageType = Message['type'];

/** Board states reported by STATUS. */
export const STATE = { IDLE: 0, LOADED: 1, STREAMING: 2 } as const;

/** Typed error codes (ERROR). */
export const ERROR_CODE = {
  BAD_IMAGE: 1,
  NO_IMAGE: 2,
  CAPACITY: 3,
  BAD_FRAME: 4,
  OUT_OF_ORDER: 5,
  NOT_STREAMING: 6,
  UNKNOWN_MESSAGE: 7,
  HISTORY: 8,
  NO_SESSION: 9,
  BAD_PARAM: 10,
} as const;

/** Parameters of SET_PARAM. */
export const PARAM = {
  /** 1: plasticity on during streaming, 0: off. */
  LEARN: 1,
  /** β in Q8.16. */
  BETA_Q16: 2,
  /** Iterations of the implicit solve per step (1..65535). */
  ITERATIONS: 3,
} as const;

const TYPE_OF: Record<MessageType, number> = {
  hello: MSG.HELLO,
  'hello-ack': MSG.HELLO_ACK,
  'load-image': MSG.LOAD_IMAGE,
  'set-param': MSG.SET_PARAM,
  reset: MSG.RESET,
  'start-stream': MSG.START_STREAM,
  'stop-stream': MSG.STOP_STREAM,
  'input-frame': MSG.INPUT_FRAME,
  'target-frame': MSG.TARGET_FRAME,
  'output-frame': MSG.OUTPUT_FRAME,
  status: MSG.STATUS,
  error: MSG.ERROR,
  ack: MSG.ACK,
  'end-stream': MSG.END_STREAM,
  'resend-outputs': MSG.RESEND_OUTPUTS,
  'core-query': MSG.CORE_QUERY,
  'core-info': MSG.CORE_INFO,
};

/** Messages that travel unsequenced (the handshake and pure acknowledgements). */
export function isSequenced(m: Message): boolean {
  return m.type !== 'hello' && m.type !== 'hello-ack' && m.type !== 'ack';
}

export function typeCode(m: Message): number {
  return TYPE_OF[m.type];
}

const values = (w: ByteWriter, v: Int32Array) => {
  w.u16(v.length);
  for (const x of v) w.i24(x);
};

export function encodePayload(m: Message): Uint8Array {
  const w = new ByteWriter();
  switch (m.type) {
    case 'hello':
      return w.u8(m.major).u8(m.minor).u16(m.window).u32(m.nonce).str(m.hostId).done();
    case 'hello-ack': {
      const c = m.caps;
      w.u8(m.major).u8(m.minor).u16(c.maxNeurons).u32(c.maxSynapses).u16(c.maxInputs).u16(c.maxOutputs);
      w.u8(c.signalFracBits).u8(c.weightFracBits).u32(c.maxFrameRate).u16(c.window).u16(c.maxPayload);
      return w.u8((m.booted ? 1 : 0) | (m.imageLoaded ? 2 : 0)).u32(m.imageCrc).u32(m.lastFrame).str(m.boardId).done();
    }
    case 'load-image':
      return w.u32(m.offset).u32(m.total).bytes(m.chunk).done();
    case 'set-param':
      return w.u16(m.id).i32(m.value).done();
    case 'reset':
      return w.u8(m.restoreWeights ? 1 : 0).done();
    case 'stop-stream':
    case 'ack':
      return w.done();
    case 'start-stream':
      return w.u32(m.firstFrame).u32(m.framePeriodUs).u8(m.probes).done();
    case 'input-frame':
      w.u32(m.frame).u32(m.timeUs);
      values(w, m.values);
      return w.done();
    case 'target-frame':
      w.u32(m.frame);
      values(w, m.values);
      return w.done();
    case 'output-frame':
      w.u32(m.frame).u32(m.timeUs);
      values(w, m.values);
      return w.done();
    case 'status':
      return w.u8(m.state).u32(m.framesProcessed).u32(m.lastFrame).u32(m.saturations).u32(m.rejectedFrames).u8(m.imageLoaded ? 1 : 0).done();
    case 'error':
      return w.u16(m.code).u32(m.frame).str(m.message).done();
    case 'end-stream':
      return w.u32(m.lastFrame).u32(m.framesProcessed).done();
    case 'resend-outputs':
      return w.u32(m.fromFrame).done();
    case 'core-query':
      return w.done();
    case 'core-info':
      return writeCoreInfo(w, m).done();
  }
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; why: string };

/** A frame's values: a u16 count, then that many i24; a count beyond the payload marks the reader short. */
function readValues(r: ByteReader): Int32Array {
  const n = r.u16();
  if (n * WIRE_SIGNAL_BYTES > r.remaining) {
    r.short = true;
    return new Int32Array(0);
  }
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.i24();
  return v;
}

function readHelloAck(r: ByteReader): Message {
  const major = r.u8();
  const minor = r.u8();
  const caps: Capabilities = {
    maxNeurons: r.u16(),
    maxSynapses: r.u32(),
    maxInputs: r.u16(),
    maxOutputs: r.u16(),
    signalFracBits: r.u8(),
    weightFracBits: r.u8(),
    maxFrameRate: r.u32(),
    window: r.u16(),
    maxPayload: r.u16(),
  };
  const flags = r.u8();
  return { type: 'hello-ack', major, minor, caps, booted: (flags & 1) !== 0, imageLoaded: (flags & 2) !== 0, imageCrc: r.u32(), lastFrame: r.u32(), boardId: r.str() };
}

/** CORE_INFO: u8 imageFormat; for a vector core its build (docs/protocol.md 5.18). */
function writeCoreInfo(w: ByteWriter, m: Extract<Message, { type: 'core-info' }>): ByteWriter {
  w.u8(IMAGE_FORMAT_CODE[m.imageFormat]);
  const b = m.build;
  if (m.imageFormat !== 'nlav' || !b) return w;
  w.u8(VCORE_FORMATS[b.numberFormat]).u8(b.weightShift).u8(b.weightBits).u8(b.operandBits).u8(b.factorBits);
  w.u16(b.instructions).u8(b.kRegs).u16(b.weightWords).u16(b.tableWords).u8(b.banks.length);
  for (const k of b.banks) w.u16(k.words).u8(k.bits);
  // the read ports (5.18), left out where every role reaches every bank: the layout of a board without them
  if (READ_ROLES.some((r) => b.readBanks[r] !== ALL_READ_BANKS[r])) for (const r of READ_ROLES) w.u8(b.readBanks[r]);
  return w;
}

function readCoreInfo(r: ByteReader): Message {
  const code = r.u8();
  if (code === IMAGE_FORMAT_CODE.nlai) return { type: 'core-info', imageFormat: 'nlai', build: null };
  if (code !== IMAGE_FORMAT_CODE.nlav) {
    r.short = true; // an unknown format: malformed
    return { type: 'core-info', imageFormat: 'nlai', build: null };
  }
  const nf = r.u8();
  const numberFormat = (Object.keys(VCORE_FORMATS) as Array<keyof typeof VCORE_FORMATS>).find((k) => VCORE_FORMATS[k] === nf);
  if (!numberFormat) r.short = true;
  const build: VcoreBuild = {
    numberFormat: numberFormat ?? 'UP5K16',
    weightShift: r.u8(),
    weightBits: r.u8(),
    operandBits: r.u8(),
    factorBits: r.u8(),
    instructions: r.u16(),
    kRegs: r.u8(),
    weightWords: r.u16(),
    tableWords: r.u16(),
    banks: [],
    readBanks: ALL_READ_BANKS,
  };
  const n = r.u8();
  for (let k = 0; k < n && !r.short; k++) build.banks.push({ words: r.u16(), bits: r.u8() });
  // the read ports (5.18): a board that names none reads every bank through every role
  if (r.remaining > 0) {
    build.readBanks = { a: r.u8(), x: r.u8(), y: r.u8(), s: r.u8(), m: r.u8() };
    // five 0xff masks are written by leaving them out: one layout for one build (malformed otherwise)
    if (READ_ROLES.every((k) => build.readBanks[k] === 0xff)) r.short = true;
  }
  return { type: 'core-info', imageFormat: 'nlav', build };
}

function readLoadImage(r: ByteReader): Message {
  const offset = r.u32();
  const total = r.u32();
  return { type: 'load-image', offset, total, chunk: r.bytes(r.remaining) };
}

/**
 * Each type's payload reader, by type code: it reads the fields in layout order (object literals
 * evaluate in order) and leaves checking the length to decodePayload (reads past the end give 0s and
 * mark the reader short).
 */
const DECODERS = new Map<number, (r: ByteReader) => Message>([
  [MSG.HELLO, (r) => ({ type: 'hello', major: r.u8(), minor: r.u8(), window: r.u16(), nonce: r.u32(), hostId: r.str() })],
  [MSG.HELLO_ACK, readHelloAck],
  [MSG.LOAD_IMAGE, readLoadImage],
  [MSG.SET_PARAM, (r) => ({ type: 'set-param', id: r.u16(), value: r.i32() })],
  [MSG.RESET, (r) => ({ type: 'reset', restoreWeights: r.u8() === 1 })],
  [MSG.START_STREAM, (r) => ({ type: 'start-stream', firstFrame: r.u32(), framePeriodUs: r.u32(), probes: r.u8() })],
  [MSG.STOP_STREAM, () => ({ type: 'stop-stream' })],
  [MSG.INPUT_FRAME, (r) => ({ type: 'input-frame', frame: r.u32(), timeUs: r.u32(), values: readValues(r) })],
  [MSG.TARGET_FRAME, (r) => ({ type: 'target-frame', frame: r.u32(), values: readValues(r) })],
  [MSG.OUTPUT_FRAME, (r) => ({ type: 'output-frame', frame: r.u32(), timeUs: r.u32(), values: readValues(r) })],
  [MSG.STATUS, (r) => ({ type: 'status', state: r.u8(), framesProcessed: r.u32(), lastFrame: r.u32(), saturations: r.u32(), rejectedFrames: r.u32(), imageLoaded: r.u8() === 1 })],
  [MSG.ERROR, (r) => ({ type: 'error', code: r.u16(), frame: r.u32(), message: r.str() })],
  [MSG.ACK, () => ({ type: 'ack' })],
  [MSG.END_STREAM, (r) => ({ type: 'end-stream', lastFrame: r.u32(), framesProcessed: r.u32() })],
  [MSG.RESEND_OUTPUTS, (r) => ({ type: 'resend-outputs', fromFrame: r.u32() })],
  [MSG.CORE_QUERY, () => ({ type: 'core-query' })],
  [MSG.CORE_INFO, readCoreInfo],
]);

/** Decodes a payload of a given type. Never throws: malformed payloads come back as `{ ok: false }`. */
export function decodePayload(type: number, payload: Uint8Array): DecodeResult {
  const read = DECODERS.get(type);
  if (!read) return { ok: false, why: `unknown message type 0x${type.toString(16).padStart(2, '0')}` };
  const r = new ByteReader(payload);
  const m = read(r);
  if (!r.exact) return { ok: false, why: `malformed ${m.type} payload (${payload.length} bytes)` };
  return { ok: true, message: m };
}
