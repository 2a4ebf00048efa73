import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import type { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';

/**
 * The Verilator model of gateware/nla_core.v with its testbench (gateware/sim/core_tb.cpp), built
 * once per version of the sources into build/verilator/<hash>/ (a rerun with unchanged sources skips
 * the C++ build), and driven by a line script (the command set is in core_tb.cpp's header).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const GW = join(ROOT, 'gateware');
const FLAGS = ['--cc', '--exe', '--build', '-j', '2', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-MAKEFLAGS', 'OPT_FAST=-O2 OPT_SLOW=-O1', '-Wall', '--top-module', 'nla_core'];

/** Per-test limit: a first run builds the model (about 30 s), the long runs simulate ~10⁸ cycles. */
export const RTL_TIMEOUT_MS = 1_200_000;

export const hasVerilator = spawnSync('verilator', ['--version']).status === 0;
if (!hasVerilator) process.stderr.write('NOTE: verilator is not installed: the RTL tests of the fixed-point core are skipped (apt-get install verilator)\n');

function sources(): string[] {
  const v = readdirSync(GW).filter((f) => f.endsWith('.v') || f.endsWith('.vh')).sort().map((f) => join(GW, f));
  return [...v, join(GW, 'sim', 'core_tb.cpp')];
}

/** Path of the testbench binary, built if the sources changed. */
export function coreTestbench(): string {
  const h = createHash('sha256');
  h.update(FLAGS.join(' '));
  for (const f of sources()) h.update(f.slice(ROOT.length)).update(readFileSync(f));
  const dir = join(ROOT, 'build', 'verilator', h.digest('hex').slice(0, 16));
  const bin = join(dir, 'core_tb');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files = sources().filter((f) => !f.endsWith('.vh'));
  execFileSync('verilator', [...FLAGS, `-I${GW}`, '-Mdir', tmp, ...files, '-o', 'core_tb'], { stdio: 'pipe', maxBuffer: 1 << 26 });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run built it first
  }
  return bin;
}

/** Runs a script through the testbench; returns its output lines. */
export function runCore(lines: string[]): string[] {
  const out = execFileSync(coreTestbench(), { input: lines.join('\n') + '\n', maxBuffer: 1 << 30 });
  return out.toString().trim().split('\n');
}

export interface FrameResult {
  cycles: number;
  saturations: number;
  frames: number;
  values: number[];
}

export function parseFrame(line: string): FrameResult {
  const w = line.split(' ');
  if (w[0] !== 'O') throw new Error(`expected an output line, got '${line}'`);
  return { cycles: Number(w[1]), saturations: Number(w[2]), frames: Number(w[3]), values: w.slice(4).map(Number) };
}

export const imageCmd = (bytes: Uint8Array) => `I ${Buffer.from(bytes).toString('hex')}`;
export const frameCmd = (learn: boolean, probes: number, inputs: ArrayLike<number>) => `F ${learn ? 1 : 0} ${probes} ${Array.from(inputs).join(' ')}`;
export const targetCmd = (targets: ArrayLike<number>) => `T ${Array.from(targets).join(' ')}`;

/** The bundled example compiled to a board image (dt 0.1 ms, 1 ms frames). */
export const teacherImage = (): BoardImage => compileBoardImage(buildGraph(loadSpecFile('examples/teacher/network.json')), { dtMs: 0.1, frameMs: 1 }).image;

/** Rows of an example CSV (header dropped, time column dropped) as Q3.16 values. */
export function csv(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(1).map((x) => toSignal(Number(x))));
}

/** The reference's probe values and counters after a frame, as the testbench prints them. */
export const refLine = (core: FixedPointCore, values: Int32Array) => `${core.saturations} ${core.frames} ${Array.from(values).join(' ')}`;
export const rtlLine = (line: string) => {
  const f = parseFrame(line);
  return `${f.saturations} ${f.frames} ${f.values.join(' ')}`;
};

/** First frame at which two runs differ, with both lines, or null. */
export function firstDifference(rtl: string[], ref: string[]): string | null {
  for (let k = 0; k < ref.length; k++) if (rtl[k] !== ref[k]) return `frame ${k}:\n  rtl ${rtl[k]}\n  ref ${ref[k]}`;
  return null;
}
