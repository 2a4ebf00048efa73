import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../cli/progress.js';

// The progress line: silent for the first second; on a log (not a terminal) at most one line per
// interval and always the last state at the end; simulated time over the total, the rate with its unit,
// and the time left from the wall time so far. A fake clock drives it.

function capture(tty: boolean, everyMs: number) {
  const out: string[] = [];
  let wallMs = 0;
  const p = progressReporter('spice', false, { tty, write: (s) => void out.push(s), everyMs, afterMs: 1000, now: () => wallMs });
  return { p, out, at: (ms: number) => (wallMs = ms) };
}

describe('progressReporter', () => {
  it('stays silent for a run shorter than a second', () => {
    const { p, out, at } = capture(false, 0);
    at(999);
    p.update(1, 50, 0);
    p.done();
    expect(out).toEqual([]);
  });

  it('a log gets the first state after a second and the last at done, not the ones in between', () => {
    const { p, out, at } = capture(false, 1e9);
    at(1000);
    p.update(0.25, 750, 4, 'frames/s'); // a quarter in 1 s: 3 s left
    at(2000);
    p.update(0.5, 1500, 900, 'frames/s');
    at(4000);
    p.update(1, 3000, 1000, 'frames/s');
    p.done();
    expect(out).toEqual(['spice  25%  t = 750 ms / 3 s  4 frames/s  ETA 3.0 s\n', 'spice 100%  t = 3 s / 3 s  1000 frames/s\n']);
  });

  it('every update is printed when the interval allows; done adds nothing already shown', () => {
    const { p, out, at } = capture(false, 0);
    at(1000);
    p.update(0.1, 5, 0);
    at(3000);
    p.update(0.75, 37.5, NaN);
    p.done();
    // ETA: 9 s for 0.1 in 1 s; 1 s for 0.75 in 3 s
    expect(out).toEqual(['spice  10%  t = 5 ms / 50 ms  ETA 9.0 s\n', 'spice  75%  t = 37.5 ms / 50 ms  ETA 1.0 s\n']);
  });

  it('a terminal gets a bar rewritten in place, cleared at done', () => {
    const { p, out, at } = capture(true, 1e9);
    at(2000);
    p.update(0.5, 20, 123);
    p.done();
    expect(out[0]).toBe(`\r[${'='.repeat(12)}${' '.repeat(12)}] spice  50%  t = 20 ms / 40 ms  123 steps/s  ETA 2.0 s\x1b[K`);
    expect(out[1]).toBe('\r\x1b[K');
  });

  it('an unknown fraction (NaN: ngspice in WebAssembly) shows the wall time only', () => {
    const { p, out, at } = capture(false, 0);
    at(3400);
    p.update(NaN, NaN, NaN);
    expect(out).toEqual(['spice running for 3 s (no progress reported)\n']);
  });

  it('quiet prints nothing', () => {
    const out: string[] = [];
    const p = progressReporter('x', true, { tty: false, write: (s) => void out.push(s), everyMs: 0, afterMs: 0 });
    p.update(1, 1, 1);
    p.done();
    expect(out).toEqual([]);
  });
});
