import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { UsageError } from '../../core/errors.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { CoreioModel, RecordingBus } from '../../hardware-models/fixed-point/vcore-coreio-model.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { decodeVcoreImage, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { MmioPort } from '../../hardware-models/fixed-point/vcore-mmio.js';
import { repoRoot, verilatorVersion } from '../board/verilate.js';
import { cachedBuild } from './build-cache.js';
import { execBounded } from './core-sim.js';
import { stripVerilogComments } from './gateware-capacity.js';

/**
 * The cycles a network takes on the vector core's RTL, as the board's firmware drives it: the firmware's driver
 * (VcoreDriver) over its memory-mapped HAL (MmioPort) over the register window's model (CoreioModel) records every
 * access (RecordingBus); the accesses are replayed on gateware/vcore/vcore_coreio.v + vcore.v under Verilator
 * (gateware/sim/vcore_coreio_top.v + vcore_coreio_tb.cpp, -DVCORE_CYCLES), built with the board's own vcore parameters
 * (gateware/vcore/vcore_board.v's NB, BW and role banks), and every load must equal the model's. The testbench prints
 * each run's cycles (the core's counter, start to halt): those are the measurement.
 */

/** vcore's parameters of one build of the window testbench (vcore_coreio_top's NB, BW, RA..RM, WAW). */
export interface VcoreRtlParams {
  NB: number;
  /** Bits of each bank, bank 0 first (the BW parameter: 8 bits a bank, bank 0 lowest). */
  bankBits: number[];
  /** The banks each operand role reads (bit b: bank b): vcore's RA, RX, RY, RS, RM. */
  roles: { RA: number; RX: number; RY: number; RS: number; RM: number };
  WAW: number;
}

/** The data width and program address bits vcore_coreio_top fixes (its localparams D and PAW). */
const TOP_D = 42;
const TOP_PAW = 7;

/** An integer literal of Verilog as vcore_board.v writes them: decimal, or sized hex (8'h7f, 64'h…). */
function verilogInt(text: string, what: string, file: string): number {
  const t = text.replace(/_/g, '').trim();
  const hex = /^\d*'h([0-9a-fA-F]+)$/.exec(t);
  if (hex) return parseInt(hex[1]!, 16);
  if (/^\d+$/.test(t)) return Number(t);
  throw new Error(`${file}: ${what} = ${text}: expected a decimal or a sized hex literal (the measured core's parameters are read from it)`);
}

/**
 * The vcore parameters gateware/vcore/vcore_board.v synthesizes (the board's core): NB, BW and the role banks passed
 * to its vcore instance, WAW from its localparams; its D and PAW must be those vcore_coreio_top fixes (42, 7), or the
 * testbench would not be the board's core (refused, naming the file).
 */
export function vcoreBoardParams(gw = join(repoRoot(), 'gateware')): VcoreRtlParams {
  const file = join(gw, 'vcore', 'vcore_board.v');
  const code = stripVerilogComments(readFileSync(file, 'utf8'));
  const inst = /\bvcore\s*#\s*\(([\s\S]*?)\)\s*core\s*\(/.exec(code);
  if (!inst) throw new Error(`${file}: no vcore #(…) core (…) instance (the measured core's parameters are read from it)`);
  const arg = (name: string): number => {
    const m = new RegExp(`\\.${name}\\s*\\(([^()]*)\\)`).exec(inst[1]!);
    if (!m) throw new Error(`${file}: the vcore instance passes no .${name}(…)`);
    return verilogInt(m[1]!, name, file);
  };
  const local = (name: string): number => {
    const m = new RegExp(`\\blocalparam\\b[^;]*\\b${name}\\s*=\\s*(\\d+)`).exec(code);
    if (!m) throw new Error(`${file}: no localparam ${name}`);
    return Number(m[1]);
  };
  const NB = arg('NB');
  const bw = inst[1]!.match(/\.BW\s*\(\s*64'h([0-9a-fA-F_]+)\s*\)/);
  if (!bw) throw new Error(`${file}: the vcore instance passes no .BW(64'h…)`);
  const hex = bw[1]!.replace(/_/g, '').padStart(16, '0');
  const bankBits = Array.from({ length: NB }, (_, b) => parseInt(hex.slice(14 - 2 * b, 16 - 2 * b), 16));
  if (local('D') !== TOP_D || local('PAW') !== TOP_PAW) throw new Error(`${file}: D ${local('D')} and PAW ${local('PAW')}, but gateware/sim/vcore_coreio_top.v measures D ${TOP_D}, PAW ${TOP_PAW}`);
  return { NB, bankBits, roles: { RA: arg('RA'), RX: arg('RX'), RY: arg('RY'), RS: arg('RS'), RM: arg('RM') }, WAW: local('WAW') };
}

/** The parameters of a modelled build (its banks, the banks each role reads within them, WAW 14). */
export function vcoreBuildParams(build: VcoreBuild): VcoreRtlParams {
  const all = 2 ** build.banks.length - 1;
  const r = build.readBanks;
  return { NB: build.banks.length, bankBits: build.banks.map((b) => b.bits), roles: { RA: r.a & all, RX: r.x & all, RY: r.y & all, RS: r.s & all, RM: r.m & all }, WAW: 14 };
}

/** Verilator's -G arguments of a parameter set. */
export function coreioParamArgs(p: VcoreRtlParams): string[] {
  const bw = p.bankBits.map((b) => b.toString(16).padStart(2, '0')).reverse().join('').padStart(16, '0');
  const roles = Object.entries(p.roles).map(([k, v]) => `-G${k}=8'h${v.toString(16)}`);
  return [`-GNB=${p.NB}`, `-GBW=64'h${bw}`, ...roles, `-GWAW=${p.WAW}`];
}

/** What the testbench is built from (the hash of the cache covers each file's bytes). */
function coreioSources(gw: string): { verilog: string[]; tb: string; all: string[] } {
  const vdir = join(gw, 'vcore');
  const verilog = [join(gw, 'sim', 'vcore_coreio_top.v'), ...['vcore_coreio.v', 'vcore.v', 'vcore_banks.v', 'vcore_elem.v'].map((f) => join(vdir, f)), join(gw, 'spram.v')];
  const tb = join(gw, 'sim', 'vcore_coreio_tb.cpp');
  const vh = existsSync(vdir) ? readdirSync(vdir).filter((f) => f.endsWith('.vh')).sort().map((f) => join(vdir, f)) : [];
  return { verilog, tb, all: [...verilog, ...vh, tb] };
}

const BUILD_TIMEOUT_MS = 10 * 60_000;

/** Verilates the window testbench with parameters `p` into `dir` (which must exist): the binary's path. */
export function verilateCoreio(p: VcoreRtlParams, dir: string, gw = join(repoRoot(), 'gateware')): string {
  const s = coreioSources(gw);
  // -Wall, but the testbench top leaves vcore's image-buffer read port (ib_rdata) open: the board's window is not measured
  const args = ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', '-Wno-PINCONNECTEMPTY', '--top-module', 'vcore_coreio_top', '-DVCORE_CYCLES', ...coreioParamArgs(p), '-Mdir', dir, ...s.verilog, s.tb, '-o', 'vcore_coreio_tb'];
  execBounded(`building the vector core's window testbench (verilator and make in ${dir})`, 'verilator', args, { timeoutMs: BUILD_TIMEOUT_MS, maxBuffer: 1 << 26 });
  return join(dir, 'vcore_coreio_tb');
}

/**
 * The window testbench for parameters `p` (default: the board's, vcoreBoardParams), cached under
 * build/verilator/vcoreio-<hash>/ where the hash covers Verilator's version, the parameters and every source: a rerun
 * with nothing changed skips the C++ build (about 40 s). Built in a temporary folder renamed into place.
 */
export function coreioTestbench(p: VcoreRtlParams = vcoreBoardParams(), gw = join(repoRoot(), 'gateware'), buildRoot = join(repoRoot(), 'build', 'verilator')): string {
  const version = verilatorVersion();
  if (!version) throw new UsageError("measuring the vector core's cycles needs Verilator (Debian/Ubuntu: apt-get install verilator)");
  const h = createHash('sha256').update(version).update(JSON.stringify(coreioParamArgs(p)));
  for (const f of coreioSources(gw).all) h.update(f.slice(gw.length)).update(readFileSync(f));
  return cachedBuild(join(buildRoot, `vcoreio-${h.digest('hex').slice(0, 16)}`), 'vcore_coreio_tb', (tmp) => verilateCoreio(p, tmp, gw));
}

/** A replay's result: each run's cycles with the access line (1-based) of its STATUS poll, and whatever went wrong. */
export interface CoreioReplay {
  runs: Array<{ line: number; cycles: number }>;
  /** Every clock cycle the testbench simulated (accesses, polls and runs): the co-simulation's work. */
  simulatedCycles: number;
  /** The testbench's R (a load differs), T (a trap), H (no halt) and other error lines, each with the access it replayed. */
  errors: string[];
}

/** Replays recorded accesses (RecordingBus lines) on a window testbench binary. */
export function replayCoreio(bin: string, lines: string[]): CoreioReplay {
  const r = spawnSync(bin, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`${bin} could not be run: ${r.error.message}`);
  const out = r.stdout.trim().split('\n');
  const runs: CoreioReplay['runs'] = [];
  const errors: string[] = [];
  let simulatedCycles = NaN;
  for (const l of out) {
    const f = l.split(' ');
    if (f[0] === 'D') runs.push({ line: Number(f[1]), cycles: Number(f[2]) });
    else if (f[0] === 'C') simulatedCycles = Number(f[1]);
    else if (f[0] === 'R' || f[0] === 'T' || f[0] === 'H') errors.push(`${l}  (access ${f[1]}: ${lines[Number(f[1]) - 1] ?? '?'})`);
    else if (f[0] !== 'END') errors.push(l);
  }
  if (out.at(-1) !== 'END 0' && !errors.length) errors.push(`the testbench ended with '${out.at(-1) ?? ''}' (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  if (!Number.isFinite(simulatedCycles) && !errors.length) errors.push(`the testbench printed no cycle total (C line) before '${out.at(-1) ?? ''}'`);
  return { runs, simulatedCycles, errors };
}

/**
 * The board firmware's view of the vector core, recording: the driver (VcoreDriver, not yet installed) over the
 * memory-mapped HAL (MmioPort) over the register window's model (CoreioModel), every access in `bus.lines`, ready for
 * replayCoreio.
 */
export function vcoreRecorder(img: BoardImage, build: VcoreBuild): { driver: VcoreDriver; bus: RecordingBus } {
  const bus = new RecordingBus(new CoreioModel(new MachinePort(build)));
  const driver = new VcoreDriver(decodeVcoreImage(compileVcoreImage(img, build), build), new MmioPort(bus, build), build.weightWords);
  return { driver, bus };
}

/** The cycles of a network on the vector core's RTL (measureVcoreCycles). */
export interface VcoreCycles {
  /** The parameters of the core that was measured. */
  params: VcoreRtlParams;
  /**
   * Installing the image (LOAD_IMAGE after the firmware's checks): the window accesses (program, K, W, W0, knots, the
   * reset's bank clears), the reset run's cycles (measured), and their sum at the testbench's pace (a store or load every
   * 3 cycles: a lower bound for the soft processor).
   */
  install: { accesses: number; resetRunCycles: number; cycles: number };
  /** Each frame's run, start to halt (the core's cycle counter): `frames` without and `frames` with learning (targets applied). */
  inference: number[];
  learning: number[];
  /** Window accesses per frame besides the run (the inputs written, the probes read), without and with learning. */
  frameAccesses: { inference: number; learning: number };
  /** Accesses replayed in all, every load equal to the model's. */
  accesses: number;
}

/** Cycles a store or load takes in vcore_coreio_tb.cpp (the access and two idle cycles). */
export const TB_CYCLES_PER_ACCESS = 3;

/**
 * Measures an image's cycles on the vector core's RTL for `build` (what the firmware compiles the image for): install,
 * `frames` inference frames, targets at half scale, `frames` learning frames, with mid-range inputs and the probe mask
 * `probes`. The replay must match the model at every load, or this throws with the first differences (a measurement
 * of a core that computes something else is no measurement). `p` is the core measured (default: the board's).
 */
export function measureVcoreCycles(img: BoardImage, build: VcoreBuild, o: { frames?: number; probes?: number; params?: VcoreRtlParams } = {}): VcoreCycles {
  const frames = o.frames ?? 3;
  const params = o.params ?? vcoreBoardParams();
  const { driver, bus } = vcoreRecorder(img, build);
  driver.install();
  const installEnd = bus.lines.length;
  const inputs = Array.from({ length: img.nStimulusInputs }, (_, i) => (i % 2 ? 1 : 3) << 14);
  const frameSpans: Array<[number, number]> = [];
  const frame = (learn: boolean) => {
    const at = bus.lines.length;
    driver.frame(inputs, learn, o.probes ?? 1);
    frameSpans.push([at, bus.lines.length]);
  };
  for (let k = 0; k < frames; k++) frame(false);
  driver.setTargets(Array.from({ length: img.outputs.length }, () => 1 << 15));
  for (let k = 0; k < frames; k++) frame(true);
  const rep = replayCoreio(coreioTestbench(params), bus.lines);
  if (rep.errors.length) throw new Error(`the vector core's RTL (${img.network}) differs from its model or does not halt:\n  ${rep.errors.slice(0, 10).join('\n  ')}`);
  const runIn = (from: number, to: number) => rep.runs.filter((r) => r.line > from && r.line <= to);
  const accessesIn = (from: number, to: number) => bus.lines.slice(from, to).filter((l) => l !== 'p').length;
  const reset = runIn(0, installEnd);
  if (reset.length !== 1 || rep.runs.length !== 1 + 2 * frames) throw new Error(`the vector core's RTL: expected 1 reset run and ${2 * frames} frame runs, the testbench reported ${rep.runs.length} runs`);
  const installAccesses = accessesIn(0, installEnd);
  const frameRun = ([a, b]: [number, number]) => runIn(a, b)[0]!.cycles;
  return {
    params,
    install: { accesses: installAccesses, resetRunCycles: reset[0]!.cycles, cycles: TB_CYCLES_PER_ACCESS * installAccesses + reset[0]!.cycles },
    inference: frameSpans.slice(0, frames).map(frameRun),
    learning: frameSpans.slice(frames).map(frameRun),
    frameAccesses: { inference: accessesIn(...frameSpans[0]!), learning: accessesIn(...frameSpans[frames]!) },
    accesses: bus.lines.filter((l) => l !== 'p').length,
  };
}
