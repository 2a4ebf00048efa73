/**
 * WebSocket frames (RFC 6455 §5) as the serial bridge's server side needs them: frames from a client are
 * masked and decoded here; frames to a client are written unmasked. No extensions, no fragmentation on
 * the way out; frames from a client of at most MAX_FRAME_BYTES.
 */

/** The largest frame the bridge takes from a page (the page's writes are a few kB; more is refused, 1009). */
export const MAX_FRAME_BYTES = 1 << 20;

/** The opcodes the bridge knows. */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** A decoded frame: its opcode and its (unmasked) payload. */
export interface WsFrame {
  opcode: number;
  fin: boolean;
  payload: Uint8Array;
}

/** One frame to a client: FIN set, unmasked, with the length in the shortest form. */
export function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.of(0x80 | opcode, n) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

const KNOWN_OPCODES: readonly number[] = Object.values(OPCODE);

/**
 * The complete frames at the start of `buf` and the bytes left over (a frame not yet complete). A frame
 * the bridge cannot take stops decoding with `error` (and the close code to send): not masked, reserved
 * bits set (no extension was agreed), an unknown opcode, a control frame longer than 125 bytes or
 * fragmented (RFC 6455 §5.1–5.5): 1002; longer than MAX_FRAME_BYTES: 1009.
 */
export function decodeFrames(buf: Buffer): { frames: WsFrame[]; rest: Buffer; error: string | null; code?: number } {
  const frames: WsFrame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const opcode = b0 & 0x0f;
    const fail = (error: string, code = 1002) => ({ frames, rest: Buffer.alloc(0), error, code });
    if (!(b1 & 0x80)) return fail('a frame from the page was not masked');
    if (b0 & 0x70) return fail('a frame from the page has reserved bits set (no extension was agreed)');
    if (!KNOWN_OPCODES.includes(opcode)) return fail(`a frame from the page has the unknown opcode ${opcode}`);
    let len = b1 & 0x7f;
    let p = at + 2;
    if (len === 126) {
      if (buf.length - p < 2) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length - p < 8) break;
      const n = buf.readBigUInt64BE(p);
      if (n > BigInt(MAX_FRAME_BYTES)) return fail(`a frame from the page of ${n} bytes, more than ${MAX_FRAME_BYTES}`, 1009);
      len = Number(n);
      p += 8;
    }
    if (len > MAX_FRAME_BYTES) return fail(`a frame from the page of ${len} bytes, more than ${MAX_FRAME_BYTES}`, 1009);
    if (opcode & 0x8 && (len > 125 || !(b0 & 0x80))) return fail('a control frame from the page is fragmented or longer than 125 bytes');
    if (buf.length - p < 4 + len) break;
    const mask = buf.subarray(p, p + 4);
    const payload = Uint8Array.from(buf.subarray(p + 4, p + 4 + len), (v, i) => v ^ mask[i & 3]!);
    frames.push({ opcode, fin: (b0 & 0x80) !== 0, payload });
    at = p + 4 + len;
  }
  return { frames, rest: buf.subarray(at), error: null };
}
