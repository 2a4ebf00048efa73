import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureDistFresh } from '../build-dist.js';

/** The repository root (the CLI runs there). */
export const root = new URL('../../', import.meta.url).pathname;

/** Runs `nla …` as a separate process (bin/nla.js on the built dist/), with exit code, stdout and stderr. */
export function nla(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/nla.js'), ...args], { encoding: 'utf8', cwd: root, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Makes sure dist/, which the spawned CLI runs, is built from the current sources, not merely present
 * (test/build-dist.ts; vitest's globalSetup has normally done it already, and then this only checks).
 */
export function ensureBuilt(): void {
  ensureDistFresh();
}
