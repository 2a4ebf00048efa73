/**
 * A serial device offered to a web page over a WebSocket: the page's `WebSocketSerialPort`
 * (web/websocket-serial-port.ts, a Web Serial port in shape) connects to `ws://host:port/bridge`, and
 * every byte it writes goes to the device (a board's pty, a USB-serial adapter), every byte the device
 * sends comes back, in order. One page at a time; the device is opened when the page connects (retrying
 * for `openTimeoutMs`, so a board that is restarting or a line being restored is waited for) and closed
 * when it goes. The device's line going away closes the WebSocket with code 1011 and the line's reason;
 * the page going away closes the device. `nla serve --bridge <device>` serves one beside the workbench,
 * and the page tests use it to put a real pty between Chromium and `nla board virtual`.
 *
 * The WebSocket is RFC 6455 on Node's HTTP upgrade, binary messages only (no extensions, no text): the
 * little the bridge needs, without a dependency.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SerialTransport } from '../host/transport/serial.js';
import type { ByteTransport } from '../host/transport/transport.js';
import { decodeFrames, encodeFrame, OPCODE } from './websocket-frames.js';

/** How a bridge reaches its device, and hooks for tests. */
export interface SerialBridgeOptions {
  /** The serial device (a pty path `nla board virtual` printed, /dev/ttyUSB0, …). */
  device: string;
  baud: number;
  /** URL path the page connects to; default `/bridge`. */
  path?: string;
  /** How long to keep trying to open the device when a page connects, ms; default 5000. */
  openTimeoutMs?: number;
  /** Opens the device (default: SerialTransport.openWithRetry). */
  openDevice?: (device: string, baud: number, timeoutMs: number) => Promise<ByteTransport>;
  /** Page origins allowed besides this server's own (default none: only the workbench `nla serve` serves). */
  allowOrigin?: (origin: string) => boolean;
  /** Sees every chunk crossing the bridge (`'toDevice'` from the page, `'toPage'` from the device); returns what to pass on (null: nothing). */
  tap?: (dir: 'toDevice' | 'toPage', chunk: Uint8Array) => Uint8Array | null;
}

/** A bridge attached to an HTTP server; `cut()` drops the page's connection as a network would (no close handshake). */
export interface SerialBridge {
  /** Pages that connected so far. */
  readonly connections: number;
  /** Whether a page is connected now. */
  readonly connected: boolean;
  /** Drops the current connection without a close handshake and closes the device. */
  cut(): Promise<void>;
  /** Refuses further connections and closes the current one. */
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept answer to a client's key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One page's connection: the socket, the device, and the frames between them. */
class BridgeConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private lineClosed: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Duplex,
    private readonly line: ByteTransport,
    private readonly tap: SerialBridgeOptions['tap'],
    private readonly onEnd: () => void,
    head: Buffer,
  ) {
    line.onData((chunk) => {
      const out = tap ? tap('toPage', chunk) : chunk;
      if (out && out.length) socket.write(encodeFrame(OPCODE.binary, out));
    });
    line.onClose((reason) => this.end(1011, `the serial line closed: ${reason}`));
    socket.on('data', (d: Buffer) => this.received(d));
    socket.on('close', () => this.end(null, ''));
    socket.on('error', () => this.end(null, ''));
    if (head.length) this.received(head);
  }

  /** Frames from the page: binary to the device, ping answered, close answered and ended. */
  private received(d: Buffer): void {
    if (this.closed) return;
    const { frames, rest, error, code } = decodeFrames(Buffer.concat([this.buffered, d]));
    this.buffered = rest;
    for (const f of frames) {
      if (f.opcode === OPCODE.binary || f.opcode === OPCODE.continuation) {
        const out = this.tap ? this.tap('toDevice', f.payload) : f.payload;
        if (out && out.length && !this.line.write(out)) {
          this.socket.pause();
          void this.line.drain().then(() => this.socket.resume());
        }
      } else if (f.opcode === OPCODE.ping) this.socket.write(encodeFrame(OPCODE.pong, f.payload));
      else if (f.opcode === OPCODE.close) return void this.end(1000, 'closed by the page');
      else if (f.opcode === OPCODE.text) return void this.end(1003, 'the bridge carries binary messages only');
    }
    if (error) void this.end(code ?? 1002, error);
  }

  /**
   * Ends the connection once: a close frame when `code` is given (else the socket is just dropped), the
   * device closed; resolves when the device is closed.
   */
  end(code: number | null, reason: string): Promise<void> {
    if (this.closed) return this.lineClosed;
    this.closed = true;
    if (code !== null && !this.socket.destroyed) {
      const text = utf8Prefix(reason, 120);
      const body = Buffer.alloc(2 + text.length);
      body.writeUInt16BE(code, 0);
      text.copy(body, 2);
      this.socket.end(encodeFrame(OPCODE.close, body));
    } else this.socket.destroy();
    this.lineClosed = this.line.close().catch(() => {});
    this.onEnd();
    return this.lineClosed;
  }
}

/** The longest prefix of `text` in at most `max` bytes of UTF-8 that ends on a whole character. */
function utf8Prefix(text: string, max: number): Buffer {
  const b = Buffer.from(text);
  if (b.length <= max) return b;
  let n = max;
  while (n > 0 && (b[n]! & 0xc0) === 0x80) n--; // b[n] continues a character: cut before that character
  return b.subarray(0, n);
}

/**
 * Null when the upgrade comes from the workbench served by `server` itself (its Host is the loopback
 * address and port it listens on, and the Origin, when sent, is the same), else why not: a WebSocket
 * is not bound by the same-origin policy, and DNS rebinding can put any name on 127.0.0.1.
 */
function sameServer(req: IncomingMessage, server: Server, allowOrigin: SerialBridgeOptions['allowOrigin']): string | null {
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : null;
  const hosts = port === null ? [] : [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const host = req.headers.host ?? '';
  if (!hosts.includes(host)) return `the bridge serves only pages of this server (Host ${hosts[0] ?? '?'}), not Host '${host}'\n`;
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`) && !allowOrigin?.(origin)) return `the bridge serves only pages of this server (http://${host}), not a page of ${origin}\n`;
  return null;
}

/** Refuses an upgrade with an HTTP status and a line of text. */
function refuse(socket: Duplex, status: string, text: string): void {
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}

/** Serves `o.device` to pages connecting to `server` at `o.path` (WebSocket upgrade). */
export function attachSerialBridge(server: Server, o: SerialBridgeOptions): SerialBridge {
  const path = o.path ?? '/bridge';
  const openDevice = o.openDevice ?? ((d, b, t) => SerialTransport.openWithRetry(d, b, t));
  let current: BridgeConnection | null = null;
  let busy = false;
  let closing = false;
  let connections = 0;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener: a page resetting it would end the server
    socket.on('error', () => socket.destroy());
    void (async () => {
      const key = req.headers['sec-websocket-key'];
      // any page in the browser may open a WebSocket to loopback: only the workbench's own origin may drive the device
      const local = sameServer(req, server, o.allowOrigin);
      if (local !== null) return refuse(socket, '403 Forbidden', local);
      if (req.headers['sec-websocket-version'] !== '13') return refuse(socket, '426 Upgrade Required', 'expected WebSocket version 13\n');
      if (new URL(req.url ?? '/', 'http://x').pathname !== path) return refuse(socket, '404 Not Found', `no bridge at ${req.url}; it is at ${path}\n`);
      if (typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') return refuse(socket, '400 Bad Request', 'expected a WebSocket upgrade\n');
      if (busy || closing) return refuse(socket, '409 Conflict', `${o.device} is in use by another page\n`);
      busy = true;
      let line: ByteTransport;
      try {
        line = await openDevice(o.device, o.baud, o.openTimeoutMs ?? 5000);
      } catch (e) {
        busy = false;
        return refuse(socket, '503 Service Unavailable', `cannot open ${o.device}: ${(e as Error).message}\n`);
      }
      if (socket.destroyed || closing) {
        busy = false;
        void line.close().catch(() => {});
        return closing ? refuse(socket, '503 Service Unavailable', 'the bridge is stopping\n') : undefined;
      }
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
      connections++;
      const conn: BridgeConnection = new BridgeConnection(socket, line, o.tap, () => {
        if (current === conn) current = null;
        busy = false;
      }, head);
      current = conn;
    })();
  });
  return {
    get connections() {
      return connections;
    },
    get connected() {
      return current !== null;
    },
    cut: async () => current?.end(null, ''),
    close: async () => {
      closing = true;
      await current?.end(1001, 'the bridge is stopping');
    },
  };
}
