import { describe, expect, it } from 'vitest';
import { request, createServer } from 'node:http';
import { decodeFrames, encodeFrame, MAX_FRAME_BYTES, OPCODE } from '../../cli/websocket-frames.js';
import { acceptKey, attachSerialBridge } from '../../cli/serial-bridge.js';
import type { ByteTransport } from '../../host/transport/transport.js';

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

  /** A masked frame from a client: first byte b0, the payload length field as given. */
  const masked = (b0: number, payload: Uint8Array) => {
    const f = encodeFrame(b0 & 0x0f, payload);
    f[0] = b0;
    const p = f[1]! === 126 ? 4 : f[1]! === 127 ? 10 : 2;
    f[1]! |= 0x80;
    return Buffer.concat([f.subarray(0, p), Buffer.of(1, 2, 3, 4), Buffer.from(f.subarray(p).map((v, i) => v ^ [1, 2, 3, 4][i & 3]!))]);
  };

  it('refuses reserved bits, unknown opcodes, long or fragmented control frames (1002) and oversized frames (1009)', () => {
    expect(decodeFrames(masked(0x82, Uint8Array.of(7))).frames.map((f) => [...f.payload])).toEqual([[7]]);
    expect(decodeFrames(masked(0xc2, Uint8Array.of(7)))).toMatchObject({ error: expect.stringMatching(/reserved bits/), code: 1002 });
    expect(decodeFrames(masked(0x83, Uint8Array.of(7)))).toMatchObject({ error: expect.stringMatching(/unknown opcode 3/), code: 1002 });
    expect(decodeFrames(masked(0x89, new Uint8Array(126)))).toMatchObject({ error: expect.stringMatching(/control frame/), code: 1002 });
    expect(decodeFrames(masked(0x09, Uint8Array.of(1)))).toMatchObject({ error: expect.stringMatching(/control frame/), code: 1002 });
    // a 64-bit length past the limit is refused from its header alone, before any payload is buffered
    const huge = Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(decodeFrames(huge)).toMatchObject({ error: expect.stringMatching(/more than/), code: 1009 });
    expect(decodeFrames(masked(0x82, new Uint8Array(MAX_FRAME_BYTES + 1)))).toMatchObject({ code: 1009 });
  });

  it('serves only pages of its own server: another Origin or Host is refused before the device is opened', async () => {
    let opened = 0;
    const server = createServer((_q, r) => r.writeHead(404).end());
    const bridge = attachSerialBridge(server, { device: '/dev/null', baud: 9600, openDevice: async () => (opened++, { onData() {}, onClose() {}, write: () => true, drain: async () => {}, close: async () => {} }) as unknown as ByteTransport });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/bridge', headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
        req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode!)));
        req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await upgrade({ origin: 'http://evil.example' })).toBe(403);
      expect(await upgrade({ host: `rebound.example:${port}` })).toBe(403);
      expect(await upgrade({ origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
      expect(await upgrade({ 'sec-websocket-version': '8', origin: `http://127.0.0.1:${port}` })).toBe(426);
      expect(opened).toBe(0);
      expect(await upgrade({ origin: `http://127.0.0.1:${port}` })).toBe(101);
      expect(opened).toBe(1);
    } finally {
      await bridge.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
