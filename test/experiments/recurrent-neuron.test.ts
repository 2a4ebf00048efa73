import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import type { ExperimentContext } from '../../experiments/experiment.js';
import { fitRelaxation, recurrentNeuronExperiment } from '../../experiments/recurrent-neuron.js';

interface Row {
  activation: string;
  w: number;
  wRhoPrime: number;
  lookahead: boolean;
  tauMeasuredMs: number;
  tauAnalyticMs: number;
  udot0Measured: number;
  udot0Analytic: number;
}

const TAU_MS = 10;

function ctx(engine: 'digital' | 'analog', params: Record<string, string> = {}): ExperimentContext {
  return { quick: true, engine, profile: 'ideal', seed: 1, params, progress: () => {} };
}

describe('recurrent-neuron experiment (quick)', () => {
  it('the fit recovers the time constant of an exact exponential', () => {
    const t = Array.from({ length: 2000 }, (_, i) => i * 0.1);
    const u = t.map((x) => 0.5 - 0.3 * Math.exp(-x / 17));
    expect(fitRelaxation(t, u, 0.5)).toBeCloseTo(17, 6);
  });

  it('digital engine: with lookahead τ_eff = τ for every w; without, τ/(1 − wρ′(u*)) (Appendix 5)', async () => {
    const r = await recurrentNeuronExperiment.run(ctx('digital'));
    const rows = r.data.rows as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      // independent truth: the linearised theory, not the experiment's own analytic column
      const truth = row.lookahead ? TAU_MS : TAU_MS / (1 - row.wRhoPrime);
      // forward Euler with dt = 0.05 ms biases τ by about dt/2 (0.25 %), the logistic fit window by < 0.5 %
      expect(Math.abs(row.tauMeasuredMs - truth) / truth).toBeLessThan(0.01);
      expect(row.udot0Measured).toBeCloseTo(row.udot0Analytic, 8);
    }
    // the claim's direction: positive feedback is faster with the prospective rate, negative slower
    for (const la of rows.filter((x) => x.lookahead)) {
      const cl = rows.find((x) => !x.lookahead && x.activation === la.activation && x.w === la.w)!;
      if (la.wRhoPrime > 0) expect(cl.tauMeasuredMs / la.tauMeasuredMs).toBeCloseTo(1 / (1 - la.wRhoPrime), 1);
      else expect(la.tauMeasuredMs).toBeGreaterThan(cl.tauMeasuredMs);
    }
    // initial speed: NLA/classical = 1/(1 − wρ′) for the piecewise-linear ρ (the paper's Newton argument)
    for (const la of rows.filter((x) => x.lookahead && x.activation === 'hard-sigmoid')) {
      const cl = rows.find((x) => !x.lookahead && x.activation === la.activation && x.w === la.w)!;
      expect(la.udot0Measured / cl.udot0Measured).toBeCloseTo(1 / (1 - la.w), 6);
    }
    expect(r.table.rows.length).toBe(rows.length);
    expect(r.finding).toMatch(/faster/);
    expect(r.sections.some((s) => s.html.includes('<svg'))).toBe(true);
  });

  it('analog emulator (ideal profile) agrees with the analytic time constants to 0.2 %', async () => {
    const r = await recurrentNeuronExperiment.run(ctx('analog'));
    for (const row of r.data.rows as Row[]) {
      const truth = row.lookahead ? TAU_MS : TAU_MS / (1 - row.wRhoPrime);
      expect(Math.abs(row.tauMeasuredMs - truth) / truth).toBeLessThan(0.002);
    }
  });

  it('rejects a bad dtMs', async () => {
    await expect(recurrentNeuronExperiment.run(ctx('digital', { dtMs: '-1' }))).rejects.toThrow(UsageError);
  });
});
