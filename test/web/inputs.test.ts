import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium, launchChromium } from '../chromium.js';
import { ensureWebBuilt, openWorkbench, readTraceCsv, runPage, staticServer } from './site.js';

// The workbench's targets and events CSVs (web/page-inputs.ts: a URL or a picked file, as `nla simulate
// --target/--events` takes them) in Chromium, on the site `nla build-web` writes: the page's digital run of
// the example with its targets and an events file, learning on, equals `nla simulate --target --events`
// bit for bit (the hard-sigmoid variant with uniform initial weights: + − × ÷ √ only, so the same modules
// must give the same bits); a malformed targets or events CSV stops the run with an error naming the file,
// the line and the field, and no result.

const DURATION_MS = 150;
const ex = join(root, 'examples/teacher');
const EVENTS = 't,channel,kind,value\n# a step on one input, an impulse on another\n20,in[1],step,0.25\n60,3,delta,2\n90,in[5],step,-0.1\n';
const base = { source: 'url', specUrl: 'variant/network.json', inputUrl: 'examples/teacher/input.csv', durationMs: DURATION_MS, dtMs: 0.1, seed: 1, learn: true, engines: ['digital'], pluginUrl: null, tolerance: null };

/** The file input's handle (the test's types have no DOM). */
type FileInput = ElementHandle<never> & { uploadFile(...paths: string[]): Promise<void> };

describe.skipIf(!hasChromium)('targets and events CSVs in the workbench', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let server: { url: string; close: () => Promise<void> };
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-inputs-'));
  const site = join(tmp, 'site');

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const built = nla(['build-web', '--out', site]);
    expect(built.code, built.err).toBe(0);
    const spec = JSON.parse(readFileSync(join(ex, 'network.json'), 'utf8')) as Record<string, unknown>;
    mkdirSync(join(site, 'variant'), { recursive: true });
    writeFileSync(join(site, 'variant/network.json'), JSON.stringify({ ...spec, activation: 'hard-sigmoid', init: { distribution: 'uniform', low: -0.5, high: 0.5 } }));
    writeFileSync(join(site, 'variant/events.csv'), EVENTS);
    // line 4: a time that is not a number
    writeFileSync(join(site, 'variant/bad-target.csv'), readFileSync(join(ex, 'target.csv'), 'utf8').split('\n').map((l, i) => (i === 3 ? l.replace(/^[^,]*/, '1O') : l)).join('\n'));
    writeFileSync(join(site, 'variant/bad-events.csv'), 't,channel,kind,value\n20,in[1],step,0.25\n60,3,pulse,2\n');
    server = await staticServer(site);
    browser = await launchChromium();
    ({ page, errors } = await openWorkbench(browser, server.url));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the digital engine with targets and events as nla simulate does, bit for bit', async () => {
    const run = await runPage(page, { ...base, targetUrl: 'examples/teacher/target.csv', eventsUrl: 'variant/events.csv' });
    const plain = await runPage(page, { ...base, targetUrl: null, eventsUrl: null });
    const out = join(tmp, 'digital.csv');
    const r = nla(['simulate', join(site, 'variant/network.json'), '--engine', 'digital', '--dt', '0.1ms', '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--target', join(ex, 'target.csv'), '--events', join(site, 'variant/events.csv'), '--learn', '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = run.runs.digital!;
    expect(web.names).toEqual(cli.names);
    expect(web.names.some((n) => n.startsWith('ustar:'))).toBe(true);
    expect(web.timeMs).toEqual(cli.timeMs);
    // toEqual on numbers is exact (Object.is): every sample equal, not close
    for (let c = 0; c < cli.names.length; c++) expect(web.columns[c], cli.names[c]).toEqual(cli.columns[c]);
    // the targets and events changed the run (the same columns without them differ)
    const u = web.names.indexOf(web.names.find((n) => n.startsWith('u:'))!);
    expect(plain.runs.digital!.names.some((n) => n.startsWith('ustar:'))).toBe(false);
    expect(plain.runs.digital!.columns[plain.runs.digital!.names.indexOf(web.names[u]!)]).not.toEqual(web.columns[u]);
    expect(errors).toEqual([]);
  });

  it('takes the targets and events from picked files, with the same result', async () => {
    copyFileSync(join(ex, 'target.csv'), join(tmp, 'target.csv'));
    writeFileSync(join(tmp, 'events.csv'), EVENTS);
    await ((await page.$('#target-file')) as FileInput).uploadFile(join(tmp, 'target.csv'));
    await ((await page.$('#events-file')) as FileInput).uploadFile(join(tmp, 'events.csv'));
    const picked = await runPage(page, base);
    const byUrl = await runPage(page, { ...base, targetUrl: 'examples/teacher/target.csv', eventsUrl: 'variant/events.csv' });
    expect(picked.runs.digital!.columns).toEqual(byUrl.runs.digital!.columns);
  });

  it('stops on a malformed targets CSV, naming the file, line and field, with no result', async () => {
    const message = (await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, targetUrl: 'variant/bad-target.csv', eventsUrl: null })}).then(() => 'no error', (e) => e.message)`)) as string;
    expect(message).toMatch(/variant\/bad-target\.csv/);
    expect(message).toMatch(/line 4/);
    expect(message).toMatch(/'t'|column 1|1O/);
    expect(await page.evaluate(`document.getElementById('error').textContent`)).toBe(message);
    const cli = nla(['simulate', join(site, 'variant/network.json'), '--engine', 'digital', '--duration', '10ms', '--input', join(ex, 'input.csv'), '--target', join(site, 'variant/bad-target.csv'), '--quiet']);
    expect(cli.code).toBe(2);
    expect(message.slice(message.indexOf('line 4'))).toBe(cli.err.trim().slice(cli.err.trim().indexOf('line 4')));
  });

  it('stops on a malformed events CSV, naming the file, line and field', async () => {
    const message = (await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, targetUrl: null, eventsUrl: 'variant/bad-events.csv' })}).then(() => 'no error', (e) => e.message)`)) as string;
    expect(message).toMatch(/variant\/bad-events\.csv: line 3, column 'kind': expected kind 'delta' or 'step', got 'pulse'/);
  });
});
