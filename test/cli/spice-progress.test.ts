import { describe, expect, it } from 'vitest';
import { referenceValues } from '../../emulator/spice/run.js';

// ngspice's progress ("Reference value :  2.05640e-02", the transient's time in s, rewritten with \r)
// read from its output in whatever chunks it arrives: each complete line becomes the fraction of the
// .tran stop time and the model time (here 1 model ms = 1 ms: time scale 1e-3 s per model ms).

describe('referenceValues', () => {
  const net = { stopS: 0.3, timeScale: 1e-3 };

  it('turns complete progress lines into fractions of the stop time, across chunk boundaries', () => {
    const seen: Array<[number, number]> = [];
    const feed = referenceValues(net as never, (f, t) => seen.push([f, t]));
    feed(' Reference value :  2.05640e-02\r Reference va');
    feed('lue :  1.50000e-01\r');
    feed('Circuit: teacher-student\n Reference value :  3.00000e-01');
    expect(seen.length).toBe(2); // the last line is not complete yet
    feed('\n');
    expect(seen.map(([f]) => f)).toEqual([expect.closeTo(0.0205640 / 0.3, 12), expect.closeTo(0.5, 12), expect.closeTo(1, 12)]);
    expect(seen.map(([, t]) => t)).toEqual([expect.closeTo(20.564, 9), expect.closeTo(150, 9), expect.closeTo(300, 9)]);
  });

  it('ignores every other line, and does nothing without a listener', () => {
    const seen: number[] = [];
    const feed = referenceValues(net as never, (f) => seen.push(f));
    feed('Note: No compatibility mode selected!\nDoing analysis at TEMP = 27.000000\nReference value : nan\n');
    expect(seen).toEqual([]);
    expect(() => referenceValues(net as never, undefined)(' Reference value :  1e-3\n')).not.toThrow();
  });
});
