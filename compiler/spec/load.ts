import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseNumericCsv } from '../../core/csv.js';
import { InputError } from '../../core/errors.js';
import { readJsonFile } from '../../core/json-file.js';
import type { ResolvedSpec } from './format.js';
import { validateSpec } from './validate.js';

/**
 * Loads a spec file: parses its JSON, reads every side file it names (`"weights": { "file": "w1.csv" }`,
 * relative to the spec's folder), then validates. Side files are CSV (numbers only, no header, one row
 * per postsynaptic neuron) or JSON (an array of rows).
 */
export function loadSpecFile(file: string): ResolvedSpec {
  const raw = readJsonFile(file);
  attachSideFiles(raw, dirname(file));
  return validateSpec(raw, file);
}

function attachSideFiles(raw: unknown, baseDir: string): void {
  if (!raw || typeof raw !== 'object') return;
  const projections = (raw as { projections?: unknown }).projections;
  if (!Array.isArray(projections)) return;
  for (const p of projections) {
    if (!p || typeof p !== 'object') continue;
    for (const key of ['weights', 'mask'] as const) {
      const ref = (p as Record<string, unknown>)[key] as { file?: unknown } | undefined;
      if (ref && typeof ref === 'object' && !Array.isArray(ref) && typeof ref.file === 'string') {
        (ref as { rows?: number[][] }).rows = readMatrixFile(resolve(baseDir, ref.file));
      }
    }
  }
}

/** Reads a matrix side file (CSV without header, or JSON array of rows). */
export function readMatrixFile(path: string): number[][] {
  if (extname(path).toLowerCase() === '.json') {
    const v = readJsonFile(path);
    if (!Array.isArray(v)) throw new InputError('expected a JSON array of rows', path);
    return v as number[][];
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read matrix file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  const table = parseNumericCsv(text, { file: path, header: false });
  return Array.from({ length: table.rows }, (_, r) => table.columns.map((col) => col[r]!));
}
