import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../cli/progress.js';

// The progress line: on a log (not a terminal) it prints at most every interval and always its last
// state at the end, so a short stage shows both its start and its end; the rate carries its unit.

function capture(tty: boolean, everyMs: number) {
  const out: string[] = [];
  const p = progressReporter('stream', false, tty, (s) => void out.push(s), everyMs);
  return { p, out };
}

describe('progressReporter', () => {
  it('a log gets the first state at once and the last at done, not the ones in between', () => {
    const { p, out } = capture(false, 1e9);
    p.update(0, 1, 4, 'frames/s');
    p.update(0.5, 1500, 900, 'frames/s');
    p.update(1, 3000, 1000, 'frames/s');
    p.done();
    expect(out).toEqual(['stream   0%  t = 1 ms  4 frames/s\n', 'stream 100%  t = 3 s  1000 frames/s\n']);
  });

  it('every update is printed when the interval allows; done adds nothing already shown', () => {
    const { p, out } = capture(false, 0);
    p.update(0.25, 10, 0);
    p.update(0.5, 20, NaN);
    p.done();
    expect(out).toEqual(['stream  25%  t = 10 ms\n', 'stream  50%  t = 20 ms\n']);
  });

  it('a terminal gets a bar rewritten in place, cleared at done', () => {
    const { p, out } = capture(true, 1e9);
    p.update(0.5, 20, 123);
    p.done();
    expect(out[0]).toBe(`\r[${'='.repeat(12)}${' '.repeat(12)}] stream  50%  t = 20 ms  123 steps/s\x1b[K`);
    expect(out[1]).toBe('\r\x1b[K');
  });

  it('quiet prints nothing', () => {
    const out: string[] = [];
    const p = progressReporter('x', true, false, (s) => void out.push(s), 0);
    p.update(1, 1, 1);
    p.done();
    expect(out).toEqual([]);
  });
});
