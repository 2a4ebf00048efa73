import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEngine } from '../../cli/engines.js';
import { registerComponentModel } from '../../hardware-models/components/component-models.js';
import { registerStimulusGenerator } from '../../emulator/stimulus/generators.js';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { hasChromium, launchChromium } from '../chromium.js';
import { pluginExports } from './plugin-module.js';
import { ensureWebBuilt, openWorkbench, runPage, staticServer, type PageRun } from './site.js';

// Component-model and stimulus plugins loaded through SystemJS in Chromium change the page's result exactly
// as the same module does in Node: there the test registers the module's export in the same registry
// (registerComponentModel / registerStimulusGenerator) and runs the CLI's library path (cli/engines.ts
// runEngine, as `nla simulate`). The example component model (a membrane with twice the leak) and the sine
// stimulus each move the traces far from the plain run; the page and Node agree to the bit on the component
// model (the toolkit's own functions are core/libm's) and to 1e-12 on the sine (the plugin's own Math.sin
// is the browser's, which may differ from Node's in the last bit). Broken plugins — a syntax error,
// a malformed export, no extension export, a URL that is not there — are refused naming the plugin and
// what is wrong, with no result.

const DURATION_MS = 150;
const ex = join(root, 'examples/teacher');
const base = { source: 'example', durationMs: DURATION_MS, dtMs: 0.1, profile: 'ideal', seed: 1, learn: false, tolerance: null, targetUrl: null, eventsUrl: null };
const nodeRun = { duration: `${DURATION_MS}ms`, input: join(ex, 'input.csv'), learn: false, seed: '1', init: 'rest', quiet: true };

/** The file input's handle (the test's types have no DOM). */
type FileInput = ElementHandle<never> & { uploadFile(...paths: string[]): Promise<void> };

function maxAbsDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c]!.length; i++) worst = Math.max(worst, Math.abs(a[c]![i]! - b[c]![i]!));
  return worst;
}

function columnsOf(t: { names: readonly string[]; columnAt(i: number): Float64Array }): number[][] {
  return t.names.map((_, i) => [...t.columnAt(i)]);
}

const BROKEN: Record<string, string> = {
  'syntax-error.js': "System.register([], function (_export) { return { execute: function () { _export('stimulus', { name: 'x', rate: function (t) { return t +; } }); } }; });",
  'no-rate.js': "System.register([], function (_export) { return { execute: function () { _export('stimulus', { name: 'flat', value: 0.2 }); } }; });",
  'wrong-component.js': "System.register([], function (_export) { return { execute: function () { _export('componentModel', { component: 'synapse', name: 's', population: function () {} }); } }; });",
  'unused-model.js': "System.register([], function (_export) { return { execute: function () { _export('componentModel', { component: 'membrane', name: 'm2', population: function () {} }); _export('profile', { format: 'nla-profile/1', name: 'p2', extends: 'ideal' }); } }; });",
  'no-extension.js': "System.register([], function (_export) { return { execute: function () { _export('rate', function () { return 0; }); } }; });",
};

describe.skipIf(!hasChromium)('component-model and stimulus plugins in the workbench, against Node', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let server: { url: string; close: () => Promise<void> };
  let plain: PageRun;
  const tmp = mkdtempSync(join(tmpdir(), 'nla-web-plugins-'));
  const site = join(tmp, 'site');

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    const built = nla(['build-web', '--out', site]);
    expect(built.code, built.err).toBe(0);
    mkdirSync(join(site, 'broken'));
    for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(site, 'broken', name), text);
    server = await staticServer(site);
    browser = await launchChromium();
    ({ page, errors } = await openWorkbench(browser, server.url));
    plain = await runPage(page, { ...base, pluginUrl: null });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the analog engine on the component model, as Node does with the same module', async () => {
    const page1 = await runPage(page, { ...base, engines: ['analog'], pluginUrl: 'examples/web-plugin/leaky-membrane.js' });
    expect(page1.plugin).toMatchObject({ name: 'leaky-membrane', kinds: ['componentModel'] });
    const web = page1.runs.analog!;
    expect(web.summary.profile).toBe('ideal+leaky-membrane');
    registerComponentModel(pluginExports('examples/web-plugin/leaky-membrane.js').componentModel, 'leaky-membrane.js');
    const profile = join(tmp, 'ideal+leaky-membrane.json');
    writeFileSync(profile, JSON.stringify({ format: 'nla-profile/1', name: 'ideal+leaky-membrane', extends: 'ideal', membrane: { model: 'leaky-membrane' } }));
    const node = await runEngine('analog', join(ex, 'network.json'), { ...nodeRun, profile });
    expect(web.names).toEqual([...node.traces.names]);
    expect(web.timeMs).toEqual([...node.traces.time()]);
    const moved = maxAbsDiff(web.columns, plain.runs.analog!.columns);
    const agree = maxAbsDiff(web.columns, columnsOf(node.traces));
    expect(moved).toBeGreaterThan(1e-2);
    expect(agree).toBe(0);
    expect(errors).toEqual([]);
  });

  it('runs both engines on the stimulus generator in place of the input CSV, as Node does with the same module', async () => {
    const page1 = await runPage(page, { ...base, pluginUrl: 'examples/web-plugin/sine-stimulus.js' });
    expect(page1.plugin).toMatchObject({ name: 'sine', kinds: ['stimulus'] });
    expect(page1.runs.analog!.summary.profile).toBe('ideal');
    registerStimulusGenerator(pluginExports('examples/web-plugin/sine-stimulus.js').stimulus, 'sine-stimulus.js');
    for (const engine of ['digital', 'analog'] as const) {
      const options = engine === 'digital' ? { dt: '0.1ms' } : { profile: 'ideal' };
      const node = await runEngine(engine, join(ex, 'network.json'), { ...nodeRun, input: undefined, stimulus: 'sine', ...options });
      const web = page1.runs[engine]!;
      expect(web.names).toEqual([...node.traces.names]);
      expect(maxAbsDiff(web.columns, plain.runs[engine]!.columns), engine).toBeGreaterThan(1e-2);
      expect(maxAbsDiff(web.columns, columnsOf(node.traces)), engine).toBeLessThan(1e-12);
    }
  });

  it('loads a plugin from a picked file the same way', async () => {
    await ((await page.$('#plugin-file')) as FileInput).uploadFile(join(root, 'examples/web-plugin/sine-stimulus.js'));
    const picked = (await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, engines: ['digital'] })})`)) as PageRun;
    const byUrl = await runPage(page, { ...base, engines: ['digital'], pluginUrl: 'examples/web-plugin/sine-stimulus.js' });
    expect(picked.plugin?.name).toBe('sine');
    expect(picked.runs.digital!.columns).toEqual(byUrl.runs.digital!.columns);
  });

  const refusal = async (pluginUrl: string): Promise<string> => {
    const message = (await page.evaluate(`window.nla.run(${JSON.stringify({ ...base, engines: ['analog'], pluginUrl })}).then(() => 'no error', (e) => e.message)`)) as string;
    expect(await page.evaluate(`document.getElementById('error').textContent`)).toBe(message);
    return message;
  };

  it('refuses broken plugins naming the URL and what is wrong', async () => {
    const url = (name: string) => `${server.url}broken/${name}`;
    expect(await refusal('broken/syntax-error.js')).toMatch(new RegExp(`^plugin ${url('syntax-error.js')}: the module did not load .*: .*(Unexpected|SyntaxError|token)`, 's'));
    expect(await refusal('broken/no-rate.js')).toBe(`plugin ${url('no-rate.js')} (export 'stimulus'): 'rate' must be a function (tMs, channel, channels) → rate, got undefined`);
    expect(await refusal('broken/wrong-component.js')).toMatch(new RegExp(`^plugin ${url('wrong-component.js')} \\(export 'componentModel'\\): 'component' must be 'membrane'`));
    expect(await refusal('broken/no-extension.js')).toMatch(new RegExp(`^plugin ${url('no-extension.js')}: exports rate; expected 'profile' .*'componentModel' .*'stimulus'`));
    expect(await refusal('broken/unused-model.js')).toMatch(new RegExp(`^plugin ${url('unused-model.js')}: exports a component model 'm2' and a profile whose membrane.model is not set`));
    expect(await refusal('broken/not-there.js')).toBe(`plugin ${url('not-there.js')}: the module did not load: ${url('not-there.js')} answered 404 Not Found`);
    // the page still runs after the refusals
    const again = await runPage(page, { ...base, engines: ['digital'], pluginUrl: null });
    expect(again.runs.digital!.columns).toEqual(plain.runs.digital!.columns);
  });
});
