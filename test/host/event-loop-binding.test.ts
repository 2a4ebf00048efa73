import { pbkdf2 } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasSocat } from '../pty-available.js';
import { PtyPair } from '../../host/board/pty-pair.js';
import { eventLoopBinding } from '../../host/transport/event-loop-binding.js';
import { SerialTransport } from '../../host/transport/serial.js';

/** Occupies every thread of libuv's pool (twice over) with key derivations; resolves when all are done. */
function saturateThreadPool(): { done: Promise<void>; finished: () => number } {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  let finished = 0;
  const jobs = Array.from(
    { length: 2 * threads },
    () =>
      new Promise<void>((resolve) =>
        pbkdf2('pw', 'salt', 400_000, 32, 'sha512', () => {
          finished++;
          resolve();
        }),
      ),
  );
  return { done: Promise.all(jobs).then(() => {}), finished: () => finished };
}

/**
 * Runs `body` with both ends of a socat pty pair open through SerialTransport (opening and closing go
 * through libuv's pool, so they happen outside the body), then closes everything.
 */
async function withPtyPair(body: (a: SerialTransport, b: SerialTransport) => Promise<void>): Promise<void> {
  const pty = new PtyPair();
  await pty.start();
  const a = await SerialTransport.open(pty.hostPath, 921600);
  const b = await SerialTransport.open(pty.boardPath, 921600);
  try {
    await body(a, b);
  } finally {
    await a.close();
    await b.close();
    await pty.close();
  }
}

describe.skipIf(!hasSocat)('serial I/O on the event loop (eventLoopBinding)', () => {
  it('moves bytes both ways over a real pty while every thread of the pool is busy', () =>
    withPtyPair(async (a, b) => {
      const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 1) & 0xff);
      let atB = 0;
      let back = 0;
      const echoed = new Promise<void>((resolve) => {
        b.onData((c) => {
          atB += c.length;
          b.write(c); // echo
        });
        a.onData((c) => {
          back += c.length;
          if (back >= payload.length) resolve();
        });
      });
      const pool = saturateThreadPool();
      a.write(payload);
      await echoed;
      // with the stock bindings every read and write is an fs call on the pool and would wait for it
      expect(pool.finished()).toBe(0);
      expect(atB).toBe(payload.length);
      await pool.done;
    }), 60_000);

  // the native poller watches only its latest request; a write waiting for room must not stop the port
  // from reading, or two ends that both wait to write deadlock (each waits for the other to read)
  it('both ends flooding each other (writes waiting for room) still read: 1 MB each way arrives', () =>
    withPtyPair(async (a, b) => {
      const size = 1 << 20;
      const got = { a: 0, b: 0 };
      a.onData((c) => (got.a += c.length));
      b.onData((c) => (got.b += c.length));
      const chunk = new Uint8Array(8192).fill(0x5a);
      for (let o = 0; o < size; o += chunk.length) {
        a.write(chunk);
        b.write(chunk);
      }
      const t0 = Date.now();
      while ((got.a < size || got.b < size) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual({ a: size, b: size });
    }), 60_000);

  it('opens through the stock binding; a closed port cancels reads and refuses writes', async () => {
    const binding = eventLoopBinding();
    expect(typeof binding.list).toBe('function');
    const pty = new PtyPair();
    await pty.start();
    try {
      const port = await binding.open({ path: pty.boardPath, baudRate: 115200 } as never);
      expect(port.isOpen).toBe(true);
      await port.close();
      expect(port.isOpen).toBe(false);
      // a closed port: a read is canceled (the stream stops reading), a write refused
      await expect(port.read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ canceled: true });
      await expect(port.write(Buffer.from([1]))).rejects.toThrow(/not open/);
    } finally {
      await pty.close();
    }
  });
});
