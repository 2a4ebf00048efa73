import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nla } from '../cli/run-nla.js';
import { checkFirmwareFlashImage, readFirmwareFile } from '../../host/fpga/firmware-image.js';
import { GATEWARE, hasVerilator, hasYosys } from './tools.js';

/**
 * The whole board (gateware/board_top.v with its core: the vector core since 2026-12-05) through `nla fpga build`: the real
 * flow on the real design, as a user runs it. It fits the UP5K since 2026-12-07, so it must place, meet the declared
 * clock and give a bitstream (a change that pushes it over fails here). Before, it did not (the state of 2026-12-04 with the link layer, session and
 * image loader as firmware on the soft processor, cpu_link, and nla_core without its loader: 7,007 LUT4,
 * 1,025 carry, 2,204 FF, 8,206 logic cells after packing, 28 EBR, 6 DSP, 4 SPRAM, the fourth its code and
 * data; with the loader in the core it was 8,296 LUT4, 1,401 carry, 2,698 FF, 9,734 packed cells, 7 DSP;
 * with board_link, the RTL link, it was
 * 10,864–11,028 LUT4, 12,879–13,042 packed cells, 3,791–3,808 FF, 35 EBR, 3 SPRAM), the command must
 * say so with exit 5 and each shortfall, and the design is held to its measured size (BUDGET: the
 * figures of the last shrink, a few percent of yosys's run-to-run spread on top), so that it can only
 * move toward the device. About 4 minutes of yosys.
 */
// The board with the vector core (board_top VCORE = 1: vcore_board, the UP5K build, its program SPRAM shared with
// cpu_link's image window; the firmware cpulink_vcore.hex, booted by cpu_link's boot ROM, encoding the frames it sends),
// measured 2026-12-07 (yosys 0.23) after the fourth area pass: 4,708 LUT4, 1,160 FF, 5,228 packed cells, 29 EBR, 1 DSP,
// 4 SPRAM, placed by nextpnr at fmax 12.8 MHz (the third pass: 5,306 / 1,862 / 6,313, 29 EBR; 2026-12-05: 5,691 /
// 2,008 / 6,848); the budget is that + ~3 %, the packed cells at most the device's. (With nla_core, VCORE
// = 0, on 2026-12-04: 7,321 LUT4, 2,362 FF, 8,599 packed cells, 28 EBR, 6 DSP, 4 SPRAM.)
const BUDGET = { luts: 4_860, flipFlops: 1_190, packedCells: 5_280, ebr: 30, dsp: 1, spram: 4 };
const UP5K = { luts: 5280, ebr: 30, dsp: 8, spram: 4 };

interface Report {
  fits: boolean;
  network: { core: string; cyclesPerFrame: { inference: number; learning: number } };
  build: { fmaxMHz: number; clockMHz: number; bin: string | null; logicCells: number; luts: number; flipFlops: number; packedCells: number; ebr: number; dsp: number; spram: number } | null;
  firmware: { image: string; commands: string[] };
  failure: { message: string; needs: string[]; synthesis: { luts: number; flipFlops: number; packedCells: number; ebr: number; dsp: number; spram: number } | null } | null;
}

describe.skipIf(!hasYosys || !hasVerilator)('the whole board through the open flow (nla fpga build, board_top)', () => {
  it('builds the board for the iCEBreaker: it fits, places and routes at 12 MHz into a bitstream, within its measured size', () => {
    const out = mkdtempSync(join(tmpdir(), 'nla-board-build-'));
    const r = nla(['fpga', 'build', '--image', 'examples/teacher/network.json', '--json', '--out', out]);
    const rep = JSON.parse(r.out) as Report;
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(rep);
    expect(rep.network.cyclesPerFrame.inference).toBeGreaterThan(0);
    // the board boots its soft processor from the flash (cpu_link's boot ROM): the firmware image is written beside the bitstream,
    // with the programmer runs that write both (whether or not the design fits)
    expect(rep.firmware.image).toBe(join(out, 'firmware-flash.bin'));
    // board_top's core is the vector core (VCORE = 1): its firmware is cpulink_vcore.hex, and the cycles are the vector core's
    expect(/parameter\s+VCORE\s*=\s*1\b/.test(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'))).toBe(true);
    expect(rep.network.core).toBe('vcore');
    expect(checkFirmwareFlashImage(new Uint8Array(readFileSync(rep.firmware.image)))).toEqual({ payload: readFirmwareFile(join(GATEWARE, 'firmware', 'cpulink_vcore.hex')) });
    expect(rep.firmware.commands).toEqual([`iceprog -o 1048576 ${rep.firmware.image}`, `iceprog ${join(out, 'design.bin')}`]);
    const syn = rep.build ?? rep.failure!.synthesis!;
    process.stderr.write(`board_top on UP5K: ${syn.luts} LUT4, ${syn.flipFlops} FF, ${syn.packedCells} packed cells, ${syn.ebr} EBR, ${syn.dsp} DSP, ${syn.spram} SPRAM; ${rep.fits ? `fmax ${rep.build!.fmaxMHz.toFixed(1)} MHz` : 'does not fit'}\n`);
    // it fits: placed, routed, at the declared clock or faster, a bitstream written, exit 0
    expect(rep.fits, `board_top no longer fits the UP5K: ${rep.failure?.message} ${rep.failure?.needs.join('; ')}`).toBe(true);
    expect(r.code, r.err).toBe(0);
    expect(rep.build!.logicCells).toBeLessThanOrEqual(UP5K.luts);
    expect(rep.build!.fmaxMHz).toBeGreaterThanOrEqual(rep.build!.clockMHz);
    expect(rep.build!.clockMHz).toBe(12);
    expect(rep.build!.bin !== null && existsSync(rep.build!.bin)).toBe(true);
    expect(syn.luts).toBeLessThanOrEqual(BUDGET.luts);
    expect(syn.flipFlops).toBeLessThanOrEqual(BUDGET.flipFlops);
    // packing never merges more than a LUT, its carry and its flip-flop into a cell
    expect(syn.packedCells).toBeGreaterThanOrEqual(syn.luts);
    expect(syn.packedCells).toBeLessThanOrEqual(BUDGET.packedCells);
    expect(syn.ebr).toBeLessThanOrEqual(BUDGET.ebr);
    expect(syn.dsp).toBeLessThanOrEqual(BUDGET.dsp);
    expect(syn.spram).toBeLessThanOrEqual(BUDGET.spram);
  }, 1_800_000);
});
