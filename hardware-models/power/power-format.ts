/**
 * Engineering formats for the power reports: a number with an SI prefix and its unit, three significant
 * digits (`1.2 µW`, `350 pJ`, `0.25 mm²`). Areas go to mm² or µm², never to a prefixed m² (cm², mm², µm²).
 */

const PREFIXES: Array<[number, string]> = [
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
  [1e-18, 'a'],
];

/** `x` in `unit` with the largest SI prefix (down to atto) that keeps it ≥ 1; 0 is `0 unit`. */
export function fmtSi(x: number, unit: string): string {
  if (x === 0) return `0 ${unit}`;
  if (Math.abs(x) >= 1e3 && unit !== 'A') return `${Number((x / 1e3).toPrecision(3))} k${unit}`;
  for (const [scale, prefix] of PREFIXES) if (Math.abs(x) >= scale) return `${Number((x / scale).toPrecision(3))} ${prefix}${unit}`;
  return `${x.toPrecision(3)} ${unit}`;
}

/** Power, watt. */
export const fmtW = (w: number): string => fmtSi(w, 'W');
/** Energy, joule. */
export const fmtJ = (j: number): string => fmtSi(j, 'J');
/** Current, ampere. */
export const fmtA = (a: number): string => fmtSi(a, 'A');

/** Area in m², written in cm² from 1 cm² up, in mm² from 0.01 mm² up, else in µm². */
export function fmtM2(m2: number): string {
  if (m2 >= 1e-4) return `${Number((m2 * 1e4).toPrecision(3))} cm²`;
  if (m2 >= 1e-8) return `${Number((m2 * 1e6).toPrecision(3))} mm²`;
  return `${Number((m2 * 1e12).toPrecision(3))} µm²`;
}
