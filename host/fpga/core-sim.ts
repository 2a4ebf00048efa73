import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedBuild } from './build-cache.js';
import { UsageError } from '../../core/errors.js';
import { repoRoot, verilatorAvailable } from '../board/verilate.js';

/**
 * The fixed-point core alone (gateware/nla_core.v) under Verilator with its testbench
 * gateware/sim/core_tb.cpp, built once per version of the sources into build/verilator/<hash>/ (a rerun
 * with unchanged sources skips the C++ build) and driven by a line script (the commands are in
 * core_tb.cpp's header: I image, T targets, P param, Z reset, F frame). It is how the core's bit-exactness
 * is tested and how `nla fpga build` measures the cycles a network takes per frame.
 */
const FLAGS = ['--cc', '--exe', '--build', '-j', '2', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-MAKEFLAGS', 'OPT_FAST=-O2 OPT_SLOW=-O1', '-Wall', '--top-module', 'nla_core'];

/** Wall-clock bounds: the C++ build of the testbench (about 30 s on two cores), and a script run by default. */
export const CORE_BUILD_TIMEOUT_MS = 10 * 60_000;
export const CORE_RUN_TIMEOUT_MS = 30 * 60_000;

/** The last `n` characters of a child's stderr and stdout (what it said before it failed). */
function tail(e: { stderr?: Buffer | string; stdout?: Buffer | string }, n = 4000): string {
  const text = `${e.stderr?.toString() ?? ''}\n${e.stdout?.toString() ?? ''}`.trim();
  return text.length > n ? `…${text.slice(-n)}` : text;
}

/**
 * execFileSync with a timeout whose failure names `what`: a timeout says so and after how long; any other
 * failure carries the exit status or signal and the tail of the child's stderr.
 */
export function execBounded(what: string, cmd: string, args: string[], opts: { input?: string; timeoutMs: number; maxBuffer: number }): Buffer {
  try {
    return execFileSync(cmd, args, { stdio: 'pipe', maxBuffer: opts.maxBuffer, timeout: opts.timeoutMs, killSignal: 'SIGKILL', ...(opts.input !== undefined ? { input: opts.input } : {}) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; signal?: string | null; stderr?: Buffer; stdout?: Buffer };
    if (e.code === 'ETIMEDOUT') throw new Error(`${what} timed out after ${opts.timeoutMs >= 1000 ? `${Math.round(opts.timeoutMs / 1000)} s` : `${opts.timeoutMs} ms`} (killed): ${tail(e) || 'no output'}`);
    if (e.code === 'ENOENT') throw new Error(`${what}: ${cmd} could not be started (not found)`);
    const how = e.status != null ? `exit ${e.status}` : e.signal ? `signal ${e.signal}` : (e.message ?? String(err));
    throw new Error(`${what} failed (${how}):\n${tail(e) || 'no output'}`);
  }
}

/** What verilator compiles: the gateware's Verilog and the testbench. */
function sources(gw: string): string[] {
  const v = readdirSync(gw).filter((f) => f.endsWith('.v') || f.endsWith('.vh')).sort().map((f) => join(gw, f));
  return [...v, join(gw, 'sim', 'core_tb.cpp')];
}

/** What the build depends on: the sources and the firmware loader that core_tb.cpp #includes (it installs images). */
function buildInputs(gw: string): string[] {
  return [...sources(gw), ...['image_install.c', 'image_install.h'].map((f) => join(gw, 'firmware', f))];
}

/**
 * Path of the testbench binary of the core built with number format `format` (0 WIDE, 1 UP5K16: the
 * FORMAT parameter of nla_core.v), built if its inputs changed (about 30 s).
 */
export function coreTestbench(format: 0 | 1 = 0): string {
  if (!verilatorAvailable()) throw new UsageError('simulating the core needs Verilator (Debian/Ubuntu: apt-get install verilator)');
  const root = repoRoot();
  const gw = join(root, 'gateware');
  const flags = [...FLAGS, `-GFORMAT=${format}`];
  const h = createHash('sha256');
  h.update(flags.join(' '));
  for (const f of buildInputs(gw)) h.update(f.slice(root.length)).update(readFileSync(f));
  const dir = join(root, 'build', 'verilator', `f${format}-${h.digest('hex').slice(0, 16)}`);
  const files = sources(gw).filter((f) => !f.endsWith('.vh'));
  return cachedBuild(dir, 'core_tb', (tmp) => {
    execBounded(`building the FORMAT ${format} core testbench (verilator and make in ${tmp})`, 'verilator', [...flags, `-I${gw}`, '-Mdir', tmp, ...files, '-o', 'core_tb'], {
      timeoutMs: CORE_BUILD_TIMEOUT_MS,
      maxBuffer: 1 << 26,
    });
  });
}

/**
 * Runs a script through the testbench of the core in number format `format` (killed after `timeoutMs`,
 * default 30 min); returns its output lines.
 */
export function runCore(lines: string[], timeoutMs = CORE_RUN_TIMEOUT_MS, format: 0 | 1 = 0): string[] {
  const out = execBounded(`the FORMAT ${format} core testbench (a script of ${lines.length} lines)`, coreTestbench(format), [], { input: lines.join('\n') + '\n', timeoutMs, maxBuffer: 1 << 30 });
  return out.toString().trim().split('\n');
}

/** One frame as the testbench prints it ("O <cycles> <saturations> <frames> <values…>"). */
export interface CoreFrameResult {
  cycles: number;
  saturations: number;
  frames: number;
  values: number[];
}

export function parseCoreFrame(line: string): CoreFrameResult {
  const w = line.split(' ');
  if (w[0] !== 'O') throw new Error(`core testbench: expected an output line, got '${line}'`);
  return { cycles: Number(w[1]), saturations: Number(w[2]), frames: Number(w[3]), values: w.slice(4).map(Number) };
}

export const imageCmd = (bytes: Uint8Array) => `I ${Buffer.from(bytes).toString('hex')}`;
export const frameCmd = (learn: boolean, probes: number, inputs: ArrayLike<number>) => `F ${learn ? 1 : 0} ${probes} ${Array.from(inputs).join(' ')}`;
export const targetCmd = (targets: ArrayLike<number>) => `T ${Array.from(targets).join(' ')}`;

/** What the core did with an image ("R <result> <errOffset> <loaded> <crc> <nStim> <nOut> <nNeurons> <cycles>"). */
export interface CoreLoadResult {
  /** 0 installed, 1 BAD_IMAGE, 2 CAPACITY (the session's codes). */
  result: number;
  errOffset: number;
  cycles: number;
}

export function parseCoreLoad(line: string): CoreLoadResult {
  const w = line.split(' ');
  if (w[0] !== 'R') throw new Error(`core testbench: expected a load result, got '${line}'`);
  return { result: Number(w[1]), errOffset: Number(w[2]), cycles: Number(w[8]) };
}

/** The cycles the core takes for an image: installing it, and a frame without and with learning. */
export interface CoreCycles {
  load: CoreLoadResult;
  /** Cycles from frame_go to frame_done, inference (each of `frames` frames; the core's schedule does not depend on the values). */
  inference: number[];
  /** The same with learning on and targets applied. */
  learning: number[];
}

/** Measures the cycles per frame of an image on the RTL core (mid-range inputs, targets at half scale), with the probe mask `probes` (default 0x01, the outputs' u). */
export function measureCoreCycles(bytes: Uint8Array, nStimulusInputs: number, nOutputs: number, frames = 3, probes = 1): CoreCycles {
  const inputs = Array.from({ length: nStimulusInputs }, (_, i) => (i % 2 ? 1 : 3) << 14);
  const lines = [imageCmd(bytes)];
  for (let k = 0; k < frames; k++) lines.push(frameCmd(false, probes, inputs));
  lines.push(targetCmd(Array.from({ length: nOutputs }, () => 1 << 15)));
  for (let k = 0; k < frames; k++) lines.push(frameCmd(true, probes, inputs));
  const out = runCore(lines);
  const load = parseCoreLoad(out[0]!);
  if (load.result !== 0) return { load, inference: [], learning: [] };
  const f = out.slice(1).map(parseCoreFrame);
  if (f.length !== 2 * frames) throw new Error(`core testbench: expected ${2 * frames} frames, got ${f.length}: ${out.slice(-1)[0]}`);
  return { load, inference: f.slice(0, frames).map((x) => x.cycles), learning: f.slice(frames).map((x) => x.cycles) };
}
