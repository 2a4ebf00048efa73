import { crc32 } from '../../core/crc32.js';

/**
 * The container every image LOAD_IMAGE carries shares (docs/protocol.md section 10): a 4-byte magic, u16 version,
 * u16 flags, u32 totalBytes, the fields, and a trailer u32 CRC-32 of every byte before it; little-endian. This file
 * opens one (size, magic, version, length, CRC) and reads its fields with offsets: every refusal is an ImageError that
 * names the source, the byte and the field.
 */

/** A malformed image: names the source, the byte offset and the field, and what was expected. */
export class ImageError extends Error {
  /** The byte offset of the refused field, or null where the image as a whole is refused (too short). */
  readonly byteOffset: number | null;
  constructor(message: string, byteOffset: number | null = null) {
    super(message);
    this.byteOffset = byteOffset;
    this.name = 'ImageError';
  }
}

/** Reads little-endian fields in order; reading past the trailer or a value out of range fails naming the byte. */
export class FieldReader {
  o = 0;
  private readonly v: DataView;
  constructor(
    private readonly b: Uint8Array,
    private readonly source: string,
  ) {
    this.v = new DataView(b.buffer, b.byteOffset, b.length);
  }
  fail(at: number, field: string, what: string): never {
    throw new ImageError(`${this.source}: byte ${at} (${field}): ${what}`, at);
  }
  private take(n: number, field: string): number {
    if (this.o + n > this.b.length - 4) this.fail(this.o, field, `expected ${n} more byte(s), but the image ends at byte ${this.b.length - 4}`);
    const at = this.o;
    this.o += n;
    return at;
  }
  u8(f: string) {
    return this.v.getUint8(this.take(1, f));
  }
  i8(f: string) {
    return this.v.getInt8(this.take(1, f));
  }
  u16(f: string) {
    return this.v.getUint16(this.take(2, f), true);
  }
  u32(f: string) {
    return this.v.getUint32(this.take(4, f), true);
  }
  i32(f: string) {
    return this.v.getInt32(this.take(4, f), true);
  }
  /** A u8 length and that many bytes of UTF-8; `strict` refuses bytes that are not UTF-8 (else they read as U+FFFD). */
  str(f: string, strict = false) {
    const n = this.u8(`${f} length`);
    const at = this.take(n, f);
    try {
      return new TextDecoder('utf-8', { fatal: strict }).decode(this.b.subarray(at, at + n));
    } catch {
      this.fail(at, f, 'expected UTF-8');
    }
  }
  /** Reads a value and checks it against an allowed range. */
  range(kind: 'u8' | 'u16' | 'u32', f: string, lo: number, hi: number): number {
    const at = this.o;
    const x = this[kind](f);
    if (x < lo || x > hi) this.fail(at, f, `expected ${lo}..${hi}, got ${x}`);
    return x;
  }
  /** Fails unless every byte before the trailer has been read. */
  end(): void {
    const rest = this.b.length - 4 - this.o;
    if (rest !== 0) this.fail(this.o, 'end', `expected the CRC at byte ${this.o}, but the image has ${rest} more byte(s)`);
  }
}

/** Checks the size, magic, version, length and CRC; returns a reader at the first field after them (byte 12). */
export function openContainer(bytes: Uint8Array, source: string, kind: { magic: string; version: number; minBytes: number }): FieldReader {
  if (bytes.length < kind.minBytes) throw new ImageError(`${source}: expected at least ${kind.minBytes} bytes, got ${bytes.length}`);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== kind.magic) throw new ImageError(`${source}: byte 0 (magic): expected "${kind.magic}", got ${JSON.stringify(magic)}`, 0);
  const r = new FieldReader(bytes, source);
  r.o = 4;
  r.range('u16', 'version', kind.version, kind.version);
  r.u16('flags');
  const total = r.u32('totalBytes');
  if (total !== bytes.length) r.fail(8, 'totalBytes', `expected the image length ${bytes.length}, got ${total}`);
  const want = crc32(bytes, 0, bytes.length - 4);
  const got = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(bytes.length - 4, true);
  if (want !== got) r.fail(bytes.length - 4, 'crc32', `expected 0x${want.toString(16).padStart(8, '0')}, got 0x${got.toString(16).padStart(8, '0')}`);
  return r;
}

/** Patches totalBytes (byte 8) and appends the CRC-32 trailer to a container's body. */
export function sealContainer(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  const v = new DataView(out.buffer);
  v.setUint32(8, out.length, true);
  v.setUint32(body.length, crc32(out, 0, body.length), true);
  return out;
}
