import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { deeperNetworkImage } from './fixtures.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { crc32 } from '../../core/crc32.js';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { decodeImage, encodeImage, ImageError, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { RTL_TIMEOUT_MS, frameCmd, hasVerilator, imageCmd, parseFrame, runCore, targetCmd, csv, firstDifference, refLine, rtlLine, teacherImage } from './verilated-core.js';

// The RTL of the fixed-point core (gateware/nla_core.v under Verilator) against the reference
// FixedPointCore (hardware-models/fixed-point/core.ts) and the committed known-answer vectors:
// every probe value (OUTPUT_U, OUTPUT_RATE, OUTPUT_ERROR, ALL_U) and the saturation counter after
// every frame must be the same integers.

const ALL_PROBES = 15;
const LEARN_FRAMES = 2_000;

interface Vectors {
  cases: Array<{ name: string; image: { hex: string }; probes: number; frames: Array<{ targets?: number[]; inputs: number[]; learn: boolean; outputs: number[]; state: { saturations: number; frames: number } }> }>;
}

describe.skipIf(!hasVerilator)('RTL fixed-point core (gateware/nla_core.v) is bit-exact with FixedPointCore', () => {
  it('replays the known-answer vectors (test/vectors/fixed-point-core.json): every output value and the saturation count', () => {
    const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
    for (const c of V.cases) {
      const lines = [`I ${c.image.hex}`];
      for (const f of c.frames) {
        if (f.targets) lines.push(targetCmd(f.targets));
        lines.push(frameCmd(f.learn, c.probes, f.inputs));
      }
      const out = runCore(lines);
      expect(out[0]!.split(' ').slice(0, 3), `${c.name}: image installed`).toEqual(['R', '0', '0']);
      c.frames.forEach((f, k) => {
        const r = parseFrame(out[k + 1]!);
        expect(r.values, `${c.name} frame ${k}: outputs`).toEqual(f.outputs);
        expect(r.saturations, `${c.name} frame ${k}: saturations`).toBe(f.state.saturations);
        expect(r.frames, `${c.name} frame ${k}: frames`).toBe(f.state.frames);
      });
    }
    // the vectors do saturate (the burst of `mixed`): the count is really compared
    expect(V.cases[1]!.frames.at(-1)!.state.saturations).toBeGreaterThan(0);
  }, RTL_TIMEOUT_MS);

  it(`runs ${LEARN_FRAMES} frames of the example with learning and targets, SET_PARAM, RESET with and without restoreWeights, bit for bit`, () => {
    const img = teacherImage();
    const core = new FixedPointCore(img);
    const inputs = csv('examples/teacher/input.csv');
    const targets = csv('examples/teacher/target.csv');
    const lines = [imageCmd(encodeImage(img))];
    const ref: string[] = [];
    const isFrame: boolean[] = [];
    for (let k = 0; k < LEARN_FRAMES; k++) {
      if (k === 700) {
        lines.push(`P 2 ${img.betaQ16 * 3}`); // BETA_Q16
        core.image.betaQ16 = img.betaQ16 * 3;
      }
      if (k === 900) {
        lines.push('P 3 2'); // ITERATIONS
        core.image.iterations = 2;
      }
      if (k === 1200 || k === 1600) {
        const restore = k === 1600;
        lines.push(`Z ${restore ? 1 : 0}`);
        isFrame.push(false);
        core.reset();
        if (restore) core.reloadWeights();
      }
      // targets every 5th frame, NO_TARGET for out[1] in frames 300-399 (a target disappears and reappears)
      if (k % 5 === 0) {
        const t = targets[k % targets.length]!.map((v, c) => (c === 1 && k >= 300 && k < 400 ? NO_TARGET_Q : v));
        lines.push(targetCmd(t));
        core.setTargets(t);
      }
      const learn = k < 1400 || k >= 1500;
      const x = inputs[k % inputs.length]!;
      lines.push(frameCmd(learn, ALL_PROBES, x));
      isFrame.push(true);
      ref.push(refLine(core, core.frame(x, learn, ALL_PROBES)));
    }
    const out = runCore(lines);
    expect(out[0]!.split(' ').slice(0, 3)).toEqual(['R', '0', '0']);
    const rtl = out.slice(1).filter((l) => l.startsWith('O')).map(rtlLine);
    expect(out.slice(1).filter((l) => l.startsWith('Z'))).toHaveLength(2);
    expect(rtl).toHaveLength(LEARN_FRAMES);
    expect(firstDifference(rtl, ref)).toBeNull();
    // learning changed the weights: the restored run differs from the run before the restore
    expect(ref[1600]).not.toBe(ref[1200]);
    process.stderr.write(`NOTE: nla_core cycles per frame (example, learning): ${parseFrame(out.find((l) => l.startsWith('O'))!).cycles}\n`);
  }, RTL_TIMEOUT_MS);

  it('returns the values of every probe mask in width order (protocol.md 7.4)', () => {
    const img = teacherImage();
    const core = new FixedPointCore(img);
    const x = csv('examples/teacher/input.csv');
    const t = csv('examples/teacher/target.csv');
    const lines = [imageCmd(encodeImage(img)), targetCmd(t[0]!)];
    core.setTargets(t[0]!);
    const ref: string[] = [];
    for (let mask = 1; mask <= 15; mask++) {
      lines.push(frameCmd(true, mask, x[mask]!));
      ref.push(refLine(core, core.frame(x[mask]!, true, mask)));
    }
    const rtl = runCore(lines).slice(1).map(rtlLine);
    expect(firstDifference(rtl, ref)).toBeNull();
    expect(rtl[14]!.split(' ').length - 2).toBe(3 * img.outputs.length + img.nNeurons);
  }, RTL_TIMEOUT_MS);

  it('runs a deeper network bit for bit: three table populations, chained neuron projections, tanh and logistic, learning', () => {
    const img = deeperNetworkImage();
    expect(img.populations.filter((p) => p.activation.kind === 'table')).toHaveLength(3);
    const core = new FixedPointCore(img);
    const lines = [imageCmd(encodeImage(img))];
    const ref: string[] = [];
    for (let k = 0; k < 300; k++) {
      if (k % 10 === 0) {
        const t = [0, 1].map((c) => toSignal(0.4 * Math.sin(k / 37 + c)));
        lines.push(targetCmd(t));
        core.setTargets(t);
      }
      const x = [0, 1, 2, 3].map((c) => toSignal(0.5 + 0.45 * Math.sin(k / 13 + 2 * c)));
      lines.push(frameCmd(k >= 50, ALL_PROBES, x));
      ref.push(refLine(core, core.frame(x, k >= 50, ALL_PROBES)));
    }
    const rtl = runCore(lines).slice(1).map(rtlLine);
    expect(firstDifference(rtl, ref)).toBeNull();
  }, RTL_TIMEOUT_MS);

  it('refuses invalid images with BAD_IMAGE (1) or CAPACITY (2) and the offending byte, keeping the running image', () => {
    const img = teacherImage();
    const good = encodeImage(img);
    const withCrc = (b: Uint8Array) => {
      const v = new DataView(b.buffer, b.byteOffset, b.length);
      v.setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    };
    const badCrc = good.slice();
    badCrc[100] = badCrc[100]! ^ 0x40;
    const badMagic = withCrc(Object.assign(good.slice(), { 0: 0x4d }));
    const badVersion = withCrc(Object.assign(good.slice(), { 4: 2 }));
    const badRelax = withCrc(Object.assign(good.slice(), { 20: 16 }));
    const badOutputs = good.slice();
    new DataView(badOutputs.buffer).setUint16(32, 28, true); // nOutputs > nNeurons
    withCrc(badOutputs);
    const truncated = good.slice(0, good.length - 8);
    new DataView(truncated.buffer).setUint32(8, truncated.length, true);
    withCrc(truncated); // records run into the trailer
    // neuron populations whose sizes wrap at 2^16 onto the header's count: two linear pads after the
    // outputs, 65,535 and 1 neurons (24 + 3 + 65,536 = 27 + 2^16); the second pad's offset (26) is what a
    // 16-bit running sum expects, the decoder expects 65,562 and refuses it there, so must the core
    const wrapped = (() => {
      const pad = (size: number, offset: number) => ({ ...img.populations.find((p) => p.kind === 'hidden')!, name: 'pad', size, offset, activation: { kind: 'linear' as const } });
      return encodeImage({ ...img, populations: [...img.populations, pad(0xffff, img.nNeurons), pad(1, img.nNeurons - 1)] });
    })();
    const wrappedAt = decodeError(wrapped);
    const big = encodeImage(compileBoardImage(layeredNetwork([4, 80, 2], { activation: 'hard-sigmoid', seed: 3 }).build(), { dtMs: 0.1, frameMs: 1 }).image);
    const cases: Array<[string, Uint8Array, number, number | null]> = [
      ['crc', badCrc, 1, good.length - 4],
      ['magic', badMagic, 1, 0],
      ['version', badVersion, 1, 4],
      ['relaxShift', badRelax, 1, 20],
      ['nOutputs', badOutputs, 1, 32],
      ['truncated', truncated, 1, null],
      ['population sums wrapping at 2^16', wrapped, 1, wrappedAt],
      ['80 neurons', big, 2, null],
    ];
    const core = new FixedPointCore(img);
    const x = csv('examples/teacher/input.csv');
    const lines = [imageCmd(good), frameCmd(false, ALL_PROBES, x[0]!)];
    const ref = [refLine(core, core.frame(x[0]!, false, ALL_PROBES))];
    cases.forEach(([, bytes], k) => {
      lines.push(imageCmd(bytes), frameCmd(false, ALL_PROBES, x[k + 1]!));
      ref.push(refLine(core, core.frame(x[k + 1]!, false, ALL_PROBES)));
    });
    const out = runCore(lines);
    expect(out[0]!.split(' ').slice(0, 3)).toEqual(['R', '0', '0']);
    cases.forEach(([name, , result, offset], k) => {
      const r = out[2 + 2 * k]!.split(' ');
      expect(Number(r[1]), `${name}: result`).toBe(result);
      if (offset !== null) expect(Number(r[2]), `${name}: offset`).toBe(offset);
      expect(r[3], `${name}: still loaded`).toBe('1');
      expect(Number(r[4]), `${name}: the running image's CRC`).toBe(imageId(good));
    });
    // the running image kept computing across the refused loads, state and all
    const rtl = out.filter((l) => l.startsWith('O')).map(rtlLine);
    expect(firstDifference(rtl, ref)).toBeNull();
  }, RTL_TIMEOUT_MS);
});

/** The byte offset at which image-codec.ts refuses an image (the field its ImageError names). */
function decodeError(bytes: Uint8Array): number {
  try {
    decodeImage(bytes);
  } catch (e) {
    if (e instanceof ImageError && e.byteOffset !== null) return e.byteOffset;
    throw e;
  }
  throw new Error('the decoder accepted an image the test expects it to refuse');
}
