import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla } from '../cli/run-nla.js';
import { ensureWebBuilt, startServe } from './site.js';

// `nla serve` and `nla build-web` at the command line: the site served on the loopback interface (the page,
// its import map, the build, SystemJS, the example), 404 for anything else, and bad input refused (exit 2).

describe('nla serve', () => {
  let serve: { url: string; stop: () => void };
  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    serve = await startServe();
  });
  afterAll(() => serve?.stop());

  it('serves the page, its import map, the build, SystemJS and the example on 127.0.0.1', async () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(serve.url);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(await index.text()).toContain('systemjs-importmap');
    const map = (await (await fetch(new URL('importmap.json', serve.url))).json()) as { imports: Record<string, string> };
    expect(Object.keys(map.imports)).toEqual(expect.arrayContaining(['nla/', 'node:fs', 'ml-matrix']));
    for (const path of ['system/web/page.js', 'system/core/kernels/wasm-kernels.js', 'vendor/system.js', 'examples/teacher/input.csv']) expect((await fetch(new URL(path, serve.url))).status, path).toBe(200);
    expect((await fetch(new URL('package.json', serve.url))).status).toBe(404);
    expect((await fetch(new URL('../../etc/passwd', serve.url))).status).toBe(404);
  });

  it('refuses a bad port and a taken one with exit 2', async () => {
    for (const bad of ['70000', 'abc', '-1']) {
      const r = nla(['serve', '--port', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/--port: expected a whole number from 0 to 65535/);
    }
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const r = nla(['serve', '--port', String(port)]);
    taken.close();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`--port ${port}: the port is taken`));
  });

  it('build-web needs --out', () => {
    const r = nla(['build-web']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out/);
  });
});
