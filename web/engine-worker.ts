/**
 * The Web Worker that runs the engines, so the page stays responsive: it fills its file table, loads a
 * plugin, runs each engine with progress, posts each run's traces as soon as it ends, then the comparison.
 * Started by web/worker-boot.js (SystemJS and the import map), which hands over the messages that came early.
 */
import './shims/node-globals.js';
import { registerFile } from './shims/node-fs.js';
import { installPageSpiceThread } from './spice-thread.js';
import { runWebEngine, type WebRun } from './run-engine.js';
import { compareWebRuns } from './compare-runs.js';
import { loadPlugin, moduleUrlOfText, type LoadedPlugin } from './plugin-loader.js';
import type { RunResult, WorkerJob, WorkerReply } from './worker-messages.js';

const scope = globalThis as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<WorkerJob>) => void) | null };

function post(m: WorkerReply): void {
  scope.postMessage(m);
}

function resultOf(run: WebRun): RunResult {
  const t = run.traces;
  return { engine: run.engine, network: run.network, names: [...t.names], timeMs: t.time().slice(), columns: t.names.map((_, i) => t.columnAt(i).slice()), summary: run.summary, failure: run.failure };
}

async function pluginOf(job: WorkerJob): Promise<LoadedPlugin | null> {
  if (!job.plugin) return null;
  const base = String(job.runs.find((r) => r.engine === 'analog' || r.engine === 'spice')?.options.profile ?? 'ideal');
  if ('url' in job.plugin) return loadPlugin(new URL(job.plugin.url, location.href).href, base);
  return loadPlugin(moduleUrlOfText(job.plugin.text), base, `file ${job.plugin.name}`);
}

/** A run's request with what the plugin replaces: the profile of the circuit engines (analog, spice), the input rates. */
function withPlugin(req: WorkerJob['runs'][number], plugin: LoadedPlugin | null): WorkerJob['runs'][number] {
  if (!plugin) return req;
  const options = plugin.profileOption && (req.engine === 'analog' || req.engine === 'spice') ? { ...req.options, profile: plugin.profileOption } : req.options;
  return plugin.stimulus ? { ...req, options, input: undefined, stimulus: plugin.stimulus } : { ...req, options };
}

/** Runs one job, posting progress, runs and the comparison (or the error that stopped it). */
export async function runJob(job: WorkerJob): Promise<void> {
  try {
    for (const [path, text] of Object.entries(job.files)) registerFile(path, text);
    const plugin = await pluginOf(job);
    const runs: WebRun[] = [];
    for (const req of job.runs) {
      let last = -1;
      let sent = 0;
      const run = await runWebEngine(
        withPlugin(req, plugin),
        (fraction) => {
          if (Number.isFinite(fraction) && fraction - last < 0.02 && fraction < 1) return;
          last = fraction;
          post({ type: 'progress', id: job.id, engine: req.engine, fraction });
        },
        undefined,
        (t) => {
          // the rows recorded since the last report, so the page draws the traces while the engine runs
          if (t.rows <= sent) return;
          post({ type: 'rows', id: job.id, engine: req.engine, names: [...t.names], from: sent, timeMs: t.time().slice(sent), columns: t.names.map((_, i) => t.columnAt(i).slice(sent)) });
          sent = t.rows;
        },
      );
      runs.push(run);
      post({ type: 'run', id: job.id, run: resultOf(run) });
    }
    const comparison = job.compare && runs.length === 2 ? compareWebRuns(runs[0]!, runs[1]!, job.compare.maxShiftMs, job.compare.tolerance) : null;
    post({ type: 'done', id: job.id, comparison, plugin: plugin ? { name: plugin.name, url: plugin.url, kinds: plugin.kinds } : null });
  } catch (e) {
    post({ type: 'error', id: job.id, message: (e as Error).message ?? String(e) });
  }
}

/** Takes over from the boot script: the jobs it queued, then every later one. */
export function start(queued: WorkerJob[]): void {
  installPageSpiceThread();
  scope.onmessage = (e) => void runJob(e.data);
  post({ type: 'ready' });
  for (const job of queued) void runJob(job);
}
