import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';

/** The file input's handle (the test's types have no DOM). */
type FileInput = ElementHandle<never> & { uploadFile(...paths: string[]): Promise<void> };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium } from '../chromium.js';
import { type PageRun, ensureWebBuilt, openServedWorkbench, runPage } from './site.js';

// A plugin loaded through SystemJS at run time changes the result as it should: the example plugin
// (examples/web-plugin/coarse-weights.js) exports a hardware profile with 3-bit DAC synapses; the page's
// analog run with it departs from the digital reference by the weights' quantisation error, far more than
// the ideal profile's run, and by exactly what `nla compare --profile <the same profile as a JSON file>`
// finds in Node. The page is served by `nla serve`.

const DURATION_MS = 150;
const PLUGIN = 'examples/web-plugin/coarse-weights.js';
const ex = join(root, 'examples/teacher');
const base = { source: 'example', durationMs: DURATION_MS, dtMs: 0.1, profile: 'ideal', seed: 1, learn: false, tolerance: null };

/** The plugin module's `profile` export, read in Node by running its System.register body. */
function pluginProfile(): unknown {
  const exported: Record<string, unknown> = {};
  const System = { register: (_deps: string[], body: (e: (k: string, v: unknown) => void) => { execute(): void }) => body((k, v) => (exported[k] = v)).execute() };
  new Function('System', readFileSync(join(root, PLUGIN), 'utf8'))(System);
  return exported.profile;
}

describe.skipIf(!hasChromium)('a plugin loaded through SystemJS, on the page nla serve serves', () => {
  let close: (() => Promise<void>) | undefined;
  let page: Page;
  let errors: string[];
  let ideal: PageRun;
  let plugged: PageRun;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-plugin-'));

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    ({ page, errors, close } = await openServedWorkbench());
    ideal = await runPage(page, { ...base, pluginUrl: null });
    plugged = await runPage(page, { ...base, pluginUrl: PLUGIN });
  });

  afterAll(async () => {
    await close?.();
  });

  it('runs the analog engine on the plugin profile, with no console error', () => {
    expect(errors).toEqual([]);
    expect(plugged.plugin?.name).toBe('coarse-weights');
    expect(plugged.runs.analog!.summary.profile).toBe('coarse-weights');
    expect(ideal.runs.analog!.summary.profile).toBe('ideal');
    // the digital reference does not depend on a hardware profile
    expect(plugged.runs.digital!.columns).toEqual(ideal.runs.digital!.columns);
  });

  it('departs from the digital reference by far more than the ideal profile, as nla compare finds with the same profile file', () => {
    const idealErr = ideal.comparison!.verdict.maxAbs!;
    const pluggedErr = plugged.comparison!.verdict.maxAbs!;
    expect(pluggedErr).toBeGreaterThan(20 * idealErr);
    const file = join(tmp, 'coarse-weights.json');
    writeFileSync(file, JSON.stringify(pluginProfile()));
    const r = nla(['compare', join(ex, 'network.json'), '--profile', file, '--duration', `${DURATION_MS}ms`, '--input', join(ex, 'input.csv'), '--no-learn', '--quiet', '--json']);
    expect(r.code, r.err).toBe(0);
    const cli = JSON.parse(r.out) as { verdict: { maxAbs: number; probe: string } };
    expect(plugged.comparison!.verdict.probe).toBe(cli.verdict.probe);
    expect(Math.abs(pluggedErr - cli.verdict.maxAbs)).toBeLessThan(1e-9);
  });

  it('loads the same plugin from a local file (the file picker)', async () => {
    const input = (await page.$('#plugin-file')) as FileInput;
    await input.uploadFile(join(root, PLUGIN));
    const fromFile = (await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, engines: ['analog'] })})`)) as PageRun;
    expect(fromFile.plugin?.name).toBe('coarse-weights');
    expect(fromFile.runs.analog!.summary.profile).toBe('coarse-weights');
    expect(fromFile.runs.analog!.columns).toEqual(plugged.runs.analog!.columns);
  });

  it('refuses a module that exports no extension, naming what it expected', async () => {
    const message = await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, engines: ['analog'], pluginUrl: 'system/core/units.js' })}).then(() => 'no error', (e) => e.message)`);
    expect(message).toMatch(/expected 'profile'/);
    expect(await page.evaluate(`document.getElementById('error').textContent`)).toMatch(/expected 'profile'/);
  });
});
