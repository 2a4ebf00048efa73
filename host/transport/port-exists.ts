import { existsSync } from 'node:fs';

/**
 * Nothing is at the serial device path the user named (no board plugged in, a typo, a virtual board
 * not started). The CLI exits 4 (a board or line problem) with the path, at once, rather than retrying
 * the open until a timeout as it does for a device that exists but is not ready.
 */
export class NoSuchPortError extends Error {
  constructor(
    readonly path: string,
    readonly option: string,
  ) {
    super(`${option} ${path}: no such device (nothing at that path; list the serial ports with 'nla ports', or start a virtual board with 'nla board virtual')`);
    this.name = 'NoSuchPortError';
  }
}

/** Throws NoSuchPortError when nothing exists at `path` (a symlink counts when its target exists). */
export function requirePort(path: string, option = '--port'): void {
  if (!existsSync(path)) throw new NoSuchPortError(path, option);
}
