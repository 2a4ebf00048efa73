import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InputProducts } from '../../emulator/digital/input-products.js';
import { InputError, UsageError } from '../../core/errors.js';
import { mnistDataDir } from '../../experiments/mnist/dataset.js';
import { parseIdx, readIdx } from '../../experiments/mnist/idx.js';
import { mnistExperiment } from '../../experiments/mnist/mnist-experiment.js';
import type { PresentationResult } from '../../experiments/mnist/mnist-run.js';
import { PresentationDrive } from '../../experiments/mnist/presentation-drive.js';
import { mnistSettings } from '../../experiments/mnist/settings.js';

describe('IDX reader', () => {
  it('reads the installed MNIST test labels', () => {
    const a = readIdx(join(mnistDataDir(), 't10k-labels-idx1-ubyte'), [10_000]);
    expect(a.dims).toEqual([10_000]);
    expect(Math.max(...a.data)).toBe(9);
  });

  it('names the file, the byte and what was expected for a bad magic number, a wrong count and a truncated file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-idx-'));
    const good = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    expect(parseIdx(good, 'ok').dims).toEqual([2, 3]);
    const badMagic = good.slice();
    badMagic[2] = 0x0d;
    const f = join(dir, 'bad-magic');
    writeFileSync(f, badMagic);
    expect(() => readIdx(f)).toThrow(InputError);
    expect(() => readIdx(f)).toThrow(new RegExp(`${f}: byte 2: expected the type code 0x08`));
    expect(() => parseIdx(good, 'count.idx', [5, 3])).toThrow(/count\.idx: byte 4: expected dimension 0 to be 5, found 2/);
    expect(() => parseIdx(good.subarray(0, 15), 'short.idx')).toThrow(/short\.idx: byte 15: expected 6 data bytes .* it has 15/);
    expect(() => parseIdx(good.subarray(0, 6), 'head.idx')).toThrow(/head\.idx: byte 6: expected 2 dimension sizes/);
    expect(readFileSync(f).length).toBe(18);
  });
});

describe('presentation drive', () => {
  const set = { count: 3, size: 2, side: 1, pixels: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), labels: Uint8Array.from([2, 5, 7]) };

  it('holds each image for its presentation and filters the one-hot label with τ_in, matching a fine Euler integration', () => {
    const T = 5;
    const tau = 10;
    const d = new PresentationDrive(set, [0, 1, 2, 1], T, true, tau);
    const v = new Float64Array(10);
    const sl = new Float64Array(10);
    const x = new Float64Array(2);
    d.inputs(7.5, 0, x, 0);
    expect(Array.from(x)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    // independent truth: forward Euler of τ du*/dt = onehot(label(t)) − u* with a step 2000× finer
    const h = 0.0025;
    const u = new Float64Array(10);
    let worst = 0;
    let worstSlope = 0;
    for (let k = 0; k * h < 4 * T + 5; k++) {
      const t = k * h;
      if (k % 400 === 0) {
        d.targets(t, 0, v, sl, 0);
        for (let c = 0; c < 10; c++) {
          worst = Math.max(worst, Math.abs(v[c]! - u[c]!));
          worstSlope = Math.max(worstSlope, Math.abs(sl[c]! - (c === set.labels[[0, 1, 2, 1][Math.min(3, Math.floor(t / T + 1e-9))]!]! ? 1 - u[c]! : -u[c]!) / tau));
        }
      }
      const label = set.labels[[0, 1, 2, 1][Math.min(3, Math.floor(t / T + 1e-9))]!]!;
      for (let c = 0; c < 10; c++) u[c]! += (h / tau) * ((c === label ? 1 : 0) - u[c]!);
    }
    expect(worst).toBeLessThan(2e-4);
    expect(worstSlope).toBeLessThan(2e-5);
    // continuous across a label switch: no target jumps, but the switch is a breakpoint
    d.targets(T - 1e-7, 0, v, sl, 0);
    const before = Float64Array.from(v);
    d.targets(T, 0, v, sl, 0);
    for (let c = 0; c < 10; c++) expect(Math.abs(v[c]! - before[c]!)).toBeLessThan(1e-6);
    expect(d.targetJumps()).toBe(false);
    expect(d.breakpoints(0, 20)).toEqual([5, 10, 15]);
  });

  it('gives NaN targets (no nudging) for testing', () => {
    const d = new PresentationDrive(set, [0, 1], 5, false);
    const v = new Float64Array(10);
    d.targets(3, 0, v, new Float64Array(10), 0);
    expect(v.every((x) => Number.isNaN(x))).toBe(true);
  });
});

describe('mnist experiment, quick mode', () => {
  it('at 5 ms rt-DeEP learns where the control without lookahead does not and matches back-propagation at every dt; at 50 ms it matches back-propagation', async () => {
    const seen: number[] = [];
    const r = await mnistExperiment.run({ quick: true, engine: 'digital', profile: 'ideal', seed: 1, params: {}, progress: (f) => seen.push(f) });
    const res = r.data.results as PresentationResult[];
    const at5 = res.find((x) => x.presentationMs === 5) as Required<PresentationResult>;
    const at50 = res.find((x) => x.presentationMs === 50) as Required<PresentationResult>;
    for (const x of [at5, at50]) expect(Object.keys(x).sort()).toEqual(['backprop', 'backpropPerStep', 'dtMs', 'noLookahead', 'presentationMs', 'rtDeep']);
    // 5 ms (half a membrane time constant): rt-DeEP beats the no-lookahead control by a clear margin,
    // read as presented (end of each presentation) and settled
    expect(at5.noLookahead.asPresented - at5.rtDeep.asPresented).toBeGreaterThan(0.15);
    expect(at5.noLookahead.settled - at5.rtDeep.settled).toBeGreaterThan(0.2);
    expect(at5.rtDeep.settled).toBeLessThan(0.6);
    // the paper's reference at 5 ms, back-propagation at every dt on the same filtered stream: rt-DeEP
    // is comparable to it (its errors are the back-propagated ones), and both pay for the input filter
    // (T = τ_in / 2) against back-propagation on the clean images
    expect(Math.abs(at5.rtDeep.asPresented - at5.backpropPerStep.asPresented)).toBeLessThan(0.08);
    expect(Math.abs(at5.rtDeep.settled - at5.backpropPerStep.settled)).toBeLessThan(0.12);
    expect(at5.backpropPerStep.asPresented - at5.backprop.error).toBeGreaterThan(0.15);
    expect(at5.noLookahead.asPresented - at5.backpropPerStep.asPresented).toBeGreaterThan(0.15);
    expect(at5.backpropPerStep.learningRatePerStep).toBeCloseTo((at5.backprop.learningRate * at5.dtMs) / 5, 12);
    // 50 ms: rt-DeEP learns, within 10 points of back-propagation with the same budget; the control falls behind
    expect(at50.rtDeep.asPresented).toBeLessThan(0.5);
    expect(at50.rtDeep.asPresented - at50.backprop.error).toBeLessThan(0.1);
    expect(at50.noLookahead.asPresented - at50.rtDeep.asPresented).toBeGreaterThan(0.15);
    expect(Math.abs(at50.rtDeep.asPresented - at50.backpropPerStep.asPresented)).toBeLessThan(0.08);
    // learning curves start at chance level and fall
    for (const x of [at5, at50]) {
      expect(x.backpropPerStep.curve.samples).toEqual(x.rtDeep.curve.samples);
      const c = x.rtDeep.curve.error;
      expect(c[0]!).toBeGreaterThan(0.8);
      expect(c[c.length - 1]!).toBeLessThan(c[0]! - 0.3);
    }
    // the same learning budget per presentation: back-propagation gets the same rate at both times
    expect(at5.backprop.learningRate).toBeCloseTo(at50.backprop.learningRate, 12);
    expect(r.finding).toContain(`${Math.round(at5.rtDeep.asPresented * 1000) / 10} %`);
    expect(r.settings.seed).toBe(1);
    expect(seen.length).toBeGreaterThan(3);
  }, 180_000);
});

describe('mnist experiment with carried input products (--param inputProducts)', () => {
  it('lowrank learns as the reference does on the same images: the same test errors, the mode recorded', async () => {
    const run = (inputProducts?: string) =>
      mnistExperiment.run({ quick: true, engine: 'digital', profile: 'ideal', seed: 1, params: { presentation: '50', methods: 'rt-deep', train: '300', test: '100', ...(inputProducts ? { inputProducts } : {}) }, progress: () => {} });
    // the mode reaches the engine: the reference never sums an update, lowrank sums nearly every one
    const sums = vi.spyOn(InputProducts.prototype as unknown as { sumUpdate: () => void }, 'sumUpdate');
    const ref = await run();
    expect(sums).not.toHaveBeenCalled();
    const low = await run('lowrank');
    expect(sums.mock.calls.length).toBeGreaterThan(300 * 90);
    sums.mockRestore();
    const rt = (r: Awaited<ReturnType<typeof run>>) => (r.data.results as PresentationResult[])[0]!.rtDeep!;
    expect(rt(low).asPresented).toBe(rt(ref).asPresented);
    expect(rt(low).settled).toBe(rt(ref).settled);
    expect(rt(low).curve.error).toEqual(rt(ref).curve.error);
    expect(rt(ref).asPresented).toBeLessThan(0.85); // it learned something in 300 presentations
    expect([ref.settings.inputProducts, low.settings.inputProducts]).toEqual(['recompute', 'lowrank']);
    expect(() => mnistSettings(false, { inputProducts: 'fast' }, 1)).toThrow(/--param inputProducts: expected recompute, incremental or lowrank, got 'fast'/);
  }, 120_000);
});

describe('mnist settings', () => {
  it('selects methods with --param methods and names a bad one with the list it expected', () => {
    expect(mnistSettings(true, {}, 1).methods).toEqual(['rt-deep', 'no-lookahead', 'backprop', 'backprop-per-step']);
    expect(mnistSettings(false, { methods: 'backprop-per-step, rt-deep' }, 1).methods).toEqual(['rt-deep', 'backprop-per-step']);
    expect(() => mnistSettings(false, { methods: 'rt-deep,bp' }, 1)).toThrow(UsageError);
    expect(() => mnistSettings(false, { methods: 'rt-deep,bp' }, 1)).toThrow(/--param methods: expected a comma-separated subset of rt-deep, no-lookahead, backprop, backprop-per-step, got 'bp'/);
  });
});
