import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { network } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { acceleratedNominal } from '../helpers.js';
import { membraneNoiseRmsV } from '../../hardware-models/components/noise.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { ConstantStep } from '../../emulator/analog/ode/controller.js';
import { EulerMaruyama } from '../../emulator/analog/ode/euler-maruyama.js';
import { Integrator } from '../../emulator/analog/ode/integrate.js';
import type { OdeSystem } from '../../emulator/analog/ode/ode.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

// Statistical tests of the noise path against closed forms, with fixed seeds and tolerances derived from
// the sampling error of the estimate (not tuned to the seed).
//
// An Ornstein–Uhlenbeck process dy = −y/τ dt + σ dW has the stationary variance σ²τ/2. Euler–Maruyama
// with step h, y⁺ = (1 − h/τ) y + σ√h ξ, is the AR(1) process with a = 1 − h/τ and innovation variance
// σ²h, whose stationary variance is σ²h/(1 − a²) = σ²τ/(2 − h/τ): the continuous value for h ≪ τ, and a
// known departure for larger h. An integrator using h·σ·ξ instead of √h·σ·ξ gets σ²h²/(1 − a²), off by
// the factor h (in the solver's time unit), so two step sizes far from 1 catch it whatever the unit.
//
// The sample variance of n samples of an AR(1) process with lag-one correlation ρ (known mean 0) has a
// relative standard deviation √(2(1 + ρ²)/(n(1 − ρ²))); M independent components divide the variance
// by M. Every tolerance below is 5 of those standard deviations.

const BOLTZMANN = 1.380649e-23; // J/K (SI, exact)

/** Relative standard deviation of the variance estimate from n·M AR(1) samples with lag-one correlation rho. */
const varianceRelSd = (rho: number, n: number, M: number) => Math.sqrt((2 * (1 + rho * rho)) / (n * M * (1 - rho * rho)));

describe('Euler–Maruyama on an Ornstein–Uhlenbeck process: the stationary variance and its step-size dependence', () => {
  const tau = 1;
  const sigma = 0.5;
  const M = 50; // independent components
  const T = 400; // τ per component, of which the first 10 τ are discarded

  for (const h of [0.01, 0.5]) {
    it(`h = ${h} τ: variance σ²τ/(2 − h/τ) = ${((sigma * sigma * tau) / (2 - h / tau)).toPrecision(4)} within 5 sampling σ; mean 0`, () => {
      const sys: OdeSystem = {
        size: M,
        rhs: (_t, y, dy) => {
          for (let i = 0; i < M; i++) dy[i] = -y[i]! / tau;
        },
        noiseScale: () => sigma,
        componentName: (i) => `y${i}`,
      };
      const y = new Float64Array(M);
      let sum = 0;
      let sq = 0;
      let n = 0;
      const fail = new Integrator(new EulerMaruyama(17), new ConstantStep(h)).integrate(sys, 0, y, T, (_a, b) => {
        if (b < 10 * tau) return;
        for (let i = 0; i < M; i++) {
          sum += y[i]!;
          sq += y[i]! * y[i]!;
        }
        n++;
      });
      expect(fail).toBeNull();
      const a = 1 - h / tau;
      const expected = (sigma * sigma * h) / (1 - a * a);
      const variance = sq / (n * M);
      const tol = 5 * varianceRelSd(a, n, M);
      expect(Math.abs(variance / expected - 1)).toBeLessThan(tol);
      // the continuous-time value differs from the discrete one by h/(2τ − h): resolvable at h = 0.5 τ
      if (h >= 0.5) expect(Math.abs(variance / ((sigma * sigma * tau) / 2) - 1)).toBeGreaterThan(tol);
      // mean: standard error √(Var (1 + a)/((1 − a) n M))
      expect(Math.abs(sum / (n * M))).toBeLessThan(5 * Math.sqrt((expected * (1 + a)) / ((1 - a) * n * M)));
    });
  }
});

describe('thermal noise of a compiled membrane: kT/C (docs/hardware.md: S_I = 4 k_B T g_L F on each membrane)', () => {
  it('the documented figure: 64 µV rms on 1 pF at 300 K (F = 1)', () => {
    expect(membraneNoiseRmsV({ temperatureK: 300, excessFactor: 1 }, 1e-12)).toBeCloseTo(64.36e-6, 8); // √(k_B·300 K/1 pF) = 64.36 µV
  });

  // The accelerated profile (1 model ms = 1 µs, C = 1.2 pF, 0.3 V per unit, 300 K, F = 2) without
  // mismatch: M output neurons with no input (rate 0) are M independent OU membranes around 0, each
  // τ u̇ = −u + noise. A white current noise of one-sided density S_I = 4 k_B T g_L F on C gives the
  // stationary variance S_I/(4 g_L C) = F k_B T/C in V², independent of g_L; in units, divided by V².
  // Euler–Maruyama at step h makes it σ_u²/(1 − h/(2τ)) (see above, h and τ in model ms). The profile's
  // lead stages (poles τ_p = 0.2 ms) keep the explicit step at h ≤ τ_p/5, the simulator's own default.
  const p = BUILTIN_PROFILES.accelerated!;
  const profile = acceleratedNominal({ noise: true });
  const tauMs = 10;
  const M = 40;
  const g = network('ou').seed(1).beta(0).tauMs(tauMs).activation('linear').input('in', 1).output('out', M).connect('in', 'out', { init: { distribution: 'constant', value: 0.5 } }).build();
  const noise = p.noise!;
  const sigmaU2 = (noise.excessFactor * BOLTZMANN * noise.temperatureK) / p.membrane.capacitanceF / p.voltsPerUnit ** 2;

  it('the profile has the documented noise: 300 K, F = 2, C = 1.2 pF, 0.3 V per unit, 1 µs per model ms', () => {
    expect([noise.temperatureK, noise.excessFactor, p.membrane.capacitanceF, p.voltsPerUnit, p.timeScale]).toEqual([300, 2, 1.2e-12, 0.3, 1e-6]);
    expect(Math.sqrt(sigmaU2) * p.voltsPerUnit).toBeCloseTo(83.09e-6, 8); // √(2 k_B·300 K/1.2 pF) = 83.09 µV rms
  });

  for (const h of [0.01, 0.04]) {
    it(`Euler–Maruyama at h = ${h} ms (τ/${tauMs / h}): the membranes' variance is F k_B T/(C V²)/(1 − h/2τ) within 5 sampling σ`, () => {
      const ir = compileCircuit(g, profile, { seed: 1 });
      const sim = new AnalogSimulator(modelFromCircuit(ir), { dtMs: h, noiseSeed: 5, init: 'rest' });
      expect(sim.solver.name).toBe('euler-maruyama');
      const every = 1; // ms between samples
      const durationMs = 200 * tauMs;
      const res = sim.run({ durationMs, drive: new SignalDrive(new FunctionSignal(1, () => 0)), probes: parseProbes('u:out', sim.system.graph), sampleEveryMs: every });
      const t = res.traces.time();
      let sq = 0;
      let sum = 0;
      let n = 0;
      for (let i = 0; i < M; i++) {
        const u = res.traces.column(`u:out[${i}]`);
        for (let k = 0; k < u.length; k++) {
          if (t[k]! < 10 * tauMs) continue;
          sq += u[k]! * u[k]!;
          sum += u[k]!;
          n++;
        }
      }
      const expected = sigmaU2 / (1 - h / (2 * tauMs));
      const rho = (1 - h / tauMs) ** (every / h); // correlation of samples 1 ms apart
      const variance = sq / n;
      expect(Math.abs(variance / expected - 1)).toBeLessThan(5 * varianceRelSd(rho, n / M, M));
      expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt((expected * (1 + rho)) / ((1 - rho) * n)));
    });
  }
});
