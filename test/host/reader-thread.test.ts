import { describe, expect, it } from 'vitest';
import { hasSocat } from '../pty-available.js';
import { PreciseTimer } from '../../core/precise-timer.js';
import { PtyPair } from '../../host/board/pty-pair.js';
import { PacedTransport } from '../../host/transport/paced.js';
import { SerialTransport } from '../../host/transport/serial.js';
import type { ByteTransport } from '../../host/transport/transport.js';

/** Keeps the event loop busy (no callbacks run) for `ms`; returns when it ends (performance.now()). */
function busy(ms: number): number {
  const end = performance.now() + ms;
  while (performance.now() < end);
  return performance.now();
}

/**
 * These tests assert the order of events, never durations: a stamp before or after the moment the
 * event loop became free, a hand-over before or after a timer. The busy block only has to outlast the
 * time the reader thread needs to be scheduled, which it does by a wide margin (100 ms).
 */
const BUSY_MS = 100;

/** A pty pair: `host` read on the event loop, `board` read as asked; resolves once both ends move bytes. */
async function line(readerThread: boolean): Promise<{ host: SerialTransport; board: SerialTransport; close: () => Promise<void> }> {
  const pty = new PtyPair();
  await pty.start();
  const host = await SerialTransport.open(pty.hostPath, 921600);
  const board = await SerialTransport.open(pty.boardPath, 921600, { readerThread });
  await new Promise<void>((resolve) => {
    board.onData(() => resolve());
    host.write(Uint8Array.of(0x55));
  });
  return {
    host,
    board,
    close: async () => {
      await host.close();
      await board.close();
      await pty.close();
    },
  };
}

function firstChunk(t: ByteTransport): Promise<{ at: number; handedOver: number }> {
  return new Promise((resolve) => {
    let done = false;
    t.onData((_c, at) => {
      if (!done) resolve({ at, handedOver: performance.now() });
      done = true;
    });
  });
}

describe.skipIf(!hasSocat)('reading a serial device on a thread of its own (ReaderThread)', () => {
  it('stamps a chunk when it arrived, not when the busy event loop got to it (read on the event loop: the other way round)', async () => {
    for (const readerThread of [true, false]) {
      const l = await line(readerThread);
      try {
        const got = firstChunk(l.board);
        l.host.write(Uint8Array.from({ length: 40 }, (_, i) => i + 1)); // in the kernel before write() returns
        const free = busy(BUSY_MS);
        const { at, handedOver } = await got;
        expect(handedOver).toBeGreaterThanOrEqual(free); // nothing runs on a busy event loop
        if (readerThread) expect(at).toBeLessThan(free); // stamped while the event loop was still busy
        else expect(at).toBeGreaterThanOrEqual(free); // stamped when the event loop got to it
      } finally {
        await l.close();
      }
    }
  }, 30_000);

  it('a paced UART on it keeps receiving while the event loop is busy: frames that arrived meanwhile are handed on at once, each stamped no earlier than the line could carry it', async () => {
    const baud = 115200; // 11.52 bytes per ms
    const frameBytes = 24; // 23 bytes and the 0x00 delimiter: 2.083 ms on the line
    const frames = 8;
    const lineMs = (frameBytes * 10 * 1000) / baud;
    const l = await line(true);
    const paced = new PacedTransport(l.board, baud);
    try {
      const got: Array<{ at: number; t: number }> = [];
      const all = new Promise<void>((resolve) =>
        paced.onData((c, at) => {
          for (const b of c) if (b === 0) got.push({ at, t: performance.now() });
          if (got.length === frames) resolve();
        }),
      );
      const burst = Uint8Array.from({ length: frames * frameBytes }, (_, i) => (i % frameBytes === frameBytes - 1 ? 0 : 0x40 + (i % frameBytes)));
      const t0 = performance.now();
      l.host.write(burst); // one write: in the kernel before write() returns
      const blockEnd = busy(BUSY_MS); // the line needs 8 × 2.083 = 16.7 ms: all of it has arrived by the end of this
      // a marker due one frame time after the event loop is free: had the line been timed from when the
      // event loop got to the bytes, no frame would be handed on before it, and the last only 8 frame
      // times later; timed from their arrival, every frame is overdue and handed on before it fires
      const marker = new Promise<number>((r) => new PreciseTimer().at(blockEnd + lineMs, () => r(got.length)));
      const [beforeMarker] = await Promise.all([marker, all]);
      expect(beforeMarker).toBe(frames);
      // the line arithmetic: frame k cannot have arrived before (k + 1) frame times after the write
      got.forEach((g, k) => {
        expect(g.at).toBeGreaterThanOrEqual(t0 + (k + 1) * lineMs - 0.05);
        if (k > 0) expect(g.at - got[k - 1]!.at).toBeGreaterThanOrEqual(lineMs - 0.05);
      });
      expect(got[frames - 1]!.at).toBeLessThan(blockEnd);
    } finally {
      await paced.close();
      await l.close();
    }
  }, 30_000);
});
