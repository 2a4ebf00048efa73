import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParamValue, SweepFile, SweepPoint } from './sweep-file.js';
import { toolkitPackage } from '../core/package-info.js';
import { sideFiles } from './side-files.js';
import { outputValueIndexes } from './job-artifacts.js';

/** A file argument of a job: the path as written and the sha256 of its contents (and of its side files'). */
export interface JobFile {
  arg: string;
  sha256: string;
  /** A network spec's side files (weights, masks), in the spec's order; absent when it has none. */
  side?: Array<{ ref: string; sha256: string }>;
}

/** One point of a sweep as a runnable job, identified by the hash of everything that decides its result. */
export interface SweepJob {
  hash: string;
  command: string;
  /** The command's arguments (fixed ones, then the point's options), without --json/--quiet. */
  args: string[];
  params: SweepPoint;
  files: JobFile[];
  version: string;
}

/** The folders of the built toolkit whose code decides a command's result (dist/bench and dist/test do not). */
export const CODE_FOLDERS = ['api', 'cli', 'compiler', 'core', 'emulator', 'experiments', 'hardware-models', 'host', 'report', 'sweep'];

/**
 * The toolkit's identity, part of every job's hash and checked by every queue worker: the package version
 * and the first 12 hex digits of a fingerprint of the code that runs, the sha256 over the sorted relative
 * paths and contents of every `.js` file in CODE_FOLDERS of the build (dist/). The version alone stays the
 * same from commit to commit, so a fixed engine would otherwise reuse results of the broken one.
 */
let identity: string | undefined;
export function toolkitVersion(): string {
  if (identity !== undefined) return identity;
  // dist/sweep/job.js → dist/; sweep/job.ts run from source → the repository root
  const distDir = fileURLToPath(new URL('../', import.meta.url));
  identity = `${toolkitPackage().version}+${codeFingerprint(distDir).slice(0, 12)}`;
  return identity;
}

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

/** The arguments one point adds: `--opt value`, a bare flag for true, nothing for false. */
export function pointArgs(point: SweepPoint): string[] {
  return Object.entries(point).flatMap(([k, v]: [string, ParamValue]) => (v === true ? [k] : v === false ? [] : [k, String(v)]));
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A file argument hashed by its contents, with a network spec's side files hashed beside it. */
function jobFile(arg: string): JobFile {
  const side = sideFiles(arg).map((f) => ({ ref: f.ref, sha256: sha256(readFileSync(f.path)) }));
  return { arg, sha256: sha256(readFileSync(arg)), ...(side.length ? { side } : {}) };
}

/**
 * The jobs of a sweep, one per point; every argument naming an existing file is hashed by its contents, except
 * the files the command writes (the values of output options: a previous run's output is not an input).
 */
export function sweepJobs(sweep: SweepFile, version = toolkitVersion()): SweepJob[] {
  return sweep.points.map((params) => {
    const args = [...sweep.args, ...pointArgs(params)];
    const outputs = outputValueIndexes(args);
    const files = [...new Set(args.filter((a, k) => !outputs.has(k) && isFile(a)))].map(jobFile);
    const hash = sha256(canonicalJson({ command: sweep.command, args, files, version }));
    return { hash, command: sweep.command, args, params, files, version };
  });
}
