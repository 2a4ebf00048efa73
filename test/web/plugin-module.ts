import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../cli/run-nla.js';

/**
 * A workbench plugin module (System.register format, no imports) run in Node: its `execute` body runs with
 * a stand-in `System.register`, and its exports are returned, so Node registers the very objects the page
 * registers (test helper: the examples under examples/web-plugin/ import nothing).
 */
export function pluginExports(path: string): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  const System = {
    register: (deps: string[], body: (e: (k: string, v: unknown) => void) => { execute(): void }) => {
      if (deps.length) throw new Error(`${path}: this helper runs plugins without imports, got ${deps.join(', ')}`);
      body((k, v) => (exported[k] = v)).execute();
    },
  };
  new Function('System', readFileSync(join(root, path), 'utf8'))(System);
  return exported;
}
