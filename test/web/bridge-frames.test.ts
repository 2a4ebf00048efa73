import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame, OPCODE } from '../../cli/websocket-frames.js';
import { acceptKey } from '../../cli/serial-bridge.js';

// The serial bridge's WebSocket pieces against RFC 6455's own worked examples (§1.3 and §5.7).

describe("the serial bridge's WebSocket framing (RFC 6455)", () => {
  it("answers the RFC's sample key with the RFC's accept value", () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it("decodes the RFC's masked 'Hello' and keeps an incomplete frame for later", () => {
    const masked = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    const whole = decodeFrames(masked);
    expect(whole.error).toBeNull();
    expect(whole.frames.map((f) => [f.opcode, f.fin, Buffer.from(f.payload).toString()])).toEqual([[OPCODE.text, true, 'Hello']]);
    const part = decodeFrames(masked.subarray(0, 7));
    expect(part.frames).toEqual([]);
    expect(part.rest.length).toBe(7);
  });

  it("encodes the RFC's unmasked 'Hello' and the 16- and 64-bit lengths", () => {
    expect([...encodeFrame(OPCODE.text, Buffer.from('Hello'))]).toEqual([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    // §5.7: a 256-byte binary message in a single unmasked frame: 0x82 0x7E 0x0100
    expect([...encodeFrame(OPCODE.binary, new Uint8Array(256)).subarray(0, 4)]).toEqual([0x82, 0x7e, 0x01, 0x00]);
    // §5.7: 64 KiB: 0x82 0x7F 0x0000000000010000
    expect([...encodeFrame(OPCODE.binary, new Uint8Array(65536)).subarray(0, 10)]).toEqual([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('refuses an unmasked frame from the page', () => {
    expect(decodeFrames(encodeFrame(OPCODE.binary, Uint8Array.of(1, 2, 3))).error).toMatch(/not masked/);
  });
});
