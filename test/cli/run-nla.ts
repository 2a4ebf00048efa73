import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (the CLI runs there). */
export const root = new URL('../../', import.meta.url).pathname;

/** Runs `nla …` as a separate process (bin/nla.js on the built dist/), with exit code, stdout and stderr. */
export function nla(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/nla.js'), ...args], { encoding: 'utf8', cwd: root, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Builds dist/ when it is missing (vitest alone does not compile the CLI the tests spawn). */
export function ensureBuilt(): void {
  if (existsSync(join(root, 'dist/cli/nla.js'))) return;
  const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
}
