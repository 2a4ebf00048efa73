import { TransportEvents, type ByteTransport, type DataListener } from './transport.js';

/** Two transports joined back to back in memory (unit tests; no timing). Bytes arrive on a later tick. */
export function memoryPair(): [ByteTransport, ByteTransport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryEnd implements ByteTransport {
  peer: MemoryEnd | null = null;
  private readonly ev = new TransportEvents();

  get open(): boolean {
    return !this.ev.closed;
  }
  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    const copy = Uint8Array.from(bytes);
    const p = this.peer!;
    setImmediate(() => p.open && p.ev.emitData(copy));
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  onData(cb: DataListener): void {
    this.ev.onData(cb);
  }
  onClose(cb: (r: string) => void): void {
    this.ev.onClose(cb);
  }
  async close(): Promise<void> {
    this.ev.emitClose('closed locally');
    this.peer?.ev.emitClose('closed by the peer');
  }
}
