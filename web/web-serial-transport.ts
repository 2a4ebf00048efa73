/**
 * The host's byte transport (host/transport/transport.ts) over the browser's Web Serial API, so the
 * protocol, the reliable link and streaming can run unchanged in a page: `navigator.serial.requestPort()`
 * gives the port, `WebSerialTransport.open(port, baud)` the transport. Writes are queued in order on the
 * port's writer (back-pressure past `HIGH_WATER_BYTES`, `drain` resolves when the queue is written); a
 * read loop hands each chunk to the listeners stamped on arrival; the port closing or failing (the device
 * unplugged) is reported once with the reason, after which writes are refused.
 */
import { TransportEvents, type ByteTransport, type DataListener } from '../host/transport/transport.js';

/** The part of a Web Serial `SerialPort` the transport uses (the TypeScript DOM library has no Web Serial types). */
export interface SerialPortLike {
  open(options: { baudRate: number }): Promise<void>;
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  close(): Promise<void>;
}

/** Queued bytes above which `write` asks the caller to await `drain()`. */
export const HIGH_WATER_BYTES = 64 * 1024;

export class WebSerialTransport implements ByteTransport {
  private readonly events = new TransportEvents();
  private queued = 0;
  private written: Promise<void> = Promise.resolve();
  private closing = false;

  private constructor(
    private readonly port: SerialPortLike,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
  ) {
    void this.readLoop();
  }

  /** Opens `port` at `baudRate` and starts reading. */
  static async open(port: SerialPortLike, baudRate: number): Promise<WebSerialTransport> {
    await port.open({ baudRate });
    if (!port.readable || !port.writable) throw new Error('Web Serial: the port opened without readable and writable streams');
    return new WebSerialTransport(port, port.readable.getReader(), port.writable.getWriter());
  }

  get open(): boolean {
    return !this.events.closed;
  }

  write(bytes: Uint8Array): boolean {
    if (this.events.closed) return false;
    const copy = bytes.slice();
    this.queued += copy.length;
    this.written = this.written.then(
      () => this.writer.write(copy).then(
        () => void (this.queued -= copy.length),
        (e: Error) => this.lost(`write failed: ${e?.message ?? String(e)}`),
      ),
    );
    return this.queued < HIGH_WATER_BYTES;
  }

  drain(): Promise<void> {
    return this.written;
  }

  onData(cb: DataListener): void {
    this.events.onData(cb);
  }

  onClose(cb: (reason: string) => void): void {
    this.events.onClose(cb);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.events.emitClose('closed by this end');
    await this.reader.cancel().catch(() => {});
    this.reader.releaseLock();
    await this.writer.close().catch(() => {});
    this.writer.releaseLock();
    await this.port.close().catch(() => {});
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return this.lost('the port closed (the other end went away)');
        if (value && value.length) this.events.emitData(value, performance.now());
      }
    } catch (e) {
      this.lost(`the device was lost: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private lost(reason: string): void {
    this.events.emitClose(reason);
  }
}
