import { UsageError } from '../core/errors.js';

/**
 * One numeric `--param key=value` of an experiment: `dflt` when the key is absent; otherwise the value
 * must be a finite number that `ok` accepts, or the run stops with a UsageError that names the key,
 * what was expected (`what`, e.g. "an integer from 1 to 10000") and what was given. Experiments read
 * every numeric parameter through this, so all of them fail the same way.
 */
export function numberParam(params: Record<string, string>, key: string, dflt: number, ok: (x: number) => boolean, what: string): number {
  const v = params[key];
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--param ${key}: expected ${what}, got '${v}'`);
  return x;
}

/** A positive number (a time, a rate, a learning rate). */
export function positiveParam(params: Record<string, string>, key: string, dflt: number, what = 'a positive number'): number {
  return numberParam(params, key, dflt, (x) => x > 0, what);
}

/** An integer in [lo, hi]. */
export function integerParam(params: Record<string, string>, key: string, dflt: number, lo: number, hi: number): number {
  return numberParam(params, key, dflt, (x) => Number.isInteger(x) && x >= lo && x <= hi, `an integer from ${lo} to ${hi}`);
}
