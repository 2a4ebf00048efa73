import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests that spawn `nla` (bin/nla.js runs dist/cli/nla.js) or import from dist/ run the compiled code,
// not the sources vitest transforms. This keeps dist/ in step with the sources: vitest runs it once per
// test run (globalSetup in vitest.config.ts), and test/cli/run-nla.ts's ensureBuilt() calls it too.
//
// Fresh means: dist/.sources-sha256 holds the hash of every file tsc compiles (the folders of
// tsconfig.json's `include`, and tsconfig.json), and every .ts source has its .js in dist/. Checking that
// costs a few tens of milliseconds; only when it fails does tsc run, incrementally
// (dist/tsconfig.tsbuildinfo), so it recompiles what changed.

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const stampFile = join(dist, '.sources-sha256');
const buildInfo = join(dist, 'tsconfig.tsbuildinfo');

function sourceFiles(): string[] {
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.isFile()) out.push(p);
    }
  };
  for (const inc of config.include) if (existsSync(join(root, inc))) walk(join(root, inc));
  return out.sort();
}

function sourcesHash(files: string[]): string {
  const h = createHash('sha256');
  for (const f of [join(root, 'tsconfig.json'), ...files]) {
    h.update(relative(root, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** The .ts sources whose compiled .js is missing from dist/ (declaration files have none). */
function missingOutputs(files: string[]): string[] {
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !existsSync(join(dist, relative(root, f)).replace(/\.ts$/, '.js')));
}

/** Brings dist/ up to date with the sources (incremental tsc) unless it already is. Returns whether it built. */
export function ensureDistFresh(): boolean {
  const files = sourceFiles();
  const hash = sourcesHash(files);
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (stamp === hash && missingOutputs(files).length === 0) return false;
  // tsc --incremental trusts its build info about outputs; outputs deleted by hand need a full emit
  if (missingOutputs(files).length > 0) rmSync(buildInfo, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--incremental', '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  // exit 2: type errors, JavaScript emitted anyway (dist/ matches the sources; `npm run build` reports them)
  if (r.status === 2) process.stderr.write(`dist/ rebuilt with type errors:\n${r.stdout}${r.stderr}`);
  else if (r.status !== 0) throw new Error(`building dist/ failed (tsc exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const missing = missingOutputs(files);
  if (missing.length) throw new Error(`building dist/ left out ${missing.slice(0, 5).map((f) => relative(root, f)).join(', ')}`);
  writeFileSync(stampFile, `${hash}\n`);
  return true;
}

/** vitest globalSetup: once per run, before any test file. */
export default function setup(): void {
  if (ensureDistFresh()) process.stderr.write('dist/ was stale: rebuilt it from the sources (tsc --incremental)\n');
}
