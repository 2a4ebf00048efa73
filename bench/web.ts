/**
 * The workbench's speed (`npm run bench:web`): the digital engine's steps/s on the bundled example in
 * Chromium (the page's Web Worker, SystemJS build, WebAssembly kernels) against Node on the same machine
 * (the same function, web/run-engine.ts, on the same files), and the page's time to first plot (navigation
 * start → the first uPlot drawn, the page run at once with its default 300 ms). Best of `--repeats` runs
 * each. Needs Debian's /usr/bin/chromium (or NLA_CHROMIUM) and `npm run build`.
 *
 *   npm run bench:web [-- --duration-ms 2000] [-- --repeats 3]
 */
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { webSite, packageRoot } from '../cli/web-site.js';
import { webServer } from '../cli/commands/serve.js';
import { runWebEngine, type WebRunRequest } from '../web/run-engine.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const durationMs = arg('--duration-ms', 2000);
const repeats = arg('--repeats', 3);
const root = packageRoot();
const request = (spec: string, input: string): WebRunRequest => ({ engine: 'digital', spec, input, durationMs, options: { dt: '0.1ms' } });

async function nodeStepsPerSecond(): Promise<number> {
  let best = 0;
  for (let i = 0; i < repeats; i++) {
    const run = await runWebEngine(request(join(root, 'examples/teacher/network.json'), join(root, 'examples/teacher/input.csv')), () => {});
    best = Math.max(best, run.summary.stepsPerSecond as number);
  }
  return best;
}

async function chromium(): Promise<{ stepsPerSecond: number; firstPlotMs: number; version: string }> {
  const server = webServer(webSite(root));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await puppeteer.launch({ executablePath: process.env.NLA_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    let firstPlotMs = Infinity;
    let best = 0;
    for (let i = 0; i < repeats; i++) {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction('window.nla !== undefined');
      await page.evaluate('window.nla.run({ engines: ["digital"] })');
      firstPlotMs = Math.min(firstPlotMs, (await page.evaluate('window.nla.firstPlotMs')) as number);
      const r = (await page.evaluate(`window.nla.run(${JSON.stringify({ source: 'example', durationMs, dtMs: 0.1, engines: ['digital'] })})`)) as { runs: { digital: { summary: { stepsPerSecond: number } } } };
      best = Math.max(best, r.runs.digital.summary.stepsPerSecond);
      await page.close();
    }
    return { stepsPerSecond: best, firstPlotMs, version: await browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

const node = await nodeStepsPerSecond();
const web = await chromium();
process.stdout.write(
  [
    `digital engine, examples/teacher (6-24-3, learning as the network says), dt 0.1 ms, ${durationMs} ms simulated, best of ${repeats}:`,
    `  Node ${process.versions.node}: ${Math.round(node)} steps/s`,
    `  ${web.version} (Web Worker): ${Math.round(web.stepsPerSecond)} steps/s (${(web.stepsPerSecond / node).toFixed(2)}× Node)`,
    `page: time to first plot ${Math.round(web.firstPlotMs)} ms (navigation start → digital plot of a 300 ms run), best of ${repeats}`,
  ].join('\n') + '\n',
);
