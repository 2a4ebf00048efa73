import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImageFile } from '../../cli/board-image.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { CoreProgramMachine, frameCycles, VCORE_UP5K_MODEL } from '../../hardware-models/fixed-point/core-program-machine.js';
import { CoreioModel, RecordingBus } from '../../hardware-models/fixed-point/vcore-coreio-model.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { decodeVcoreImage, VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { MmioPort } from '../../hardware-models/fixed-point/vcore-mmio.js';
import { CPULINK_VCORE_BOARD_H, firmwareVcoreBuild, vcoreBoardBanks } from '../../host/fpga/gateware-capacity.js';
import { coreioTestbench, measureVcoreCycles, vcoreBoardParams } from '../../host/fpga/vcore-cycles.js';
import { csv } from './verilated-core.js';
import { GATEWARE, hasVerilator } from './tools.js';

/**
 * The vector core's cycles as `nla fpga build --image` measures them (host/fpga/vcore-cycles.ts): on the board's own
 * core (gateware/vcore/vcore_board.v's parameters, read here by gateware-capacity's parser and by a plain regex), every
 * load of the replay equal to the model's, and each frame's cycles equal to those of an independent drive of the same
 * testbench (other inputs, other targets: the core's schedule does not depend on the values), and between the cost
 * model's whole frame for the board (VCORE_UP5K_MODEL, docs/vcore.md: each instruction fetched after pc moves, 9 cycles,
 * then its elements; PLAS 2 a weight) and 1.25 times it.
 */
const BOARD_V = join(GATEWARE, 'vcore', 'vcore_board.v');

describe('the vector core board parameters the cycles are measured with', () => {
  it("are vcore_board.v's: NB and BW as gateware-capacity reads them, the firmware's announced build, every role on every bank", () => {
    const p = vcoreBoardParams();
    const text = readFileSync(BOARD_V, 'utf8');
    expect(p.bankBits).toEqual(vcoreBoardBanks(text, BOARD_V));
    const hdr = join(GATEWARE, CPULINK_VCORE_BOARD_H);
    expect(p.bankBits).toEqual(firmwareVcoreBuild(readFileSync(hdr, 'utf8'), hdr).banks.map((b) => b.bits));
    for (const role of ['RA', 'RX', 'RY', 'RS', 'RM'] as const) {
      const m = new RegExp(`\\.${role}\\(8'h([0-9a-f]+)\\)`).exec(text);
      expect(p.roles[role], role).toBe(parseInt(m![1]!, 16));
    }
  });
});

describe.skipIf(!hasVerilator)("the example's cycles on the board's vector core (Verilator)", () => {
  it('measured on the board parameters, equal to an independent drive of the RTL, and within the cost model and 1.25 times it', () => {
    const { image } = loadImageFile('examples/teacher/network.json');
    const build = VCORE_UP5K_BUILD;
    const m = measureVcoreCycles(image, build);
    // the core measured is the board's (not, say, the generic build's 8 × 42 bits)
    expect(m.params.NB).toBe(vcoreBoardBanks(readFileSync(BOARD_V, 'utf8'), BOARD_V).length);
    expect(m.params.bankBits).toEqual(vcoreBoardBanks(readFileSync(BOARD_V, 'utf8'), BOARD_V));
    expect(m.inference).toHaveLength(3);
    expect(m.learning).toHaveLength(3);

    // an independent drive: inputs of the example's input.csv, targets from its target.csv rows, replayed on the same binary
    const bus = new RecordingBus(new CoreioModel(new MachinePort(build)));
    const img = decodeVcoreImage(compileVcoreImage(image, build), build);
    const driver = new VcoreDriver(img, new MmioPort(bus, build), build.weightWords);
    driver.install();
    const rows = csv('examples/teacher/input.csv');
    const machine = new CoreProgramMachine(img.prog);
    const model: number[] = [];
    const frame = (k: number, learn: boolean) => {
      driver.frame(rows[k]!, learn);
      machine.frame(rows[k]!, learn);
      model.push(frameCycles(img.prog, machine.counts, VCORE_UP5K_MODEL));
    };
    for (let k = 0; k < 2; k++) frame(k, false);
    const targets = Array.from({ length: image.outputs.length }, (_, i) => (i + 1) << 13);
    driver.setTargets(targets);
    machine.setTargets(targets);
    for (let k = 2; k < 4; k++) frame(k, true);
    const r = spawnSync(coreioTestbench(), [], { input: bus.lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
    const out = r.stdout.trim().split('\n');
    expect(out.at(-1)).toBe('END 0');
    const d = out.filter((l) => l.startsWith('D ')).map((l) => Number(l.split(' ')[2]));
    expect(d).toHaveLength(5);
    expect(m.install.resetRunCycles).toBe(d[0]);
    // a frame's cycles (after the first, which starts from the reset's state) do not depend on the values
    expect(Math.max(...m.inference)).toBe(d[2]);
    expect(Math.max(...m.learning)).toBe(d[4]);
    // the cost model is a lower bound the RTL stays close to
    for (const [rtl, mod] of [[d[2]!, model[1]!], [d[4]!, model[3]!]] as Array<[number, number]>) {
      expect(rtl).toBeGreaterThanOrEqual(mod);
      expect(rtl).toBeLessThanOrEqual(1.25 * mod);
    }
    // the install: every access the driver made before the first frame, 3 cycles each in the testbench, and the reset run
    const installAccesses = bus.lines.slice(0, bus.lines.indexOf('p') + 1).filter((l) => l !== 'p').length;
    expect(m.install.accesses).toBe(installAccesses);
    expect(m.install.cycles).toBe(3 * installAccesses + d[0]!);
    process.stderr.write(`NOTE: the example on the board's vector core: install ${m.install.accesses} accesses + reset run ${m.install.resetRunCycles} cycles; inference ${m.inference.join('/')} cycles (model ${model[1]}), learning ${m.learning.join('/')} (model ${model[3]}); ${m.frameAccesses.inference} window accesses a frame\n`);
  }, 600_000);
});
