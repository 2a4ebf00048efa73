import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dir/.sweep.lock` for this process: two sweeps writing into one folder would run shared jobs twice
 * into the same jobs/<hash>/ and write the table over each other. A lock whose process is gone (a sweep that
 * was killed) is taken over. Returns the release function.
 */
export function lockSweepDir(dir: string): () => void {
  const path = join(dir, '.sweep.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new InputError(`another nla sweep (pid ${pid}) is writing into this folder; wait for it, or give another --out`, dir);
      rmSync(path, { force: true }); // its sweep is gone
    }
  }
  throw new InputError('cannot take the sweep lock', path);
}
