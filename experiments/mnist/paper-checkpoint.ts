import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import type { StateFile } from '../../emulator/digital/state-file.js';
import type { StreamDriveState } from './stream-drive.js';

/** Format tag of a paper-protocol checkpoint (first word of the file). */
export const CHECKPOINT_FORMAT = 'nla-mnist-checkpoint/1';

/** The learning curve so far: settled test error (fraction) on the curve subset after `samples` presentations. */
export interface PaperCurve {
  samples: number[];
  rtDeep: number[];
  /** Empty when back-propagation is not run. */
  backprop: number[];
}

/** The back-propagation control's weights (row-major, as FeedForwardNet holds them). */
export interface BackpropWeights {
  W1: number[];
  b1: number[];
  W2: number[];
  b2: number[];
}

/**
 * Everything a paper-protocol run of one presentation time needs to continue bit for bit: the engine's
 * full state (nla-state/1: time, u, u̇, filtered inputs, weights), the drive's position and target
 * filter, the back-propagation control's weights, the curve so far and the wall time spent. The η phase
 * and the epoch (and so the shuffle) follow from `done`; the shuffles need no generator state (EpochOrder).
 */
export interface PaperCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  toolkitVersion: string;
  settingsHash: string;
  settings: Record<string, unknown>;
  presentationMs: number;
  /** Presentations trained (the checkpoint falls on the boundary after presentation `done` − 1). */
  done: number;
  /** 0 before the η switch, 1 after (checked against `done`). */
  phase: 0 | 1;
  stepsDone: number;
  /** Training wall time over all sessions, s. */
  wallS: number;
  sim: StateFile;
  drive: StreamDriveState;
  backprop: BackpropWeights | null;
  curve: PaperCurve;
}

/** sha256 (hex) of a run's settings record (in its key order). */
export function settingsHash(settings: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

/**
 * Writes the checkpoint atomically: a header line `nla-mnist-checkpoint/1 bytes=N sha256=H`, then the
 * JSON body of N bytes, into `file.<pid>.tmp`, flushed to disk, then renamed over `file`, and the folder
 * flushed so that the rename itself survives a power cut. An interruption leaves either the old
 * checkpoint or the new one, never a mixture.
 */
export function writeCheckpoint(file: string, c: PaperCheckpoint): void {
  const body = Buffer.from(JSON.stringify(c));
  const head = Buffer.from(`${CHECKPOINT_FORMAT} bytes=${body.length} sha256=${createHash('sha256').update(body).digest('hex')}\n`);
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncFolder(dirname(file));
}

/** fsync of a folder (its entries): where the platform allows it (not on Windows), otherwise nothing. */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // a folder cannot be opened or flushed here: the rename is as durable as the platform makes it
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Reads a checkpoint and checks it against this run: its header, length (a truncated file), checksum
 * (a corrupt one) and every field's type are checked (InputError naming the file and the field), then
 * its toolkit version and settings (UsageError naming the differing setting, both values).
 */
export function readCheckpoint(file: string, expect: { toolkitVersion: string; settings: Record<string, unknown> }): PaperCheckpoint {
  const raw = readFileSync(file);
  const fail = (field: string, msg: string): never => {
    throw new InputError(`${field}: ${msg}`, file);
  };
  const nl = raw.indexOf(10);
  const m = /^(\S+) bytes=(\d+) sha256=([0-9a-f]{64})$/.exec(raw.subarray(0, nl < 0 ? Math.min(raw.length, 200) : nl).toString('utf8'));
  if (!m) return fail('header', `expected a first line '${CHECKPOINT_FORMAT} bytes=N sha256=H' (not a checkpoint, or cut in its header)`);
  if (m[1] !== CHECKPOINT_FORMAT) fail('format', `expected '${CHECKPOINT_FORMAT}', got '${m[1]}'`);
  const body = raw.subarray(nl + 1);
  if (body.length !== Number(m[2])) fail('body', `truncated or extended: the header gives ${m[2]} bytes, the file holds ${body.length}`);
  if (createHash('sha256').update(body).digest('hex') !== m[3]) fail('body', 'corrupt: its sha256 differs from the header\'s');
  let c: PaperCheckpoint;
  try {
    c = JSON.parse(body.toString('utf8')) as PaperCheckpoint;
  } catch (e) {
    return fail('body', `not JSON (${(e as Error).message})`);
  }
  checkFields(c, fail);
  if (c.toolkitVersion !== expect.toolkitVersion) throw new UsageError(`${file}: made by toolkit version ${c.toolkitVersion}, this is ${expect.toolkitVersion}; resume it with that version or start a new --out folder`);
  for (const [k, v] of Object.entries(expect.settings)) {
    if (JSON.stringify(c.settings[k]) !== JSON.stringify(v)) throw new UsageError(`${file}: made with ${k} = ${JSON.stringify(c.settings[k])}, this run has ${k} = ${JSON.stringify(v)}; resume with the checkpoint's settings or start a new --out folder`);
  }
  const extra = Object.keys(c.settings).find((k) => !(k in expect.settings));
  if (extra !== undefined) throw new UsageError(`${file}: made with a setting ${extra} that this run does not have`);
  if (c.settingsHash !== settingsHash(expect.settings)) fail('settingsHash', 'does not match its own settings record');
  return c;
}

/** Type checks of every field (values are checked against the run by the caller and restoreState). */
function checkFields(c: PaperCheckpoint, fail: (field: string, msg: string) => never): void {
  if (!c || typeof c !== 'object') fail('(top)', 'expected a JSON object');
  if (c.format !== CHECKPOINT_FORMAT) fail('format', `expected '${CHECKPOINT_FORMAT}', got ${JSON.stringify(c.format)}`);
  if (typeof c.toolkitVersion !== 'string') fail('toolkitVersion', 'expected a string');
  if (!c.settings || typeof c.settings !== 'object') fail('settings', 'expected an object');
  const count = (k: 'done' | 'stepsDone') => {
    if (!Number.isInteger(c[k]) || c[k] < 0) fail(k, `expected an integer ≥ 0, got ${JSON.stringify(c[k])}`);
  };
  count('done');
  count('stepsDone');
  if (c.phase !== 0 && c.phase !== 1) fail('phase', `expected 0 or 1, got ${JSON.stringify(c.phase)}`);
  if (typeof c.wallS !== 'number' || !(c.wallS >= 0)) fail('wallS', `expected a time ≥ 0 in s, got ${JSON.stringify(c.wallS)}`);
  if (!c.sim || typeof c.sim !== 'object') fail('sim', 'expected an nla-state/1 object');
  const d = c.drive;
  if (!d || typeof d !== 'object' || !Number.isInteger(d.k) || d.k < 0) fail('drive.k', `expected an integer ≥ 0, got ${JSON.stringify(d?.k)}`);
  numbers(d.prev, 10, 'drive.prev', fail);
  numbers(d.cur, 10, 'drive.cur', fail);
  const cv = c.curve;
  if (!cv || typeof cv !== 'object') fail('curve', 'expected an object');
  numbers(cv.samples, -1, 'curve.samples', fail);
  numbers(cv.rtDeep, cv.samples.length, 'curve.rtDeep', fail);
  numbers(cv.backprop, Array.isArray(cv.backprop) && cv.backprop.length === 0 ? 0 : cv.samples.length, 'curve.backprop', fail);
  if (c.backprop !== null) {
    if (typeof c.backprop !== 'object') fail('backprop', 'expected the weights or null');
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) numbers(c.backprop[k], -1, `backprop.${k}`, fail);
  }
}

/** An array of finite numbers of length n (any length for n < 0). */
export function numbers(a: unknown, n: number, field: string, fail: (field: string, msg: string) => never): void {
  if (!Array.isArray(a)) fail(field, 'expected an array of numbers');
  const arr = a as unknown[];
  if (n >= 0 && arr.length !== n) fail(field, `expected ${n} numbers, got ${arr.length}`);
  const bad = arr.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) fail(`${field}[${bad}]`, `expected a finite number, got ${JSON.stringify(arr[bad])}`);
}
