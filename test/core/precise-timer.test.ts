import { describe, expect, it } from 'vitest';
import { PRECISE_TIMER_SLACK_MS, PreciseTimer } from '../../core/precise-timer.js';

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
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.due - PRECISE_TIMER_SLACK_MS);
  });

  it('until() resolves at its time, and a pending timer keeps working across many short waits', async () => {
    const t = new PreciseTimer();
    let late = 0;
    for (let k = 0; k < 50; k++) {
      const due = performance.now() + 0.3;
      await t.until(due);
      expect(performance.now()).toBeGreaterThanOrEqual(due - PRECISE_TIMER_SLACK_MS);
      late = Math.max(late, performance.now() - due);
    }
    // not a speed assertion: only that waits complete (a lost wake-up would hang the test)
    expect(Number.isFinite(late)).toBe(true);
  });
});

describe('PreciseTimer, callbacks that touch other timers', () => {
  it('a timer re-armed or cancelled by an earlier callback of the same batch does not fire early; a throwing callback does not lose the others', async () => {
    const t0 = performance.now();
    const [a, b, c, d] = [new PreciseTimer(), new PreciseTimer(), new PreciseTimer(), new PreciseTimer()];
    const log: Array<{ name: string; at: number }> = [];
    const later = t0 + 30;
    a.at(t0 + 5, () => {
      log.push({ name: 'a', at: performance.now() });
      b.at(later, () => log.push({ name: 'b re-armed', at: performance.now() }));
      c.cancel();
    });
    b.at(t0 + 5.01, () => log.push({ name: 'b old', at: performance.now() }));
    c.at(t0 + 5.02, () => log.push({ name: 'c', at: performance.now() }));
    d.at(t0 + 5.03, () => log.push({ name: 'd', at: performance.now() }));
    // block the event loop past all four due times, so that they come due in one batch
    while (performance.now() < t0 + 8);
    for (let waited = 0; log.length < 3 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 10));
    expect(log.map((e) => e.name)).toEqual(['a', 'd', 'b re-armed']);
    expect(log[2]!.at).toBeGreaterThanOrEqual(later - PRECISE_TIMER_SLACK_MS);

    // a callback that throws: the timer due after it still fires
    const [e, f] = [new PreciseTimer(), new PreciseTimer()];
    const fired: string[] = [];
    const t1 = performance.now();
    const onError = (err: Error) => fired.push(`threw: ${err.message}`);
    process.once('uncaughtException', onError);
    e.at(t1 + 2, () => {
      throw new Error('boom');
    });
    f.at(t1 + 2.01, () => fired.push('f'));
    while (performance.now() < t1 + 4);
    for (let waited = 0; fired.length < 2 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    process.removeListener('uncaughtException', onError);
    expect(fired).toContain('f');
  });
});
