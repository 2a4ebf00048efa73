import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { driveFromFiles } from '../../cli/drive-files.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { digitalOptions } from '../../emulator/digital/engine.js';
import { runDigital } from '../../emulator/digital/run.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { simulatorRequest } from '../../emulator/engine-request.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import type { TraceTable } from '../../emulator/probes/recorder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';

// The package as another project sees it: the repository (tracked and new files, no dist/) is copied to a
// temporary folder and packed there (`npm pack` runs prepack, the build, so this also proves that the
// tarball does not depend on a dist/ built beforehand, and never rewrites this checkout's dist/ under the
// other tests' feet). A fresh ES-module project installs the tarball offline, from the npm cache that
// `npm ci` filled: its package-lock.json is the repository's, for the runtime dependencies. The example of
// docs/library.md is type-checked there under strict NodeNext and run; its numbers must be those of the
// repository's own simulators run directly (not through the engines the package exports), and the
// installed `nla` must print the repository's help.

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'nla-pack-'));
const src = join(work, 'src');
const app = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The repository's files a fresh clone with local changes would have: git's list, else a walk without build outputs. */
function sourceFiles(): string[] {
  const git = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root);
  if (git.status === 0) return git.stdout.split('\0').filter(Boolean);
  const skip = new Set(['node_modules', 'dist', 'out', 'build', '.git']);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((f) => !skip.has(f.split('/')[0]!));
}

/** The example block of docs/library.md (between its pack-test-example markers). */
function libraryExample(): string {
  const doc = readFileSync(join(root, 'docs/library.md'), 'utf8');
  const m = /<!-- pack-test-example: begin -->\n```ts\n([\s\S]*?)```\n<!-- pack-test-example: end -->/.exec(doc);
  if (!m) throw new Error('docs/library.md: no ```ts block between the pack-test-example markers');
  return m[1]!;
}

/** A consumer project whose lockfile pins the tarball and the repository's locked runtime dependencies (and @types/node). */
function writeConsumer(tarball: string, integrity: string): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; version?: string }> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string };
  const tgz = `file:${relative(app, tarball)}`;
  const typesNode = lock.packages['node_modules/@types/node']!;
  const manifest = { name: 'nla-consumer', private: true, type: 'module', dependencies: { 'nla-toolkit': tgz }, devDependencies: { '@types/node': typesNode.version } };
  const packages: Record<string, unknown> = {
    '': manifest,
    'node_modules/nla-toolkit': { version: pkg.version, resolved: tgz, integrity, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev) packages[path] = entry;
  for (const path of ['node_modules/@types/node', 'node_modules/undici-types']) packages[path] = lock.packages[path];
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2));
  const compilerOptions = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022'], types: ['node'], skipLibCheck: false, outDir: 'out' };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }, null, 2));
  writeFileSync(join(app, 'example.ts'), libraryExample());
}

/** Last value of every column, as the example prints it. */
function lastRow(t: TraceTable): Record<string, number> {
  return Object.fromEntries(t.names.map((n) => [n, t.column(n).at(-1)!]));
}

/** The example's numbers from the repository's sources: the simulators themselves, with the engines' defaults. */
function expectedNumbers() {
  const dir = join(root, 'examples/teacher');
  const graph = buildGraph(loadSpecFile(join(dir, 'network.json')));
  const drive = driveFromFiles(graph, { input: join(dir, 'input.csv'), interp: 'linear', target: join(dir, 'target.csv'), targetInterp: 'linear' });
  const req = simulatorRequest({ durationMs: 20, drive, probes: parseProbes('u:out', graph), sampleEveryMs: 5, weightsEveryMs: undefined });
  const digital = new DigitalSimulator(graph, digitalOptions({ init: 'rest', learn: false, seed: undefined }, { dt: '0.1ms' }));
  const analog = new AnalogSimulator(modelFromCircuit(compileCircuit(graph, loadProfile('opamp-board'))), { solver: 'auto', learn: false, init: 'rest', events: 'auto' });
  return { profiles: Object.keys(BUILTIN_PROFILES), digital: lastRow(runDigital(digital, req).traces), analog: lastRow(analog.run(req).traces) };
}

interface Packed {
  filename: string;
  integrity: string;
  files: Array<{ path: string }>;
}

describe('the packed package in a fresh project', () => {
  let packed: Packed;
  let files: string[];
  beforeAll(() => {
    for (const f of sourceFiles()) {
      mkdirSync(dirname(join(src, f)), { recursive: true });
      copyFileSync(join(root, f), join(src, f));
    }
    symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
    packed = (JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], src), 'npm pack')) as Packed[])[0]!;
    files = packed.files.map((f) => f.path);
  });

  it('ships the build, declarations, examples and CLI, and no bench, tests, maps or sources', () => {
    for (const f of ['bin/nla.js', 'dist/cli/nla.js', 'dist/api/index.js', 'dist/api/index.d.ts', 'examples/teacher/network.json', 'docs/library.md', 'README.md']) expect(files).toContain(f);
    const exportsMap = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> }).exports;
    for (const target of Object.values(exportsMap).flatMap((t) => (typeof t === 'string' ? [] : Object.values(t)))) expect(files, `exports target ${target}`).toContain(target.slice(2));
    const forbidden = files.filter((f) => /^(bench|test|dist\/bench|dist\/test)\//.test(f) || f.endsWith('.map') || f.endsWith('.tsbuildinfo') || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/')));
    expect(forbidden).toEqual([]);
  });

  it('installs offline, type-checks the documented example under strict NodeNext, and runs it with the repository\'s numbers', () => {
    writeConsumer(join(work, packed.filename), packed.integrity);
    const ci = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app);
    if (ci.status !== 0) ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app), `npm install (after npm ci --offline failed: ${ci.stderr.trim().split('\n')[0]})`);
    ok(run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], app), 'tsc (strict) on the example');
    const printed = JSON.parse(ok(run(process.execPath, ['out/example.js'], app), 'the example').trim()) as ReturnType<typeof expectedNumbers>;
    const want = expectedNumbers();
    expect(Object.keys(printed.digital)).toEqual(['cost', 'fmax', 'u:out[0]', 'u:out[1]', 'u:out[2]']);
    expect(printed).toEqual(want);
    // the two engines ran different things (the analog one a mismatched op-amp board): not one result twice
    expect(printed.analog['u:out[0]']).not.toBe(printed.digital['u:out[0]']);
  });

  it('installs the nla command: `npx nla --help` prints what the repository\'s CLI prints', () => {
    const help = ok(run('npx', ['--no-install', 'nla', '--help'], app), 'npx nla --help');
    expect(help).toMatch(/Commands:[\s\S]*simulate[\s\S]*compile[\s\S]*profiles/);
    expect(help).toBe(ok(run(process.execPath, [join(root, 'bin/nla.js'), '--help'], root), 'nla --help in the repository'));
  });
});
