import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NumericalError, UsageError } from '../../core/errors.js';
import { describeNode } from '../../compiler/spice/nodes.js';
import type { SpiceNetlist } from '../../compiler/spice/types.js';
import { toModelMs, toSeconds } from '../../hardware-models/units.js';
import { parseRawFile } from './raw.js';
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
export async function runSpice(net: SpiceNetlist, opts: { engine?: SpiceEngine; timeoutMs?: number; sampleEveryModelMs: number; durationModelMs: number; onProgress?: SpiceProgress }): Promise<SpiceRun> {
  const engine = opts.engine ?? 'wasm';
  const wantS = toSeconds(opts.durationModelMs, net.timeScale);
  if (wantS > net.stopS * (1 + 1e-9)) throw new UsageError(`SPICE: ${opts.durationModelMs} ms asked of a netlist that simulates ${toModelMs(net.stopS, net.timeScale)} ms`);
  const progress = referenceValues(net, opts.onProgress);
  // the WebAssembly build prints no progress: a heartbeat (fraction NaN) each second says it still runs
  const beat = engine === 'wasm' && opts.onProgress ? setInterval(() => opts.onProgress!(NaN, NaN), 1000) : undefined;
  let raw: RawResult;
  try {
    raw = engine === 'wasm' ? await runWasm(net.netlist, opts.timeoutMs ?? 600_000, progress) : await runNative(net, opts.timeoutMs ?? 600_000, progress);
  } finally {
    clearInterval(beat);
  }
  const time = checkTransient(raw, net, engine);
  const names = net.outputs.map((o) => o.quantity);
  const table = new TraceTable(names);
  const n = Math.max(1, Math.ceil(opts.durationModelMs / opts.sampleEveryModelMs - 1e-9));
  const cols = net.outputs.map((o) => {
    const c = raw.columns.get(`v(${o.node})`);
    if (!c || c.length !== time.length) throw new NumericalError(`ngspice (${engine}) did not return v(${o.node}) at every time point (${c ? `${c.length} of ${time.length} values` : 'missing'})`, 0);
    return c;
  });
  const last = time.length - 1;
  let k = 0;
  const row = new Float64Array(names.length);
  for (let s = 0; s < n; s++) {
    const tS = toSeconds(s * opts.sampleEveryModelMs, net.timeScale);
    // never extrapolate or hold a last value: checkTransient made sure the transient reaches every sample
    if (tS > time[last]! * (1 + 1e-12)) throw new NumericalError(`ngspice (${engine}) returned no point at or after this sample (its last point is ${toModelMs(time[last]!, net.timeScale)} ms)`, toModelMs(tS, net.timeScale));
    while (k < last - 1 && time[k + 1]! < tS) k++;
    const span = time[k + 1]! - time[k]!;
    const a = span > 0 ? Math.min(1, Math.max(0, (tS - time[k]!) / span)) : 0;
    net.outputs.forEach((o, j) => {
      const c = cols[j]!;
      const v = c[k]! + a * (c[k + 1]! - c[k]!);
      row[j] = (v - o.offsetV) / o.scaleV;
    });
    table.push(s * opts.sampleEveryModelMs, row);
  }
  return { traces: table, wallMs: raw.wallMs, points: time.length, engine };
}

/**
 * Progress of a transient: the fraction of the `.tran` stop time reached, and that time in model ms
 * (both NaN from the WebAssembly engine, whose ngspice reports none: a heartbeat every second).
 */
export type SpiceProgress = (fraction: number, tModelMs: number) => void;

/**
 * A reader of what ngspice prints while it runs: its progress lines ("Reference value :  2.05640e-02",
 * the transient's time in s, rewritten in place with \r about every half second) become `onProgress`
 * calls; text may arrive in any chunks.
 */
export function referenceValues(net: Pick<SpiceNetlist, 'stopS' | 'timeScale'>, onProgress: SpiceProgress | undefined): (chunk: string) => void {
  let carry = '';
  return (chunk) => {
    if (!onProgress) return;
    const parts = (carry + chunk).split(/\r|\n/);
    carry = parts.pop() ?? '';
    for (const line of parts) {
      const m = /Reference value\s*:\s*([-+0-9.eE]+)/.exec(line);
      const tS = m ? Number(m[1]) : NaN;
      if (Number.isFinite(tS) && tS >= 0) onProgress(Math.min(1, tS / net.stopS), toModelMs(tS, net.timeScale));
    }
  };
}

/** ngspice's messages that say a run failed (its own wording, ngspice 39 and 45). */
// (warnings such as "singular matrix" or a failed gmin stepping that ngspice recovers from are not failures;
// when it gives up it says "aborted", and a short time axis is caught below whatever it said)
const FAILED = /aborted|timestep too small|^\s*error\b|fatal/i;

/**
 * The time axis of a finished transient. An aborted run (ngspice says so, or its last point falls short
 * of the `.tran` stop time) is a NumericalError with ngspice's own message, the time reached (model ms)
 * and the node ngspice names; so is a time axis that is not finite or goes back.
 */
export function checkTransient(raw: Pick<RawResult, 'columns' | 'messages'>, net: Pick<SpiceNetlist, 'timeScale' | 'stopS' | 'neurons' | 'inputs'>, engine: SpiceEngine): Float64Array {
  const time = raw.columns.get('time');
  const said = raw.messages.map((m) => m.trim()).filter((m) => m !== '');
  const failed = said.filter((m) => FAILED.test(m));
  const reachedS = time && time.length > 0 ? time[time.length - 1]! : 0;
  const short = !time || time.length < 2 || !(reachedS >= net.stopS * (1 - 1e-9));
  if (failed.length > 0 || short) {
    // ngspice: "Timestep too small; time = 0.00688647, timestep = 3.5e-17: trouble with node "drho7""
    const all = failed.join(' ');
    const atS = Number(/\btime\s*=\s*([-+0-9.eE]+)/.exec(all)?.[1] ?? NaN);
    const node = /trouble with node\s+"?([^"\s]+)"?/i.exec(all)?.[1] ?? /check node\s+"?([^"\s]+)"?/i.exec(all)?.[1];
    const tS = Number.isFinite(atS) ? atS : reachedS;
    const ms = (s: number) => `${Number(toModelMs(s, net.timeScale).toPrecision(6))} ms`;
    const reached = `its last time point is ${ms(reachedS)} of the ${ms(net.stopS)} asked (${time?.length ?? 0} points)`;
    const what = failed.length > 0 ? `ngspice (${engine}) aborted the transient (${failed.slice(0, 4).map((m) => `"${m}"`).join('; ')}); ${reached}` : `ngspice (${engine}) stopped short of the transient's end (${said.length ? said.slice(-3).map((m) => `"${m}"`).join('; ') : 'without a message'}); ${reached}`;
    const kink = node !== undefined && /^(d?rho|eb?)\d+$/.test(node) ? " ρ' of a piecewise-linear activation (hard sigmoid, clipped ReLU) jumps at its kinks, which ngspice's step control may fail to pass; a smooth activation (logistic, tanh) avoids that." : '';
    throw new NumericalError(what, toModelMs(tS, net.timeScale), node !== undefined ? describeNode(net, node) : undefined, `No trace is returned for a transient that did not finish.${kink}`);
  }
  for (let k = 0; k < time.length; k++) {
    const t = time[k]!;
    if (!Number.isFinite(t) || (k > 0 && !(t >= time[k - 1]!))) throw new NumericalError(`ngspice (${engine}) returned a time axis that is not finite and non-decreasing (point ${k}: ${t} s after ${time[k - 1]} s)`, toModelMs(time[k - 1] ?? 0, net.timeScale));
  }
  return time;
}

interface RawResult {
  columns: Map<string, Float64Array>;
  /** What ngspice said on its error stream (WebAssembly: getError(); native: stderr and stdout). */
  messages: string[];
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
  if (r.dataType !== 'real') throw new Error('expected real data from a transient, got ' + r.dataType);
  parentPort.postMessage({ ok: true, wallMs, errors, numPoints: r.numPoints, names: r.variableNames, data: r.data.map((d) => Float64Array.from(d.values)) });
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

/** What the thread running the WebAssembly ngspice answers (WORKER's job): the transient's vectors or the error. */
export interface WasmSpiceReply {
  ok: boolean;
  error?: string;
  wallMs?: number;
  errors?: unknown;
  numPoints?: number;
  names?: unknown;
  data?: Float64Array[];
}

/**
 * A thread running WORKER's job on `netlist` (eecircuit-engine's `Simulation`: start, setNetList, runSim,
 * getError): its one reply, and `stop` to end it (the watchdog). Node uses a worker thread; the web page
 * sets its own (a Web Worker) with `setWasmSpiceThread`.
 */
export type WasmSpiceThread = (netlist: string, onOutput: (chunk: string) => void) => { reply: Promise<WasmSpiceReply>; stop(): void };

function nodeThread(netlist: string, onOutput: (chunk: string) => void): ReturnType<WasmSpiceThread> {
  // ngspice prints its messages on the console as well; they reach us through getError(), so the
  // worker's console is drained here instead of mixing into this process's output (nla … --json)
  const worker = new Worker(WORKER, { eval: true, workerData: { url: engineUrl(), netlist }, stdout: true, stderr: true });
  worker.stdout.on('data', (d: Buffer) => onOutput(d.toString('utf8')));
  worker.stderr.on('data', (d: Buffer) => onOutput(d.toString('utf8')));
  const reply = new Promise<WasmSpiceReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { reply, stop: () => void worker.terminate() };
}

let wasmThread: WasmSpiceThread = nodeThread;

/** Where the WebAssembly ngspice runs (default: a Node worker thread); the web page gives a Web Worker. */
export function setWasmSpiceThread(thread: WasmSpiceThread): void {
  wasmThread = thread;
}

function runWasm(netlist: string, timeoutMs: number, progress: (chunk: string) => void): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const thread = wasmThread(netlist, progress);
    const timer = setTimeout(() => {
      thread.stop();
      reject(new NumericalError(`ngspice (WebAssembly) did not finish within ${timeoutMs / 1000} s and was stopped`, 0));
    }, timeoutMs);
    thread.reply.then((m) => {
      clearTimeout(timer);
      thread.stop();
      if (!m.ok) return reject(new NumericalError(`ngspice (wasm) failed: ${m.error}`, 0));
      const names = Array.isArray(m.names) ? m.names.map(String) : [];
      const data = m.data ?? [];
      const messages = Array.isArray(m.errors) ? m.errors.map(String) : [];
      // the engine's result must line up: one column per name, numPoints values in each
      const bad = names.length !== data.length ? `${names.length} names for ${data.length} columns` : data.findIndex((d) => d.length !== m.numPoints) >= 0 ? `column ${names[data.findIndex((d) => d.length !== m.numPoints)]} does not hold ${m.numPoints} points` : '';
      if (bad) return reject(new NumericalError(`ngspice (wasm) returned a result that does not line up: ${bad}${messages.length ? ` (${messages.join('; ')})` : ''}`, 0));
      resolve({ columns: new Map(names.map((n, i) => [n.toLowerCase(), data[i]!])), messages, wallMs: m.wallMs ?? NaN });
    }, (e: unknown) => {
      clearTimeout(timer);
      thread.stop(); // a Web Worker whose start failed is still running until stopped
      reject(e);
    });
  });
}

/** Lines of native ngspice output worth repeating (its stdout also holds the operating-point table). */
const SAID = /error|abort|too small|singular|fail|trouble|warning/i;

async function runNative(net: SpiceNetlist, timeoutMs: number, progress: (chunk: string) => void): Promise<RawResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nla-spice-'));
  const rawPath = join(dir, 'out.raw');
  const vectors = [...new Set(net.outputs.map((o) => `v(${o.node})`))];
  // binary raw file: exact doubles, and no text layout to get wrong
  const control = `.control\nset filetype=binary\nrun\nwrite ${rawPath} ${vectors.join(' ')}\nquit\n.endc\n`;
  if (!/\.end\s*$/.test(net.netlist)) throw new UsageError('SPICE: the netlist does not end with .end');
  writeFileSync(join(dir, 'net.cir'), net.netlist.replace(/\.end\s*$/, `${control}.end\n`));
  const t0 = performance.now();
  const r = await spawnNgspice(join(dir, 'net.cir'), timeoutMs, progress);
  const wallMs = performance.now() - t0;
  if (r.error) {
    rmSync(dir, { recursive: true, force: true });
    const code = r.error.code;
    if (code === 'ETIMEDOUT') throw new NumericalError(`ngspice (native) did not finish within ${timeoutMs / 1000} s and was stopped`, 0);
    throw new UsageError(`SPICE: cannot run the native ngspice (${code ?? r.error.message}); install it (Debian: apt-get install ngspice) or use the WebAssembly engine`);
  }
  // ngspice's progress ("Reference value : 6.88e-03", rewritten in place with \r) is no message
  const lines = (text: string | null) => (text ?? '').split(/\r\n|\r|\n/).map((l) => l.replace(/^\s*Reference value\s*:\s*[-+0-9.eE]+/, '').trim());
  const messages = [...new Set([...lines(r.stderr), ...lines(r.stdout).filter((l) => SAID.test(l))].filter((l) => l !== ''))];
  if (r.status !== 0 || r.signal) messages.push(`error: ngspice exited with ${r.signal ?? `status ${r.status}`}`);
  if (!existsSync(rawPath)) throw new NumericalError(`ngspice (native) wrote no results (${messages.filter((l) => FAILED.test(l) || SAID.test(l)).slice(0, 5).join('; ') || 'no message'}); netlist and output kept in ${dir}`, 0);
  const plot = parseRawFile(readFileSync(rawPath), rawPath);
  rmSync(dir, { recursive: true, force: true });
  return { columns: plot.columns, messages, wallMs };
}

/** `ngspice -b file`, its output passed to `progress` as it comes; killed after `timeoutMs` (error ETIMEDOUT). */
function spawnNgspice(file: string, timeoutMs: number, progress: (chunk: string) => void): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const child = spawn('ngspice', ['-b', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let error: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      error = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      progress(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      progress(d);
    });
    child.on('error', (e: NodeJS.ErrnoException) => (error ??= e));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ...(error ? { error } : {}) });
    });
  });
}
