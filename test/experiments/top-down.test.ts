import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import type { ExperimentContext } from '../../experiments/experiment.js';
import { topDownExperiment, trendSentence, type TopDownCell } from '../../experiments/top-down.js';

function ctx(over: Partial<ExperimentContext> = {}): ExperimentContext {
  return { quick: true, engine: 'analog', profile: 'ideal', seed: 1, params: {}, progress: () => {}, ...over };
}

type Cell = TopDownCell;

describe('top-down experiment (quick)', () => {
  it('depressing pools: error against the digital engine above the wire floor, growing with τ_rec and with input speed, far below a plain rate', async () => {
    const r = await topDownExperiment.run(ctx({ params: { seeds: '1', durationMs: '60' } }));
    const cells = r.data.cells as Cell[];
    const mean = (c: Cell) => c.rmsU.reduce((a, b) => a + b, 0) / c.rmsU.length;
    const at = (ratio: number | null, p: number, label?: string) => mean(cells.find((c) => (label ? c.label.startsWith(label) : c.ratio === ratio) && c.periodMs === p)!);
    for (const p of [20, 200]) {
      const floor = at(null, p, 'wire');
      expect(at(0.25, p)).toBeGreaterThan(floor);
      expect(at(4, p)).toBeGreaterThan(at(1, p));
      expect(at(1, p)).toBeGreaterThan(at(0.25, p));
      expect(at(null, p, 'rate')).toBeGreaterThan(5 * at(4, p));
    }
    // faster inputs, larger high-pass error (the linearised pool: ∝ ωτ_eff while ωτ_eff < 1)
    expect(at(1, 20)).toBeGreaterThan(at(1, 200));
    expect(r.table.rows.length).toBe(5);
    expect(r.finding).toContain("grows with τ_rec and grows with input speed, as the linearised pool's high-pass predicts");
  });

  it("the finding credits the linearised pool only when the error grows with both τ_rec and input speed", () => {
    expect(trendSentence(true, true, false)).toBe("the error grows with τ_rec and grows with input speed, as the linearised pool's high-pass predicts");
    for (const [tau, speed] of [[false, true], [true, false], [false, false]] as const) {
      const s = trendSentence(tau, speed, true);
      expect(s).not.toContain('as the linearised');
      expect(s).toContain("predicts growth with both: another error dominates (here the pools' drawn mismatch)");
      expect(s).toContain(`${tau ? 'grows' : 'does not grow'} with τ_rec and ${speed ? 'grows' : 'does not grow'} with input speed`);
    }
    expect(trendSentence(false, false, false)).toMatch(/another error dominates$/);
  });

  it('refuses a bad parameter list and the digital engine', async () => {
    await expect(topDownExperiment.run(ctx({ params: { ratios: '1,-2' } }))).rejects.toThrow(/--param ratios/);
    await expect(topDownExperiment.run(ctx({ engine: 'digital' }))).rejects.toBeInstanceOf(UsageError);
  });
});
