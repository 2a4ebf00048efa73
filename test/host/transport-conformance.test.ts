import { describe, expect, it } from 'vitest';
import { hasSocat } from '../pty-available.js';
import { Rng } from '../../core/rng.js';
import { PtyPair } from '../../host/board/pty-pair.js';
import { FaultyTransport } from '../../host/transport/faulty.js';
import { memoryPair } from '../../host/transport/memory.js';
import { PacedTransport } from '../../host/transport/paced.js';
import { SerialTransport } from '../../host/transport/serial.js';
import type { ByteTransport } from '../../host/transport/transport.js';

/**
 * One conformance suite for every ByteTransport (the contract in host/transport/transport.ts): bytes
 * arrive complete and in order in chunks of any size, stamped in order and never later than handed
 * over, drain resolves, the line going away is reported once with a reason, and writing after that is
 * refused.
 */
interface Line {
  a: ByteTransport;
  b: ByteTransport;
  /** Takes the line away (the peer closes, the cable is cut). */
  cut: () => Promise<void>;
  dispose: () => Promise<void>;
  /** A real UART: the far end closing is not visible here. */
  noCarrier?: boolean;
}

/** A socat pty pair opened through SerialTransport; `a` is read on a thread of its own if asked. */
async function ptyLine(readerThread: boolean): Promise<Line> {
  const pty = new PtyPair();
  await pty.start();
  const a = await SerialTransport.open(pty.boardPath, 921600, { readerThread });
  const b = await SerialTransport.open(pty.hostPath, 921600);
  return {
    a,
    b,
    cut: () => pty.cut(),
    dispose: async () => {
      await a.close();
      await b.close();
      await pty.close();
    },
  };
}

const allKinds: Array<[string, () => Promise<Line>]> = [
  [
    'memory pair',
    async () => {
      const [a, b] = memoryPair();
      return { a, b, cut: () => b.close(), dispose: async () => {} };
    },
  ],
  [
    'fault injector with no faults',
    async () => {
      const [a, b] = memoryPair();
      return { a: new FaultyTransport(a, { corrupt: 0, drop: 0, seed: 1 }), b: new FaultyTransport(b, { corrupt: 0, drop: 0, seed: 2 }), cut: () => b.close(), dispose: async () => {} };
    },
  ],
  [
    'UART pacing at 2 Mbaud',
    async () => {
      const [a, b] = memoryPair();
      return { a: new PacedTransport(a, 2_000_000), b: new PacedTransport(b, 2_000_000), cut: () => b.close(), dispose: async () => {} };
    },
  ],
  ['real pty pair (socat) through node-serialport', () => ptyLine(false)],
  ['real pty pair (socat), one end read on its own thread', () => ptyLine(true)],
];

const collect = (t: ByteTransport) => {
  const chunks: Uint8Array[] = [];
  t.onData((c) => chunks.push(Uint8Array.from(c)));
  return () => Buffer.concat(chunks);
};

/**
 * Two real serial ports cabled to each other (a null-modem cable, or two USB-serial adapters TX→RX), named
 * in NLA_TEST_PORT_PAIR=/dev/ttyUSB0,/dev/ttyUSB1 (baud NLA_TEST_PORT_BAUD, default 921600), as
 * node-serialport runs its binding suite against real hardware. A real UART has no carrier: one end
 * closing is not seen by the other, so the line-cut test does not apply to it.
 */
const PORT_PAIR = process.env.NLA_TEST_PORT_PAIR?.split(',').map((p) => p.trim());
if (PORT_PAIR && PORT_PAIR.length === 2) {
  const baud = Number(process.env.NLA_TEST_PORT_BAUD ?? '921600');
  allKinds.push([
    `real serial ports ${PORT_PAIR.join(' ↔ ')} at ${baud} baud (NLA_TEST_PORT_PAIR)`,
    async () => {
      const a = await SerialTransport.open(PORT_PAIR[0]!, baud);
      const b = await SerialTransport.open(PORT_PAIR[1]!, baud);
      return { a, b, cut: () => b.close(), dispose: async () => Promise.all([a.close(), b.close()]).then(() => {}), noCarrier: true };
    },
  ]);
}

const kinds = allKinds.filter(([name]) => hasSocat || !name.includes('pty'));

describe.each(kinds)('ByteTransport conformance: %s', (_name, make) => {
  it('delivers 200 kB in both directions, complete and in order', async () => {
    const line = await make();
    try {
      const rng = new Rng(9);
      const data = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
      const ab = data(200_000);
      const ba = data(50_000);
      // Like the link layer, the ends talk both ways with a bounded window: A keeps at most `windowBytes`
      // unacknowledged, and B answers each chunk it receives with a piece of its own stream. The window and
      // the answers are needed on a socat pty pair: it has no end-to-end flow control, and a one-way burst
      // that fills B's tty buffer can sit inside socat until the other direction moves (measured: one byte
      // written B→A releases it). A transport that needs neither passes the same test.
      const chunk = 2000;
      const windowBytes = 8000;
      const piece = ba.length / (ab.length / chunk);
      const gotB = collect(line.b);
      const gotA = collect(line.a);
      // each chunk's arrival stamp: in order, and not after the chunk was handed over
      const stampsOk = { ordered: true, notLate: true, count: 0 };
      let lastStamp = -Infinity;
      for (const t of [line.a, line.b])
        t.onData((_c, at) => {
          const now = performance.now();
          if (t === line.b) {
            stampsOk.ordered &&= at >= lastStamp;
            lastStamp = at;
          }
          stampsOk.notLate &&= at <= now + 0.05;
          stampsOk.count++;
        });
      let receivedB = 0;
      let answered = 0;
      line.b.onData((c) => {
        receivedB += c.length;
        const due = Math.min(ba.length, Math.floor(receivedB / chunk) * piece);
        if (due > answered) {
          line.b.write(ba.subarray(answered, due));
          answered = due;
        }
      });
      const deadline = Date.now() + 10_000;
      for (let o = 0; o < ab.length; o += chunk) {
        while (o - receivedB > windowBytes - chunk && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        if (!line.a.write(ab.subarray(o, o + chunk))) await line.a.drain();
      }
      await line.a.drain();
      while ((gotB().length < ab.length || gotA().length < ba.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(Buffer.compare(gotB(), Buffer.from(ab))).toBe(0);
      expect(Buffer.compare(gotA(), Buffer.from(ba))).toBe(0);
      expect(stampsOk.count).toBeGreaterThan(1);
      expect(stampsOk).toMatchObject({ ordered: true, notLate: true });
    } finally {
      await line.dispose();
    }
  }, 30_000);

  it('reports the line going away once, with a reason, and refuses writes afterwards', async (ctx) => {
    const line = await make();
    if (line.noCarrier) {
      await line.dispose();
      ctx.skip(); // a real UART cannot see its peer close: nothing to test here
    }
    try {
      const reasons: string[] = [];
      line.a.onClose((r) => reasons.push(r));
      await line.cut();
      const t0 = Date.now();
      while (reasons.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      expect(reasons.length).toBe(1);
      expect(reasons[0]!.length).toBeGreaterThan(0);
      expect(line.a.open).toBe(false);
      expect(line.a.write(Uint8Array.of(1, 2, 3))).toBe(false);
    } finally {
      await line.dispose();
    }
  }, 30_000);
});
