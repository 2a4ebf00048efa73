import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed toolkit's package: its root folder (where package.json is) and its version. */
export interface ToolkitPackage {
  root: string;
  version: string;
}

let found: ToolkitPackage | undefined;

/**
 * The nearest folder above this module whose package.json is the toolkit's (`nla-toolkit`): the repository
 * root when run from source or from dist/, the package's folder when installed. Throws (an internal error)
 * when there is none: the toolkit's files were copied without their package.json.
 */
export function toolkitPackage(): ToolkitPackage {
  if (found) return found;
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
    const f = join(dir, 'package.json');
    if (!existsSync(f)) continue;
    const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'nla-toolkit' && typeof pkg.version === 'string') return (found = { root: dir, version: pkg.version });
  }
  throw new Error(`internal: no package.json of nla-toolkit above ${here}`);
}

/** The folders of the built toolkit whose code decides a command's result (dist/bench and dist/test do not). */
export const CODE_FOLDERS = ['api', 'cli', 'compiler', 'core', 'emulator', 'experiments', 'hardware-models', 'host', 'report', 'sweep'];

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** sha256 over `path NUL sha256(contents) LF` of every .js file under dir's CODE_FOLDERS, sorted by path. */
export function codeFingerprint(dir: string): string {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.js')) files.push(r);
    }
  };
  for (const f of CODE_FOLDERS) if (existsSync(join(dir, f))) walk(f);
  return sha256(files.sort().map((f) => `${f}\0${sha256(readFileSync(join(dir, f)))}\n`).join(''));
}

let identity: string | undefined;

/**
 * The toolkit's identity: the package version and the first 12 hex digits of a fingerprint of the code
 * that runs (codeFingerprint of the build, dist/). The version alone stays the same from commit to
 * commit, so whatever must not mix two builds (a sweep's stored results, a resumed checkpoint) keys on this.
 */
export function toolkitIdentity(): string {
  // dist/core/package-info.js → dist/; run from source → the repository root
  identity ??= `${toolkitPackage().version}+${codeFingerprint(fileURLToPath(new URL('../', import.meta.url))).slice(0, 12)}`;
  return identity;
}
