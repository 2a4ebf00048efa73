import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/** A matrix side file a network spec names (`"weights": { "file": "w1.csv" }`), as written and where it lies. */
export interface SideFileRef {
  /** The path as the spec writes it (relative to the spec's folder, or absolute). */
  ref: string;
  /** Where it is on this machine. */
  path: string;
  /** The JSON path of the reference in the spec (`projections[0].weights`), for messages. */
  where: string;
}

/**
 * The side files of a network spec file (compiler/spec/load.ts reads the same fields): a job's result depends
 * on their contents as much as on the spec's, so the job's hash covers them and a queued job carries them.
 * A file that is not a JSON object with `projections` has none. A side file that does not exist is refused
 * here, naming the spec and the field, before any job runs.
 */
export function sideFiles(specPath: string): SideFileRef[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(specPath, 'utf8'));
  } catch {
    return [];
  }
  const projections = raw && typeof raw === 'object' ? (raw as { projections?: unknown }).projections : undefined;
  if (!Array.isArray(projections)) return [];
  const refs: SideFileRef[] = [];
  projections.forEach((p, k) => {
    for (const key of ['weights', 'mask'] as const) {
      const ref = p && typeof p === 'object' ? ((p as Record<string, unknown>)[key] as { file?: unknown } | undefined) : undefined;
      if (!ref || typeof ref !== 'object' || typeof ref.file !== 'string') continue;
      const path = isAbsolute(ref.file) ? ref.file : resolve(dirname(specPath), ref.file);
      const where = `projections[${k}].${key}`;
      if (!existsSync(path)) throw new InputError(`${where} names the side file '${ref.file}', which does not exist (${path})`, specPath);
      refs.push({ ref: ref.file, path, where });
    }
  });
  return refs;
}

/**
 * The spec's JSON text with each side-file reference replaced by a new name (same order as sideFiles()):
 * how a queue worker points a spec at the side files it wrote beside it.
 */
export function withSideFilesRenamed(specText: string, names: readonly string[]): string {
  const raw = JSON.parse(specText) as { projections: Array<Record<string, { file?: string } | undefined>> };
  let k = 0;
  for (const p of raw.projections) {
    for (const key of ['weights', 'mask'] as const) {
      const ref = p && typeof p === 'object' ? p[key] : undefined;
      if (ref && typeof ref === 'object' && typeof ref.file === 'string') ref.file = names[k++]!;
    }
  }
  if (k !== names.length) throw new Error(`the spec names ${k} side files, the job carries ${names.length}`);
  return JSON.stringify(raw);
}
