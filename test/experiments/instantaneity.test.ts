import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { ExperimentContext } from '../../experiments/experiment.js';
import { fitLine, instantaneityExperiment, poleVariant, settling } from '../../experiments/instantaneity.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';

interface Condition {
  key: string;
  engine: 'digital' | 'analog';
  lookahead: boolean;
  poleRatio: number | null;
  depthSettlingMs: number[];
  slopeMsPerLayer: number;
  layerSettlingMs: number[];
  layerSlopeMsPerLayer: number;
  response: { tMs: number[]; s: number[][] };
}

const TAU_MS = 10; // the experiment's default τ = τ_in

function ctx(engine: 'digital' | 'analog', params: Record<string, string> = {}, seed = 3): ExperimentContext {
  return { quick: true, engine, profile: 'ideal', seed, params, progress: () => {} };
}

const conditionsOf = (r: { data: Record<string, unknown> }) => r.data.conditions as Condition[];

describe('instantaneity experiment: helpers', () => {
  it('fitLine recovers a line and skips NaN', () => {
    const f = fitLine([1, 2, 3, 4, 5], [3, 5, NaN, 9, 11]);
    expect(f.slope).toBeCloseTo(2, 12);
    expect(f.intercept).toBeCloseTo(1, 12);
  });

  it('settling: a first-order step response reaches 95 % after T ln 20', () => {
    const g = layeredNetwork([1, 1, 1]).build();
    const T = [4, 9]; // layer time constants
    const t = Array.from({ length: 2001 }, (_, k) => k * 0.05);
    const us = t.map((x) => Float64Array.from(T, (tau) => 0.2 + 0.5 * (1 - Math.exp(-x / tau))));
    us[us.length - 1] = Float64Array.from(T, () => 0.7); // the final value
    const m = settling(g, t, us, 0.05, 100);
    T.forEach((tau, l) => expect(Math.abs(m.settlingMs[l]! - tau * Math.log(20))).toBeLessThanOrEqual(0.05 + 1e-9));
    expect(m.s[1]![0]).toBe(0);
  });

  it('poleVariant: 0 gives exact units, p > 0 lead stages with τ_p = p·τ', () => {
    const base = loadProfile('opamp-board');
    expect(poleVariant(base, 0).rateUnit.kind).toBe('exact');
    const v = poleVariant(base, 0.1);
    expect(v.rateUnit).toMatchObject({ kind: 'lead', poleRatio: 0.1 });
    expect(v.errorUnit).toMatchObject({ kind: 'lead', poleRatio: 0.1 });
    expect(v.membrane).toEqual(base.membrane);
  });
});

describe('instantaneity experiment (quick)', () => {
  it('digital: with lookahead the settling time is flat in depth; without it grows by about τ per layer', async () => {
    const r = await instantaneityExperiment.run(ctx('digital'));
    const [la, nl] = [conditionsOf(r).find((c) => c.lookahead)!, conditionsOf(r).find((c) => !c.lookahead)!];
    const depth = la.depthSettlingMs.length;
    expect(depth).toBeGreaterThanOrEqual(4);
    // with lookahead: every depth settles when the input low-pass does (95 % after 3 τ_in), no cost per layer
    for (const x of [...la.depthSettlingMs, ...la.layerSettlingMs]) {
      expect(x).toBeGreaterThan(2.5 * TAU_MS);
      expect(x).toBeLessThan(3.5 * TAU_MS);
    }
    expect(Math.abs(la.slopeMsPerLayer)).toBeLessThan(0.05 * TAU_MS);
    // without: a chain of first-order low-passes, each adding 1.3–1.8 τ to the 95 % time
    for (let d = 1; d < depth; d++) expect(nl.depthSettlingMs[d]! - nl.depthSettlingMs[d - 1]!).toBeGreaterThan(0.5 * TAU_MS);
    expect(nl.slopeMsPerLayer).toBeGreaterThan(1.0 * TAU_MS);
    expect(nl.slopeMsPerLayer).toBeLessThan(2.0 * TAU_MS);
    // the layers of the deepest net are the outputs of the shallower ones (no error feedback at β = 0)
    nl.layerSettlingMs.forEach((x, l) => expect(Math.abs(x - nl.depthSettlingMs[l]!)).toBeLessThan(0.5));
    // responses go 0 → 1
    for (const s of la.response.s) {
      expect(Math.abs(s[0]!)).toBeLessThan(1e-6);
      expect(s[s.length - 1]!).toBeCloseTo(1, 6);
    }
    expect(r.table.rows.length).toBe(depth + 2);
    expect(r.table.columns.length).toBe(3);
    expect(r.finding).toContain(nl.slopeMsPerLayer.toFixed(1));
    expect(r.sections.filter((s) => s.html.includes('<svg')).length).toBeGreaterThanOrEqual(3);
  });

  it('analog (ideal profile): flat with exact units; a finite parasitic pole makes it grow, the more the slower the pole', async () => {
    const r = await instantaneityExperiment.run(ctx('analog', { poles: '0,0.03,0.1' }));
    const cs = conditionsOf(r).filter((c) => c.engine === 'analog');
    expect(cs.map((c) => c.poleRatio)).toEqual([0, 0.03, 0.1]);
    const [exact, slow, slower] = cs as [Condition, Condition, Condition];
    for (const x of exact.depthSettlingMs) {
      expect(x).toBeGreaterThan(2.5 * TAU_MS);
      expect(x).toBeLessThan(3.5 * TAU_MS);
    }
    expect(Math.abs(exact.slopeMsPerLayer)).toBeLessThan(0.05 * TAU_MS);
    // each layer adds at least about its pole's delay τ_p (more where the error loop amplifies it) …
    for (const c of [slow, slower]) {
      const tauP = c.poleRatio! * TAU_MS;
      expect(c.slopeMsPerLayer - exact.slopeMsPerLayer).toBeGreaterThan(0.8 * tauP);
      expect(c.depthSettlingMs[c.depthSettlingMs.length - 1]!).toBeGreaterThan(c.depthSettlingMs[0]! + 2 * tauP);
    }
    // … the slope grows with the pole; a pole of 3 % of τ costs far less than no lookahead at all
    expect(slower.slopeMsPerLayer).toBeGreaterThan(slow.slopeMsPerLayer + 0.5 * (0.1 - 0.03) * TAU_MS);
    const leaky = conditionsOf(r).find((c) => c.engine === 'digital' && !c.lookahead)!;
    expect(slow.slopeMsPerLayer).toBeLessThan(0.5 * leaky.slopeMsPerLayer);
    expect(r.table.columns.length).toBe(1 + 2 + 3);
    expect(r.finding).toMatch(/grow with depth/);
  });

  it('the same seed gives the same numbers; another seed another network', async () => {
    const a = conditionsOf(await instantaneityExperiment.run(ctx('digital', { depth: '3' }, 7)));
    const b = conditionsOf(await instantaneityExperiment.run(ctx('digital', { depth: '3' }, 7)));
    const c = conditionsOf(await instantaneityExperiment.run(ctx('digital', { depth: '3' }, 8)));
    expect(b[1]!.response.s).toEqual(a[1]!.response.s);
    expect(c[1]!.response.s).not.toEqual(a[1]!.response.s);
  });

  it('rejects unknown keys and bad values', async () => {
    await expect(instantaneityExperiment.run(ctx('digital', { depht: '4' }))).rejects.toThrow(UsageError);
    await expect(instantaneityExperiment.run(ctx('digital', { depth: '1' }))).rejects.toThrow(UsageError);
    await expect(instantaneityExperiment.run(ctx('analog', { poles: '0,-0.1' }))).rejects.toThrow(UsageError);
    await expect(instantaneityExperiment.run({ ...ctx('analog'), profile: 'no-such-profile' })).rejects.toThrow(UsageError);
  });
});
