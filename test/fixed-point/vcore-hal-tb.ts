import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import type { VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { VC_REG, type MmioBus } from '../../hardware-models/fixed-point/vcore-mmio.js';
import { verilateCoreio, vcoreBuildParams } from '../../host/fpga/vcore-cycles.js';
import { GATEWARE } from '../gateware/tools.js';
import type { CoreLike } from './vcore-drive.js';

/**
 * Helpers of test/fixed-point/vcore-hal.test.ts: the native build of the firmware's C driver over its memory-mapped
 * HAL (gateware/firmware/vcore_tb.c -DVT_MMIO + rv32/hal_vcore_mmio.c through the logging bus vcore_mmio_log.h), a
 * CoreLike that records the driver calls a drive makes as vcore_tb.c commands, and the RTL window's Verilator build.
 */
const FW = join(GATEWARE, 'firmware');
/** STATUS reads of one run in the native build (VC_MAX_POLLS): small, so that a core that never halts is cheap to test. */
export const NATIVE_MAX_POLLS = 64;

/** Builds the native harness with the register-level HAL (cc): its path. */
export function buildMmioTb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vcore-hal-'));
  const bin = join(dir, 'vcore_mmio_tb');
  const src = ['vcore_tb.c', 'vcore_image.c', 'vcore_prog_check.c', 'vcore_driver.c', 'rv32/hal_vcore_mmio.c'].map((f) => join(FW, f));
  try {
    execFileSync('cc', ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-DVT_MMIO', `-DVC_MAX_POLLS=${NATIVE_MAX_POLLS}`, '-include', join(FW, 'vcore_mmio_log.h'), '-o', bin, ...src]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return bin;
}

/** The V lines that answer the harness's loads, in order (chunks that fit its line buffer). */
export function readLines(values: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += 8000) out.push(`V ${values.slice(i, i + 8000).join(' ')}`);
  return out;
}

/** The values of the loads a RecordingBus log shows (a STATUS poll 'p' read done: the window's model halts at once). */
export function loadValues(lines: string[]): number[] {
  return lines.filter((l) => l === 'p' || l.startsWith('r ')).map((l) => (l === 'p' ? 1 : parseInt(l.split(' ')[2]!, 16)));
}

/** The register accesses of a harness's output (stores, loads, STATUS polls) and the rest (results, run errors). */
export function splitLog(out: string[]): { regs: string[]; results: string[] } {
  const isReg = (l: string) => l === 'p' || /^[wr] /.test(l);
  return { regs: out.filter(isReg), results: out.filter((l) => !isReg(l)) };
}

/** A bus that records as RecordingBus does and answers STATUS from a queue (then done), every other load 0. */
export class ScriptedBus implements MmioBus {
  readonly lines: string[] = [];
  readonly loads: number[] = [];
  constructor(private readonly statuses: number[]) {}
  write(idx: number, v: number): void {
    this.lines.push(`w ${idx.toString(16)} ${(v >>> 0).toString(16)}`);
  }
  read(idx: number): number {
    const v = idx === VC_REG.STATUS ? (this.statuses.shift() ?? 1) : 0;
    this.lines.push(idx === VC_REG.STATUS ? 'p' : `r ${idx.toString(16)} ${v.toString(16)}`);
    this.loads.push(v);
    return v;
  }
}

/** VcoreDriver as a CoreLike that writes every call down as a vcore_tb.c command, and its results as the harness prints them. */
export class ScriptedDriver implements CoreLike {
  readonly script: string[] = [];
  readonly results: string[] = [];
  constructor(private readonly d: VcoreDriver) {}
  private vals(tag: string, v: ArrayLike<number>): void {
    this.results.push([tag, v.length, ...Array.from(v)].join(' '));
  }
  reset(): void {
    this.script.push('S');
    this.d.reset();
  }
  reloadWeights(): void {
    this.script.push('W');
    this.d.reloadWeights();
  }
  setTargets(values: ArrayLike<number>): void {
    this.script.push(`T ${Array.from(values).join(' ')}`);
    this.d.setTargets(values);
  }
  setParam(id: number, value: number): void {
    this.script.push(`P ${id} ${value}`);
    this.d.setParam(id, value);
    this.results.push('p 0');
  }
  frame(inputs: ArrayLike<number>, learn: boolean, probes = 1): Int32Array {
    this.script.push(`F ${learn ? 1 : 0} ${probes} ${Array.from(inputs).join(' ')}`);
    const o = this.d.frame(inputs, learn, probes);
    this.vals('o', o);
    return o;
  }
  weights(k: number): ArrayLike<number> {
    this.script.push(`J ${k}`);
    const w = this.d.weights(k);
    this.vals('j', w);
    return w;
  }
  get saturations(): number {
    this.script.push('G');
    const s = this.d.saturations;
    this.results.push(`g ${s}`);
    return s;
  }
  get frames(): number {
    return this.d.frames;
  }
}

/**
 * Verilates the register window over the core (gateware/sim/vcore_coreio_top.v + vcore_coreio_tb.cpp) for a build's
 * banks into a temporary folder (the caller removes it): the binary. The build itself is the library's
 * (host/fpga/vcore-cycles.ts verilateCoreio, what `nla fpga build` measures with).
 */
export function buildCoreioRtl(build: VcoreBuild): string {
  const dir = mkdtempSync(join(tmpdir(), 'vcore-hal-rtl-'));
  try {
    return verilateCoreio(vcoreBuildParams(build), dir, GATEWARE);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
