import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Chromium (.ci/run installs it); nothing here downloads a browser. */
export const CHROMIUM = process.env.NLA_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser is installed; without it the browser tests are skipped with a notice on stderr. */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) process.stderr.write(`NOTE: ${CHROMIUM} is not installed: the headless-browser tests of the HTML pages are skipped (apt-get install chromium)\n`);

/** One headless Chromium for a test file (launch in beforeAll, close in afterAll). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** What loading a page showed: console errors, uncaught page errors, and every URL it tried that was not a file. */
export interface PageLoad {
  consoleErrors: string[];
  pageErrors: string[];
  refused: string[];
}

/**
 * Opens a local HTML file offline: every request that is not file:// (or data:) is refused and recorded, so a
 * page that needs the network shows it. Runs `inspect` on the loaded page, then closes it.
 */
export async function openOffline<T>(browser: Browser, file: string, inspect: (page: import('puppeteer-core').Page) => Promise<T>): Promise<{ load: PageLoad; result: T }> {
  const page = await browser.newPage();
  const load: PageLoad = { consoleErrors: [], pageErrors: [], refused: [] };
  try {
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) void req.continue();
      else {
        load.refused.push(url);
        void req.abort();
      }
    });
    page.on('console', (m) => {
      if (m.type() === 'error') load.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => load.pageErrors.push(String(e)));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { load, result: await inspect(page) };
  } finally {
    await page.close();
  }
}
