import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NumericalError, UsageError } from '../../core/errors.js';
import type { SpiceNetlist } from '../../compiler/spice/emit.js';
import { TraceTable } from '../probes/recorder.js';

export type SpiceEngine = 'wasm' | 'native';

export interface SpiceRun {
  traces: TraceTable;
  /** Wall time of the simulation itself (without converting results), ms. */
  wallMs: number;
  points: number;
  engine: SpiceEngine;
}

/**
 * Runs a netlist with ngspice — in-process as WebAssembly (`eecircuit-engine`, the default: no install)
 * or the native `ngspice` binary — and returns the outputs in model units (time in model ms, voltages
 * converted back to u), resampled every `sampleEveryModelMs` by linear interpolation.
 *
 * The WebAssembly build runs in a worker thread with a watchdog, because a bad expression can spin its
 * thread forever; a failed run is reported with ngspice's own messages.
 */
export async function runSpice(net: SpiceNetlist, opts: { engine?: SpiceEngine; timeoutMs?: number; sampleEveryModelMs: number; durationModelMs: number }): Promise<SpiceRun> {
  const engine = opts.engine ?? 'wasm';
  const raw = engine === 'wasm' ? await runWasm(net.netlist, opts.timeoutMs ?? 600_000) : runNative(net, opts.timeoutMs ?? 600_000);
  const time = raw.columns.get('time');
  if (!time || time.length < 2) throw new NumericalError(`ngspice produced no transient (${raw.errors.join('; ') || 'no message'})`, 0);
  const names = net.outputs.map((o) => o.quantity);
  const table = new TraceTable(names);
  const n = Math.max(1, Math.ceil(opts.durationModelMs / opts.sampleEveryModelMs - 1e-9));
  const cols = net.outputs.map((o) => {
    const c = raw.columns.get(`v(${o.node})`);
    if (!c) throw new NumericalError(`ngspice did not return v(${o.node})`, 0);
    return c;
  });
  let k = 0;
  const row = new Float64Array(names.length);
  for (let s = 0; s < n; s++) {
    const tS = s * opts.sampleEveryModelMs * net.timeScale;
    while (k < time.length - 2 && time[k + 1]! < tS) k++;
    const a = (tS - time[k]!) / (time[k + 1]! - time[k]! || 1);
    net.outputs.forEach((o, j) => {
      const c = cols[j]!;
      const v = c[k]! + Math.min(1, Math.max(0, a)) * (c[k + 1]! - c[k]!);
      row[j] = (v - o.offsetV) / o.scaleV;
    });
    table.push(s * opts.sampleEveryModelMs, row);
  }
  return { traces: table, wallMs: raw.wallMs, points: time.length, engine };
}

interface RawResult {
  columns: Map<string, Float64Array>;
  errors: string[];
  wallMs: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { Simulation } = await import(workerData.url);
  const sim = new Simulation();
  await sim.start();
  sim.setNetList(workerData.netlist);
  const t0 = performance.now();
  const r = await sim.runSim();
  const wallMs = performance.now() - t0;
  const errors = typeof sim.getError === 'function' ? sim.getError() : [];
  parentPort.postMessage({ ok: true, wallMs, errors, names: r.variableNames, data: r.data.map((d) => Float64Array.from(d.values)) });
})().catch((e) => parentPort.postMessage({ ok: false, error: String((e && e.stack) || e) }));
`;

/** The package's ES module (its `require` export points at a file the package does not ship). */
function engineUrl(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('eecircuit-engine') ?? []) {
    const file = join(dir, 'eecircuit-engine', 'dist', 'eecircuit-engine.mjs');
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new UsageError("SPICE: the npm package 'eecircuit-engine' is not installed (npm install), or use --spice-engine native with ngspice installed");
}

function runWasm(netlist: string, timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { url: engineUrl(), netlist } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new NumericalError(`ngspice (WebAssembly) did not finish within ${timeoutMs / 1000} s and was stopped`, 0));
    }, timeoutMs);
    worker.once('message', (m: { ok: boolean; error?: string; wallMs: number; errors: string[]; names: string[]; data: Float64Array[] }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (!m.ok) return reject(new NumericalError(`ngspice failed: ${m.error}`, 0));
      resolve({ columns: new Map(m.names.map((n, i) => [n.toLowerCase(), m.data[i]!])), errors: m.errors ?? [], wallMs: m.wallMs });
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function runNative(net: SpiceNetlist, timeoutMs: number): RawResult {
  const dir = mkdtempSync(join(tmpdir(), 'nla-spice-'));
  const rawPath = join(dir, 'out.raw');
  const vectors = ['time', ...net.outputs.map((o) => `v(${o.node})`)];
  const control = `.control\nset filetype=ascii\nrun\nwrite ${rawPath} ${vectors.slice(1).join(' ')}\nquit\n.endc\n`;
  writeFileSync(join(dir, 'net.cir'), net.netlist.replace(/\.end\s*$/, `${control}.end\n`));
  const t0 = performance.now();
  const r = spawnSync('ngspice', ['-b', join(dir, 'net.cir')], { encoding: 'utf8', timeout: timeoutMs });
  const wallMs = performance.now() - t0;
  if (r.error) throw new UsageError(`SPICE: cannot run the native ngspice (${(r.error as NodeJS.ErrnoException).code}); install it (Debian: apt-get install ngspice) or use the WebAssembly engine`);
  let text: string;
  try {
    text = readFileSync(rawPath, 'utf8');
  } catch {
    throw new NumericalError(`ngspice failed: ${(r.stderr || r.stdout).split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join('; ')}`, 0);
  }
  return { ...parseAsciiRaw(text), errors: [], wallMs };
}

/** Parses ngspice's ASCII raw file (Variables: index name type; Values: index, then one value per line). */
export function parseAsciiRaw(text: string): { columns: Map<string, Float64Array> } {
  const lines = text.split('\n');
  const nVars = Number(/No\. Variables:\s*(\d+)/.exec(text)?.[1]);
  const nPts = Number(/No\. Points:\s*(\d+)/.exec(text)?.[1]);
  const vi = lines.findIndex((l) => l.startsWith('Variables:'));
  const names = lines.slice(vi + 1, vi + 1 + nVars).map((l) => l.trim().split(/\s+/)[1]!.toLowerCase());
  const cols = names.map(() => new Float64Array(nPts));
  let li = lines.findIndex((l) => l.startsWith('Values:')) + 1;
  for (let p = 0; p < nPts; p++) {
    for (let v = 0; v < nVars; v++) {
      const parts = lines[li++]!.trim().split(/\s+/);
      cols[v]![p] = Number(parts[parts.length - 1]);
    }
  }
  return { columns: new Map(names.map((n, i) => [n, cols[i]!])) };
}
