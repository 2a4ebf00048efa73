import { cobsDecode, cobsEncode } from './cobs.js';
import { crc32 } from '../../core/crc32.js';

/**
 * Frames of the NLA board protocol, version 1.0 (docs/protocol.md). On the line every frame is
 * COBS(header ‖ payload ‖ CRC-32) followed by one 0x00 delimiter. Header (11 bytes, little-endian):
 *
 *   0 version  u8   major version (1)
 *   1 type     u8   message type (messages.ts)
 *   2 flags    u8   bit 0 SEQ: the frame is sequenced (reliable, in order); bit 1 ACK: ack/credits valid
 *   3 seq      u16  sequence number of a SEQ frame (mod 2¹⁶)
 *   5 ack      u16  next sequence number the sender expects from its peer (cumulative acknowledgement)
 *   7 credits  u16  how many SEQ frames beyond `ack` the sender can still buffer
 *   9 length   u16  payload length, at most MAX_PAYLOAD
 *
 * The CRC-32 covers header and payload.
 */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 0;
export const HEADER_BYTES = 11;
export const MAX_PAYLOAD = 4096;
/** Largest encoded frame on the line, delimiter included. */
export const MAX_ENCODED = HEADER_BYTES + MAX_PAYLOAD + 4 + Math.ceil((HEADER_BYTES + MAX_PAYLOAD + 4) / 254) + 2;

export const FLAG_SEQ = 1;
export const FLAG_ACK = 2;

export interface Frame {
  version: number;
  type: number;
  flags: number;
  seq: number;
  ack: number;
  credits: number;
  payload: Uint8Array;
}

export function encodeFrame(f: Frame): Uint8Array {
  if (f.payload.length > MAX_PAYLOAD) throw new RangeError(`payload of ${f.payload.length} bytes exceeds the maximum of ${MAX_PAYLOAD}`);
  const raw = new Uint8Array(HEADER_BYTES + f.payload.length + 4);
  const v = new DataView(raw.buffer);
  raw[0] = f.version;
  raw[1] = f.type;
  raw[2] = f.flags;
  v.setUint16(3, f.seq & 0xffff, true);
  v.setUint16(5, f.ack & 0xffff, true);
  v.setUint16(7, f.credits & 0xffff, true);
  v.setUint16(9, f.payload.length, true);
  raw.set(f.payload, HEADER_BYTES);
  v.setUint32(HEADER_BYTES + f.payload.length, crc32(raw, 0, HEADER_BYTES + f.payload.length), true);
  const enc = cobsEncode(raw);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out; // last byte 0x00
}

export type Rejection = 'cobs' | 'short' | 'length' | 'crc' | 'oversized';

export interface DecoderStats {
  frames: number;
  rejected: Record<Rejection, number>;
  /** Bytes discarded while resynchronising. */
  discardedBytes: number;
}

/**
 * Incremental frame decoder: feed it any chunks of bytes; it calls `onFrame` for every valid frame and
 * `onReject` for every delimited block that is not one (bad COBS, too short, length mismatch, CRC
 * error), and drops oversized runs until the next delimiter. It never throws on input. `onFrame` also
 * gets the block as it came off the line (COBS-encoded, without its 0x00 delimiter): a view that is
 * valid only during the call (copy it to keep it).
 */
export class FrameDecoder {
  readonly stats: DecoderStats = { frames: 0, rejected: { cobs: 0, short: 0, length: 0, crc: 0, oversized: 0 }, discardedBytes: 0 };
  private buf = new Uint8Array(MAX_ENCODED);
  private n = 0;
  private overflow = false;

  constructor(
    private readonly onFrame: (f: Frame, block: Uint8Array) => void,
    private readonly onReject: (why: Rejection) => void = () => {},
  ) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0) {
        this.block();
        continue;
      }
      if (this.n < this.buf.length) this.buf[this.n++] = b;
      else {
        this.overflow = true;
        this.stats.discardedBytes++;
      }
    }
  }

  private block(): void {
    const n = this.n;
    const overflow = this.overflow;
    this.n = 0;
    this.overflow = false;
    if (overflow) return this.reject('oversized', n);
    if (n === 0) return; // idle delimiters
    const raw = cobsDecode(this.buf.subarray(0, n));
    if (!raw) return this.reject('cobs', n);
    if (raw.length < HEADER_BYTES + 4) return this.reject('short', n);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
    const len = v.getUint16(9, true);
    if (len > MAX_PAYLOAD || raw.length !== HEADER_BYTES + len + 4) return this.reject('length', n);
    if (crc32(raw, 0, HEADER_BYTES + len) !== v.getUint32(HEADER_BYTES + len, true)) return this.reject('crc', n);
    this.stats.frames++;
    this.onFrame({
      version: raw[0]!,
      type: raw[1]!,
      flags: raw[2]!,
      seq: v.getUint16(3, true),
      ack: v.getUint16(5, true),
      credits: v.getUint16(7, true),
      payload: raw.slice(HEADER_BYTES, HEADER_BYTES + len),
    }, this.buf.subarray(0, n));
  }

  private reject(why: Rejection, bytes: number): void {
    this.stats.rejected[why]++;
    this.stats.discardedBytes += bytes;
    this.onReject(why);
  }
}
