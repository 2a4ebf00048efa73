/**
 * A serial port reached through a WebSocket bridge (cli/serial-bridge.ts, `nla serve --bridge <device>`),
 * in the shape of a Web Serial port (`SerialPortLike`), so that WebSerialTransport, the board engine and
 * the page run over it unchanged: a board attached to the machine that runs `nla serve` (or to another
 * one), reached from any browser, Web Serial or not. Each `open` makes a new WebSocket (the stream
 * reconnects by opening again). The bridge closing cleanly ends the readable stream (the other end went
 * away); the connection breaking, or the bridge reporting the device's line gone (code 1011), fails it
 * with a NetworkError naming the reason, as Chromium does when a USB device is unplugged.
 */
import type { SerialPortLike } from './web-serial-transport.js';

/** Bytes the WebSocket may hold unsent before a write waits (back-pressure). */
export const WS_HIGH_WATER_BYTES = 256 * 1024;

/** A WebSocket bridge's URL, refused with the reason when it is not ws: or wss:. */
export function bridgeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`bridge: expected a ws:// or wss:// URL (nla serve --bridge prints one), got '${text}'`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`bridge: expected a ws:// or wss:// URL, got '${text}'`);
  return url.href;
}

export class WebSocketSerialPort implements SerialPortLike {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private ws: WebSocket | null = null;
  readonly url: string;

  constructor(url: string) {
    this.url = bridgeUrl(url);
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (!(options.baudRate > 0)) throw new TypeError(`baudRate: expected a positive number, got ${options.baudRate}`);
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onclose = (e) => reject(new Error(`cannot reach the bridge at ${this.url}${e.reason ? `: ${e.reason}` : ' (refused, or the device could not be opened)'}`));
    });
    this.ws = ws;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        ws.onmessage = (e: MessageEvent<ArrayBuffer>) => c.enqueue(new Uint8Array(e.data));
        ws.onclose = (e) => {
          try {
            if (e.code === 1000 || e.code === 1001) c.close();
            else c.error(new DOMException(`the bridge's line went away (${e.reason || 'connection lost'}, code ${e.code})`, 'NetworkError'));
          } catch {
            // the stream was cancelled already
          }
        };
      },
      cancel: () => ws.close(1000),
    });
    this.writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (ws.readyState !== WebSocket.OPEN) throw new DOMException('the bridge connection is closed', 'NetworkError');
        ws.send(chunk);
        while (ws.bufferedAmount > WS_HIGH_WATER_BYTES && ws.readyState === WebSocket.OPEN) await new Promise((r) => setTimeout(r, 1));
      },
      close: () => ws.close(1000),
      abort: () => ws.close(1000),
    });
  }

  async close(): Promise<void> {
    this.ws?.close(1000);
    this.ws = null;
    this.readable = null;
    this.writable = null;
  }
}
