/** Small helpers on Float64Array vectors. */

/** max |a_i| over [start, end); NaN if any entry is NaN. */
export function maxAbs(a: Float64Array, start = 0, end = a.length): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
    else if (v !== v) return NaN;
  }
  return m;
}

/** Index of the first non-finite entry in [start, end), or −1. */
export function firstNonFinite(a: Float64Array, start = 0, end = a.length): number {
  for (let i = start; i < end; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/**
 * Largest of `values` (−Infinity when empty; NaN if any is NaN). Unlike `Math.max(...values)` it takes
 * arrays of any length: a spread pushes every value on the stack and throws a RangeError at about 10⁵.
 */
export function maxOf(values: Iterable<number>): number {
  let m = -Infinity;
  for (const v of values) {
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Smallest of `values` (Infinity when empty; NaN if any is NaN); any length, see `maxOf`. */
export function minOf(values: Iterable<number>): number {
  let m = Infinity;
  for (const v of values) {
    if (v !== v) return NaN;
    if (v < m) m = v;
  }
  return m;
}

/** max |x| over a matrix given as rows (0 when empty); any size. */
export function maxAbsOfRows(rows: ReadonlyArray<ArrayLike<number>>): number {
  let m = 0;
  for (const row of rows) for (let i = 0; i < row.length; i++) m = Math.max(m, Math.abs(row[i]!));
  return m;
}
