import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium, launchChromium } from '../chromium.js';
import { ensureWebBuilt, openWorkbench, readTraceCsv, runPage, staticServer, type PageRun } from './site.js';

// The workbench from a static folder (`nla build-web`, served by a plain static server, not `nla serve`) in
// Debian's Chromium: it loads with no console error, runs the bundled example on the digital engine and
// the analog emulator in its worker, and its numbers are the CLI's: the digital traces bit for bit (the
// same modules, the WebAssembly kernels included, and the elementary functions of core/libm.ts instead of
// Chromium's Math.exp/log/sin/cos/tanh/pow, which differ from Node's in the last bit), the analog ones too,
// and the comparison's worst point is the one `nla compare --json` reports.

const DURATION_MS = 150;
const ex = join(root, 'examples/teacher');
const cliRun = ['--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--no-learn', '--quiet'];

describe.skipIf(!hasChromium)('the workbench page in Chromium, from a static folder', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let server: { url: string; close: () => Promise<void> };
  let run: PageRun;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-'));

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const built = nla(['build-web', '--out', join(tmp, 'site')]);
    expect(built.code, built.err).toBe(0);
    server = await staticServer(join(tmp, 'site'));
    browser = await launchChromium();
    ({ page, errors } = await openWorkbench(browser, server.url));
    run = await runPage(page, { source: 'example', durationMs: DURATION_MS, dtMs: 0.1, profile: 'ideal', seed: 1, learn: false, tolerance: 0.01, pluginUrl: null });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads and runs with no console error, plots both engines and shows a verdict', async () => {
    expect(errors).toEqual([]);
    expect(Object.keys(run.runs).sort()).toEqual(['analog', 'digital']);
    const shown = (await page.evaluate(`({ canvases: document.querySelectorAll('.uplot canvas').length, verdict: document.getElementById('verdict').textContent, status: document.getElementById('status').textContent })`)) as { canvases: number; verdict: string; status: string };
    expect(shown.canvases).toBeGreaterThanOrEqual(3);
    expect(shown.verdict).toBe(run.comparison!.verdict.text);
    expect(shown.status).toBe('done');
  });

  it("gives the digital engine's traces of the CLI bit for bit (a network whose arithmetic is IEEE-exact)", async () => {
    // The example with the hard sigmoid and uniform initial weights (+ − × ÷ √ only, no elementary function):
    // the same modules and kernels in the same arithmetic must give the same bits. The files are loaded by URL.
    const spec = JSON.parse(readFileSync(join(ex, 'network.json'), 'utf8')) as Record<string, unknown>;
    mkdirSync(join(tmp, 'site/variant'), { recursive: true });
    writeFileSync(join(tmp, 'site/variant/network.json'), JSON.stringify({ ...spec, activation: 'hard-sigmoid', init: { distribution: 'uniform', low: -0.5, high: 0.5 } }));
    copyFileSync(join(ex, 'input.csv'), join(tmp, 'site/variant/input.csv'));
    const exact = await runPage(page, { source: 'url', specUrl: 'variant/network.json', inputUrl: 'variant/input.csv', durationMs: DURATION_MS, dtMs: 0.1, seed: 1, learn: false, engines: ['digital'], pluginUrl: null });
    const out = join(tmp, 'digital.csv');
    const r = nla(['simulate', join(tmp, 'site/variant/network.json'), '--engine', 'digital', '--dt', '0.1ms', ...cliRun, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = exact.runs.digital!;
    expect(web.names).toEqual(cli.names);
    expect(web.timeMs).toEqual(cli.timeMs);
    // toEqual on numbers is exact (Object.is): every sample equal, not close
    for (let c = 0; c < cli.names.length; c++) expect(web.columns[c], cli.names[c]).toEqual(cli.columns[c]);
  });

  it("gives the digital engine's traces of the CLI bit for bit for the logistic example (libm's exp, normal weight draws)", () => {
    // the bundled example: logistic hidden layer (exp) and normal initial weights drawn by Box–Muller (log, sin,
    // cos) from seed 1. With Math.exp and Math.log/cos, Chromium 156 and Node 20 differed here by up to 1e-12.
    const out = join(tmp, 'digital-logistic.csv');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'digital', '--dt', '0.1ms', ...cliRun, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = run.runs.digital!;
    expect(web.names).toEqual(cli.names);
    expect(web.timeMs).toEqual(cli.timeMs);
    // toEqual on numbers is exact (Object.is): every sample equal, not close
    for (let c = 0; c < cli.names.length; c++) expect(web.columns[c], cli.names[c]).toEqual(cli.columns[c]);
  });

  it("evaluates core/libm's functions to the same bits in Chromium as in Node (10 500 arguments)", async () => {
    const bits = new DataView(new ArrayBuffer(8));
    const hex = (x: number): string => (bits.setFloat64(0, x), bits.getBigUint64(0).toString(16).padStart(16, '0'));
    let s = 20261206;
    const r = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const args: Record<string, number[]> = {
      exp: Array.from({ length: 1500 }, (_, i) => (i % 2 ? -745 + 1455 * r() : (r() - 0.5) * 20)),
      expm1: Array.from({ length: 1000 }, () => (r() - 0.5) * 10 ** (4 * r() - 3)),
      log: Array.from({ length: 1500 }, () => 10 ** (600 * r() - 300)),
      log1p: Array.from({ length: 1000 }, () => -1 + 10 ** (6 * r() - 5)),
      sin: Array.from({ length: 2000 }, (_, i) => (r() - 0.5) * 10 ** (i % 4 === 3 ? 300 * r() : 4)),
      cos: Array.from({ length: 2000 }, (_, i) => (r() - 0.5) * 10 ** (i % 4 === 3 ? 300 * r() : 4)),
      tanh: Array.from({ length: 1500 }, () => (r() - 0.5) * 50),
    };
    const libm = (await import('../../core/libm.js')) as unknown as Record<string, (x: number) => number>;
    const node = Object.fromEntries(Object.entries(args).map(([f, xs]) => [f, xs.map((x) => hex(libm[f]!(x)))]));
    const inPage = (await page.evaluate(`(async (args) => {
      const libm = await System.import('nla/core/libm.js');
      const v = new DataView(new ArrayBuffer(8));
      const hex = (x) => (v.setFloat64(0, x), v.getBigUint64(0).toString(16).padStart(16, '0'));
      const out = {}, mathDiffers = {};
      for (const [f, xs] of Object.entries(args)) {
        out[f] = xs.map((x) => hex(libm[f](x)));
        mathDiffers[f] = xs.filter((x) => !Object.is(libm[f](x), Math[f](x))).length;
      }
      return { out, mathDiffers };
    })(${JSON.stringify(args)})`)) as { out: Record<string, string[]>; mathDiffers: Record<string, number> };
    console.log(`Chromium's Math against core/libm (arguments differing / total): ${Object.entries(inPage.mathDiffers).map(([f, n]) => `${f} ${n}/${args[f]!.length}`).join(', ')}`);
    for (const f of Object.keys(args)) expect(inPage.out[f], f).toEqual(node[f]);
  });

  it("gives the analog emulator's traces of the CLI bit for bit", () => {
    const out = join(tmp, 'analog.csv');
    const r = nla(['simulate', join(ex, 'network.json'), '--engine', 'analog', '--profile', 'ideal', ...cliRun, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const cli = readTraceCsv(out);
    const web = run.runs.analog!;
    expect(web.names).toEqual(cli.names);
    expect(web.timeMs.length).toBe(cli.timeMs.length);
    // the same solver on the same circuit, and every elementary function (the activation's exp, the step-size
    // controller's powers) from core/libm: the same bits (with Math.pow they differed by 1.3e-15)
    for (let c = 0; c < cli.names.length; c++) expect(web.columns[c], cli.names[c]).toEqual(cli.columns[c]);
  });

  it("compares as nla compare does: the same worst point and verdict", () => {
    const r = nla(['compare', join(ex, 'network.json'), '--profile', 'ideal', ...cliRun, '--tolerance', '0.01', '--json']);
    expect(r.code, r.err).toBe(0);
    const cli = JSON.parse(r.out) as { verdict: { status: string; maxAbs: number; probe: string }; summary: Record<string, number> };
    const web = run.comparison!;
    expect(web.verdict.status).toBe(cli.verdict.status);
    expect(web.verdict.probe).toBe(cli.verdict.probe);
    expect(Math.abs(web.verdict.maxAbs! - cli.verdict.maxAbs)).toBeLessThan(1e-9);
    expect(web.summary['probes compared']).toBe(cli.summary['probes compared']);
  });

  it('draws the traces while the engines run: rows in order, each delivery final, together the whole run', async () => {
    // rows delivered every 500 ms of model time: seven deliveries before each engine's 4 s run ends, on any machine
    const long = await runPage(page, { source: 'example', durationMs: 4000, dtMs: 0.1, profile: 'ideal', seed: 1, learn: false, pluginUrl: null, progressEveryMs: 500 });
    for (const engine of ['digital', 'analog']) {
      const live = long.live[engine]!;
      const final = long.runs[engine]!;
      expect(live, engine).toBeDefined();
      // a delivery at 500, 1000, …, 4000 ms of model time: eight, the last one with the whole run
      expect(live.rowsAfter.length, engine).toBe(8);
      expect(live.rowsAfter[0]!, engine).toBeGreaterThan(0);
      for (let k = 1; k < live.rowsAfter.length; k++) expect(live.rowsAfter[k]!, engine).toBeGreaterThan(live.rowsAfter[k - 1]!);
      expect(live.rowsAfter.at(-1)!, engine).toBeLessThanOrEqual(final.timeMs.length);
      const n = live.timeMs.length;
      expect(live.names).toEqual(final.names);
      expect(live.timeMs).toEqual(final.timeMs.slice(0, n));
      for (let c = 0; c < final.names.length; c++) expect(live.columns[c], final.names[c]).toEqual(final.columns[c]!.slice(0, n));
    }
    expect(errors).toEqual([]);
  });
});
