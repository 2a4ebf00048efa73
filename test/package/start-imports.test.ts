import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../cli/run-nla.js';

// Every `nla` command loads dist/cli/nla.js and everything it imports statically. The packages below cost
// 0.05–0.2 s each to load (a native binding, a WebAssembly module, a Redis client) and only a few commands
// need them, so they are imported where they are used (`await import(...)`). This walks the static import
// graph of the built CLI and fails if one of them is reachable from it, naming the chain.

const LAZY = ['serialport', 'bullmq', 'h5wasm/node', 'h5wasm', 'eecircuit-engine', 'puppeteer-core'];

/** The static `import … from '…'` / `export … from '…'` specifiers of an emitted ES module (not `import(…)`). */
function staticImports(js: string): string[] {
  const out: string[] = [];
  for (const m of js.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|^import\s+'([^']+)'/gms)) out.push((m[1] ?? m[2])!);
  return out;
}

/** Breadth-first over the relative static imports from `entry`: a package reached → the chain that reaches it. */
function reachablePackages(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[entry, [entry]]]);
  const packages = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    const chain = seen.get(file)!;
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const next = resolve(dirname(file), spec);
        if (!seen.has(next) && existsSync(next)) {
          seen.set(next, [...chain, next]);
          queue.push(next);
        }
      } else if (!spec.startsWith('node:') && !packages.has(spec)) packages.set(spec, chain);
    }
  }
  return packages;
}

describe('what every nla command loads at start', () => {
  it('reaches none of the heavy packages through static imports', () => {
    ensureBuilt();
    const packages = reachablePackages(join(root, 'dist/cli/nla.js'));
    // the walk is real: the CLI's own packages are found
    expect([...packages.keys()]).toEqual(expect.arrayContaining(['commander', 'ml-matrix']));
    const heavy = LAZY.filter((p) => packages.has(p)).map((p) => `${p} via ${packages.get(p)!.map((f) => f.replace(root, '')).join(' → ')}`);
    expect(heavy).toEqual([]);
  });

  it('finds a static import of a heavy package when there is one', () => {
    expect(staticImports("import { SerialPort } from 'serialport';\nconst x = await import('bullmq');\nexport { a } from './a.js';\nimport './side.js';")).toEqual(['serialport', './a.js', './side.js']);
  });
});
