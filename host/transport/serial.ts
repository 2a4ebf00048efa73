import { SerialPort } from 'serialport';
import { eventLoopBinding } from './event-loop-binding.js';
import { TransportEvents, type ByteTransport } from './transport.js';

/**
 * A serial port (a real UART, a USB-serial adapter, or a pty) through node-serialport, reading and
 * writing on the event loop (eventLoopBinding, not on libuv's thread pool). Opening errors are reported
 * with the path; a device that disappears closes the transport with the reason.
 */
export class SerialTransport implements ByteTransport {
  private readonly ev = new TransportEvents();
  private constructor(private readonly port: SerialPort) {
    port.on('data', (d: Buffer) => this.ev.emitData(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    port.on('close', (err?: { disconnected?: boolean }) => this.ev.emitClose(err?.disconnected ? 'the device disconnected' : 'the port closed'));
    port.on('error', (e: Error) => this.ev.emitClose(`port error: ${e.message}`));
  }

  static open(path: string, baudRate: number): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      // SerialPort passes a `binding` option on to its stream (its options type leaves it out)
      const port = new SerialPort({ path, baudRate, autoOpen: false, binding: eventLoopBinding() } as ConstructorParameters<typeof SerialPort>[0]);
      port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve(new SerialTransport(port))));
    });
  }

  /**
   * Opens a port, retrying while it does not exist or cannot be opened yet (a line being restored, a
   * board still booting), until `timeoutMs`; then fails with the last error, naming the path.
   */
  static async openWithRetry(path: string, baudRate: number, timeoutMs: number): Promise<SerialTransport> {
    const t0 = Date.now();
    for (;;) {
      try {
        return await SerialTransport.open(path, baudRate);
      } catch (e) {
        if (Date.now() - t0 >= timeoutMs) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  get open(): boolean {
    return !this.ev.closed && this.port.isOpen;
  }
  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    return this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }
  drain(): Promise<void> {
    return new Promise((resolve) => (this.open ? this.port.drain(() => resolve()) : resolve()));
  }
  onData(cb: (c: Uint8Array) => void): void {
    this.ev.onData(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.ev.onClose(cb);
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) {
        this.ev.emitClose('closed locally');
        return resolve();
      }
      this.port.close(() => {
        this.ev.emitClose('closed locally');
        resolve();
      });
    });
  }
}
