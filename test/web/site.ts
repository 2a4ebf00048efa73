import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { root } from '../cli/run-nla.js';
import { launchChromium } from '../chromium.js';

// Helpers of the workbench tests (test/web/): the page's System.register build kept fresh, a static file
// server independent of `nla serve`, and the page opened in Chromium with its console errors collected.

const BUILD_MARK = join(root, 'dist/web/system/web/page.js');
const SOURCE_DIRS = ['web', 'core', 'compiler', 'emulator', 'hardware-models', 'host', 'report', 'cli'];

function newestSourceMs(): number {
  let newest = statSync(join(root, 'tsconfig.web.json')).mtimeMs;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return newest;
}

/** Compiles the page's build (tsconfig.web.json, as `npm run build` does) when a source is newer than it. */
export function ensureWebBuilt(): void {
  if (existsSync(BUILD_MARK) && statSync(BUILD_MARK).mtimeMs >= newestSourceMs()) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.web.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.web.json failed:\n${r.stdout}${r.stderr}`);
}

/** A plain static server over `dir` on 127.0.0.1 (any free port), as any web server would serve the folder. */
export async function staticServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', mjs: 'text/javascript', json: 'application/json', css: 'text/css', csv: 'text/csv' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    const file = join(dir, path);
    if (path.includes('..') || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The workbench opened and its worker ready; `errors` collects console errors and uncaught page errors. */
export async function openWorkbench(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${(e as Error).message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.nla !== undefined', { timeout: 30_000 });
  await page.evaluate('window.nla.ready');
  return { page, errors };
}

/** One run of the page as the tests read it (what `window.nla.run` resolves with). */
export interface PageRun {
  runs: Record<string, { names: string[]; timeMs: number[]; columns: number[][]; summary: Record<string, unknown>; failure: unknown }>;
  comparison: { summary: Record<string, number | string>; verdict: { status: string; text: string; maxAbs: number | null; probe: string | null } } | null;
  plugin: { name: string; url: string } | null;
  /** Rows delivered while each engine ran, and the row count after each delivery. */
  live: Record<string, { names: string[]; timeMs: number[]; columns: number[][]; rowsAfter: number[] }>;
}

/** Runs the page with these parameters (web/page-inputs.ts RunParameters). */
export function runPage(page: Page, parameters: Record<string, unknown>): Promise<PageRun> {
  return page.evaluate(`window.nla.run(${JSON.stringify(parameters)})`) as Promise<PageRun>;
}

/** A traces CSV the CLI wrote, as columns of numbers (header names kept). */
export function readTraceCsv(file: string): { names: string[]; timeMs: number[]; columns: number[][] } {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const names = head!.split(',').slice(1);
  const cells = rows.map((r) => r.split(',').map(Number));
  return { names, timeMs: cells.map((c) => c[0]!), columns: names.map((_, i) => cells.map((c) => c[i + 1]!)) };
}

/** `nla serve --port 0 <args>` started; resolves with its URL once it printed it (stop it with `stop`). */
export function startServe(args: string[] = []): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'bin/nla.js'), 'serve', '--port', '0', ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ url: m[1]!, stop: () => void p.kill('SIGTERM') });
    });
    p.on('close', (code) => reject(new Error(`nla serve exited with ${code}: ${err}`)));
  });
}

/**
 * The workbench as most page tests open it: `nla serve` on a free port, Chromium, the page with its console
 * errors collected; `close` shuts both.
 */
export async function openServedWorkbench(args: string[] = []): Promise<{ page: Page; errors: string[]; close: () => Promise<void>; url: string }> {
  const serve = await startServe(args);
  const browser = await launchChromium();
  const { page, errors } = await openWorkbench(browser, serve.url);
  return { page, errors, url: serve.url, close: async () => {
    await browser.close();
    serve.stop();
  } };
}
