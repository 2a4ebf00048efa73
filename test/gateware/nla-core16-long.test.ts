import { describe, expect, it } from 'vitest';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { RTL_TIMEOUT_MS, frameCmd, hasVerilator, imageCmd, parseFrame, runCore16, csv, firstDifference, refLine, rtlLine, teacherImage } from './verilated-core.js';

// The long inference run of the RTL core built with FORMAT = 1 (UP5K16) against FixedPointCore(image,
// UP5K16) (its own file so that it runs in parallel with nla-core16.test.ts, which has the 2,000 frames
// with learning and targets).

const ALL_PROBES = 15;
const EXAMPLE_FRAMES = 10_000;

describe.skipIf(!hasVerilator)('RTL fixed-point core, FORMAT 1 (UP5K16), long run', () => {
  it(`runs ${EXAMPLE_FRAMES} frames of the bundled example without learning, every probe bit for bit; reports cycles per frame`, () => {
    const img = teacherImage();
    const core = new FixedPointCore(img, UP5K16);
    const inputs = csv('examples/teacher/input.csv');
    const lines = [imageCmd(encodeImage(img))];
    const ref: string[] = [];
    for (let k = 0; k < EXAMPLE_FRAMES; k++) {
      // the recorded inputs, scaled by a ramp up to 3x and back (saturating inputs and operands on the way)
      const r = k % 6000 < 3000 ? k % 3000 : 2999 - (k % 3000);
      const x = inputs[k % inputs.length]!.map((v) => Math.round(v * (1 + r / 1500)));
      lines.push(frameCmd(false, ALL_PROBES, x));
      ref.push(refLine(core, core.frame(x, false, ALL_PROBES)));
    }
    const out = runCore16(lines);
    const head = out[0]!.split(' ');
    expect(head.slice(0, 4)).toEqual(['R', '0', '0', '1']);
    expect(Number(head[4])).toBe(imageId(encodeImage(img)));
    const rtl = out.slice(1).map(rtlLine);
    expect(rtl).toHaveLength(EXAMPLE_FRAMES);
    expect(firstDifference(rtl, ref)).toBeNull();
    const u0 = ref.map((l) => Number(l.split(' ')[2]));
    expect(Math.max(...u0) - Math.min(...u0)).toBeGreaterThan(1000);
    process.stderr.write(`NOTE: nla_core FORMAT 1 cycles per frame (example, no learning): ${parseFrame(out[1]!).cycles}; saturations after the run: ${core.saturations}\n`);
  }, RTL_TIMEOUT_MS);
});
