/** The messages between the page (web/page.ts) and the engine worker (web/engine-worker.ts). */
import type { WebComparison } from './compare-runs.js';
import type { WebRunRequest } from './run-engine.js';

/** A job: files to put into the worker's file table, an optional plugin, the runs, and B-against-A settings. */
export interface WorkerJob {
  id: number;
  files: Record<string, string>;
  /** A plugin module by URL, or by its text (a local file). */
  plugin: { url: string } | { text: string; name: string } | null;
  runs: WebRunRequest[];
  compare: { maxShiftMs: number; tolerance: number | null } | null;
}

/** One run's traces as plain arrays (column-major, time in model ms). */
export interface RunResult {
  engine: string;
  network: string;
  names: string[];
  timeMs: Float64Array;
  columns: Float64Array[];
  summary: Record<string, unknown>;
  failure: { what: string; timeMs: number } | null;
}

export type WorkerReply =
  | { type: 'ready' }
  /** `fraction` NaN: a heartbeat from an engine that reports no progress (the spice engine's WebAssembly ngspice). */
  | { type: 'progress'; id: number; engine: string; fraction: number }
  /** Rows `from` … `from + timeMs.length − 1` of a run still going (the digital and analog engines), in order. */
  | { type: 'rows'; id: number; engine: string; names: string[]; from: number; timeMs: Float64Array; columns: Float64Array[] }
  | { type: 'run'; id: number; run: RunResult }
  | { type: 'done'; id: number; comparison: WebComparison | null; plugin: { name: string; url: string; kinds: string[] } | null }
  | { type: 'error'; id: number; message: string };
