import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { ImageSet } from '../../experiments/mnist/dataset.js';
import { EpochOrder, permutation } from '../../experiments/mnist/epoch-order.js';
import { readCheckpoint, writeCheckpoint } from '../../experiments/mnist/paper-checkpoint.js';
import { paperGraph, runPaperPresentation, type PaperData, type PaperRunResult } from '../../experiments/mnist/paper-run.js';
import { RunInterrupted } from '../../experiments/run-interrupted.js';
import { etaAt, paperRunSettings, paperSettings, switchPresentation, totalPresentations, type PaperSettings } from '../../experiments/mnist/paper-settings.js';
import { PresentationDrive } from '../../experiments/mnist/presentation-drive.js';
import { FeedForwardNet } from '../../experiments/mnist/ff-net.js';
import { testAsPresented } from '../../experiments/mnist/nla-train.js';
import { StreamDrive } from '../../experiments/mnist/stream-drive.js';

/** A tiny MNIST-like set: images of 16 pixels, labels 0 and 1 (of the 10 outputs), each label's images a noisy prototype. */
function tinySet(count: number, seed: number): ImageSet {
  const protoRng = new Rng(99);
  const rng = new Rng(seed);
  const proto = Array.from({ length: 10 }, () => Array.from({ length: 16 }, () => protoRng.uniform()));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
  const pixels = new Float32Array(count * 16);
  for (let n = 0; n < count; n++) for (let i = 0; i < 16; i++) pixels[n * 16 + i] = Math.min(1, Math.max(0, proto[labels[n]!]![i]! + 0.2 * (rng.uniform() - 0.5)));
  return { count, size: 16, side: 4, pixels, labels };
}

const T = 10;
/** 16-16-10, T = 10 ms (dt 0.1 ms, 100 steps), η switch after 70 presentations, 130 in all, a checkpoint every 25. */
function tinySettings(): PaperSettings {
  const s = paperSettings(true, { presentation: String(T), switchS: '0.7', continueS: '0.6', checkpointEvery: '25', test: '20' }, 3);
  s.sizes = [16, 16, 10];
  s.downsample = 1;
  s.curveTestSamples = 10;
  s.etaPerMs = [0.3, 0.03]; // a budget that learns the tiny set in 130 presentations
  return s;
}
const train = tinySet(30, 11);
const test = tinySet(20, 12);
const data: PaperData = { train, test, testIdx: Int32Array.from({ length: 20 }, (_, i) => i), curveIdx: Int32Array.from({ length: 10 }, (_, i) => i) };

function io(file: string | null, resume: ReturnType<typeof readCheckpoint> | null, stopAt = -1) {
  let done = 0;
  return {
    file,
    resume,
    toolkitVersion: 'test',
    stop: () => ++done + (resume?.done ?? 0) === stopAt,
    progress: () => {},
  };
}

function bits(ws: Float64Array[]): string {
  return ws.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('hex')).join('|');
}

async function interruptedAt(s: PaperSettings, stopAt: number): Promise<PaperRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nla-paper-'));
  const file = join(dir, 'run.checkpoint');
  await expect(runPaperPresentation(s, data, T, io(file, null, stopAt))).rejects.toThrow(RunInterrupted);
  const c = readCheckpoint(file, { toolkitVersion: 'test', settings: paperRunSettings(s, T) });
  expect(c.done).toBe(stopAt);
  return runPaperPresentation(s, data, T, io(file, c));
}

describe('paper protocol: schedule and stream', () => {
  it('switches η from 1e-3 to 1e-4 after 22,000 s of simulated time at every presentation time, and continues for continueS', () => {
    const s = paperSettings(false, {}, 1);
    expect(s.sizes).toEqual([784, 500, 10]);
    expect(s.presentationsMs).toEqual([100, 50]);
    expect(switchPresentation(s, 100)).toBe(220_000);
    expect(switchPresentation(s, 50)).toBe(440_000);
    expect(switchPresentation(s, 5)).toBe(4_400_000);
    expect(etaAt(s, 100, 219_999)).toBe(1e-3);
    expect(etaAt(s, 100, 220_000)).toBe(1e-4);
    expect(totalPresentations(s, 100)).toBe(242_000);
    expect(totalPresentations(paperSettings(false, { train: '2000' }, 1), 100)).toBe(2000);
    expect(() => paperSettings(false, { lr: '0.1' }, 1)).toThrow(/--param lr: not a setting of protocol=paper/);
    expect(() => paperSettings(false, { presentation: '100', switchS: '0.05' }, 1)).toThrow(/switchS: 0.05 s is not a whole number of 100 ms presentations/);
  });

  it('cycles the training set in epochs, each a permutation drawn from its own fork of the seed', () => {
    const o = new EpochOrder(30, 5);
    const epoch = (e: number) => Array.from({ length: 30 }, (_, i) => o.image(30 * e + i));
    const e0 = epoch(0);
    const e2 = epoch(2);
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(e0).toEqual(Array.from(permutation(30, new Rng(5).fork('mnist:epoch:0'))));
    expect(e2).toEqual(Array.from(permutation(30, new Rng(5).fork('mnist:epoch:2'))));
    expect(e2).not.toEqual(e0);
    expect(new EpochOrder(30, 5).image(65)).toBe(e2[5]); // random access: no state but the seed
  });

  it('gives the targets and inputs of PresentationDrive over the same order, bit for bit', () => {
    const o = new EpochOrder(30, 5);
    const order = Array.from({ length: 75 }, (_, k) => o.image(k));
    const a = new PresentationDrive(train, order, T, true, 10);
    const b = new StreamDrive(train, new EpochOrder(30, 5), T, 10);
    const [va, sa, vb, sb] = [0, 0, 0, 0].map(() => new Float64Array(10));
    const [xa, xb] = [new Float64Array(16), new Float64Array(16)];
    for (let i = 0; i < 7400; i++) {
      const t = i * 0.1;
      a.targets(t, 0, va!, sa!, 0);
      b.targets(t, 0, vb!, sb!, 0);
      a.inputs(t, 0, xa, 0);
      b.inputs(t, 0, xb, 0);
      expect(Array.from(vb!)).toEqual(Array.from(va!));
      expect(Array.from(sb!)).toEqual(Array.from(sa!));
      expect(Array.from(xb)).toEqual(Array.from(xa));
    }
  });
});

describe('paper protocol: checkpoints and resume', () => {
  const s = tinySettings();
  let whole: PaperRunResult;

  it('runs the schedule: 130 presentations, curve points every 25 and at the end, and learns', async () => {
    whole = await runPaperPresentation(s, data, T, io(null, null));
    expect(whole.done).toBe(130);
    expect(whole.curve.samples).toEqual([0, 25, 50, 75, 100, 125, 130]);
    expect(whole.curve.rtDeep[0]).toBeGreaterThanOrEqual(0.5);
    expect(whole.rtDeep.settled).toBeLessThanOrEqual(0.1);
    expect(whole.backprop!.error).toBeLessThanOrEqual(0.1);
    // the switch to the second η is applied: without it the weights differ after presentation 70
    const noSwitch = await runPaperPresentation({ ...s, etaPerMs: [s.etaPerMs[0], s.etaPerMs[0]] }, data, T, io(null, null));
    expect(noSwitch.curve.rtDeep.slice(0, 3)).toEqual(whole.curve.rtDeep.slice(0, 3));
    expect(bits(noSwitch.weights)).not.toBe(bits(whole.weights));
  });

  it('reads the final test as presented exactly as testAsPresented does, and settled as the feed-forward net', () => {
    const g = paperGraph(s, s.etaPerMs[1]);
    const setting = { dtMs: 0.1, presentationMs: T, engine: { lookahead: true } };
    expect(whole.rtDeep.asPresented).toBe(testAsPresented(g, whole.weights, setting, test, data.testIdx, () => {}));
    expect(whole.rtDeep.settled).toBe(FeedForwardNet.fromWeights(g, whole.weights).errorRate(test, data.testIdx));
  });

  it.each([1, 37, 70, 71, 104, 129])('interrupted after presentation %i and resumed: the same curve and final weights, bit for bit', async (k) => {
    const r = await interruptedAt(s, k);
    expect(r.sessionPresentations).toBe(130 - k); // it continued, not started over
    expect(r.curve).toEqual(whole.curve);
    expect(bits(r.weights)).toBe(bits(whole.weights));
    expect(bits(r.backpropWeights!)).toBe(bits(whole.backpropWeights!));
    expect(r.rtDeep).toEqual(whole.rtDeep);
  });

  it('refuses a checkpoint of other settings, another toolkit version, a truncated or corrupt file, naming the setting, file or field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-paper-'));
    const file = join(dir, 'run.checkpoint');
    await expect(runPaperPresentation(s, data, T, io(file, null, 30))).rejects.toThrow(RunInterrupted);
    const want = { toolkitVersion: 'test', settings: paperRunSettings(s, T) };
    expect(() => readCheckpoint(file, { ...want, settings: paperRunSettings({ ...s, seed: 4 }, T) })).toThrow(UsageError);
    expect(() => readCheckpoint(file, { ...want, settings: paperRunSettings({ ...s, seed: 4 }, T) })).toThrow(/made with seed = 3, this run has seed = 4/);
    expect(() => readCheckpoint(file, { ...want, settings: paperRunSettings({ ...s, continueS: 1 }, T) })).toThrow(/continueS = 0.6, this run has continueS = 1/);
    expect(() => readCheckpoint(file, { ...want, toolkitVersion: '9.9' })).toThrow(/made by toolkit version test, this is 9.9/);
    const raw = readFileSync(file);
    const cut = join(dir, 'cut.checkpoint');
    writeFileSync(cut, raw.subarray(0, raw.length - 100));
    expect(() => readCheckpoint(cut, want)).toThrow(InputError);
    expect(() => readCheckpoint(cut, want)).toThrow(new RegExp(`${cut}: body: truncated .* the header gives \\d+ bytes, the file holds \\d+`));
    const flipped = Buffer.from(raw);
    flipped[raw.length - 50] = flipped[raw.length - 50]! ^ 1;
    writeFileSync(cut, flipped);
    expect(() => readCheckpoint(cut, want)).toThrow(/body: corrupt/);
    writeFileSync(cut, raw.subarray(0, 20));
    expect(() => readCheckpoint(cut, want)).toThrow(/header: expected a first line/);
    // a well-formed file whose fields are wrong: rewritten with a valid header, so only the field check catches it
    const c = readCheckpoint(file, want);
    writeCheckpoint(cut, { ...c, drive: { ...c.drive, cur: c.drive.cur.slice(0, 9) } });
    expect(() => readCheckpoint(cut, want)).toThrow(/drive\.cur: expected 10 numbers, got 9/);
    writeCheckpoint(cut, { ...c, phase: 1 });
    await expect(runPaperPresentation(s, data, T, io(cut, readCheckpoint(cut, want)))).rejects.toThrow(/phase: expected 0 after 30 presentations/);
    writeCheckpoint(cut, { ...c, sim: { ...c.sim, neurons: {} } });
    await expect(runPaperPresentation(s, data, T, io(cut, readCheckpoint(cut, want)))).rejects.toThrow(/neurons\["[^"]+"\]: missing/);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
    // a stop short of what the checkpoint has trained is refused, not reported as a longer run
    await expect(runPaperPresentation({ ...s, trainLimit: 20 }, data, T, io(file, readCheckpoint(file, want)))).rejects.toThrow(/train=20: .* has trained 30 presentations already/);
  });
});

describe.each(['incremental', 'lowrank'] as const)("paper protocol with carried input products (--param inputProducts=%s)", (mode) => {
  const s = { ...tinySettings(), inputProducts: mode };
  let whole: PaperRunResult;

  it('learns as the reference does: the same curve and final errors, weights within 1e-12', async () => {
    whole = await runPaperPresentation(s, data, T, io(null, null));
    const ref = await runPaperPresentation(tinySettings(), data, T, io(null, null));
    expect(whole.curve).toEqual(ref.curve);
    expect(whole.rtDeep).toEqual(ref.rtDeep);
    let gap = 0;
    whole.weights.forEach((W, k) => W.forEach((v, i) => (gap = Math.max(gap, Math.abs(v - ref.weights[k]![i]!)))));
    expect(gap).toBeLessThan(1e-12);
    // and it is not the reference run under another name: some bits differ
    expect(bits(whole.weights)).not.toBe(bits(ref.weights));
  });

  it.each([37, 104])('interrupted after presentation %i and resumed: bit for bit the uninterrupted run of this mode', async (k) => {
    const r = await interruptedAt(s, k);
    expect(r.curve).toEqual(whole.curve);
    expect(bits(r.weights)).toBe(bits(whole.weights));
  });

  it("a checkpoint of the reference is refused by a run of this mode, naming the setting", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-paper-'));
    const file = join(dir, 'run.checkpoint');
    await expect(runPaperPresentation(tinySettings(), data, T, io(file, null, 30))).rejects.toThrow(RunInterrupted);
    expect(() => readCheckpoint(file, { toolkitVersion: 'test', settings: paperRunSettings(s, T) })).toThrow(/inputProducts/);
    expect(() => paperSettings(true, { inputProducts: 'fast' }, 1)).toThrow(/--param inputProducts: expected recompute, incremental or lowrank, got 'fast'/);
  });
});
