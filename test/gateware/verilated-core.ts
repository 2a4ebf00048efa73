import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import type { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';

import { repoRoot } from '../../host/board/verilate.js';
import { CORE_BUILD_TIMEOUT_MS, CORE_RUN_TIMEOUT_MS, coreTestbench, execBounded, frameCmd, imageCmd, parseCoreFrame, runCore, targetCmd, type CoreFrameResult } from '../../host/fpga/core-sim.js';

/** The Verilator model of gateware/nla_core.v and its line script: host/fpga/core-sim.ts. */
export { coreTestbench, frameCmd, imageCmd, runCore, targetCmd };
export type FrameResult = CoreFrameResult;
export const parseFrame = parseCoreFrame;

/** Per-test limit: a first run builds the model (about 30 s), the long runs simulate ~10⁸ cycles. */
export const RTL_TIMEOUT_MS = 1_200_000;

export const hasVerilator = spawnSync('verilator', ['--version']).status === 0;
if (!hasVerilator) process.stderr.write('NOTE: verilator is not installed: the RTL tests of the fixed-point core are skipped (apt-get install verilator)\n');

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

/**
 * The core built with FORMAT = 1 (UP5K16, hardware-models/fixed-point/format.ts): the same testbench and
 * line script, the model built once per version of the sources into build/verilator/f1-<hash>/.
 */
const FLAGS16 = ['--cc', '--exe', '--build', '-j', '2', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-MAKEFLAGS', 'OPT_FAST=-O2 OPT_SLOW=-O1', '-Wall', '--top-module', 'nla_core', '-GFORMAT=1'];

export function coreTestbench16(): string {
  const root = repoRoot();
  const gw = join(root, 'gateware');
  const srcs = [...readdirSync(gw).filter((f) => f.endsWith('.v') || f.endsWith('.vh')).sort().map((f) => join(gw, f)), join(gw, 'sim', 'core_tb.cpp')];
  const h = createHash('sha256');
  h.update(FLAGS16.join(' '));
  // core_tb.cpp compiles the firmware loader in (gateware/firmware/image_install.c): a change to it rebuilds
  for (const f of [...srcs, ...['image_install.c', 'image_install.h'].map((x) => join(gw, 'firmware', x))]) h.update(f.slice(root.length)).update(readFileSync(f));
  const dir = join(root, 'build', 'verilator', `f1-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'core_tb');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    execBounded(`building the FORMAT 1 core testbench (${tmp})`, 'verilator', [...FLAGS16, `-I${gw}`, '-Mdir', tmp, ...srcs.filter((f) => !f.endsWith('.vh')), '-o', 'core_tb'], { timeoutMs: CORE_BUILD_TIMEOUT_MS, maxBuffer: 1 << 26 });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** Runs a line script through the FORMAT 1 testbench; returns its output lines. */
export function runCore16(lines: string[], timeoutMs = CORE_RUN_TIMEOUT_MS): string[] {
  const out = execBounded(`the FORMAT 1 core testbench (a script of ${lines.length} lines)`, coreTestbench16(), [], { input: lines.join('\n') + '\n', timeoutMs, maxBuffer: 1 << 30 });
  return out.toString().trim().split('\n');
}
