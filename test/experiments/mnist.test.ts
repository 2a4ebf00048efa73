import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { mnistDataDir } from '../../experiments/mnist/dataset.js';
import { parseIdx, readIdx } from '../../experiments/mnist/idx.js';
import { mnistExperiment } from '../../experiments/mnist/mnist-experiment.js';
import type { PresentationResult } from '../../experiments/mnist/mnist-run.js';

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

describe('mnist experiment, quick mode', () => {
  it('with lookahead it learns like back-propagation where the leaky control falls behind', async () => {
    const seen: number[] = [];
    const r = await mnistExperiment.run({ quick: true, engine: 'digital', profile: 'ideal', seed: 1, params: {}, progress: (f) => seen.push(f) });
    const res = (r.data.results as PresentationResult[]);
    const at50 = res.find((x) => x.presentationMs === 50)!;
    // rt-DeEP learns: far below chance (90 %), within 10 points of back-propagation with the same budget
    expect(at50.rtDeep.asPresented).toBeLessThan(0.5);
    expect(at50.rtDeep.asPresented - at50.backprop.error).toBeLessThan(0.1);
    // without lookahead the same budget gives a clearly worse network (at least 15 points)
    expect(at50.noLookahead.asPresented - at50.rtDeep.asPresented).toBeGreaterThan(0.15);
    // learning curves start at chance level and fall
    const c = at50.rtDeep.curve.error;
    expect(c[c.length - 1]!).toBeLessThan(c[0]! - 0.3);
    // back-propagation itself learns at every presentation time
    for (const x of res) expect(x.backprop.error).toBeLessThan(0.6);
    expect(r.finding).toContain(`${Math.round(at50.rtDeep.asPresented * 1000) / 10} %`);
    expect(r.settings.seed).toBe(1);
    expect(seen.length).toBeGreaterThan(3);
  }, 120_000);
});
