import { describe, expect, it } from 'vitest';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { compileProgram, type CoreProgram, type Instr } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine } from '../../hardware-models/fixed-point/core-program-machine.js';
import { betaReaders, decodeProgram, encodeProgram, refold } from '../../hardware-models/fixed-point/core-program-encode.js';
import { factorOf, toSignal, UP5K16 } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';

// The encoded program (core-program-encode.ts, 128 bits an instruction, UP5K16): decode(encode(p)) is p without
// its tags, and the decoded program run on the program machine is bit-exact with FixedPointCore (the helpers of
// core-program.test.ts, condensed).

const ALL_PROBES = 15;
const strip = (code: Instr[]) => code.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => k !== 'tag')));

function images(): Array<[string, BoardImage]> {
  return [
    ['example', teacherImage()],
    ['deeper', deeperNetworkImage()],
    ['64-neuron clip', compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image],
  ];
}

function decoded(prog: CoreProgram): CoreProgram {
  return { ...prog, code: decodeProgram(encodeProgram(prog), prog) };
}

describe('the encoded vector program (core-program-encode.ts, UP5K16)', () => {
  for (const [name, img] of images()) {
    it(`${name}: decode(encode(p)) is p (tags aside), 128 bits an instruction`, () => {
      const prog = compileProgram(img, UP5K16);
      const words = encodeProgram(prog);
      expect(words.length).toBe(4 * prog.code.length);
      expect(decodeProgram(words, prog)).toEqual(strip(prog.code));
      process.stderr.write(`NOTE: ${name}: ${prog.code.length} instructions, ${words.length * 32} bits; β readers ${betaReaders(prog).join(', ')}\n`);
    });
  }

  it('SET_PARAM BETA: refolding the β readers gives the encoding of the program with the new β', () => {
    const prog = compileProgram(teacherImage(), UP5K16);
    const words = encodeProgram(prog);
    const f = factorOf(2 ** 24 - 1, UP5K16.factorBits);
    const K = prog.K.map((k, i) => (i === prog.kBeta ? { mant: f.mant, exp: f.shift } : k));
    const p2 = { ...prog, K };
    for (const pc of betaReaders(prog)) refold(words, p2, pc);
    expect(Array.from(words)).toEqual(Array.from(encodeProgram(p2)));
    expect(decodeProgram(words, p2)).toEqual(strip(prog.code));
    expect(betaReaders(prog).length).toBeGreaterThan(0);
  });

  it('a field that does not fit throws naming the instruction, the op and the field', () => {
    const prog = compileProgram(teacherImage(), UP5K16);
    const pc = prog.code.findIndex((i) => i.op === 'E');
    const code = structuredClone(prog.code);
    (code[pc] as Extract<Instr, { op: 'E' }>).n = 512;
    expect(() => encodeProgram({ ...prog, code })).toThrow(`instruction ${pc} (E): field n = 512`);
    (code[pc] as Extract<Instr, { op: 'E' }>).n = 1;
    (code[pc] as Extract<Instr, { op: 'E' }>).sh = 60;
    expect(() => encodeProgram({ ...prog, code })).toThrow(`instruction ${pc} (E): field u`);
  });

  it('the decoded example program is bit-exact with FixedPointCore: 300 frames with targets, learning, SET_PARAM, reset, and a saturating burst', () => {
    for (const img0 of [teacherImage(), hotImage()]) {
      const img = img0;
      const core = new FixedPointCore(img, UP5K16);
      const m = new CoreProgramMachine(decoded(compileProgram(img, UP5K16)));
      const x = csv('examples/teacher/input.csv');
      const t = csv('examples/teacher/target.csv');
      const frame = (inp: number[], learn: boolean, what: string) => {
        expect(Array.from(m.frame(inp, learn, ALL_PROBES)), what).toEqual(Array.from(core.frame(inp, learn, ALL_PROBES)));
        expect(m.saturations, `${what}: saturations`).toBe(core.saturations);
      };
      for (let k = 0; k < 300; k++) {
        if (k === 150) {
          core.image.betaQ16 = img.betaQ16 * 3;
          m.setParam(2, core.image.betaQ16);
        }
        if (k === 200) {
          core.reset();
          m.reset();
        }
        if (k % 5 === 0) {
          const tt = t[k % t.length]!.map((v, c) => (c === 1 && k >= 60 && k < 90 ? NO_TARGET_Q : v));
          core.setTargets(tt);
          m.setTargets(tt);
        }
        frame(x[k % x.length]!, k < 100 || k >= 120, `frame ${k}`);
      }
      core.image.betaQ16 = 2 ** 24 - 1;
      m.setParam(2, core.image.betaQ16);
      for (let k = 0; k < 40; k++) {
        const tt = t[k]!.map((_, c) => ((k + c) % 3 ? 2 ** 19 - 1 : -(2 ** 19)));
        core.setTargets(tt);
        m.setTargets(tt);
        frame(x[k]!.map((_, c) => ((k + c) % 2 ? 2 ** 19 - 1 : -(2 ** 19))), true, `burst ${k}`);
      }
      core.weights.forEach((w, k) => expect(Array.from(m.weights(k))).toEqual(Array.from(w)));
      expect(core.saturations).toBeGreaterThan(100);
    }
  });

  it('the decoded deeper and 64-neuron programs are bit-exact with FixedPointCore (learning and targets)', () => {
    for (const [name, img] of images().slice(1)) {
      const core = new FixedPointCore(img, UP5K16);
      const m = new CoreProgramMachine(decoded(compileProgram(img, UP5K16)));
      const nIn = img.nInputs - img.populations.filter((p) => p.kind === 'bias').reduce((s, p) => s + p.size, 0);
      for (let k = 0; k < 100; k++) {
        if (k % 7 === 0) {
          const tt = img.outputs.map((_, c) => toSignal(0.3 + 0.25 * Math.sin(k / 11 + c)));
          core.setTargets(tt);
          m.setTargets(tt);
        }
        const inp = Array.from({ length: nIn }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 9 + c)));
        expect(Array.from(m.frame(inp, k >= 10, ALL_PROBES)), `${name} frame ${k}`).toEqual(Array.from(core.frame(inp, k >= 10, ALL_PROBES)));
        expect(m.saturations).toBe(core.saturations);
      }
      core.weights.forEach((w, k) => expect(Array.from(m.weights(k)), `${name} weights ${k}`).toEqual(Array.from(w)));
    }
  });
});

/** The example with dt/τ = dt/τ_in ≈ 1 and weights ×16 (int32-saturated): u and Δ hit their rails. */
function hotImage(): BoardImage {
  const img = teacherImage();
  for (const p of img.populations) if (p.kind !== 'bias') p.decayQ24 = 2 ** 24 - 1;
  for (const p of img.projections) p.weights = p.weights.map((w) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, w * 16)));
  return img;
}
