import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { ParamValue, SweepFile, SweepPoint } from './sweep-file.js';
import { toolkitIdentity } from '../core/package-info.js';
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

/**
 * The toolkit's identity (core/package-info.ts `toolkitIdentity`: the version and a fingerprint of the built
 * code), part of every job's hash and checked by every queue worker.
 */
export const toolkitVersion = toolkitIdentity;

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
