/** Little-endian byte writer and a bounds-checked reader that reports instead of throwing. */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(x: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, x);
    this.length += 1;
    return this;
  }
  u16(x: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, x, true);
    this.length += 2;
    return this;
  }
  u32(x: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, x >>> 0, true);
    this.length += 4;
    return this;
  }
  i32(x: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, x, true);
    this.length += 4;
    return this;
  }
  /** Signed 24-bit (two's complement, little-endian); throws outside [−2²³, 2²³ − 1]. */
  i24(x: number): this {
    if (!Number.isInteger(x) || x < -(2 ** 23) || x > 2 ** 23 - 1) throw new RangeError(`expected a 24-bit signed integer, got ${x}`);
    this.ensure(3);
    const u = x < 0 ? x + 2 ** 24 : x;
    this.buf[this.length] = u & 0xff;
    this.buf[this.length + 1] = (u >>> 8) & 0xff;
    this.buf[this.length + 2] = (u >>> 16) & 0xff;
    this.length += 3;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** UTF-8 string with a u8 length prefix (at most 255 bytes). */
  str(s: string): this {
    let b = new TextEncoder().encode(s);
    if (b.length > 255) {
      // cut at a character boundary: never inside a UTF-8 sequence (continuation bytes are 10xxxxxx)
      let n = 255;
      while (n > 0 && (b[n]! & 0xc0) === 0x80) n--;
      b = b.subarray(0, n);
    }
    return this.u8(b.length).bytes(b);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class ByteReader {
  private o = 0;
  private readonly view: DataView;
  /** Set when a read ran past the end; the values read are then 0. */
  short = false;

  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
  }
  private take(n: number): number {
    const at = this.o;
    if (at + n > this.b.length) {
      this.short = true;
      this.o = this.b.length;
      return -1;
    }
    this.o += n;
    return at;
  }
  u8(): number {
    const a = this.take(1);
    return a < 0 ? 0 : this.view.getUint8(a);
  }
  u16(): number {
    const a = this.take(2);
    return a < 0 ? 0 : this.view.getUint16(a, true);
  }
  u32(): number {
    const a = this.take(4);
    return a < 0 ? 0 : this.view.getUint32(a, true);
  }
  i32(): number {
    const a = this.take(4);
    return a < 0 ? 0 : this.view.getInt32(a, true);
  }
  i24(): number {
    const a = this.take(3);
    if (a < 0) return 0;
    const u = this.b[a]! | (this.b[a + 1]! << 8) | (this.b[a + 2]! << 16);
    return u >= 2 ** 23 ? u - 2 ** 24 : u;
  }
  bytes(n: number): Uint8Array {
    const a = this.take(n);
    return a < 0 ? new Uint8Array(0) : this.b.slice(a, a + n);
  }
  str(): string {
    const n = this.u8();
    return new TextDecoder().decode(this.bytes(n));
  }
  /** Whether every byte was consumed and nothing was missing. */
  get exact(): boolean {
    return !this.short && this.o === this.b.length;
  }
  get remaining(): number {
    return this.b.length - this.o;
  }
}

/** Bytes as lowercase hex (what the stream log records). */
export function hex(b: Uint8Array): string {
  if (typeof Buffer === 'function') return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''); // the web page
}
