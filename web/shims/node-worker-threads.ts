/**
 * `node:worker_threads` in the page: no Node worker threads there. Constructing a Worker throws, which
 * core/precise-timer.ts already handles (its timers fall back to setTimeout); anything else that needs a
 * thread is refused with this message.
 */
export class Worker {
  constructor() {
    throw new Error('node:worker_threads is not available in the page (timers fall back to setTimeout)');
  }
}

export const isMainThread = true;
export const parentPort = null;
export const workerData = undefined;
