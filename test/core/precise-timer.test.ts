import { describe, expect, it } from 'vitest';
import { PreciseTimer } from '../../core/precise-timer.js';

describe('PreciseTimer', () => {
  it('fires each timer once, in the order of their due times, never before them; replaced and cancelled wake-ups do not fire', async () => {
    const t0 = performance.now();
    const fired: Array<{ name: string; at: number; due: number }> = [];
    const timers = Array.from({ length: 5 }, () => new PreciseTimer());
    const dues = [7.3, 2.1, 4.6, 0.4, 9.9].map((d) => t0 + d);
    timers.forEach((t, i) => t.at(dues[i]!, () => fired.push({ name: `t${i}`, at: performance.now(), due: dues[i]! })));
    // t2 replaced by a later time, t4 cancelled
    const replaced = t0 + 12;
    timers[2]!.at(replaced, () => fired.push({ name: 't2 replaced', at: performance.now(), due: replaced }));
    timers[4]!.cancel();
    let sync = true;
    const never = new PreciseTimer();
    never.at(t0 - 5, () => expect(sync).toBe(false)); // a past time: on the event loop, not inside at()
    sync = false;
    for (let waited = 0; fired.length < 4 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20)); // room for a wrong extra firing
    expect(fired.map((f) => f.name)).toEqual(['t3', 't1', 't0', 't2 replaced']);
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.due - 0.02);
  });

  it('until() resolves at its time, and a pending timer keeps working across many short waits', async () => {
    const t = new PreciseTimer();
    let late = 0;
    for (let k = 0; k < 50; k++) {
      const due = performance.now() + 0.3;
      await t.until(due);
      expect(performance.now()).toBeGreaterThanOrEqual(due - 0.02);
      late = Math.max(late, performance.now() - due);
    }
    // not a speed assertion: only that waits complete (a lost wake-up would hang the test)
    expect(Number.isFinite(late)).toBe(true);
  });
});
