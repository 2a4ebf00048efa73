import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { decodeVcoreImage, VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { MmioPort } from '../../hardware-models/fixed-point/vcore-mmio.js';
import { hasTool } from '../gateware/core-install-tb.js';
import { hasVerilator } from '../gateware/tools.js';
import { buildLine, runTb } from '../gateware/vcore-firmware-tb.js';
import { CoreioModel, RecordingBus } from './vcore-coreio-model.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';
import { buildCoreioRtl, buildMmioTb, loadValues, NATIVE_MAX_POLLS, readLines, ScriptedBus, ScriptedDriver, splitLog } from './vcore-hal-tb.js';

// The firmware's memory-mapped HAL of the vector core (gateware/firmware/rv32/hal_vcore_mmio.c) under the C driver
// (vcore_driver.c), built natively with its loads and stores going to a logging bus (vcore_mmio_log.h, vcore_tb.c
// -DVT_MMIO). Proven: (1) on the drive of vcore-drive.ts (240 frames, learning and inference, targets, SET_PARAM BETA
// three times and ITERATIONS, RESET and RESET with restore, every probe, weights and saturations) the C chain's
// register accesses equal, line for line, the TypeScript chain's (VcoreDriver → MmioPort → RecordingBus over the
// window's model, itself checked bit-exact with FixedPointCore during the same drive; the generic build and the UP5K
// board's), its loads answered from that
// recording, and its results equal the TypeScript driver's; (2) that C log, replayed on the RTL window + vcore.v under
// Verilator, loads exactly the recorded values (END 0), so firmware C → registers → RTL is bit-exact with
// FixedPointCore; (3) a run that traps or never halts is surfaced by the C driver (run_err, err_pc) after the same
// accesses as MmioPort's refusal.

const B = VCORE_GENERIC_BUILD;
const hasCc = hasTool('cc');
const TIMEOUT = 900_000;

/** The TypeScript chain's drive of a network: its script, results and register log (checked against FixedPointCore). */
function tsChain(name: string, make: () => BoardImage, build: VcoreBuild) {
  const image = compileVcoreImage(make(), build);
  const bus = new RecordingBus(new CoreioModel(new MachinePort(build)));
  const driver = new VcoreDriver(decodeVcoreImage(image, build), new MmioPort(bus, build), build.weightWords);
  driver.install();
  const side = new ScriptedDriver(driver);
  driveAgainstReference(name, make(), side);
  return { image, side, bus, runs: driver.counts.runs };
}

/** The C chain on the same script, its loads answered with the TypeScript recording's values. */
function cChain(bin: string, image: Uint8Array, script: string[], loads: number[], build: VcoreBuild = B) {
  const out = runTb(bin, [buildLine(build), ...readLines(loads), `D ${Buffer.from(image).toString('hex')}`, ...script]);
  return splitLog(out);
}

function firstDiff(a: string[], b: string[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `access ${i + 1}: C '${a[i]}', TS '${b[i]}'`;
  return null;
}

for (const [buildName, build] of [['generic', B], ['UP5K board', VCORE_UP5K_BUILD]] as const)
describe.skipIf(!hasCc)(`${buildName} build: the firmware HAL (rv32/hal_vcore_mmio.c) makes MmioPort's register accesses under the C driver`, () => {
  const cLogs = new Map<string, string[]>();
  for (const [name, make] of NETWORKS)
    it(`${name}: the C register log equals the TypeScript RecordingBus log line for line (240 frames, both RESETs, BETA, ITERATIONS, probes)`, () => {
      const bin = buildMmioTb();
      try {
        const { image, side, bus, runs } = tsChain(name, make, build);
        const { regs, results } = cChain(bin, image, side.script, loadValues(bus.lines), build);
        expect(firstDiff(regs, bus.lines)).toBeNull();
        expect(regs.length).toBe(bus.lines.length);
        expect(results).toEqual(side.results);
        expect(regs.filter((l) => l === 'p').length).toBe(runs);
        const kinds = new Set(regs.map((l) => l.split(' ').slice(0, 2).join(' ')));
        for (const k of ['w 7', 'w 8', 'w 9', 'w a', 'w b', 'w c', 'w d', 'w e', 'w f', 'w 10', 'r b', 'r c', 'r e', 'r f', 'p']) expect(kinds.has(k), `${name}: ${k}`).toBe(true);
        expect(regs.some((l) => /^w c f+$/.test(l)), `${name}: BHI of a negative word`).toBe(true);
        expect(regs.some((l) => /^w 10 1[0-9a-f]{4}$/.test(l)), `${name}: a learning run`).toBe(true);
        cLogs.set(name, regs);
        console.log(`vcore HAL ${name} (${buildName} build): ${regs.length} register accesses equal (${regs.filter((l) => l.startsWith('r ')).length} loads, ${runs} runs), ${results.length} results equal`);
      } finally {
        rmSync(dirname(bin), { recursive: true, force: true });
      }
    }, TIMEOUT);

  it.skipIf(!hasVerilator)('the C register logs replayed on the RTL window (vcore_coreio.v + vcore.v): every load equal, END 0', () => {
    expect(cLogs.size).toBe(NETWORKS.length);
    const bin = buildCoreioRtl(build);
    try {
      for (const [name, regs] of cLogs) {
        const r = spawnSync(bin, [], { input: regs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
        const out = r.stdout.trim().split('\n');
        const bad = out.filter((l) => /^[RTH] /.test(l)).map((l) => `${l}  (access: ${regs[Number(l.split(' ')[1]) - 1]})`);
        expect(bad.slice(0, 10), `${name}: RTL loads against the C log`).toEqual([]);
        expect(out.at(-1)).toBe('END 0');
        const cycles = out.filter((l) => l.startsWith('D ')).map((l) => Number(l.split(' ')[2]));
        expect(cycles.length).toBe(regs.filter((l) => l === 'p').length);
        console.log(`vcore HAL on RTL ${name} (${buildName} build): ${regs.length} accesses replayed, ${cycles.length} runs, a learning frame ${cycles[3]} cycles, END 0`);
      }
    } finally {
      rmSync(dirname(bin), { recursive: true, force: true });
    }
  }, TIMEOUT);
});

describe.skipIf(!hasCc)('a run that traps or never halts: the C driver surfaces it after MmioPort\'s accesses', () => {
  it('trap at pc 17, then no halt within the poll bound: run_err and err_pc printed, no probes read; then RESET and a frame work', () => {
    const image = compileVcoreImage(NETWORKS[0]![1](), B);
    const vi = decodeVcoreImage(image, B);
    const statuses = [1, 4 | (17 << 16), ...Array(NATIVE_MAX_POLLS).fill(0), 1, 1];
    const bus = new ScriptedBus(statuses);
    const driver = new VcoreDriver(vi, new MmioPort(bus, B, NATIVE_MAX_POLLS), B.weightWords);
    const x = `F 1 15 ${Array.from({ length: vi.prog.io.rin.length }, (_, c) => 1000 * c).join(' ')}`;
    const inputs = x.split(' ').slice(3).map(Number);
    driver.install();
    expect(() => driver.frame(inputs, true, 15)).toThrow(`trapped at pc 17 (a run from pc ${vi.prog.entry.frame})`);
    expect(() => driver.frame(inputs, true, 15)).toThrow(`no halt after ${NATIVE_MAX_POLLS} status reads (a run from pc ${vi.prog.entry.frame})`);
    driver.reset();
    const o = driver.frame(inputs, true, 15);
    const bin = buildMmioTb();
    try {
      const { regs, results } = cChain(bin, image, [x, x, 'S', x], bus.loads);
      expect(firstDiff(regs, bus.lines)).toBeNull();
      expect(results).toEqual(['o 0', 'x 4 17', 'o 0', `x 5 ${vi.prog.entry.frame}`, `o ${o.length} ${Array.from(o).join(' ')}`]);
    } finally {
      rmSync(dirname(bin), { recursive: true, force: true });
    }
  });
});
