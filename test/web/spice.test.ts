import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium, launchChromium } from '../chromium.js';
import { ensureWebBuilt, openWorkbench, readTraceCsv, runPage, staticServer } from './site.js';

// The spice engine in the page (docs/web.md): the example compiled to its netlist and run by ngspice as
// WebAssembly (eecircuit-engine, from the site, in a Web Worker the engine worker starts) gives the traces
// `nla simulate --engine spice` gives in Node (the same netlist text, the same WebAssembly ngspice, the same
// resampling), and nothing is fetched from outside the site.

const DURATION_MS = 12;
const ex = join(root, 'examples/teacher');

describe.skipIf(!hasChromium)('the spice engine in the workbench page', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let server: { url: string; close: () => Promise<void> };
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-spice-'));
  const outside: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const built = nla(['build-web', '--out', join(tmp, 'site')]);
    expect(built.code, built.err).toBe(0);
    server = await staticServer(join(tmp, 'site'));
    browser = await launchChromium();
    ({ page, errors } = await openWorkbench(browser, server.url));
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("gives nla simulate --engine spice's traces", async () => {
    const run = await runPage(page, { source: 'example', engines: ['spice'], durationMs: DURATION_MS, profile: 'ideal', seed: 1, learn: false, pluginUrl: null, targetUrl: null, eventsUrl: null });
    const out = join(tmp, 'spice.csv');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'spice', '--profile', 'ideal', '--seed', '1', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--no-learn', '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = run.runs.spice!;
    expect(web.failure).toBeNull();
    expect(web.names).toEqual(cli.names);
    expect(web.timeMs).toEqual(cli.timeMs);
    let worst = 0;
    for (let c = 0; c < cli.names.length; c++) for (let i = 0; i < cli.timeMs.length; i++) worst = Math.max(worst, Math.abs(web.columns[c]![i]! - cli.columns[c]![i]!));
    // the CLI's CSV holds each value as JavaScript prints it (shortest round-trip), so equal doubles read back equal
    expect(worst).toBe(0);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  }, 120_000);
});
