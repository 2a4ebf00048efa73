import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium } from '../chromium.js';
import { ensureWebBuilt, openServedWorkbench, readTraceCsv } from './site.js';

// The host's protocol, reliable link and streaming, unchanged, in Chromium over the Web Serial transport:
// the board engine streams the example to the virtual board (also in the page) through a mocked
// navigator.serial port pair (web/board-run.ts, web/mock-serial.ts). The board's outputs equal those of
// `nla simulate --engine board` in Node bit for bit (the fixed-point core is integer arithmetic), also when
// the line drops mid-stream (the device unplugged: the stream reconnects and resumes) and when the board
// resets (it loses its state: the image is sent again and the stream replayed).

const DURATION_MS = 100;

/**
 * In the page: the example streamed to a virtual board over Web Serial; `fault` once the board has received
 * 40 chunks on its first line (the image is loaded and frames are flowing; counted, not timed).
 */
const BOARD_RUN = (fault: 'none' | 'drop' | 'reset') => `(async () => {
  const fs = await System.import('nla/web/shims/node-fs.js');
  for (const f of ['network.json', 'input.csv']) fs.registerFile('examples/teacher/' + f, await (await fetch('examples/teacher/' + f)).text());
  const { runOnBoard } = await System.import('nla/web/board-run.js');
  const { mockSerialPair } = await System.import('nla/web/mock-serial.js');
  const { WebSerialTransport } = await System.import('nla/web/web-serial-transport.js');
  const { VirtualBoard } = await System.import('nla/host/board/virtual-board.js');
  const board = new VirtualBoard();
  let connects = 0, chunks = 0, faulted = false;
  const fault = () => { ${fault === 'drop' ? 'host.unplug();' : fault === 'reset' ? 'board.reboot();' : ''} };
  let host = null;
  Object.defineProperty(navigator, 'serial', { configurable: true, value: { requestPort: async () => {
    connects++;
    const [h, device] = mockSerialPair();
    const line = await WebSerialTransport.open(device, 921600);
    board.attach(line);
    line.onData(() => {
      if (${fault !== 'none'} && connects === 1 && ++chunks === 40 && !faulted) { faulted = true; setTimeout(fault, 0); }
    });
    return (host = h);
  } } });
  const { run, link } = await runOnBoard({ spec: 'examples/teacher/network.json', input: 'examples/teacher/input.csv', durationMs: ${DURATION_MS}, options: {} }, () => navigator.serial.requestPort(), 921600);
  const t = run.traces;
  return { names: [...t.names], timeMs: [...t.time()], columns: t.names.map((_, i) => [...t.columnAt(i)]), failure: run.failure, connects, faulted, summary: run.summary, link };
})()`;

interface BoardRun {
  names: string[];
  timeMs: number[];
  columns: number[][];
  failure: unknown;
  connects: number;
  faulted: boolean;
  summary: Record<string, unknown>;
  link: { sessions: number; reconnects: number; portsOpened: number; outputsReceived: number; lost: number; resent: number };
}

describe.skipIf(!hasChromium)('a board over Web Serial in Chromium (virtual board, mocked navigator.serial)', () => {
  let close: (() => Promise<void>) | undefined;
  let page: Page;
  let errors: string[];
  let cli: ReturnType<typeof readTraceCsv>;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-board-'));

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const out = join(tmp, 'board.csv');
    const ex = join(root, 'examples/teacher');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'board', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    cli = readTraceCsv(out);
    ({ page, errors, close } = await openServedWorkbench());
  });

  afterAll(async () => {
    await close?.();
  });

  it("streams from the page's board button path (window.nla.runBoard) and plots the board's outputs", async () => {
    const r = (await page.evaluate(`(async () => {
      const { mockSerialPair } = await System.import('nla/web/mock-serial.js');
      const { WebSerialTransport } = await System.import('nla/web/web-serial-transport.js');
      const { VirtualBoard } = await System.import('nla/host/board/virtual-board.js');
      const board = new VirtualBoard();
      let opened = 0;
      const openPort = async () => { opened++; const [h, d] = mockSerialPair(); board.attach(await WebSerialTransport.open(d, 921600)); return h; };
      const r = await window.nla.runBoard({ source: 'example', durationMs: ${DURATION_MS} }, openPort);
      return { ...r, opened, plotted: document.querySelector('[data-plot="board"] canvas') !== null, linkShown: !document.getElementById('board-link').hidden, verdictShown: document.getElementById('verdict').textContent };
    })()`)) as { run: BoardRun; link: BoardRun['link']; comparison: { verdict: { status: string } } | null; plotted: boolean; opened: number; linkShown: boolean; verdictShown: string };
    expect(r.run.failure).toBeNull();
    expect(r.opened).toBe(1);
    expect(r.plotted).toBe(true);
    expect(r.linkShown).toBe(true);
    expect(r.link).toMatchObject({ sessions: 1, reconnects: 0, portsOpened: 1, outputsReceived: DURATION_MS, lost: 0 });
    expect(r.comparison?.verdict.status).toBe('pass');
    expect(r.verdictShown).toMatch(/^PASS: within the fixed-point bound/);
    expect(r.run.names).toEqual(cli.names);
    for (let c = 0; c < cli.names.length; c++) expect(r.run.columns[c], cli.names[c]).toEqual(cli.columns[c]);
  });

  it('refuses a board run with a plugin instead of streaming without it', async () => {
    const message = (await page.evaluate(`window.nla.runBoard({ source: 'example', durationMs: 10, pluginUrl: 'examples/web-plugin/coarse-weights.js' }, async () => { throw new Error('no port may be opened'); }).then(() => 'ran', (e) => e.message)`)) as string;
    expect(message).toMatch(/a board run loads no plugin/);
  });

  for (const fault of ['none', 'drop', 'reset'] as const) {
    it(`gives the CLI's board outputs bit for bit${fault === 'none' ? '' : fault === 'drop' ? ' after a dropped line' : ' after a board reset'}`, async () => {
      const r = (await page.evaluate(BOARD_RUN(fault))) as BoardRun;
      expect(r.failure).toBeNull();
      expect(r.faulted).toBe(fault !== 'none');
      expect(r.connects).toBe(fault === 'none' ? 1 : 2);
      expect(r.link).toMatchObject({ sessions: r.connects, reconnects: r.connects - 1, portsOpened: r.connects, outputsReceived: DURATION_MS, lost: 0 });
      if (fault === 'reset') expect(r.link.resent).toBeGreaterThan(0);
      expect(r.names).toEqual(cli.names);
      expect(r.timeMs).toEqual(cli.timeMs);
      for (let c = 0; c < cli.names.length; c++) expect(r.columns[c], cli.names[c]).toEqual(cli.columns[c]);
      expect(errors).toEqual([]);
    });
  }
});
