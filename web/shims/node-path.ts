/**
 * `node:path` in the page: the POSIX functions the toolkit's loaders use (side files next to a spec), on the
 * page's file table's paths (web/shims/node-fs.ts). There is no working directory: relative stays relative.
 */
import { normalizePath } from './node-fs.js';

export const sep = '/';

export function dirname(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

export function basename(path: string, ext?: string): string {
  const base = path.replace(/\/+$/, '').slice(path.replace(/\/+$/, '').lastIndexOf('/') + 1);
  return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
}

export function extname(path: string): string {
  const base = basename(path);
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i);
}

export function join(...parts: string[]): string {
  return normalizePath(parts.filter((p) => p !== '').join('/')) || '.';
}

/** Like Node's, without a working directory: the last absolute part starts the path. */
export function resolve(...parts: string[]): string {
  let start = 0;
  parts.forEach((p, i) => {
    if (p.startsWith('/')) start = i;
  });
  return join(...parts.slice(start));
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}
