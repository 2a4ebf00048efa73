import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTimingField } from '../../sweep/results.js';

/** The bundled example's fixed arguments (paths relative to the repository root, where the CLI runs). */
export const FIXED = ['examples/teacher/network.json', '--engine', 'analog', '--duration', '20ms', '--input', 'examples/teacher/input.csv'];

/** Writes a sweep file into a fresh temp dir; returns its path and an output dir beside it. */
export function sweepFile(body: object): { file: string; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nla-sweep-'));
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(body));
  return { file, out: join(dir, 'out'), dir };
}

/** A row without the fields that measure the machine (wall time, rates) or the attempt count. */
export function modelFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !isTimingField(k) && k !== 'attempts'));
}
