import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

/**
 * Theory §2 and Fig. 2c: after a step in the input rates, every layer's voltage settles within the
 * input's own τ_in whatever its depth; without lookahead each layer adds about τ of delay.
 */
const DEPTH = 10;
const TAU = 10;
const STEP_AT = 20;

function settlingTimes(lookahead: boolean): number[] {
  const g = layeredNetwork([6, ...Array(DEPTH - 1).fill(8), 8], {
    activation: 'logistic',
    seed: 5,
    beta: 0,
    tauMs: TAU,
    tauInMs: TAU,
    init: { distribution: 'normal', std: 1.6 },
  }).build();
  const r0 = [0.2, 0.8, 0.4, 0.6, 0.3, 0.5];
  // A small step (±0.05): each layer's response is then its linearisation, so the settling time measures
  // propagation delay, not how the sigmoids bend a large step.
  const r1 = r0.map((v, i) => v + 0.05 * Math.sin(3 * i + 1));
  const input = new FunctionSignal(6, (t, c) => (t < STEP_AT ? r0[c]! : r1[c]!));
  const sim = new DigitalSimulator(g, { dtMs: 0.1, lookahead, init: 'equilibrium', learn: false });
  const d = new SignalDrive(input);
  const times: number[] = [];
  const us: Float64Array[] = [];
  const steps = Math.round((STEP_AT + 25 * TAU) / 0.1);
  for (let k = 0; k < steps; k++) {
    sim.step(d, (s) => {
      times.push(s.tMs);
      us.push(Float64Array.from(s.workspace.u));
    });
  }
  const before = us[Math.round(STEP_AT / 0.1) - 1]!;
  const after = us[us.length - 1]!;
  // Per layer: the response projected on its total change, s(t) = ⟨u(t) − u₀, Δu⟩/‖Δu‖², goes 0 → 1.
  return g.neurons.map((pop) => {
    const idx = Array.from({ length: pop.size }, (_, i) => pop.offset + i);
    const delta = idx.map((i) => after[i]! - before[i]!);
    const norm = delta.reduce((a, x) => a + x * x, 0);
    expect(norm).toBeGreaterThan(1e-8); // every layer really responds
    let last = NaN;
    for (let k = 0; k < us.length; k++) {
      const s = idx.reduce((a, i, j) => a + (us[k]![i]! - before[i]!) * delta[j]!, 0) / norm;
      if (Math.abs(s - 1) > 0.05) last = times[k]!;
    }
    return last + 0.1 - STEP_AT;
  });
}

describe('instantaneous propagation through depth (Fig. 2c)', () => {
  it('with lookahead every layer settles when layer 1 does (within 1 ms), set by τ_in alone', () => {
    const t = settlingTimes(true);
    for (let l = 1; l < DEPTH; l++) expect(Math.abs(t[l]! - t[0]!)).toBeLessThan(1);
    // the input low-pass alone: 95 % of a first-order step response after 3 τ_in
    expect(t[0]!).toBeGreaterThan(2.5 * TAU);
    expect(t[0]!).toBeLessThan(3.5 * TAU);
  });

  it('without lookahead the settling time grows by roughly τ per layer', () => {
    const t = settlingTimes(false);
    for (let l = 1; l < DEPTH; l++) expect(t[l]! - t[l - 1]!).toBeGreaterThan(0.5 * TAU);
    const perLayer = (t[DEPTH - 1]! - t[0]!) / (DEPTH - 1);
    // a chain of first-order low-passes: each stage adds its time constant to the mean delay; the 95 %
    // settling time of an n-stage chain grows by 1.3–1.8 τ per stage for n = 2…11
    expect(perLayer).toBeGreaterThan(1.0 * TAU);
    expect(perLayer).toBeLessThan(2.0 * TAU);
  });
});
