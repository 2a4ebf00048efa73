import { readSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';

/** node-serialport's binding interface (list and open), as `SerialPort.binding` has it. */
export type SerialBinding = typeof SerialPort.binding;

/** What a Unix port binding of @serialport/bindings-cpp has beyond the interface: its fd and poller. */
interface UnixPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable' | 'writable', cb: (err: (Error & { canceled?: boolean }) | null) => void): unknown; poll(events: number): void };
  writeOperation?: Promise<void> | null;
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
}

const AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
const GONE = new Set(['EBADF', 'ENXIO', 'UNKNOWN']);

function isUnixPort(p: unknown): p is UnixPort {
  const u = p as Partial<UnixPort>;
  return typeof u.fd === 'number' && typeof u.poller?.once === 'function' && typeof u.poller.poll === 'function';
}

/** The error node-serialport's stream treats as "the port was closed on purpose" (it stops reading). */
function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

/** Marks the errors after which the device is gone, as the stock binding does (the stream then closes). */
function classify(e: NodeJS.ErrnoException): Error {
  if ((e.code && GONE.has(e.code)) || e.errno === -1) Object.assign(e, { disconnect: true });
  return e;
}

const READABLE = 1;
const WRITABLE = 2;
/** Per port: how many reads and writes are waiting for the poller. */
const waiting = new WeakMap<UnixPort, { r: number; w: number }>();

/**
 * Waits for the port to become readable or writable. The native poller watches only the events of its
 * latest request (each request restarts its uv_poll with those alone), so a write that waits for room
 * would stop the port from noticing incoming bytes, and the other way round: with both ends of a line
 * waiting to write, neither reads again (a deadlock, seen with two streams in one process). So after
 * each request the union of what is awaited is asked for again.
 */
function wait(port: UnixPort, event: 'readable' | 'writable'): Promise<void> {
  const n = waiting.get(port) ?? { r: 0, w: 0 };
  waiting.set(port, n);
  const key = event === 'readable' ? 'r' : 'w';
  return new Promise((resolve, reject) => {
    n[key]++;
    port.poller.once(event, (err) => {
      n[key]--;
      if (err) reject(err);
      else resolve();
    });
    port.poller.poll((n.r > 0 ? READABLE : 0) | (n.w > 0 ? WRITABLE : 0));
  });
}

/**
 * Reads and writes a Unix port on the event loop itself. The stock Unix bindings of node-serialport do
 * every read and write as an asynchronous fs call, that is on libuv's thread pool: a received chunk costs
 * a poller wake-up on the event loop, a read on a pool thread and a hand-back (and an extra pool round
 * trip for the EAGAIN that ends it), a write costs a pool round trip. On a loaded machine each hop is a
 * chance to wait for a core. The descriptor is non-blocking (the bindings open it O_NONBLOCK), so a
 * synchronous read or write returns at once with what is there, or EAGAIN, after which the port's own
 * poller (epoll on the event loop) says when to try again.
 *
 * Contract, as the stock binding's: `read` resolves with at least one byte, with 0 bytes at end of file,
 * or rejects (canceled once the port is closed; with `disconnect` set when the device is gone); `write`
 * resolves when every byte is in the kernel's buffer. Opening, termios settings, flush, drain and close
 * are the stock binding's. Ports without an fd and poller (Windows) keep the stock I/O.
 */
export function eventLoopBinding(base: SerialBinding = SerialPort.binding): SerialBinding {
  const open = base.open.bind(base) as (options: unknown) => Promise<unknown>;
  return {
    list: () => base.list(),
    async open(options: unknown) {
      const port = await open(options);
      if (isUnixPort(port)) attach(port);
      return port;
    },
  } as SerialBinding;
}

function attach(port: UnixPort): void {
  port.read = async (buffer, offset, length) => {
    for (;;) {
      if (!port.isOpen || port.fd === null) throw canceled();
      try {
        return { buffer, bytesRead: readSync(port.fd, buffer, offset, length, null) };
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (!err.code || !AGAIN.has(err.code)) throw classify(err);
      }
      await wait(port, 'readable');
    }
  };
  port.write = (buffer) => {
    const op = (async () => {
      let off = 0;
      while (off < buffer.length) {
        if (!port.isOpen || port.fd === null) throw new Error('Port is not open');
        try {
          off += writeSync(port.fd, buffer, off, buffer.length - off);
          continue;
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (!err.code || !AGAIN.has(err.code)) throw classify(err);
        }
        await wait(port, 'writable');
      }
    })();
    // the stock drain() awaits the write in progress before its tcdrain (a failure is the write's to report)
    const tracked: Promise<void> = op.then(
      () => {
        if (port.writeOperation === tracked) port.writeOperation = null;
      },
      () => {},
    );
    port.writeOperation = tracked;
    return op;
  };
}

