import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PtyPair } from '../../host/board/pty-pair.js';
import { spawnVirtualBoard, type SpawnedBoard } from '../../host/board/spawn.js';
import { SerialTransport } from '../../host/transport/serial.js';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium } from '../chromium.js';
import { hasSocat } from '../pty-available.js';
import { startBridge } from './pty-bridge.js';
import { ensureWebBuilt, openServedWorkbench, readTraceCsv } from './site.js';

// The page's Web Serial transport over a WebSocket bridge (cli/serial-bridge.ts, web/websocket-serial-port.ts)
// to a real pty, in Chromium: the transport conformance cases that make sense on a line (bytes in order both
// ways through a pty echo; the line going away once with a reason, writes refused after), then the example
// streamed to `nla board virtual` in its own process, clean, with the line dropped mid-stream (the bridge cut)
// and with the board reset mid-stream (its process killed and restarted on the same pty path: it loses its
// image). Each time the outputs equal `nla simulate --engine board` bit for bit and the link's statistics show
// the recovery; window.nla.runBoard's comparison equals `nla compare --a digital --b board --json`.

const DURATION_MS = 100;
/** Bytes from the board on the first connection after which the fault is made: past the handshake and the image. */
const FAULT_AFTER_BYTES = 4000;

/** In the page: 200 kB through the bridge to a pty echo and back, windowed; what came back, in order, and the stamps. */
const ECHO = (url: string) => `(async () => {
  const { WebSerialTransport } = await System.import('nla/web/web-serial-transport.js');
  const { WebSocketSerialPort } = await System.import('nla/web/websocket-serial-port.js');
  const { Rng } = await System.import('nla/core/rng.js');
  const a = await WebSerialTransport.open(new WebSocketSerialPort(${JSON.stringify(url)}), 921600);
  const rng = new Rng(11);
  const sent = Uint8Array.from({ length: 200000 }, () => rng.int(256));
  const got = [];
  let last = -Infinity;
  const stamps = { ordered: true, notLate: true, count: 0 };
  a.onData((c, at) => { got.push(...c); stamps.ordered &&= at >= last; last = at; stamps.notLate &&= at <= performance.now() + 0.05; stamps.count++; });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const deadline = Date.now() + 20000;
  for (let o = 0; o < sent.length; o += 2000) {
    while (o - got.length > 16000 && Date.now() < deadline) await sleep(1);
    if (!a.write(sent.subarray(o, o + 2000))) await a.drain();
  }
  while (got.length < sent.length && Date.now() < deadline) await sleep(5);
  await a.close();
  return { got: got.length, same: got.length === sent.length && got.every((v, i) => v === sent[i]), stamps };
})()`;

/** In the page: a transport through the bridge; `go` is called (from the test) to make the line go away. */
const OPEN_AND_WAIT = (url: string) => `(async () => {
  const { WebSerialTransport } = await System.import('nla/web/web-serial-transport.js');
  const { WebSocketSerialPort } = await System.import('nla/web/websocket-serial-port.js');
  const a = await WebSerialTransport.open(new WebSocketSerialPort(${JSON.stringify(url)}), 921600);
  const reasons = [];
  a.onClose((r) => reasons.push(r));
  window.__line = { a, reasons };
})()`;

const AFTER_GOING_AWAY = `(async () => {
  const { a, reasons } = window.__line;
  const t0 = Date.now();
  while (reasons.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  return { reasons, open: a.open, writeAfter: a.write(Uint8Array.of(1, 2, 3)) };
})()`;

/** In the page: window.nla.runBoard over the bridge, counting the ports it opened. */
const BOARD_RUN = (url: string) => `(async () => {
  const { WebSocketSerialPort } = await System.import('nla/web/websocket-serial-port.js');
  let opened = 0;
  const r = await window.nla.runBoard({ source: 'example', durationMs: ${DURATION_MS} }, async () => (opened++, new WebSocketSerialPort(${JSON.stringify(url)})));
  return { ...r, opened, linkRows: document.querySelectorAll('#board-link tr').length };
})()`;

interface BoardPageRun {
  run: { names: string[]; timeMs: number[]; columns: number[][]; failure: unknown };
  link: { frames: number; framesSent: number; outputsReceived: number; retransmitted: number; rejectedFrames: number; gaps: number; duplicates: number; lost: number; sessions: number; reconnects: number; resent: number; portsOpened: number; lineBytesSent: number; lineBytesReceived: number; framesPerSecond: number; incidents: Array<{ atFrame: number; what: string }> };
  comparison: { summary: Record<string, number | string>; verdict: { status: string; text: string; maxAbs: number; probe: string; timeMs: number; tolerance: number } } | null;
  opened: number;
  linkRows: number;
}

/** A pty pair with an echo on its board end (bytes written at hostPath come back). */
async function ptyEcho(): Promise<{ pty: PtyPair; stop: () => Promise<void> }> {
  const pty = new PtyPair();
  await pty.start();
  const echo = await SerialTransport.open(pty.boardPath, 921600);
  echo.onData((c) => void echo.write(c));
  return { pty, stop: async () => (await echo.close().catch(() => {}), await pty.close()) };
}

describe.skipIf(!hasChromium || !hasSocat)('the page over a WebSocket bridge to a real pty (nla board virtual)', () => {
  let close: (() => Promise<void>) | undefined;
  let page: Page;
  let errors: string[];
  let cli: ReturnType<typeof readTraceCsv>;
  let served: SpawnedBoard;
  /** A second board, started beside the first: after a reset the bridge's device is this board, freshly booted (no image). */
  let spare: SpawnedBoard;
  let servedBridgeUrl: string;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-bridge-'));

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const boards = Promise.all([spawnVirtualBoard([]), spawnVirtualBoard([])]);
    const out = join(tmp, 'board.csv');
    const ex = join(root, 'examples/teacher');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'board', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    cli = readTraceCsv(out);
    // the page from `nla serve --bridge <the board's pty>`: the user's path to a board behind a bridge
    [served, spare] = await boards;
    let url: string;
    ({ page, errors, close, url } = await openServedWorkbench(['--bridge', served.port]));
    servedBridgeUrl = `${url.replace(/^http/, 'ws')}bridge`;
  });

  afterAll(async () => {
    await close?.();
    await served?.stop();
    await spare?.stop();
  });

  it('carries 200 kB to a pty echo and back, complete and in order, stamped in order and never late', async () => {
    const echo = await ptyEcho();
    const b = await startBridge({ device: echo.pty.hostPath, baud: 921600 });
    try {
      const r = (await page.evaluate(ECHO(b.url))) as { got: number; same: boolean; stamps: { ordered: boolean; notLate: boolean; count: number } };
      expect(r.got).toBe(200_000);
      expect(r.same).toBe(true);
      expect(r.stamps.count).toBeGreaterThan(1);
      expect(r.stamps).toMatchObject({ ordered: true, notLate: true });
    } finally {
      await b.close();
      await echo.stop();
    }
  });

  for (const how of ['the bridge connection drops', "the pty's line dies"] as const) {
    it(`reports the line going away once (${how}), with a reason, and refuses writes afterwards`, async () => {
      const echo = await ptyEcho();
      const b = await startBridge({ device: echo.pty.hostPath, baud: 921600 });
      try {
        await page.evaluate(OPEN_AND_WAIT(b.url));
        if (how === 'the bridge connection drops') await b.bridge.cut();
        else await echo.pty.cut();
        const r = (await page.evaluate(AFTER_GOING_AWAY)) as { reasons: string[]; open: boolean; writeAfter: boolean };
        expect(r.reasons.length).toBe(1);
        expect(r.reasons[0]).toMatch(how === 'the bridge connection drops' ? /device was lost: .*connection lost, code 1006/ : /device was lost: .*the serial line closed/);
        expect(r.open).toBe(false);
        expect(r.writeAfter).toBe(false);
      } finally {
        await b.close();
        await echo.stop();
      }
    });
  }

  /**
   * The example streamed through a test bridge to the `nla board virtual` behind `nla serve --bridge` (idle
   * between runs), with `fault` once the board has sent FAULT_AFTER_BYTES on the first connection: `drop`
   * cuts the bridge's connection (the board keeps its state); `reset` kills the board's process, and the
   * bridge's next connection reaches the spare board, just booted without an image: to the page, its board
   * went away and came back having lost its state. (A reset last: the first board is gone after it.)
   */
  async function boardRun(fault: 'loss' | 'drop' | 'reset'): Promise<BoardPageRun> {
    let device = served.port;
    let fromBoard = 0;
    let faulted = false;
    let corrupt = false;
    const b = await startBridge({
      device: served.port,
      baud: 921600,
      openDevice: (_device, baud, timeoutMs) => SerialTransport.openWithRetry(device, baud, timeoutMs),
      tap: (dir, chunk) => {
        if (corrupt && dir === 'toPage' && chunk.length > 8) {
          // a bit flipped in a frame from the board: its CRC fails, the host's decoder rejects it
          corrupt = false;
          const c = chunk.slice();
          c[5] = c[5]! ^ 0x10;
          return c;
        }
        if (dir === 'toPage' && b.bridge.connections === 1 && (fromBoard += chunk.length) >= FAULT_AFTER_BYTES && !faulted) {
          faulted = true;
          if (fault === 'loss') {
            // a chunk from the board lost on the way, and a bit flipped in the next one
            corrupt = true;
            return null;
          }
          if (fault === 'drop') void b.bridge.cut();
          else {
            device = spare.port;
            void served.stop();
          }
        }
        return chunk;
      },
    });
    try {
      const r = (await page.evaluate(BOARD_RUN(b.url))) as BoardPageRun;
      expect(faulted).toBe(true);
      return r;
    } finally {
      await b.close();
    }
  }

  function expectCliOutputs(r: BoardPageRun): void {
    expect(r.run.failure).toBeNull();
    expect(r.run.names).toEqual(cli.names);
    expect(r.run.timeMs).toEqual(cli.timeMs); // one row per frame: none lost, none duplicated
    for (let c = 0; c < cli.names.length; c++) expect(r.run.columns[c], cli.names[c]).toEqual(cli.columns[c]);
    expect(r.link).toMatchObject({ frames: DURATION_MS, outputsReceived: DURATION_MS, lost: 0 });
    expect(r.link.lineBytesSent).toBeGreaterThan(0);
    expect(r.link.lineBytesReceived).toBeGreaterThan(FAULT_AFTER_BYTES);
    expect(r.linkRows).toBeGreaterThanOrEqual(9);
  }

  it("streams clean through `nla serve --bridge` (the bridge field): the CLI's outputs bit for bit, one session, nothing retransmitted; the comparison is nla compare's", async () => {
    const r = (await page.evaluate(`(async () => {
      document.getElementById('bridge').value = ${JSON.stringify(servedBridgeUrl)};
      const r = await window.nla.runBoard({ source: 'example', durationMs: ${DURATION_MS} });
      document.getElementById('bridge').value = '';
      return { ...r, opened: r.link.portsOpened, linkRows: document.querySelectorAll('#board-link tr').length };
    })()`)) as BoardPageRun;
    expectCliOutputs(r);
    expect(r.link).toMatchObject({ sessions: 1, reconnects: 0, resent: 0, retransmitted: 0, rejectedFrames: 0, gaps: 0, duplicates: 0, portsOpened: 1, incidents: [] });
    const ex = join(root, 'examples/teacher');
    const c = nla(['compare', join(ex, 'network.json'), '--a', 'digital', '--b', 'board', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--json']);
    expect(c.code, c.err).toBe(0);
    const want = JSON.parse(c.out) as { summary: Record<string, number | string>; verdict: { status: string; text: string; maxAbs: number; probe: string; timeMs: number; tolerance: number } };
    // the board's outputs are integers; the digital engine's float run in Chromium equals Node's to 10⁻¹²
    // (Chromium's Math.exp differs from Node's in the last bit for some arguments; docs/web.md): the
    // every figure the same to the bit (the digital reference's exp is core/libm's in both)
    expect(Object.keys(r.comparison!.summary)).toEqual(Object.keys(want.summary));
    for (const [k, v] of Object.entries(want.summary)) expect(r.comparison!.summary[k], k).toBe(v);
    expect(r.comparison!.verdict).toEqual(want.verdict);
    expect(errors).toEqual([]);
  });

  it('nla serve --bridge refuses a missing device at once (exit 4, a line problem), naming it', () => {
    const missing = nla(['serve', '--port', '0', '--bridge', join(tmp, 'no-such-pty')]);
    expect(missing.code).toBe(4);
    expect(missing.err).toMatch(/--bridge .*no-such-pty: no such device/);
  });

  it("recovers from bytes lost and corrupted on the line within the session: the link's gaps and rejected frames count them; the CLI's outputs bit for bit", async () => {
    const r = await boardRun('loss');
    expectCliOutputs(r);
    expect(r.link).toMatchObject({ sessions: 1, reconnects: 0, portsOpened: 1, incidents: [] });
    expect(r.link.rejectedFrames).toBeGreaterThanOrEqual(1);
    expect(r.link.gaps).toBeGreaterThanOrEqual(1);
  });

  it("recovers from a dropped line mid-stream: the board kept its state, the stream continued; the CLI's outputs bit for bit", async () => {
    const r = await boardRun('drop');
    expectCliOutputs(r);
    expect(r.link.rejectedFrames).toBe(0);
    expect(r.link).toMatchObject({ sessions: 2, reconnects: 1, portsOpened: 2 });
    expect(r.opened).toBe(2);
    const ended = r.link.incidents.find((i) => /session ended/.test(i.what))!;
    expect(ended.atFrame).toBeGreaterThan(0);
    expect(ended.atFrame).toBeLessThan(DURATION_MS);
    expect(r.link.incidents.some((i) => /kept its state/.test(i.what))).toBe(true);
    expect(r.comparison!.verdict.status).toBe('pass');
  });

  it("recovers from a board reset mid-stream: the image sent again, the stream replayed; the CLI's outputs bit for bit", async () => {
    const r = await boardRun('reset');
    expectCliOutputs(r);
    expect(r.link).toMatchObject({ sessions: 2, reconnects: 1, portsOpened: 2 });
    expect(r.link.resent).toBeGreaterThan(0);
    expect(r.link.incidents.some((i) => /lost its state: image reloaded, stream replayed/.test(i.what))).toBe(true);
    expect(r.comparison!.verdict.status).toBe('pass');
  });
});
