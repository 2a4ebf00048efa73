import { formatTimeMs } from '../core/units.js';

/** A progress line on stderr (see progressReporter). */
export interface ProgressLine {
  /**
   * Where the run is: `fraction` of the whole, at simulated time `tMs`, going at `rate` (per second; not
   * shown when not finite or not positive) of `rateUnit` (default `steps/s`).
   */
  update: (fraction: number, tMs: number, rate: number, rateUnit?: string) => void;
  /** Ends the line: clears it on a terminal; elsewhere prints the last state if it was not printed. */
  done: () => void;
}

/**
 * Progress on stderr for long runs: an updating bar on a terminal, a line every `everyMs` (2 s)
 * otherwise, the last state included, so a log shows the run advancing and ending. Silent when `quiet`.
 */
export function progressReporter(label: string, quiet: boolean, tty = process.stderr.isTTY === true, write = (s: string) => void process.stderr.write(s), everyMs = 2000): ProgressLine {
  let shown = false;
  let lastLine = -Infinity;
  let pending: string | null = null;
  return {
    update(fraction, tMs, rate, rateUnit = 'steps/s') {
      if (quiet) return;
      const pct = Math.min(100, Math.floor(fraction * 100));
      const msg = `${label} ${pct.toString().padStart(3)}%  t = ${formatTimeMs(tMs)}${Number.isFinite(rate) && rate > 0 ? `  ${Math.round(rate)} ${rateUnit}` : ''}`;
      if (tty) {
        const width = 24;
        const fill = Math.round((pct / 100) * width);
        write(`\r[${'='.repeat(fill)}${' '.repeat(width - fill)}] ${msg}\x1b[K`);
        shown = true;
      } else if (performance.now() - lastLine >= everyMs) {
        write(`${msg}\n`);
        lastLine = performance.now();
        pending = null;
      } else pending = msg;
    },
    done() {
      if (shown && tty) write('\r\x1b[K');
      if (!tty && pending !== null) write(`${pending}\n`);
      pending = null;
    },
  };
}
