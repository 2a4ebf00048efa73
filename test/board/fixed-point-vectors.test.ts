import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { datapath, shr, toSignal, toWeight } from '../../hardware-models/fixed-point/format.js';
import { decodeImage, encodeImage } from '../../hardware-models/fixed-point/image-codec.js';

// Known-answer vectors of the board core: test/vectors/fixed-point-core.json, written once by
// test/vectors/generate.mjs and checked by hand on the values below (derivations in
// test/vectors/README.md). This test only replays the file; it never regenerates it, so a change of any
// rounding, saturation or order of operations in the core fails here with the frame and the word.

interface Frame {
  targetsReal?: Array<number | null>;
  targets?: number[];
  inputsReal: number[];
  inputs: number[];
  learn: boolean;
  outputs: number[];
  state: { u: number[]; delta: number[]; rbarIn: number[]; weights: number[][]; saturations: number; frames: number };
}

interface Case {
  name: string;
  spec: unknown;
  compile: { dtMs: number; frameMs: number; iterations: number; relaxShift: number };
  image: { hex: string; registers: Array<[string, number[]]>; datapath: Array<[string, number[]]> };
  probes: number;
  frames: Frame[];
}

interface Vectors {
  format: string;
  conversions: { signal: Array<[number, number]>; weight: Array<[number, number]>; datapath: Array<[number, number]>; shr: Array<[number, number, number]> };
  cases: Case[];
}

const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
const caseNamed = (name: string): Case => V.cases.find((c) => c.name === name)!;
/** JSON has no −0; the core's Float64Array state may hold it where a product with 0 was negative. */
const plain = (xs: ArrayLike<number>): number[] => Array.from(xs, (x) => x + 0);
const L16 = 2 ** -16;
const L28 = 2 ** -28;

describe('known-answer vectors of the fixed-point core (test/vectors/fixed-point-core.json)', () => {
  it('is the documented format', () => {
    expect(V.format).toBe('nla-fixed-point-vectors/1');
    expect(V.cases.map((c) => c.name)).toEqual(['tiny', 'mixed']);
  });

  it('holds the values checked by hand (README): roundings where the modes differ, and the first two frames of `tiny`', () => {
    const pair = <T extends unknown[]>(list: T[], key: (x: T) => boolean): T => list.find(key)!;
    // Q3.16 input rounding, ⌊x·2¹⁶ + ½⌋: 32768.5 → 32769 and −16383.5 → −16383 (only round-half-up gives both)
    expect(pair(V.conversions.signal, ([x]) => x === 32768.5 * L16)[1]).toBe(32769);
    expect(pair(V.conversions.signal, ([x]) => x === -16383.5 * L16)[1]).toBe(-16383);
    expect(pair(V.conversions.signal, ([x]) => x === 9)[1]).toBe(2 ** 19 - 1);
    // Q3.28 weight registers, ⌊w·2²⁸ + ½⌋: ties ±2.5 LSB → 3 and −2; 0.3·2²⁸ = 80530636.8 → 80530637 (not truncated)
    expect(pair(V.conversions.weight, ([x]) => x === 2.5 * L28)[1]).toBe(3);
    expect(pair(V.conversions.weight, ([x]) => x === -2.5 * L28)[1]).toBe(-2);
    expect(pair(V.conversions.weight, ([x]) => x === 0.3)[1]).toBe(80530637);
    expect(pair(V.conversions.weight, ([x]) => x === -0.3)[1]).toBe(-80530637);
    expect(pair(V.conversions.weight, ([x]) => x === 8.5)[1]).toBe(2 ** 31 - 1);
    // datapath shr(W, 12), half up: 49152.5 → 49153, −32768.5 → −32768, 0x7fffffff → 524288 → saturated to 524287
    expect(pair(V.conversions.datapath, ([w]) => w === 201328640)[1]).toBe(49153);
    expect(pair(V.conversions.datapath, ([w]) => w === -134219776)[1]).toBe(-32768);
    expect(pair(V.conversions.datapath, ([w]) => w === 2048)[1]).toBe(1);
    expect(pair(V.conversions.datapath, ([w]) => w === -2048)[1]).toBe(0);
    expect(pair(V.conversions.datapath, ([w]) => w === 2 ** 31 - 1)[1]).toBe(524287);
    // docs/protocol.md 11.2
    expect(pair(V.conversions.shr, ([x, s]) => x === -3 && s === 1)[2]).toBe(-1);
    expect(pair(V.conversions.shr, ([x, s]) => x === -5 && s === 1)[2]).toBe(-2);
    // `tiny`, frames 0 and 1, derived step by step in the README
    const tiny = caseNamed('tiny');
    expect(tiny.image.registers).toEqual([['in->out', [201328640]]]);
    expect(tiny.image.datapath).toEqual([['in->out', [49153]]]);
    const [f0, f1] = tiny.frames as [Frame, Frame];
    expect(f0.inputs).toEqual([32769]);
    expect(f0.state).toMatchObject({ u: [125835], delta: [125835], rbarIn: [167777] });
    expect(f0.outputs).toEqual([492, 492, 0, 492]);
    expect(f1.state).toMatchObject({ u: [249153], delta: [123318], rbarIn: [332199] });
    expect(f1.outputs).toEqual([973, 973, 0, 973]);
    // `mixed`: the ties of its weights (README)
    const mixed = caseNamed('mixed');
    expect(mixed.image.registers[0]).toEqual(['in->h', [67110912, -134219776, 80530637, -(2 ** 31), 80530637, 2 ** 31 - 1]]);
    expect(mixed.image.datapath[0]).toEqual(['in->h', [16385, -32768, 19661, -524288, 19661, 524287]]);
    expect(mixed.image.registers[1]![1][2]).toBe(-80530636); // −80530636.5 LSB, half up
    expect(mixed.image.datapath[1]![1][5]).toBe(81922); // 81921.5, half up
  });

  it('conversions: Q3.16 signals, Q3.28 weight registers, datapath weights and shr equal the file', () => {
    for (const [x, q] of V.conversions.signal) expect([x, toSignal(x) + 0]).toEqual([x, q]);
    for (const [x, q] of V.conversions.weight) expect([x, toWeight(x) + 0]).toEqual([x, q]);
    for (const [w, q] of V.conversions.datapath) expect([w, datapath(w) + 0]).toEqual([w, q]);
    for (const [x, s, r] of V.conversions.shr) expect([x, s, shr(x, s) + 0]).toEqual([x, s, r]);
  });

  for (const c of V.cases) {
    it(`${c.name}: the compiler writes the image byte for byte from the spec (weight, factor and table rounding)`, () => {
      const { image } = compileBoardImage(buildGraph(validateSpec(c.spec)), c.compile);
      expect(image.projections.map((p) => [p.name, Array.from(p.weights)])).toEqual(c.image.registers);
      expect(Buffer.from(encodeImage(image)).toString('hex')).toBe(c.image.hex);
    });

    it(`${c.name}: replayed through FixedPointCore, every output word and state word of every frame`, () => {
      const image = decodeImage(Uint8Array.from(Buffer.from(c.image.hex, 'hex')));
      expect(image.projections.map((p) => [p.name, Array.from(p.weights, datapath)])).toEqual(c.image.datapath);
      const core = new FixedPointCore(image);
      c.frames.forEach((f, k) => {
        expect(f.inputsReal.map((x) => toSignal(x) + 0), `frame ${k}: inputs`).toEqual(f.inputs);
        if (f.targets) {
          expect(f.targetsReal!.map((x) => (x === null ? -(2 ** 23) : toSignal(x) + 0)), `frame ${k}: targets`).toEqual(f.targets);
          core.setTargets(f.targets);
        }
        const outputs = core.frame(f.inputs, f.learn, c.probes);
        expect(plain(outputs), `frame ${k}: outputs`).toEqual(f.outputs);
        expect(plain(core.u), `frame ${k}: u`).toEqual(f.state.u);
        expect(plain(core.delta), `frame ${k}: Δ`).toEqual(f.state.delta);
        expect(plain(core.rbarIn), `frame ${k}: r̄_in`).toEqual(f.state.rbarIn);
        expect(core.weights.map(plain), `frame ${k}: weight registers`).toEqual(f.state.weights);
        expect([core.saturations, core.frames], `frame ${k}: saturations, frames`).toEqual([f.state.saturations, f.state.frames]);
      });
    });
  }
});
