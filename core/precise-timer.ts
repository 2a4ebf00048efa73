import { Worker } from 'node:worker_threads';

/**
 * The worker: sleeps in Atomics.wait until the due time (a futex wait, precise to tens of microseconds
 * on Linux, where Node's timers round to whole milliseconds), then posts the generation it fired for
 * and waits for the next one. Shared layout: Int32 generation at byte 0, Float64 at byte 8: due time in
 * ms on the absolute clock performance.timeOrigin + performance.now() (a worker's own performance.now()
 * counts from a different origin), 0 when nothing is due.
 */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData, 0, 1);
const due = new Float64Array(workerData, 8, 1);
const now = () => performance.timeOrigin + performance.now();
for (;;) {
  const gen = Atomics.load(ctl, 0);
  const at = due[0];
  if (!(at > 0)) { Atomics.wait(ctl, 0, gen); continue; }
  const wait = at - now();
  if (wait > 0) { Atomics.wait(ctl, 0, gen, wait); continue; }
  parentPort.postMessage(gen);
  Atomics.wait(ctl, 0, gen);
}
`;

/** How early a timer may fire, ms: a timer due within this of now counts as due. */
export const PRECISE_TIMER_SLACK_MS = 0.02;

/**
 * The process's wake-up scheduler, shared by every PreciseTimer: it keeps the pending timers and wakes
 * the event loop at the earliest due time, through the worker once that runs (it takes tens of
 * milliseconds to start), through one setTimeout before that or where worker threads are unavailable.
 * Due timers fire in the order of their due times. Idle, it neither runs nor keeps the process alive.
 */
class Scheduler {
  private readonly ctl: Int32Array;
  private readonly due: Float64Array;
  private worker: Worker | null = null;
  private online = false;
  private fallback: NodeJS.Timeout | null = null;
  readonly pending = new Set<PreciseTimer>();

  constructor() {
    // a page that is not cross-origin isolated has no SharedArrayBuffer (nor worker threads: setTimeout then)
    const sab = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(16) : new ArrayBuffer(16);
    this.ctl = new Int32Array(sab, 0, 1);
    this.due = new Float64Array(sab, 8, 1);
    try {
      const w = new Worker(WORKER, { eval: true, workerData: sab });
      w.on('message', (gen: number) => {
        if (gen === Atomics.load(this.ctl, 0)) this.fireDue();
      });
      w.once('online', () => {
        this.online = true;
        this.rearm();
      });
      w.on('error', () => {
        this.worker = null;
        this.online = false;
        this.rearm();
      });
      w.unref();
      this.worker = w;
    } catch {
      this.worker = null;
    }
  }

  /** Wakes at the earliest pending due time (or idles). */
  rearm(): void {
    let first = Infinity;
    for (const t of this.pending) first = Math.min(first, t.dueMs);
    if (this.fallback) clearTimeout(this.fallback);
    this.fallback = null;
    if (this.worker) {
      this.due[0] = first === Infinity || !this.online ? 0 : performance.timeOrigin + first;
      Atomics.add(this.ctl, 0, 1);
      Atomics.notify(this.ctl, 0);
      if (this.online && first !== Infinity) this.worker.ref();
      else this.worker.unref();
    }
    if (first !== Infinity && !this.online) this.fallback = setTimeout(() => ((this.fallback = null), this.fireDue()), Math.max(0, Math.ceil(first - performance.now())));
  }

  /**
   * Fires the due timers in the order of their due times. A callback may re-arm or cancel another timer
   * of the same batch: that one is then no longer due and does not fire now. A callback that throws
   * leaves the rest pending; they fire at the next wake-up.
   */
  private fireDue(): void {
    const now = performance.now();
    const due = [...this.pending].filter((t) => t.dueMs <= now + PRECISE_TIMER_SLACK_MS).sort((a, b) => a.dueMs - b.dueMs);
    try {
      for (const t of due) {
        if (!this.pending.has(t) || t.dueMs > now + PRECISE_TIMER_SLACK_MS) continue; // re-armed or cancelled by an earlier callback
        this.pending.delete(t);
        t.fire();
      }
    } finally {
      this.rearm();
    }
  }
}

let shared: Scheduler | undefined;

function scheduler(): Scheduler {
  return (shared ??= new Scheduler());
}

/**
 * A one-shot timer with sub-millisecond precision that does not busy-wait. Node's setTimeout rounds to
 * whole milliseconds and, on a loaded machine, often fires a millisecond or more late; polling with
 * setImmediate is precise but keeps a core busy. Here a worker thread (one per process, shared by all
 * timers) sleeps until the due time and wakes the event loop with a message (tens of microseconds late);
 * timers due together fire in the order of their due times.
 *
 * Contract: at most one wake-up per timer is pending; `at` replaces it; `cancel` drops it; the callback
 * runs on the event loop, never synchronously inside `at`, and not before its time by more than
 * PRECISE_TIMER_SLACK_MS (how well the two threads' clocks agree). While a wake-up is pending the timer
 * keeps the process alive, like setTimeout; idle, it does not. Until the worker has started, and where
 * worker threads are unavailable, a setTimeout stands in (same contract, millisecond precision).
 */
export class PreciseTimer {
  /** Due time on this thread's performance.now() clock, Infinity when idle. */
  dueMs = Infinity;
  private cb: (() => void) | null = null;

  constructor() {
    scheduler(); // start the shared worker now: its start-up takes tens of milliseconds
  }

  /** Calls `cb` once at `atMs` on the performance.now() clock (on the event loop soon, if that has passed). */
  at(atMs: number, cb: () => void): void {
    const s = scheduler();
    s.pending.delete(this);
    this.cb = cb;
    this.dueMs = atMs;
    s.pending.add(this);
    s.rearm();
  }

  /** Resolves at `atMs` on the performance.now() clock. */
  until(atMs: number): Promise<void> {
    return new Promise((resolve) => this.at(atMs, resolve));
  }

  /** Drops the pending wake-up, if any. */
  cancel(): void {
    this.cb = null;
    this.dueMs = Infinity;
    if (shared?.pending.delete(this)) shared.rearm();
  }

  /** Runs the callback; called by the scheduler once the timer is due (and out of its pending set). */
  fire(): void {
    const cb = this.cb;
    this.cb = null;
    this.dueMs = Infinity;
    cb?.();
  }
}
