import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deeperNetworkImage } from './fixtures.js';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { UP5K16, toSignal } from '../../hardware-models/fixed-point/format.js';
import { decodeImage, encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { RTL_TIMEOUT_MS, frameCmd, hasVerilator, imageCmd, parseFrame, runCore16, targetCmd, csv, firstDifference, refLine, rtlLine, teacherImage } from './verilated-core.js';

// The RTL core built with FORMAT = 1 (UP5K16: every multiplier operand a rounded, saturating signed
// 16-bit slice; one 16x16 multiplier) against FixedPointCore(image, UP5K16): every probe value and the
// saturation and frame counters after every frame must be the same integers. The WIDE core
// (FORMAT = 0, the default) is nla-core.test.ts's.

const ALL_PROBES = 15;
const LEARN_FRAMES = 2_000;

interface Vectors {
  cases: Array<{ name: string; image: { hex: string }; probes: number; frames: Array<{ targets?: number[]; inputs: number[]; learn: boolean }> }>;
}

describe.skipIf(!hasVerilator)('RTL fixed-point core, FORMAT 1 (UP5K16), is bit-exact with FixedPointCore(image, UP5K16)', () => {
  it('is lint-clean with FORMAT = 1 (verilator --lint-only -Wall)', () => {
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '-Igateware', '--top-module', 'nla_core', '-GFORMAT=1', 'gateware/nla_core.v'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('replays the known-answer scripts (test/vectors/fixed-point-core.json: rounding ties, clip and table activations, targets, plasticity, saturation bursts) against the UP5K16 reference', () => {
    const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
    let sat = 0;
    for (const c of V.cases) {
      const bytes = Uint8Array.from(Buffer.from(c.image.hex, 'hex'));
      const core = new FixedPointCore(decodeImage(bytes), UP5K16);
      const lines = [imageCmd(bytes)];
      const ref: string[] = [];
      for (const f of c.frames) {
        if (f.targets) {
          lines.push(targetCmd(f.targets));
          core.setTargets(f.targets);
        }
        lines.push(frameCmd(f.learn, c.probes, f.inputs));
        ref.push(refLine(core, core.frame(f.inputs, f.learn, c.probes)));
      }
      const out = runCore16(lines);
      expect(out[0]!.split(' ').slice(0, 3), `${c.name}: image installed`).toEqual(['R', '0', '0']);
      const rtl = out.slice(1).map(rtlLine);
      expect(firstDifference(rtl, ref), c.name).toBeNull();
      sat += core.saturations;
    }
    // the scripts do saturate: the count is really compared
    expect(sat).toBeGreaterThan(0);
  }, RTL_TIMEOUT_MS);

  it('saturates operands and states at their bounds (inputs and targets at +-8, learning) with the same counts: a slice rounding, a bound or a shift off by one fails here', () => {
    // the two known-answer images driven to the ends of Q3.16: r_in - r-bar_in, the increments, f, u* - u and
    // the datapath weights clamp at their 16-bit bounds, D and U at theirs, every frame compared
    const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
    const sats: number[] = [];
    for (const c of V.cases) {
      const bytes = Uint8Array.from(Buffer.from(c.image.hex, 'hex'));
      const img = decodeImage(bytes);
      const core = new FixedPointCore(img, UP5K16);
      const lines = [imageCmd(bytes)];
      const ref: string[] = [];
      for (let k = 0; k < 60; k++) {
        // large beta (SET_PARAM BETA_Q16): factor exponents 9 and 7, so that beta's products are shifted left
        // (shift 4 - e < 0) as well as right
        if (k === 30 || k === 45) {
          const beta = k === 30 ? 0xabcdef : 0x123456;
          lines.push(`P 2 ${beta}`);
          core.image.betaQ16 = beta;
        }
        if (k % 7 === 0) {
          const t = img.outputs.map((_, j) => ((k + j) % 2 ? 524287 : -524288));
          lines.push(targetCmd(t));
          core.setTargets(t);
        }
        const x = Array.from({ length: img.nStimulusInputs }, (_, j) => (((k >> 2) + j) % 2 ? 524287 : -524288));
        lines.push(frameCmd(k >= 10, ALL_PROBES, x));
        ref.push(refLine(core, core.frame(x, k >= 10, ALL_PROBES)));
      }
      const rtl = runCore16(lines).slice(1).map(rtlLine);
      expect(firstDifference(rtl, ref), c.name).toBeNull();
      sats.push(core.saturations);
    }
    expect(Math.min(...sats)).toBeGreaterThan(100);
  }, RTL_TIMEOUT_MS);

  it(`runs ${LEARN_FRAMES} frames of the example with learning and targets, SET_PARAM, RESET with and without restoreWeights, bit for bit`, () => {
    const img = teacherImage();
    const core = new FixedPointCore(img, UP5K16);
    const inputs = csv('examples/teacher/input.csv');
    const targets = csv('examples/teacher/target.csv');
    const lines = [imageCmd(encodeImage(img))];
    const ref: string[] = [];
    for (let k = 0; k < LEARN_FRAMES; k++) {
      if (k === 700) {
        lines.push(`P 2 ${img.betaQ16 * 3}`); // BETA_Q16: another exponent of beta
        core.image.betaQ16 = img.betaQ16 * 3;
      }
      if (k === 900) {
        lines.push('P 3 2'); // ITERATIONS
        core.image.iterations = 2;
      }
      if (k === 1000 || k === 1100) {
        // beta 10 and 40 (exponents 5 and 7): beta's products are shifted left (4 - e < 0), not saturating
        const beta = k === 1000 ? 655360 : 2621440;
        lines.push(`P 2 ${beta}`);
        core.image.betaQ16 = beta;
      }
      if (k === 1200 || k === 1600) {
        const restore = k === 1600;
        lines.push(`Z ${restore ? 1 : 0}`);
        core.reset();
        if (restore) core.reloadWeights();
      }
      if (k % 5 === 0) {
        const t = targets[k % targets.length]!.map((v, c) => (c === 1 && k >= 300 && k < 400 ? NO_TARGET_Q : v));
        lines.push(targetCmd(t));
        core.setTargets(t);
      }
      const learn = k < 1400 || k >= 1500;
      const x = inputs[k % inputs.length]!;
      lines.push(frameCmd(learn, ALL_PROBES, x));
      ref.push(refLine(core, core.frame(x, learn, ALL_PROBES)));
    }
    const out = runCore16(lines);
    expect(out[0]!.split(' ').slice(0, 3)).toEqual(['R', '0', '0']);
    const rtl = out.slice(1).filter((l) => l.startsWith('O')).map(rtlLine);
    expect(rtl).toHaveLength(LEARN_FRAMES);
    expect(firstDifference(rtl, ref)).toBeNull();
    expect(ref[1600]).not.toBe(ref[1200]);
    process.stderr.write(`NOTE: nla_core FORMAT 1 cycles per frame (example, learning): ${parseFrame(out.find((l) => l.startsWith('O'))!).cycles}\n`);
  }, RTL_TIMEOUT_MS);

  it('returns the values of every probe mask in width order', () => {
    const img = teacherImage();
    const core = new FixedPointCore(img, UP5K16);
    const x = csv('examples/teacher/input.csv');
    const t = csv('examples/teacher/target.csv');
    const lines = [imageCmd(encodeImage(img)), targetCmd(t[0]!)];
    core.setTargets(t[0]!);
    const ref: string[] = [];
    for (let mask = 1; mask <= 15; mask++) {
      lines.push(frameCmd(true, mask, x[mask]!));
      ref.push(refLine(core, core.frame(x[mask]!, true, mask)));
    }
    const rtl = runCore16(lines).slice(1).map(rtlLine);
    expect(firstDifference(rtl, ref)).toBeNull();
  }, RTL_TIMEOUT_MS);

  it('runs a deeper network bit for bit: three table populations, chained neuron projections, learning', () => {
    const img = deeperNetworkImage();
    const core = new FixedPointCore(img, UP5K16);
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
    const rtl = runCore16(lines).slice(1).map(rtlLine);
    expect(firstDifference(rtl, ref)).toBeNull();
  }, RTL_TIMEOUT_MS);
});
