import { describe, expect, it } from 'vitest';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { RTL_TIMEOUT_MS, frameCmd, hasVerilator, imageCmd, parseFrame, runCore, csv, firstDifference, refLine, rtlLine, teacherImage } from './verilated-core.js';

// The ramped run of the RTL core (its own file so that it runs in parallel with nla-core.test.ts); the
// 10,000-frame run goes through the whole board, the pty and the protocol (rtl-board.test.ts).
// The RTL of the fixed-point core (gateware/nla_core.v under Verilator) against the reference
// FixedPointCore (hardware-models/fixed-point/core.ts) and the committed known-answer vectors:
// every probe value (OUTPUT_U, OUTPUT_RATE, OUTPUT_ERROR, ALL_U) and the saturation counter after
// every frame must be the same integers.

const ALL_PROBES = 15;
const EXAMPLE_FRAMES = 3_000;

describe.skipIf(!hasVerilator)('RTL fixed-point core (gateware/nla_core.v), ramped run', () => {
  it(`runs ${EXAMPLE_FRAMES} frames of the bundled example without learning, every probe bit for bit; reports cycles per frame`, () => {
    const img = teacherImage();
    const core = new FixedPointCore(img);
    const inputs = csv('examples/teacher/input.csv');
    const lines = [imageCmd(encodeImage(img))];
    const ref: string[] = [];
    for (let k = 0; k < EXAMPLE_FRAMES; k++) {
      // the recorded inputs, scaled by a ramp up to 3× so that later frames are not a repeat of earlier ones (saturation:
      // the known-answer vectors of nla-core.test.ts)
      const x = inputs[k % inputs.length]!.map((v) => Math.round(v * (1 + (k % 2999) / 1500)));
      lines.push(frameCmd(false, ALL_PROBES, x));
      ref.push(refLine(core, core.frame(x, false, ALL_PROBES)));
    }
    const out = runCore(lines);
    const head = out[0]!.split(' ');
    expect(head.slice(0, 4)).toEqual(['R', '0', '0', '1']);
    expect(Number(head[4])).toBe(imageId(encodeImage(img)));
    expect(head.slice(5, 8).map(Number)).toEqual([img.nStimulusInputs, img.outputs.length, img.nNeurons]);
    const rtl = out.slice(1).map(rtlLine);
    expect(rtl).toHaveLength(EXAMPLE_FRAMES);
    expect(firstDifference(rtl, ref)).toBeNull();
    // the run is not trivial: outputs move and the rates are not constant
    const u0 = ref.map((l) => Number(l.split(' ')[2]));
    expect(Math.max(...u0) - Math.min(...u0)).toBeGreaterThan(1000);
    process.stderr.write(`NOTE: nla_core cycles per frame (example, no learning): ${parseFrame(out[1]!).cycles}\n`);
  }, RTL_TIMEOUT_MS);
});
