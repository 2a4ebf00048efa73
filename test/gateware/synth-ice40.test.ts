import { describe, expect, it } from 'vitest';
import { buildIce40 } from '../../host/fpga/ice40-build.js';
import { hasYosys } from './tools.js';

/**
 * frame_echo_top (the link blocks: UART, COBS, CRC-32, frame_rx, frame_tx) synthesized for the
 * iCEBreaker (iCE40UP5K-SG48) with yosys and nextpnr-ice40: it fits, its memories map to EBR, and
 * it meets the declared 12 MHz clock with the margin the design aims at. The packing-only count that
 * `nla fpga build` refuses a design by is checked against the cells the full run placed.
 */
describe.skipIf(!hasYosys)('frame_echo_top on the iCE40 UP5K (yosys, nextpnr-ice40)', () => {
  it('fits, infers EBR for the frame and group buffers, meets 12 MHz', async () => {
    const r = await buildIce40({ top: 'frame_echo_top', board: 'icebreaker', baud: 921_600 });
    process.stderr.write(`frame_echo_top on UP5K: ${r.luts} LUT4, ${r.carries} carries, ${r.flipFlops} FF, ${r.logicCells}/${r.logicCellsAvailable} LC, ` +
      `${r.ebr} EBR, ${r.spram} SPRAM, ${r.dsp} DSP, fmax ${r.fmaxMHz.toFixed(1)} MHz (clock ${r.clockMHz} MHz); yosys ${r.yosysMs} ms, nextpnr ${r.pnrMs} ms\n`);
    // frame_rx: 2 x (11 + 1024) bytes = 5 EBR; cobs_encoder: 2 x 256 bytes = 1 EBR
    expect(r.ebr).toBe(6);
    expect(r.logicCells).toBeLessThan(r.logicCellsAvailable / 3);
    expect(r.dsp).toBe(0);
    // the packing alone (what a refusal is measured by) counts exactly the cells the full run placed
    expect(r.packedCells).toBe(r.logicCells);
    expect(r.fmaxMHz).toBeGreaterThanOrEqual(2 * r.clockMHz);
  }, 300_000);
});
