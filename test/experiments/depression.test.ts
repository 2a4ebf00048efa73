import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { activationValue } from '../../core/activation.js';
import type { ExperimentContext } from '../../experiments/experiment.js';
import { depressionExperiment } from '../../experiments/depression.js';

function ctx(over: Partial<ExperimentContext> = {}): ExperimentContext {
  return { quick: true, engine: 'analog', profile: 'ideal', seed: 1, params: {}, progress: () => {}, ...over };
}

describe('depression experiment (quick)', () => {
  it('steady state: the pool delivers u over the input range; a linear ρ through the same synapse does not', async () => {
    const r = await depressionExperiment.run(ctx());
    const sweep = r.data.sweep as { u: number[]; delivered: number[]; unmatched: number[] };
    for (let i = 0; i < sweep.u.length; i++) {
      expect(Math.abs(sweep.delivered[i]! - sweep.u[i]!)).toBeLessThan(1e-8);
      // v(r̄) r̄ with r̄ = u: (1 + a/(1 + d u)) u, independent of the experiment
      expect(sweep.unmatched[i]).toBeCloseTo((1 + 1 / (1 + sweep.u[i]!)) * sweep.u[i]!, 12);
    }
    expect(Math.max(...sweep.u.map((u, i) => Math.abs(sweep.unmatched[i]! - u)))).toBeGreaterThan(0.1);
    expect(r.sections.some((s) => s.html.includes('<svg'))).toBe(true);
    expect(r.table.rows.length).toBeGreaterThan(5);
  });

  it('voltage steps: the pool follows the closed form and the error decays with τ_rec/(1 + d r̄1)', async () => {
    const r = await depressionExperiment.run(ctx());
    const steps = r.data.steps as Array<{ u0: number; u1: number; peakError: number; tauFitMs: number; maxPoolDeviation: number }>;
    const act = { kind: 'depression-matched' as const, a: 1, d: 1 };
    for (const s of steps) {
      expect(s.maxPoolDeviation).toBeLessThan(1e-7);
      const r1 = activationValue(act, s.u1);
      const r0 = activationValue(act, s.u0);
      expect(s.tauFitMs).toBeCloseTo(10 / (1 + r1), 3);
      // error just after the step: a r̄1 (x*(r̄0) − x*(r̄1))
      expect(s.peakError).toBeCloseTo(Math.abs(r1 * (1 / (1 + r0) - 1 / (1 + r1))), 8);
    }
  });

  it('fast changes: small signals follow the linearised pool; the error grows with τ_rec/τ and with speed', async () => {
    const r = await depressionExperiment.run(ctx());
    const mm = r.data.mismatch as Array<{ ratio: number; peakRelative: number; peakRelativeLinear: number }>;
    for (const m of mm) expect(Math.abs(m.peakRelative - m.peakRelativeLinear) / m.peakRelativeLinear).toBeLessThan(0.02);
    for (let i = 1; i < mm.length; i++) expect(mm[i]!.peakRelative).toBeGreaterThan(mm[i - 1]!.peakRelative);
    const sine = r.data.sinusoids as Array<{ omegaTauEff: number; relative: number }>;
    // independent truth at u0 = θ = 2 (a = d = 1): r̄0 = √2, x0 = 1/(1 + √2), c = a d r̄0 x0², ρ′ = ½(1 + (2(u0 − θ) + 4/d)/(2√q))
    const rbar = Math.SQRT2;
    const x0 = 1 / (1 + rbar);
    const c = rbar * x0 * x0;
    const rhoPrime = 0.5 * (1 + 4 / (2 * Math.sqrt(8)));
    for (const s of sine) {
      const w = s.omegaTauEff;
      expect(Math.abs(s.relative / ((rhoPrime * c * w) / Math.sqrt(1 + w * w)) - 1)).toBeLessThan(0.02);
    }
    for (let i = 1; i < sine.length; i++) expect(sine[i]!.relative).toBeGreaterThan(sine[i - 1]!.relative);
  });

  it('refuses the digital engine, other profiles and bad parameters', async () => {
    await expect(depressionExperiment.run(ctx({ engine: 'digital' }))).rejects.toThrow(UsageError);
    await expect(depressionExperiment.run(ctx({ profile: 'subthreshold' }))).rejects.toThrow(UsageError);
    await expect(depressionExperiment.run(ctx({ params: { tauRecMs: '0' } }))).rejects.toThrow(UsageError);
    expect(depressionExperiment.engines).toEqual(['analog']);
  });
});
