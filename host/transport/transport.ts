/**
 * A byte pipe to a board (node-serialport style: behaviour, not shape, is the contract).
 *
 * - `write` queues bytes in order and never drops them; it returns false when the queue is long and
 *   the caller should `await drain()` before writing more (back-pressure).
 * - `onData` receives bytes in arrival order, in chunks of any size, each with the time it reached this
 *   end (`arrivedAtMs`, performance.now() clock): the time of delivery for most transports; one that
 *   reads on a thread of its own stamps the chunk there, so that the stamp leaves out the time the
 *   event loop was busy elsewhere (PacedTransport times its line from it).
 * - `onClose` is called once when the line goes away (closed by either side, cut, device error), with a
 *   reason; after that `write` does nothing and returns false, and `open` is false.
 * - `close` closes the line and resolves when it is closed; closing twice is harmless.
 */
export interface ByteTransport {
  readonly open: boolean;
  write(bytes: Uint8Array): boolean;
  drain(): Promise<void>;
  onData(cb: DataListener): void;
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Receives a chunk of bytes and the time it reached this end (performance.now() clock, ms). */
export type DataListener = (chunk: Uint8Array, arrivedAtMs: number) => void;

/** Shared listener plumbing for transports. */
export class TransportEvents {
  private data: DataListener[] = [];
  private closers: Array<(r: string) => void> = [];
  closed = false;

  onData(cb: DataListener): void {
    this.data.push(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.closers.push(cb);
  }
  /** Hands a chunk to the listeners, stamped `arrivedAtMs` (default: now). */
  emitData(c: Uint8Array, arrivedAtMs = performance.now()): void {
    for (const cb of this.data) cb(c, arrivedAtMs);
  }
  emitClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closers) cb(reason);
  }
}
