import { existsSync, readFileSync } from 'node:fs';
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
