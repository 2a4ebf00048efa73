import { describe, expect, it } from 'vitest';
import { microcircuitExperiment } from '../../experiments/microcircuit.js';

describe('microcircuit experiment, quick mode', () => {
  it('learning aligns the lateral loop W^PI W^IP with B W and lowers the test error', async () => {
    const r = await microcircuitExperiment.run({ quick: true, engine: 'digital', profile: 'ideal', seed: 1, params: {}, progress: () => {} });
    const curve = r.data.curve as { samples: number[]; angleDeg: number[] };
    const a = curve.angleDeg;
    // starts near orthogonal (independent random matrices) and aligns by a clear margin
    expect(a[0]!).toBeGreaterThan(75);
    expect(a[a.length - 1]!).toBeLessThan(a[0]! - 20);
    // mostly monotone: every later checkpoint is below the start
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeLessThan(a[0]!);
    // and the network learns through the interneuron-extracted errors: clearly below chance and the untrained net
    const err = r.data.testError as number;
    expect(err).toBeLessThan(0.7);
    expect(err).toBeLessThan((r.data.initialTestError as number) - 0.15);
    // the back-propagation control with the same budget learns too (it is the yardstick of the finding)
    expect(r.data.backpropTestError as number).toBeLessThan(0.6);
    expect(r.finding).toContain(`${a[a.length - 1]!.toFixed(1)}°`);
  }, 120_000);
});
