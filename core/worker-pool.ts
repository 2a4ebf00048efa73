import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NumericalError, UsageError } from './errors.js';

/**
 * A pool of worker threads running independent tasks of one kind, each worker set up once.
 *
 * The worker module (an ES module) exports `createHandler(setup)`, returning `(task) => Promise<result>`;
 * setup, tasks and results are structured-cloned. With `workers` = 1 the handler runs in this thread (no
 * worker at all), so the result of a task never depends on the pool: each task must be a pure function
 * of (setup, task), as seeded Monte Carlo chips are. Results come back in task order; `onResult` sees
 * them in completion order. A task that throws stops the pool: the error is rethrown here with its kind
 * (usage/input errors exit 2, numerical errors 3), the other workers are terminated.
 */
export interface PoolOptions<S, T, R> {
  workers: number;
  /** The worker module (compiled JS; see `compiledModuleUrl`). */
  moduleUrl: URL;
  setup: S;
  tasks: readonly T[];
  /** Called after each task, in completion order, with how many are done. */
  onResult?: (result: R, done: number) => void;
  /** The handler factory to use in this thread when `workers` is 1 (else the module's is imported). */
  local?: (setup: S) => (task: T) => Promise<R>;
}

export async function runPool<S, T, R>(o: PoolOptions<S, T, R>): Promise<R[]> {
  const results = new Array<R>(o.tasks.length);
  let done = 0;
  if (o.workers <= 1) {
    const create = o.local ?? ((await import(o.moduleUrl.href)) as { createHandler: (s: S) => (t: T) => Promise<R> }).createHandler;
    const handle = create(o.setup);
    for (let i = 0; i < o.tasks.length; i++) {
      results[i] = await handle(o.tasks[i]!);
      o.onResult?.(results[i]!, ++done);
    }
    return results;
  }
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const feed = (w: Worker) => {
        if (next >= o.tasks.length) {
          if (done === o.tasks.length) resolve();
          return;
        }
        const i = next++;
        w.once('message', (m: { ok?: R; error?: SerializedError }) => {
          if (failed) return;
          if (m.error) {
            failed = true;
            reject(revive(m.error));
            return;
          }
          results[i] = m.ok!;
          o.onResult?.(results[i]!, ++done);
          feed(w);
        });
        w.postMessage(o.tasks[i]);
      };
      for (let k = 0; k < Math.min(o.workers, o.tasks.length); k++) {
        const w = new Worker(WORKER, { eval: true, workerData: { url: o.moduleUrl.href, setup: o.setup } });
        w.on('error', (e) => {
          if (!failed) {
            failed = true;
            reject(e);
          }
        });
        workers.push(w);
        feed(w);
      }
      if (o.tasks.length === 0) resolve();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** An error as it crosses the thread boundary. */
interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  what?: string;
  timeMs?: number;
  neuron?: string;
  hint?: string;
}

function revive(e: SerializedError): Error {
  if (e.name === 'UsageError' || e.name === 'InputError' || e.name === 'SpecError') return new UsageError(e.message);
  if (e.name === 'NumericalError') return new NumericalError(e.what ?? e.message, e.timeMs ?? NaN, e.neuron, e.hint);
  const err = new Error(`in a worker: ${e.message}`);
  err.stack = e.stack;
  return err;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then((mod) => {
  const handle = mod.createHandler(workerData.setup);
  parentPort.on('message', async (task) => {
    try {
      parentPort.postMessage({ ok: await handle(task) });
    } catch (e) {
      parentPort.postMessage({ error: { name: e && e.name, message: String(e && e.message), stack: e && e.stack, what: e && e.what, timeMs: e && e.timeMs, neuron: e && e.neuron, hint: e && e.hint } });
    }
  });
});
`;

/**
 * The URL of a compiled sibling module: `new URL(name, importMetaUrl)` in the built package; when the
 * caller runs from TypeScript sources (tests), the same path under `dist/` (npm run build puts it there).
 * Throws when neither exists, naming both paths.
 */
export function compiledModuleUrl(name: string, importMetaUrl: string): URL {
  const here = fileURLToPath(importMetaUrl);
  const beside = join(dirname(here), name);
  if (existsSync(beside)) return pathToFileURL(beside);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const inDist = join(root, 'dist', relative(root, dirname(here)), name);
  if (existsSync(inDist)) return pathToFileURL(inDist);
  throw new Error(`worker module ${name} is neither at ${beside} nor at ${inDist}: run npm run build`);
}
