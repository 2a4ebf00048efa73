import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore, OperandTrace } from '../../hardware-models/fixed-point/core.js';
import { datapath, datapathOf, SIGNAL_MAX, toSignal, toWeight, UP5K16, WIDE } from '../../hardware-models/fixed-point/format.js';
import { teacher, trainedTeacher } from '../../bench/format-study.js';
import { boardVsFloat } from './board-vs-float.js';

// UP5K16 (format.ts): every multiplier operand signed 16 bits, for the iCE40 UP5K's 16×16 SB_MAC16. Bounds are
// about twice the largest error bench/format-study.ts measured over seeds 1–3:
// inference 2.17e-4, learning 6.81e-4 (voltages) and 2.32e-4 (weights).
const BOUND = { inference: 2 ** -11.2, learningU: 2 ** -9.5, learningW: 2 ** -11 };

/** Operand sites of a learning run with targets, and what each may hold. */
const SIGNED16 = ['rate', 'm', 'c', 'drho', 'ddrho', 'kappa', 'inc', 'u*-u', 'f', 'rin-rbar', 'sumsq', 'rank', 'lerp.diff', 'm.hi', 'em.hi'];
/** Factor mantissas: non-negative, 15 bits, so signed 16-bit operands too. */
const FACTORS = ['k', 'beta', 'eta'];
/** The low parts of the weight update's partial products and the lerp fraction: 12 bits, non-negative. */
const LOW12 = ['lerp.frac', 'm.lo', 'em.lo'];

describe('the UP5K16 number format (every product 16×16)', () => {
  it('is not the default: a core without a format is WIDE, bit for bit', () => {
    const { image } = compileBoardImage(teacher(), { dtMs: 0.1, frameMs: 1 });
    const a = new FixedPointCore(image);
    const b = new FixedPointCore(image, WIDE);
    for (let k = 0; k < 50; k++) {
      const x = [0.2, 0.4, 0.1, 0.9, 0.5, 0.3].map((v) => toSignal(v + 0.1 * Math.sin(k)));
      a.setTargets([toSignal(0.3), toSignal(0.5), toSignal(0.1)]);
      b.setTargets([toSignal(0.3), toSignal(0.5), toSignal(0.1)]);
      expect(b.frame(x, true, 15)).toEqual(a.frame(x, true, 15));
    }
    expect(Array.from(b.u)).toEqual(Array.from(a.u));
    expect(b.weights).toEqual(a.weights);
  });

  it('datapath weights are the register shr 15 (Q2.13), saturating at ±4', () => {
    expect(datapathOf(toWeight(0.5), UP5K16)).toBe(2 ** 12);
    expect(datapathOf(toWeight(-4), UP5K16)).toBe(-(2 ** 15));
    expect(datapathOf(toWeight(5), UP5K16)).toBe(2 ** 15 - 1);
    expect(datapathOf(toWeight(-7.9), UP5K16)).toBe(-(2 ** 15));
    expect(datapathOf(toWeight(0.5), WIDE)).toBe(datapath(toWeight(0.5)));
  });

  it('a trained network, inference: every voltage within the measured bound of the float engine over 3 s, no saturation', () => {
    const r = boardVsFloat(trainedTeacher(), 3000, { learn: false, targets: false, format: UP5K16 });
    expect(r.maxU).toBeGreaterThan(0.3);
    expect(r.saturations).toBe(0);
    expect(r.maxErr).toBeLessThanOrEqual(BOUND.inference);
  }, 60_000);

  it('learning with targets over 2 s: voltages and weights within the measured bounds, no saturation', () => {
    const r = boardVsFloat(teacher(), 2000, { learn: true, targets: true, format: UP5K16 });
    expect(r.saturations).toBe(0);
    expect(r.maxErr).toBeLessThanOrEqual(BOUND.learningU);
    expect(r.maxW).toBeLessThanOrEqual(BOUND.learningW);
    expect(r.maxW).toBeGreaterThan(0);
  }, 60_000);

  it('every multiplier operand fits 16 bits signed, accumulators fit 48 bits', () => {
    const trace = new OperandTrace();
    boardVsFloat(teacher(), 300, { learn: true, targets: true, format: UP5K16, trace });
    const sites = trace.sites;
    // every kind of product was seen, so the trace covers the step
    expect([...sites.keys()].sort()).toEqual([...SIGNED16, ...FACTORS, ...LOW12, 'W', 'acc'].sort());
    for (const s of SIGNED16) expect([s, sites.get(s)!.min >= -(2 ** 15) && sites.get(s)!.max <= 2 ** 15 - 1]).toEqual([s, true]);
    for (const s of FACTORS) expect([s, sites.get(s)!.min > 0 && sites.get(s)!.max <= 2 ** 15 - 1]).toEqual([s, true]);
    for (const s of LOW12) expect([s, sites.get(s)!.min >= 0 && sites.get(s)!.max <= 2 ** 12 - 1]).toEqual([s, true]);
    expect(sites.get('acc')!.max).toBeLessThan(2 ** 47);
    // the datapath weights themselves (the image's and every update's)
    const { image } = compileBoardImage(teacher(), { dtMs: 0.1, frameMs: 1 });
    for (const Wq of new FixedPointCore(image, UP5K16).datapathWeights()) for (const w of Wq) expect(w >= -(2 ** 15) && w <= 2 ** 15 - 1).toBe(true);
    expect(sites.get('W')!.min).toBeGreaterThanOrEqual(-(2 ** 15));
    expect(sites.get('W')!.max).toBeLessThanOrEqual(2 ** 15 - 1);
  }, 60_000);

  it('operands saturate at 16 bits (counted), never wrap around', () => {
    const g = buildGraph(
      validateSpec({ format: 'nla-network/1', name: 'sat', seed: 3, tauMs: 10, tauInMs: 10, beta: 0.1, activation: 'linear', populations: [{ name: 'in', kind: 'input', size: 2 }, { name: 'out', kind: 'output', size: 1 }], projections: [{ from: 'in', to: 'out' }] }),
    );
    g.projections[0]!.weights.set([3.9, 3.9]);
    const core = new FixedPointCore(compileBoardImage(g, { dtMs: 0.1, frameMs: 1 }).image, UP5K16);
    let out = 0;
    for (let k = 0; k < 200; k++) out = core.frame([toSignal(7.5), toSignal(7.5)], false)[0]!;
    expect(out).toBe(SIGNAL_MAX);
    expect(core.saturations).toBeGreaterThan(0);
  });
});
