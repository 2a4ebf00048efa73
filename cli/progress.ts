import { formatTimeMs } from '../core/units.js';

/** A progress line on stderr (see progressReporter). */
export interface ProgressLine {
  /**
   * Where the run is: `fraction` of the whole (NaN: unknown, only the wall time is shown), at simulated time `tMs`, going at `rate` (per second; not
   * shown when not finite or not positive) of `rateUnit` (default `steps/s`).
   */
  update: (fraction: number, tMs: number, rate: number, rateUnit?: string) => void;
  /** Ends the line: clears it on a terminal; elsewhere prints the last state if it was not printed. */
  done: () => void;
}

/** Where and how often progressReporter writes (defaults: stderr, its TTY-ness, every 2 s, after 1 s). */
export interface ProgressSettings {
  tty?: boolean;
  write?: (s: string) => void;
  /** Off a terminal: at most one line per this interval (ms of wall time). */
  everyMs?: number;
  /** Nothing is shown before this much wall time has passed (short runs stay silent). */
  afterMs?: number;
  /** The wall clock, ms. */
  now?: () => number;
}

/**
 * Progress on stderr for long runs: once a run has taken `afterMs` (1 s), an updating bar on a
 * terminal, or a line every `everyMs` (2 s) otherwise, the last state included, so a log shows the run
 * advancing and ending. Each shows the percentage, the simulated time over the total, the rate and the
 * time left (from the wall time so far). Silent when `quiet`.
 */
export function progressReporter(label: string, quiet: boolean, settings: ProgressSettings = {}): ProgressLine {
  const { tty = process.stderr.isTTY === true, write = (s: string) => void process.stderr.write(s), everyMs = 2000, afterMs = 1000, now = () => performance.now() } = settings;
  const start = now();
  let shown = false;
  let lastLine = -Infinity;
  let pending: string | null = null;
  return {
    update(fraction, tMs, rate, rateUnit = 'steps/s') {
      if (quiet) return;
      const wall = now();
      if (wall - start < afterMs) return;
      const msg = progressText(label, fraction, tMs, rate, rateUnit, wall - start);
      if (tty) {
        const width = 24;
        const fill = Math.round((Math.min(1, Math.max(0, fraction)) * width));
        write(`\r[${'='.repeat(fill)}${' '.repeat(width - fill)}] ${msg}\x1b[K`);
        shown = true;
      } else if (wall - lastLine >= everyMs) {
        write(`${msg}\n`);
        lastLine = wall;
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

/**
 * `spice  40%  t = 20 ms / 50 ms  1200 steps/s  ETA 3 s` (total and ETA once the fraction is > 0); a
 * NaN fraction (progress unknown) gives `spice running for 12 s (no progress reported)`.
 */
export function progressText(label: string, fraction: number, tMs: number, rate: number, rateUnit: string, elapsedMs: number): string {
  // a back end that cannot say how far it is (ngspice's WebAssembly build) reports NaN: the wall time only
  if (Number.isNaN(fraction)) return `${label} running for ${Math.round(elapsedMs / 1000)} s (no progress reported)`;
  const pct = Math.min(100, Math.floor(fraction * 100));
  const total = fraction > 0 && fraction <= 1 ? ` / ${formatTimeMs(tMs / fraction)}` : '';
  const rateText = Number.isFinite(rate) && rate > 0 ? `  ${Math.round(rate)} ${rateUnit}` : '';
  const leftS = fraction > 0 && fraction < 1 ? (elapsedMs * (1 - fraction)) / fraction / 1000 : NaN;
  const eta = Number.isFinite(leftS) ? `  ETA ${leftS < 10 ? leftS.toFixed(1) : Math.round(leftS)} s` : '';
  return `${label} ${pct.toString().padStart(3)}%  t = ${formatTimeMs(tMs)}${total}${rateText}${eta}`;
}
