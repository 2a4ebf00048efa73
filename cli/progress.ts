import { formatTimeMs } from '../core/units.js';

/**
 * Progress on stderr for long runs: an updating bar on a terminal, a line every few seconds otherwise.
 * Silent when `quiet`.
 */
export function progressReporter(label: string, quiet: boolean): {
  update: (fraction: number, tMs: number, stepsPerSecond: number) => void;
  done: () => void;
} {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let lastLine = 0;
  return {
    update(fraction, tMs, sps) {
      if (quiet) return;
      const pct = Math.min(100, Math.floor(fraction * 100));
      const msg = `${label} ${pct.toString().padStart(3)}%  t = ${formatTimeMs(tMs)}${Number.isFinite(sps) ? `  ${Math.round(sps)} steps/s` : ''}`;
      if (tty) {
        const width = 24;
        const fill = Math.round((pct / 100) * width);
        process.stderr.write(`\r[${'='.repeat(fill)}${' '.repeat(width - fill)}] ${msg}\x1b[K`);
        shown = true;
      } else if (performance.now() - lastLine > 2000) {
        process.stderr.write(`${msg}\n`);
        lastLine = performance.now();
      }
    },
    done() {
      if (shown && tty) process.stderr.write('\r\x1b[K');
    },
  };
}
