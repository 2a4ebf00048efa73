import type { SpecIssue } from './errors.js';

/**
 * Collects validation issues while walking a JSON value. Each check names the JSON path and what was
 * expected; a failed check records an issue and returns undefined so the walk can go on and report
 * every problem at once.
 */
export class Checker {
  readonly issues: SpecIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(path: string, v: unknown): Record<string, unknown> | undefined {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.fail(path, `expected an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  array(path: string, v: unknown): unknown[] | undefined {
    if (!Array.isArray(v)) return this.fail(path, `expected an array, got ${describe(v)}`);
    return v;
  }

  /** Reports fields of `obj` that are not in `allowed`, suggesting the closest allowed name. */
  onlyFields(path: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const guess = closest(key, allowed);
      this.fail(join(path, key), `unknown field${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: ${allowed.join(', ')}`);
    }
  }

  string(path: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || v === '') return this.fail(path, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(path: string, v: unknown, options: readonly T[]): T | undefined {
    if (typeof v !== 'string' || !options.includes(v as T)) {
      const guess = typeof v === 'string' ? closest(v, options) : undefined;
      return this.fail(
        path,
        `expected one of ${options.map((o) => `'${o}'`).join(', ')}, got ${describe(v)}${guess ? ` (did you mean '${guess}'?)` : ''}`,
      );
    }
    return v as T;
  }

  boolean(path: string, v: unknown, fallback: boolean): boolean {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') {
      this.fail(path, `expected true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  number(
    path: string,
    v: unknown,
    rule: { min?: number; max?: number; positive?: boolean; integer?: boolean; unit?: string } = {},
  ): number | undefined {
    const unit = rule.unit ? ` (${rule.unit})` : '';
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, `expected a finite number${unit}, got ${describe(v)}`);
    if (rule.integer && !Number.isInteger(v)) return this.fail(path, `expected an integer${unit}, got ${v}`);
    if (rule.positive && !(v > 0)) return this.fail(path, `expected a number > 0${unit}, got ${v}`);
    if (rule.min !== undefined && v < rule.min) return this.fail(path, `expected a number ≥ ${rule.min}${unit}, got ${v}`);
    if (rule.max !== undefined && v > rule.max) return this.fail(path, `expected a number ≤ ${rule.max}${unit}, got ${v}`);
    return v;
  }

  /** Like `number`, but an absent value gives `fallback`. */
  optionalNumber(path: string, v: unknown, fallback: number, rule: Parameters<Checker['number']>[2] = {}): number {
    if (v === undefined) return fallback;
    return this.number(path, v, rule) ?? fallback;
  }

  /** A dense matrix of finite numbers with exactly `rows`×`cols` entries. `source` names a side file. */
  matrix(path: string, v: unknown, rows: number, cols: number, source?: string): number[][] | undefined {
    const where = source ? ` (from ${source})` : '';
    if (!Array.isArray(v) || v.some((r) => !Array.isArray(r))) {
      return this.fail(path, `expected a matrix (an array of rows)${where}, got ${describe(v)}`);
    }
    const m = v as unknown[][];
    const gotCols = m.length ? m[0]!.length : 0;
    const ragged = m.findIndex((r) => r.length !== gotCols);
    if (ragged >= 0) return this.fail(`${path}[${ragged}]`, `expected ${gotCols} entries like row 0${where}, got ${m[ragged]!.length}`);
    if (m.length !== rows || gotCols !== cols) {
      return this.fail(path, `expected ${rows}×${cols}${where}, got ${m.length}×${gotCols}`);
    }
    for (let i = 0; i < m.length; i++) {
      const j = m[i]!.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
      if (j >= 0) return this.fail(`${path}[${i}][${j}]`, `expected a finite number${where}, got ${describe(m[i]![j])}`);
    }
    return m as number[][];
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** The allowed name closest to `s` by edit distance, when it is close enough to be a likely typo. */
export function closest(s: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(s.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return bestD <= Math.max(2, Math.floor(s.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
