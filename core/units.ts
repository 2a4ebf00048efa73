import { UsageError } from './errors.js';

const TIME_UNITS_MS: Record<string, number> = { s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6, min: 60_000 };

/**
 * Parses a duration such as `0.1ms`, `5ms`, `2s`, `250us` into milliseconds (the engine's time unit).
 * A bare number is taken as milliseconds. `what` names the option in the error message.
 */
export function parseTimeMs(text: string, what = 'time'): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zµ]*)\s*$/.exec(text);
  if (!m) throw new UsageError(`${what}: expected a time such as 0.1ms, 5ms or 2s, got '${text}'`);
  const value = Number(m[1]);
  const unit = m[2] === '' ? 'ms' : m[2]!;
  const scale = TIME_UNITS_MS[unit];
  if (scale === undefined) {
    throw new UsageError(`${what}: unknown time unit '${unit}' in '${text}' (use s, ms, us or ns)`);
  }
  return value * scale;
}

/** Formats milliseconds compactly with a unit (`2 s`, `0.1 ms`). */
export function formatTimeMs(ms: number): string {
  if (Math.abs(ms) >= 1000) return `${Number((ms / 1000).toPrecision(6))} s`;
  if (Math.abs(ms) >= 1 || ms === 0) return `${Number(ms.toPrecision(6))} ms`;
  return `${Number((ms * 1000).toPrecision(6))} µs`;
}

/**
 * The number of steps of `dtMs` in `durationMs`, refused (UsageError naming both options) when the run
 * would take no step or when dt does not divide the duration (to 1e-9 relative): a run is never silently
 * shortened or lengthened to the grid.
 */
export function wholeSteps(durationMs: number, dtMs: number, names = { duration: '--duration', dt: '--dt' }): number {
  if (!(dtMs > 0)) throw new UsageError(`${names.dt}: expected a positive time step, got ${dtMs} ms`);
  if (!(durationMs > 0)) throw new UsageError(`${names.duration}: expected a positive time, got ${durationMs} ms`);
  if (dtMs > durationMs) throw new UsageError(`${names.dt} ${formatTimeMs(dtMs)} is longer than ${names.duration} ${formatTimeMs(durationMs)}: the run would take no step`);
  const n = Math.round(durationMs / dtMs);
  if (Math.abs(n * dtMs - durationMs) > 1e-9 * durationMs) {
    const lo = Math.floor(durationMs / dtMs) * dtMs;
    throw new UsageError(
      `${names.duration} ${formatTimeMs(durationMs)} is not a whole number of ${names.dt} ${formatTimeMs(dtMs)} steps (${Number((durationMs / dtMs).toPrecision(6))}); use ${formatTimeMs(lo)} or ${formatTimeMs(lo + dtMs)}`,
    );
  }
  return n;
}
