/**
 * A byte pipe to a board (node-serialport style: behaviour, not shape, is the contract).
 *
 * - `write` queues bytes in order and never drops them; it returns false when the queue is long and
 *   the caller should `await drain()` before writing more (back-pressure).
 * - `onData` receives bytes in arrival order, in chunks of any size.
 * - `onClose` is called once when the line goes away (closed by either side, cut, device error), with a
 *   reason; after that `write` does nothing and returns false, and `open` is false.
 * - `close` closes the line and resolves when it is closed; closing twice is harmless.
 */
export interface ByteTransport {
  readonly open: boolean;
  write(bytes: Uint8Array): boolean;
  drain(): Promise<void>;
  onData(cb: (chunk: Uint8Array) => void): void;
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Shared listener plumbing for transports. */
export class TransportEvents {
  private data: Array<(c: Uint8Array) => void> = [];
  private closers: Array<(r: string) => void> = [];
  closed = false;

  onData(cb: (c: Uint8Array) => void): void {
    this.data.push(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.closers.push(cb);
  }
  emitData(c: Uint8Array): void {
    for (const cb of this.data) cb(c);
  }
  emitClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closers) cb(reason);
  }
}
