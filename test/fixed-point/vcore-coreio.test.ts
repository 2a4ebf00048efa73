import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { decodeVcoreImage, VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { MmioPort, VC_REG } from '../../hardware-models/fixed-point/vcore-mmio.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { GATEWARE, hasVerilator } from '../gateware/tools.js';
import { CoreioModel, RecordingBus } from './vcore-coreio-model.js';
import { buildCoreioRtl } from './vcore-hal-tb.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';

// The vector core behind its register window, as the board's firmware reaches it: VcoreDriver → MmioPort (the HAL:
// every port call as loads and stores, vcore-mmio.ts) → the window. Proven: (1) over the window's model
// (CoreioModel on MachinePort) the whole chain is bit-exact with FixedPointCore in UP5K16 (240 frames a network:
// learning, targets, three β exponents, ITERATIONS, both resets, every probe); (2) the same accesses, recorded, replayed
// on the RTL (gateware/vcore/vcore_coreio.v + vcore.v under Verilator, every operand role on every bank; the generic
// build, 8 banks × 256 × 42 bits, and the UP5K board's, 2 × 42 + 5 × 32 bits with the program's banks placed on them) load exactly the values the model loaded, every bank word, weight, count
// and status, so the RTL chain is bit-exact with FixedPointCore too.

const B = VCORE_GENERIC_BUILD;

function chain(img: BoardImage, build: VcoreBuild = B): { driver: VcoreDriver; bus: RecordingBus } {
  const bus = new RecordingBus(new CoreioModel(new MachinePort(build)));
  const driver = new VcoreDriver(decodeVcoreImage(compileVcoreImage(img, build), build), new MmioPort(bus, build), build.weightWords);
  driver.install();
  return { driver, bus };
}

describe('the vector core through its register window (the firmware HAL, vcore-mmio.ts)', () => {
  for (const [name, make] of NETWORKS) {
    it(`${name}: VcoreDriver over MmioPort over the window's model is bit-exact with FixedPointCore (UP5K16)`, () => {
      const { driver, bus } = chain(make());
      driveAgainstReference(name, make(), driver);
      const runs = bus.lines.filter((l) => l === 'p').length;
      expect(runs).toBe(driver.counts.runs);
    });
  }

  it('a bank word round-trips through BLO/BHI at both ends of 42 bits, and a W word through WADDR/WDATA', () => {
    const port = new MmioPort(new CoreioModel(new MachinePort(B)), B);
    for (const v of [0, 1, -1, 2 ** 41 - 1, -(2 ** 41), 2 ** 32, -(2 ** 32) - 5, 123456789012]) {
      port.bankWrite(3, 200, v);
      expect(port.bankRead(3, 200)).toBe(v);
    }
    for (const v of [0, -1, 2 ** 31 - 1, -(2 ** 31)]) {
      port.wWrite(4095, v);
      expect(port.wRead(4095)).toBe(v);
    }
  });

  it('a run that traps or never halts is an error naming the pc', () => {
    const bus = { write: () => undefined, read: (idx: number) => (idx === VC_REG.STATUS ? 4 | (17 << 16) : 0) };
    expect(() => new MmioPort(bus, B).run(3, false)).toThrow(/trapped at pc 17 \(a run from pc 3\)/);
    const idle = { write: () => undefined, read: () => 0 };
    expect(() => new MmioPort(idle, B, 100).run(5, true)).toThrow(/no halt after 100 status reads \(a run from pc 5\)/);
  });
});

describe.skipIf(!hasVerilator)('the RTL window (vcore_coreio.v + vcore.v) replays the firmware accesses bit for bit', () => {
  for (const [buildName, build] of [['generic', B], ['UP5K board', VCORE_UP5K_BUILD]] as const)
  it(`${buildName} build: example, deeper and 64-neuron clip, every load equals the model's (240 frames each)`, () => {
    const bin = buildCoreioRtl(build);
    const dir = dirname(bin);
    try {
      for (const [name, make] of NETWORKS) {
        const { driver, bus } = chain(make(), build);
        driveAgainstReference(name, make(), driver);
        const r = spawnSync(bin, [], { input: bus.lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
        const out = r.stdout.trim().split('\n');
        const bad = out.filter((l) => /^[RTH] /.test(l)).map((l) => `${l}  (access: ${bus.lines[Number(l.split(' ')[1]) - 1]})`);
        expect(bad.slice(0, 10), `${name}: RTL loads against the model`).toEqual([]);
        expect(out.at(-1)).toBe('END 0');
        const cycles = out.filter((l) => l.startsWith('D ')).map((l) => Number(l.split(' ')[2]));
        expect(cycles.length).toBe(driver.counts.runs);
        const loads = bus.lines.filter((l) => l.startsWith('r ')).length;
        process.stderr.write(`NOTE: vcore_coreio (${name}, ${buildName} build): ${bus.lines.length} accesses (${loads} loads) equal; ${cycles.length} runs, a learning frame ${cycles[3]} cycles\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);

  it('is lint-clean under verilator --lint-only -Wall', () => {
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'vcore_coreio', join(GATEWARE, 'vcore', 'vcore_coreio.v')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
