import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import type { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { CORE_RUN_TIMEOUT_MS, coreTestbench, frameCmd, imageCmd, parseCoreFrame, runCore, targetCmd, type CoreFrameResult } from '../../host/fpga/core-sim.js';

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

/** Runs a line script through the core built with FORMAT = 1 (UP5K16, hardware-models/fixed-point/format.ts). */
export function runCore16(lines: string[], timeoutMs = CORE_RUN_TIMEOUT_MS): string[] {
  return runCore(lines, timeoutMs, 1);
}
