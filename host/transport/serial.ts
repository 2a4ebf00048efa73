import type { SerialPort } from 'serialport';
import type { SerialBinding } from './event-loop-binding.js';
import { ReaderThread } from './reader-thread.js';
import { TransportEvents, type ByteTransport, type DataListener } from './transport.js';

/**
 * node-serialport and the platform's binding with reads and writes on the event loop (one for every
 * port), loaded when the first port opens: a command that opens no port starts without them.
 */
let library: Promise<{ SerialPort: typeof SerialPort; binding: SerialBinding }> | null = null;
function serialLibrary(): Promise<{ SerialPort: typeof SerialPort; binding: SerialBinding }> {
  library ??= Promise.all([import('serialport'), import('./event-loop-binding.js')]).then(([s, b]) => ({ SerialPort: s.SerialPort, binding: b.eventLoopBinding() }));
  return library;
}

export interface SerialOptions {
  /**
   * Read on a thread of its own (ReaderThread), which stamps each chunk with when it arrived, instead of
   * on the event loop: for an end whose receive timing is modelled (the paced virtual board). Writes stay
   * on the event loop. Unix; the device is then opened twice, so not exclusively.
   */
  readerThread?: boolean;
}

/**
 * A serial port (a real UART, a USB-serial adapter, or a pty) through node-serialport, reading and
 * writing on the event loop (eventLoopBinding, not on libuv's thread pool), or reading on a thread of
 * its own on request. Opening errors are reported with the path; a device that disappears closes the
 * transport with the reason. Input that arrived before the port was opened is discarded (a flush after
 * opening, best effort: bytes still on their way arrive after it; a failed flush closes the port and
 * fails the open), except with a reader thread.
 */
export class SerialTransport implements ByteTransport {
  private readonly ev = new TransportEvents();
  private constructor(
    private readonly port: SerialPort,
    path: string,
    opts: SerialOptions,
  ) {
    if (opts.readerThread) {
      const reader = new ReaderThread(
        path,
        (c, at) => this.ev.emitData(c, at),
        (why) => {
          this.ev.emitClose(why);
          if (port.isOpen) port.close();
        },
      );
      this.ev.onClose(() => reader.stop());
    } else port.on('data', (d: Buffer) => this.ev.emitData(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    port.on('close', (err?: { disconnected?: boolean }) => this.ev.emitClose(err?.disconnected ? 'the device disconnected' : 'the port closed'));
    port.on('error', (e: Error) => this.ev.emitClose(`port error: ${e.message}`));
  }

  static async open(path: string, baudRate: number, opts: SerialOptions = {}): Promise<SerialTransport> {
    const { SerialPort, binding } = await serialLibrary();
    return new Promise((resolve, reject) => {
      // SerialPort passes a `binding` option on to its stream (its options type leaves it out); with a
      // reader thread not exclusive (TIOCEXCL would refuse the thread's own open)
      const port = new SerialPort({ path, baudRate, autoOpen: false, binding, ...(opts.readerThread ? { lock: false } : {}) } as ConstructorParameters<typeof SerialPort>[0]);
      port.open((err) => {
        if (err) return reject(new Error(`cannot open ${path}: ${err.message}`));
        if (opts.readerThread) return resolve(new SerialTransport(port, path, opts));
        // bytes that reached the port before it was opened belong to no session of ours (a board's power-up
        // HELLO_ACK, a late retransmission to an earlier host): discard them, as a UART nobody holds open does.
        // Best effort: bytes still in a USB bridge or on the wire arrive after it (docs/protocol.md 6.1).
        port.flush((e) => {
          if (!e) return resolve(new SerialTransport(port, path, opts));
          // the port is open: close it before failing, or it stays open (and locked) with nobody holding it
          const failed = new Error(`cannot flush ${path}: ${e.message}`);
          if (!port.isOpen) return reject(failed);
          port.close(() => reject(failed));
        });
      });
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
  onData(cb: DataListener): void {
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
