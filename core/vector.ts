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
