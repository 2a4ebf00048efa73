import { describe, expect, it, vi } from 'vitest';

// With every rounding and saturation of the fixed-point formats made exact, the board core must compute
// the float engine's implicit algorithm exactly: the integer program is that algorithm, only rounded.
vi.mock('../../hardware-models/fixed-point/format.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../hardware-models/fixed-point/format.js')>();
  return { ...m, shr: (x: number, s: number) => x / 2 ** s, sat: (x: number) => x, datapath: (w: number) => w / 2 ** 12 };
});

import { buildGraph } from '../../compiler/graph/build.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { frameSignal, sampleFrames } from '../../emulator/stimulus/frames.js';
import { sines, targetSines } from '../helpers.js';

describe('the board core is the implicit NLA algorithm (exact arithmetic)', () => {
  for (const [activation, learn] of [
    ['hard-sigmoid', false],
    ['hard-sigmoid', true],
    ['linear', true],
  ] as const) {
    it(`${activation} hidden layer, constant targets, learning ${learn ? 'on' : 'off'}: the float engine's trajectory to 1e-9`, () => {
      const g = buildGraph(
        validateSpec({
          format: 'nla-network/1',
          name: 'exact',
          seed: 4,
          tauMs: 10,
          tauInMs: 7,
          beta: 0.1,
          activation,
          init: { distribution: 'normal', mean: 0, std: 0.4, cutoff: 1.2 },
          plasticity: { enabled: true, etaPerMs: 0.01 },
          populations: [
            { name: 'in', kind: 'input', size: 4 },
            { name: 'h', kind: 'hidden', size: 7, bias: true },
            { name: 'out', kind: 'output', size: 2, activation: 'linear' },
          ],
          projections: [
            { from: 'in', to: 'h' },
            { from: 'h', to: 'out' },
          ],
        }),
      );
      const dt = 0.1;
      const K = 3;
      const { image } = compileBoardImage(g, { dtMs: dt, frameMs: 0.5, iterations: K });
      // the float engine gets the image's exact parameters (what the board's registers hold)
      const q24 = (x: number) => Math.round(x * 2 ** 24) / 2 ** 24;
      const f = {
        ...g,
        beta: Math.round(g.beta * 2 ** 16) / 2 ** 16,
        inputs: g.inputs.map((p) => ({ ...p, tauInMs: dt / q24(dt / p.tauInMs) })),
        neurons: g.neurons.map((p) => ({ ...p, tauMs: dt / q24(dt / p.tauMs) })),
        projections: g.projections.map((p, k) => ({ ...p, etaPerMs: q24(p.etaPerMs * dt) / dt, weights: Float64Array.from(image.projections[k]!.weights, (w) => w / 2 ** 28) })),
      };
      const core = new FixedPointCore(image);
      const frames = 300;
      const inputs = sampleFrames(sines(4, 3), 0.5, frames);
      // targets held constant: a target *step* is where the two differ by design (the board adds βΔu* to
      // one step's right-hand side; the float engine re-solves the equilibrium by continuation)
      const targets = sampleFrames(targetSines(2), 0.5, 1).map((t) => Array(frames).fill(t) as Float64Array[])[0]!;
      const sim = new DigitalSimulator(f, { dtMs: dt, method: 'implicit', iterations: K, relaxation: 2 ** -image.relaxShift, learn, init: 'rest' });
      const drive = new SignalDrive(frameSignal(inputs, 0.5), frameSignal(targets, 0.5));
      let maxErr = 0;
      let maxU = 0;
      for (let k = 0; k < frames; k++) {
        core.setTargets(Array.from(targets[k]!, (v) => v * 2 ** 16));
        core.frame(Array.from(inputs[k]!, (v) => v * 2 ** 16), learn);
        for (let s = 0; s < image.stepsPerFrame; s++) sim.step(drive);
        for (let i = 0; i < g.nNeurons; i++) {
          maxErr = Math.max(maxErr, Math.abs(core.u[i]! / 2 ** 24 - sim.state.u[i]!));
          maxU = Math.max(maxU, Math.abs(sim.state.u[i]!));
        }
      }
      expect(maxU).toBeGreaterThan(0.2);
      expect(maxErr).toBeLessThan(1e-9);
    });
  }
});
