import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { FrameDrive } from '../../bench/frame-drive.js';

/**
 * A target step with a hard sigmoid whose hidden voltages sit on the kink at u = 0 (tiny weights): Newton
 * across the jump cycles, neurons flipping between ρ' = 0 and 1, without getting closer. It keeps the point
 * with the smallest residual and stops after 4 iterations without a new one, instead of running all 40.
 */
describe('event treatment with kinks', () => {
  it('Newton that cycles across a kink stops after 4 iterations without progress instead of 40', () => {
    const g = layeredNetwork([40, 60, 40, 10], { activation: 'hard-sigmoid', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.01, cutoff: 0.03 } }).build();
    const sim = new DigitalSimulator(g, { dtMs: 0.05, learn: false });
    const drive = new FrameDrive(g.nStimulusInputs, g.outputs.length, 5, 16, 1);
    for (let i = 0; i < 100; i++) sim.step(drive);
    const e0 = sim.workspace.epoch;
    sim.step(drive); // t = 5 ms: new frame, new targets
    const evaluations = sim.workspace.epoch - e0;
    // 8 continuation stages + Newton + the step's own evaluation; a full 40-iteration Newton would give 50
    expect(evaluations).toBeGreaterThan(9);
    expect(evaluations).toBeLessThan(25);
  });
});
