import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnVirtualBoard, type SpawnedBoard } from '../../host/board/spawn.js';
import { SerialTransport } from '../../host/transport/serial.js';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium } from '../chromium.js';
import { hasSocat } from '../pty-available.js';
import { ensureWebBuilt, openServedWorkbench, readTraceCsv } from './site.js';

// The page streams to `nla board virtual` in its own process, behind its pty: a mocked navigator.serial port
// in Chromium is bridged to the pty (opened here with SerialTransport) through page.exposeFunction, so every
// byte of the protocol crosses a real serial line. The outputs equal `nla simulate --engine board` bit for bit.

const DURATION_MS = 100;

/** In the page: a Web Serial port whose bytes go to the test (window.__toBoard) and come from it (window.__fromBoard). */
const BRIDGED_RUN = `(async () => {
  const fs = await System.import('nla/web/shims/node-fs.js');
  for (const f of ['network.json', 'input.csv']) fs.registerFile('examples/teacher/' + f, await (await fetch('examples/teacher/' + f)).text());
  const { runOnBoard } = await System.import('nla/web/board-run.js');
  const port = {
    readable: null, writable: null,
    async open() {
      let ctrl;
      this.readable = new ReadableStream({ start: (c) => (ctrl = c) });
      this.writable = new WritableStream({ write: (chunk) => window.__toBoard(Array.from(chunk)) });
      window.__fromBoard = (bytes) => ctrl.enqueue(Uint8Array.from(bytes));
    },
    async close() {},
  };
  let opens = 0;
  const run = await runOnBoard({ spec: 'examples/teacher/network.json', input: 'examples/teacher/input.csv', durationMs: ${DURATION_MS}, options: {} }, async () => (opens++, port), 921600);
  const t = run.traces;
  return { names: [...t.names], timeMs: [...t.time()], columns: t.names.map((_, i) => [...t.columnAt(i)]), failure: run.failure, opens };
})()`;

describe.skipIf(!hasChromium || !hasSocat)('the page streaming to nla board virtual over its pty', () => {
  let close: (() => Promise<void>) | undefined;
  let page: Page;
  let errors: string[];
  let board: SpawnedBoard;
  let line: SerialTransport;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-pty-'));

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    board = await spawnVirtualBoard([]);
    line = await SerialTransport.open(board.port, 921600);
    ({ page, errors, close } = await openServedWorkbench());
    await page.exposeFunction('__toBoard', (bytes: number[]) => void line.write(Uint8Array.from(bytes)));
    line.onData((chunk) => void page.evaluate((b: number[]) => (globalThis as unknown as { __fromBoard(b: number[]): void }).__fromBoard(b), Array.from(chunk)));
  });

  afterAll(async () => {
    await close?.();
    await line?.close();
    if (board) await board.stop();
  });

  it("gives the CLI's board outputs bit for bit, every byte over the pty", async () => {
    const out = join(tmp, 'board.csv');
    const ex = join(root, 'examples/teacher');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'board', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = (await page.evaluate(BRIDGED_RUN)) as { names: string[]; timeMs: number[]; columns: number[][]; failure: unknown; opens: number };
    expect(web.failure).toBeNull();
    expect(web.opens).toBe(1);
    expect(web.names).toEqual(cli.names);
    expect(web.timeMs).toEqual(cli.timeMs);
    for (let c = 0; c < cli.names.length; c++) expect(web.columns[c], cli.names[c]).toEqual(cli.columns[c]);
    expect(errors).toEqual([]);
  });
});
