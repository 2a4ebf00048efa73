/**
 * The Python the interop tests drive: Debian's /usr/bin/python3 with numpy, pandas and h5py (what `.ci/run`
 * installs), else a `python3` on the PATH that has them. `null` when none has them: the interop tests then fail
 * with that message rather than pass without having run.
 */
import { spawnSync } from 'node:child_process';

const MODULES = ['numpy', 'pandas', 'h5py'];

function hasModules(exe: string): boolean {
  const r = spawnSync(exe, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
  return r.status === 0;
}

let found: string | null | undefined;

/** The path of a Python 3 that imports numpy, pandas and h5py, or null. */
export function pythonWithNumpy(): string | null {
  if (found === undefined) found = ['/usr/bin/python3', 'python3'].find(hasModules) ?? null;
  return found;
}

/** Runs `code` in that Python (arguments in sys.argv[1:]); throws with its stderr when it fails. */
export function runPython(code: string, args: string[] = [], cwd?: string): string {
  const py = pythonWithNumpy();
  if (!py) throw new Error(`no python3 with ${MODULES.join(', ')} (install python3-numpy python3-pandas python3-h5py)`);
  const r = spawnSync(py, ['-c', code, ...args], { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}
