import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../core/errors.js';
import { toolkitPackage } from '../core/package-info.js';

/**
 * The workbench site (web/): every file the page needs, by its path in the site, read from the installed
 * package: the page and its import map, the toolkit's System.register build (dist/web/system, `npm run
 * build`), SystemJS, uPlot and ml-matrix from node_modules, the bundled example and the example plugin.
 * `nla build-web` copies these files; `nla serve` serves them, so both sites are the same.
 */
export type WebSite = Map<string, string>;

/** The package's root (core/package-info.ts). */
export function packageRoot(): string {
  return toolkitPackage().root;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The site's files: site path (no leading slash) → file on disk. */
export function webSite(root: string = packageRoot()): WebSite {
  const build = join(root, 'dist', 'web', 'system');
  if (!existsSync(join(build, 'web', 'page.js'))) throw new UsageError(`the page's build is missing (${join(build, 'web', 'page.js')}): run npm run build`);
  const req = createRequire(join(root, 'package.json'));
  const site: WebSite = new Map();
  for (const name of ['index.html', 'importmap.json', 'worker-boot.js']) site.set(name, join(root, 'web', name));
  site.set('vendor/system.js', req.resolve('systemjs/dist/system.js'));
  site.set('vendor/amd.js', req.resolve('systemjs/dist/extras/amd.js'));
  site.set('vendor/uPlot.iife.min.js', req.resolve('uplot/dist/uPlot.iife.min.js'));
  site.set('vendor/uPlot.min.css', req.resolve('uplot/dist/uPlot.min.css'));
  // the spice engine's ngspice (its package exports no path to this file, so it is found the way emulator/spice/run.ts finds it)
  site.set('vendor/eecircuit-engine.mjs', (req.resolve.paths('eecircuit-engine') ?? []).map((d) => join(d, 'eecircuit-engine', 'dist', 'eecircuit-engine.mjs')).find((f) => existsSync(f)) ?? 'node_modules/eecircuit-engine/dist/eecircuit-engine.mjs (not installed)');
  site.set('vendor/ml-matrix.umd.js', join(dirname(req.resolve('ml-matrix')), 'matrix.umd.js'));
  for (const f of filesUnder(build)) if (f.endsWith('.js')) site.set(`system/${relative(build, f).split('\\').join('/')}`, f);
  for (const f of ['examples/teacher/network.json', 'examples/teacher/input.csv', 'examples/teacher/target.csv']) site.set(f, join(root, f));
  for (const f of filesUnder(join(root, 'examples', 'web-plugin'))) site.set(relative(root, f).split('\\').join('/'), f);
  for (const [path, file] of site) if (!existsSync(file)) throw new UsageError(`the site's ${path} is missing: ${file}`);
  return site;
}

/** The Content-Type of a site file by its extension. */
export function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', json: 'application/json', css: 'text/css', csv: 'text/csv; charset=utf-8' }[ext] ?? 'application/octet-stream';
}
