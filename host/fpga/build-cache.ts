import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A binary built once into `dir` (a folder named by the hash of everything it is built from) and reused: `build` runs
 * into a temporary folder beside it, which is renamed into place only when the build succeeded (a failed build leaves
 * nothing behind; a concurrent run that finished first wins, and this one's folder is dropped). Returns `dir/name`.
 */
export function cachedBuild(dir: string, name: string, build: (tmp: string) => void): string {
  const bin = join(dir, name);
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    build(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true }); // no half-built folder left behind
    throw e;
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run built it first
  }
  return bin;
}
