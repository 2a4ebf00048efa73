/**
 * The workbench page (web/index.html): reads the form, sends the job to the engine worker, shows progress,
 * plots each run as it arrives, then the comparison's verdict and summary. `window.nla` exposes the same
 * to scripts and tests: `run(parameters)` resolves with the result (traces as numbers, summaries, comparison).
 */
import './shims/node-globals.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { jobFromForm, type RunParameters } from './page-inputs.js';
import { plotHost, plotSeries } from './trace-plots.js';
import { runOnBoard } from './board-run.js';
import { compareBoardWithDigital, digitalReferenceRun } from './board-comparison.js';
import { linkRows, type BoardLinkStats } from './board-link-stats.js';
import { bridgeUrl, WebSocketSerialPort } from './websocket-serial-port.js';
import type { WebRun } from './run-engine.js';
import { registerFile } from './shims/node-fs.js';
import type { SerialPortLike } from './web-serial-transport.js';
import type { WebComparison } from './compare-runs.js';
import type { RunResult, WorkerReply } from './worker-messages.js';

/** What a run of the page produced (also `window.nla.result`). */
export interface PageResult {
  runs: Record<string, { names: string[]; timeMs: number[]; columns: number[][]; summary: Record<string, unknown>; failure: RunResult['failure'] }>;
  comparison: WebComparison | null;
  plugin: { name: string; url: string; kinds: string[] } | null;
  /** The rows that arrived while each engine ran (plotted as they came), and the row count after each delivery. */
  live: Record<string, { names: string[]; timeMs: number[]; columns: number[][]; rowsAfter: number[] }>;
}

const el = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
let firstPlotMs: number | null = null;
let nextId = 1;
let pending: { id: number; result: PageResult; resolve: (r: PageResult) => void; reject: (e: Error) => void } | null = null;

const worker = new Worker('worker-boot.js');
const workerReady = new Promise<void>((resolve) => worker.addEventListener('message', (e: MessageEvent<WorkerReply>) => e.data.type === 'ready' && resolve()));
worker.onmessage = (e: MessageEvent<WorkerReply>) => onReply(e.data);

function setStatus(text: string): void {
  el('status').textContent = text;
}

/** Appends rows of a run still going and redraws its plot (the final plot replaces it when the run ends). */
function showRows(result: PageResult, m: Extract<WorkerReply, { type: 'rows' }>): void {
  const live = (result.live[m.engine] ??= { names: m.names, timeMs: [], columns: m.names.map(() => []), rowsAfter: [] });
  if (m.from !== live.timeMs.length) throw new Error(`internal: rows of ${m.engine} from ${m.from}, the page holds ${live.timeMs.length}`);
  live.timeMs.push(...m.timeMs);
  m.columns.forEach((c, i) => live.columns[i]!.push(...c));
  live.rowsAfter.push(live.timeMs.length);
  const u = live.names.map((name, i) => ({ name, values: live.columns[i]! })).filter((s) => s.name.startsWith('u:'));
  plotSeries(plotHost(el('plots'), m.engine), `${m.engine} engine (u), running: ${live.timeMs.length} rows`, live.timeMs, u);
  firstPlotMs ??= performance.now();
}

function showRun(run: RunResult): void {
  const u = run.names.map((name, i) => ({ name, values: run.columns[i]! })).filter((s) => s.name.startsWith('u:'));
  plotSeries(plotHost(el('plots'), run.engine), `${run.network}: ${run.engine} engine (u)`, run.timeMs, u);
  firstPlotMs ??= performance.now();
}

function showComparison(c: WebComparison): void {
  const v = el('verdict');
  v.hidden = false;
  v.className = `verdict ${c.verdict.status}`;
  v.textContent = c.verdict.text;
  plotSeries(plotHost(el('plots'), 'error'), 'max |A − B| over the compared probes', c.errorOverTime.timeMs, [{ name: 'max |error|', values: c.errorOverTime.maxAbs }]);
  el('summary').replaceChildren(
    ...Object.entries(c.summary).map(([k, val]) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { textContent: k }), Object.assign(document.createElement('td'), { textContent: typeof val === 'number' ? val.toPrecision(4) : val }));
      return tr;
    }),
  );
}

function onReply(m: WorkerReply): void {
  if (m.type === 'ready') return setStatus('ready');
  if (m.type === 'error' && (m.id === -1 || m.id === pending?.id)) {
    el('error').textContent = m.message;
    setStatus('stopped');
    pending?.reject(new Error(m.message));
    pending = null;
    return;
  }
  if (!pending || m.type === 'error' || m.id !== pending.id) return;
  if (m.type === 'progress') {
    // the spice engine's WebAssembly ngspice reports no progress: a heartbeat with fraction NaN
    if (Number.isFinite(m.fraction)) el<HTMLProgressElement>(`progress-${m.engine}`).value = m.fraction;
    setStatus(`running ${m.engine}${Number.isFinite(m.fraction) ? `: ${(100 * m.fraction).toFixed(0)} %` : '…'}`);
  } else if (m.type === 'rows') {
    showRows(pending.result, m);
  } else if (m.type === 'run') {
    const r = m.run;
    pending.result.runs[r.engine] = { names: r.names, timeMs: [...r.timeMs], columns: r.columns.map((c) => [...c]), summary: r.summary, failure: r.failure };
    el<HTMLProgressElement>(`progress-${r.engine}`).value = 1;
    showRun(r);
  } else if (m.type === 'done') {
    pending.result.comparison = m.comparison;
    pending.result.plugin = m.plugin;
    if (m.comparison) showComparison(m.comparison);
    setStatus(`done${m.plugin ? ` (plugin ${m.plugin.kinds.join(', ')} '${m.plugin.name}')` : ''}`);
    nla.result = pending.result;
    pending.resolve(pending.result);
    pending = null;
  }
}

/** Runs the form's job (fields overridden by `p`); one run at a time. */
async function run(p: RunParameters = {}): Promise<PageResult> {
  if (pending) throw new Error('a run is in progress');
  el('error').textContent = '';
  el('verdict').hidden = true;
  for (const e of ['digital', 'analog', 'spice']) el<HTMLProgressElement>(`progress-${e}`).value = 0;
  const job = await jobFromForm(nextId++, p);
  await workerReady;
  return new Promise<PageResult>((resolve, reject) => {
    pending = { id: job.id, result: { runs: {}, comparison: null, plugin: null, live: {} }, resolve, reject };
    worker.postMessage(job);
  });
}

/** What `window.nla.runBoard` resolves with: the board's run, its link's statistics, and the board against the digital engine. */
export interface BoardPageResult {
  run: PageResult['runs'][string];
  link: BoardLinkStats;
  /** Null when the board's run failed (its failure says where; the link's statistics say how). */
  comparison: WebComparison | null;
}

/** A run's traces as plain arrays (what crosses to scripts). */
function plainRun(run: WebRun): PageResult['runs'][string] {
  const t = run.traces;
  return { names: [...t.names], timeMs: [...t.time()], columns: t.names.map((_, i) => [...t.columnAt(i)]), summary: run.summary, failure: run.failure };
}

function showWebRun(run: WebRun, engine: string): void {
  const t = run.traces;
  showRun({ engine, network: run.network, names: [...t.names], timeMs: t.time(), columns: t.names.map((_, i) => t.columnAt(i)), summary: run.summary, failure: run.failure });
}

/** The board panel's table of the link's statistics. */
function showLink(link: BoardLinkStats): void {
  const table = el('board-link');
  table.hidden = false;
  table.replaceChildren(
    ...linkRows(link).map(([k, v]) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { textContent: k }), Object.assign(document.createElement('td'), { textContent: v }));
      return tr;
    }),
  );
}

/** The port(s) a board run opens: `openPort`, else the bridge field's WebSocket bridge, else Web Serial's chooser. */
function boardPorts(openPort?: () => Promise<SerialPortLike>): () => Promise<SerialPortLike> {
  if (openPort) return openPort;
  const bridge = el<HTMLInputElement>('bridge').value.trim();
  if (bridge) {
    const url = bridgeUrl(bridge);
    return async () => new WebSocketSerialPort(url);
  }
  const serial = (navigator as { serial?: { requestPort(): Promise<SerialPortLike> } }).serial;
  if (!serial) throw new Error('this browser has no Web Serial (Chromium-based browsers have it, on https or localhost pages): give a bridge URL (nla serve --bridge <device>)');
  return () => serial.requestPort();
}

/**
 * Streams the form's network and input to a board (Web Serial's chooser, the bridge field's WebSocket
 * bridge, or `openPort`), on the page's main thread; then runs the digital engine on the board's
 * algorithm in float (as `nla compare --a digital --b board`), plots both, and shows the comparison, its
 * verdict (the fixed-point bound 2⁻¹² unless `p.tolerance` is given) and the link's statistics.
 */
async function runBoard(p: RunParameters = {}, openPort?: () => Promise<SerialPortLike>): Promise<BoardPageResult> {
  const open = boardPorts(openPort);
  el('error').textContent = '';
  const job = await jobFromForm(0, { ...p, engines: ['digital'] });
  // plugins load in the engine worker; the board run is on this thread and would silently run without one
  if (job.plugin) throw new Error('a board run loads no plugin (profile, component model or stimulus): clear the plugin field to stream to a board');
  for (const [path, text] of Object.entries(job.files)) registerFile(path, text);
  const { engine: _digital, options: _options, ...r } = job.runs[0]!;
  const req = { ...r, options: {} };
  setStatus('streaming to the board…');
  const board = await runOnBoard(req, open, Number(el<HTMLInputElement>('baud').value) || 921600, (f) => (el<HTMLProgressElement>('progress-digital').value = f));
  showWebRun(board.run, 'board');
  showLink(board.link);
  if (board.run.failure) {
    el('error').textContent = `board: ${board.run.failure.what}`;
    setStatus('stopped');
    return { run: plainRun(board.run), link: board.link, comparison: null };
  }
  setStatus('the digital engine on the board\'s algorithm…');
  const digital = await digitalReferenceRun(req, board.reference);
  showWebRun(digital, 'digital');
  const comparison = compareBoardWithDigital(digital, board.run, typeof p.tolerance === 'number' ? p.tolerance : null);
  showComparison(comparison);
  setStatus(`board: ${board.link.outputsReceived} of ${board.link.frames} frames, ${board.link.reconnects} reconnect(s); ${comparison.verdict.status}`);
  return { run: plainRun(board.run), link: board.link, comparison };
}

/** The page's scripting interface. */
const nla = {
  run,
  runBoard,
  result: null as PageResult | null,
  /** ms from the navigation's start to the first plot drawn (null before). */
  get firstPlotMs(): number | null {
    return firstPlotMs;
  },
  ready: workerReady,
};
(window as unknown as { nla: typeof nla }).nla = nla;

el<HTMLSelectElement>('profile').append(...Object.keys(BUILTIN_PROFILES).map((name) => Object.assign(document.createElement('option'), { value: name, textContent: name })));
el('board').addEventListener('click', () => {
  runBoard().catch((err: Error) => {
    el('error').textContent = err.message;
    setStatus('stopped');
  });
});
el('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  run().catch((err: Error) => {
    el('error').textContent = err.message;
    setStatus('stopped');
  });
});
