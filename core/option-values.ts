import { didYouMean } from './did-you-mean.js';
import { UsageError } from './errors.js';
import { parseTimeMs } from './units.js';

/**
 * Parsers of option values as a command line gives them (strings), shared by the CLI and the engine
 * factories. Each names the option in its UsageError and says what was expected.
 */

export function oneOf<T extends string>(v: string, options: readonly T[], what: string): T {
  if (!options.includes(v as T)) throw new UsageError(`${what}: expected one of ${options.join(', ')}, got '${v}'${didYouMean(v, options)}`);
  return v as T;
}

export function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: expected a positive integer, got '${v}'`);
  return n;
}

export function nonNegativeInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${what}: expected an integer ≥ 0, got '${v}'`);
  return n;
}

export function positiveNumber(v: string, what: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${what}: expected a positive number, got '${v}'`);
  return n;
}

/** A time with a unit (`0.1ms`, `2s`), > 0. */
export function positiveTimeMs(v: string, what: string): number {
  const t = parseTimeMs(v, what);
  if (!(t > 0 && Number.isFinite(t))) throw new UsageError(`${what}: expected a positive, finite time, got '${v}'`);
  return t;
}

/** A seed: a non-negative integer, or undefined when not given. */
export function optionalSeed(v: string | undefined, what = '--seed'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 0)) throw new UsageError(`${what}: expected a non-negative integer, got '${v}'`);
  return n;
}
