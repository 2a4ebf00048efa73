/**
 * Two Web Serial ports wired to each other in memory (what one writes, the other reads), with the
 * `SerialPortLike` shape WebSerialTransport opens: for tests and for trying the page without a board.
 * `unplug()` fails a port's stream the way Chromium does when the USB device goes away.
 */
import type { SerialPortLike } from './web-serial-transport.js';

export class MockSerialPort implements SerialPortLike {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  peer: MockSerialPort | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;

  async open(options: { baudRate: number }): Promise<void> {
    if (!(options.baudRate > 0)) throw new TypeError(`baudRate: expected a positive number, got ${options.baudRate}`);
    this.readable = new ReadableStream<Uint8Array>({ start: (c) => void (this.controller = c) });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => this.peer?.deliver(chunk),
      close: () => this.peer?.hangUp(),
    });
  }

  /** Bytes from the peer. */
  deliver(chunk: Uint8Array): void {
    try {
      this.controller?.enqueue(chunk.slice());
    } catch {
      // the stream is closed or failed: the bytes are lost, as on a real line
    }
  }

  /** The peer closed: this port's stream ends. */
  hangUp(): void {
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
  }

  /** The device went away: the stream fails (Chromium's NetworkError), the peer's stream ends. */
  unplug(): void {
    this.controller?.error(new DOMException('The device has been lost.', 'NetworkError'));
    this.peer?.hangUp();
  }

  async close(): Promise<void> {
    this.readable = null;
    this.writable = null;
  }
}

/** A pair of ports wired to each other. */
export function mockSerialPair(): [MockSerialPort, MockSerialPort] {
  const a = new MockSerialPort();
  const b = new MockSerialPort();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
