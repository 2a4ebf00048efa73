import type { SweepPoint } from './sweep-file.js';
import type { JobRecord } from './job-store.js';

/** One row of the results table: the swept parameters, the hash, the status and the summary's numbers. */
export type ResultRow = Record<string, string | number | boolean>;

/** The numeric fields of a JSON value, nested keys joined with dots (`a.b`); arrays by index. */
export function numericFields(v: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof v === 'number' && Number.isFinite(v)) out[prefix] = v;
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) numericFields(x, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** Fields that measure the machine, not the model (they differ run to run): wall time and rates. */
export function isTimingField(name: string): boolean {
  return /wall|PerSecond|PerMinute|elapsed/i.test(name);
}

/** The table rows, one per point in sweep order. */
export function resultRows(points: SweepPoint[], records: JobRecord[]): ResultRow[] {
  return records.map((r, k) => ({ ...points[k], hash: r.hash, status: r.status, exitCode: r.exitCode, attempts: r.attempts, ...numericFields(r.json) }));
}

/** The columns: the parameters, hash, status, then every other field in first-seen order. */
export function resultColumns(parameters: string[], rows: ResultRow[]): string[] {
  const cols = [...parameters, 'hash', 'status', 'exitCode', 'attempts'];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

function csvCell(v: unknown): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV (header line, one line per row; missing fields empty). */
export function resultsCsv(columns: string[], rows: ResultRow[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}
