import { describe, expect, it } from 'vitest';
import { currentSensingRate, lookaheadPopulation, lookaheadTerm, prospective } from '../../hardware-models/components/current-sensing.js';
import { depressingPopulation, poolRecovery, poolRhs, poolSteadyState, transmitted, transmittedSignals } from '../../hardware-models/components/depressing-synapse.js';
import { inputFilterRhs, inputFilterStepResponse, inputFilterTauMs } from '../../hardware-models/components/input-filter.js';
import { leadOutput, leadOutputs, leadPopulation, leadRampResponse, leadSubckt, leadStateRate, leadStateRhs, leadTransfer, type LeadParams } from '../../hardware-models/components/lead-stage.js';
import { clampToRails, membranePopulation, membraneRate, membraneRhs, membraneStepResponse, membraneTauMs, membraneTauS, railCut, type MembraneParams } from '../../hardware-models/components/membrane.js';
import { membraneNoiseRmsV, noiseSigmaPerSqrtMs, currentNoisePsd } from '../../hardware-models/components/noise.js';
import { leakyWeight, registerCode, registerStep, registerUpdateTimes, weightLeak } from '../../hardware-models/components/plastic-synapse.js';
import { activationAt, activationValue } from '../../core/activation.js';
import { snapToSeries } from '../../hardware-models/components/synapse-array.js';
import { Rng } from '../../core/rng.js';
import { createIntegrator } from '../../emulator/analog/ode/registry.js';
import type { OdeSystem } from '../../emulator/analog/ode/ode.js';

// Every component is integrated here through the functions the emulator integrates (emulator/analog/
// system.ts: membraneRhs, railCut, leadOutputs, leadStateRhs, prospective, inputFilterRhs, weightLeak,
// registerStep), in model units over a population, and compared with its closed form in seconds. The
// time scales are written out here (1 model ms = 1 ms, or 1 µs on the accelerated chip), never taken
// from the code under test, so a wrong conversion of τ = C/g_L into model time fails these tests.

/** Integrates a system with DOPRI5 at tight tolerance, sampling by dense output. */
function integrate(sys: OdeSystem, y0: number[], tEnd: number, times: number[]): number[][] {
  const y = Float64Array.from(y0);
  const out: number[][] = [];
  const buf = new Float64Array(sys.size);
  let k = 0;
  const fail = createIntegrator('dopri5', { rtol: 1e-12, atol: 1e-15 }).integrate(sys, 0, y, tEnd, (a, b, interp) => {
    while (k < times.length && times[k]! <= b) {
      if (times[k]! >= a) interp(times[k]!, buf);
      out.push(Array.from(buf));
      k++;
    }
    return null;
  });
  // every closed-form check below runs over these rows: a failed or short integration must not pass them
  expect(fail).toBeNull();
  expect(out.length).toBe(times.length);
  return out;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The documented membranes (docs/hardware.md) and the seconds per model ms of their profiles. */
const MEMBRANES: Array<{ name: string; m: MembraneParams; secondsPerMs: number; tauS: number }> = [
  { name: 'subthreshold, 3 pF / 300 pS', m: { capacitanceF: 3e-12, leakConductanceS: 3e-10, restV: 0.3, railLowV: 0, railHighV: 1.8 }, secondsPerMs: 1e-3, tauS: 10e-3 },
  { name: 'accelerated, 1.2 pF, τ = 10 µs', m: { capacitanceF: 1.2e-12, leakConductanceS: 1.2e-7, restV: 0.6, railLowV: 0, railHighV: 1.8 }, secondsPerMs: 1e-6, tauS: 10e-6 },
  { name: 'op-amp board, 100 nF / 100 kΩ', m: { capacitanceF: 100e-9, leakConductanceS: 1e-5, restV: 0, railLowV: -12, railHighV: 12 }, secondsPerMs: 1e-3, tauS: 10e-3 },
];

describe('membrane', () => {
  it('τ = C/g_L in seconds and in model ms: 10 ms, and 10 µs = 10 model ms on the 1000× chip', () => {
    for (const { m, secondsPerMs, tauS } of MEMBRANES) {
      expect(rel(membraneTauS(m), tauS)).toBeLessThan(1e-14);
      expect(rel(membraneTauMs(m, secondsPerMs), tauS / secondsPerMs)).toBeLessThan(1e-12);
    }
    expect(membraneTauMs(MEMBRANES[1]!.m, 1e-6)).toBeCloseTo(10, 12);
  });

  it('step response of a population in model units (membraneRhs): V(t) = V∞ + (V0 − V∞) e^{−t/τ} in seconds, relative error ≤ 1e-6', () => {
    for (const { name, m, secondsPerMs } of MEMBRANES) {
      const voltsPerUnit = 0.1;
      const units = { timeScale: secondsPerMs, voltsPerUnit, restV: m.restV };
      // three membranes: nominal, C doubled, rest 20 mV higher
      const ms = [m, { ...m, capacitanceF: 2 * m.capacitanceF }, { ...m, restV: m.restV + 0.02 }];
      const pop = membranePopulation(ms, units);
      const I = 1e-3 * m.leakConductanceS * 50; // 50 mV deflection
      const input = new Float64Array(3).fill(I / m.leakConductanceS / voltsPerUnit); // I/g_L in units
      const sys: OdeSystem = { size: 3, rhs: (_t, y, dy) => membraneRhs(pop, y, input, dy), componentName: (i) => `u${i}` };
      const tauMaxS = 2 * membraneTauS(m);
      const timesS = [0.1, 0.5, 1, 2, 5].map((k) => k * tauMaxS);
      const times = timesS.map((t) => t / secondsPerMs);
      integrate(sys, [0, 0, 0], times[times.length - 1]!, times).forEach((u, k) => {
        ms.forEach((mi, i) => {
          const v = m.restV + u[i]! * voltsPerUnit; // back to volts
          const want = membraneStepResponse(mi, m.restV, I, timesS[k]!);
          expect(rel(v - m.restV, want - m.restV), `${name}, membrane ${i}, t = ${timesS[k]} s`).toBeLessThan(1e-6);
        });
      });
    }
  });

  it('the SI rate is the same equation: membraneRate = V_unit·u̇/timeScale', () => {
    const { m, secondsPerMs } = MEMBRANES[1]!;
    const pop = membranePopulation([m], { timeScale: secondsPerMs, voltsPerUnit: 1, restV: m.restV });
    const udot = new Float64Array(1);
    membraneRhs(pop, [0.25], [0.1], udot);
    expect(rel(membraneRate(m, m.restV + 0.25, 0.1 * m.leakConductanceS), udot[0]! / 1e-6)).toBeLessThan(1e-12);
  });

  it('rails: the node is held inside them and stops at a rail (railCut, clampToRails)', () => {
    const m = { capacitanceF: 1e-12, leakConductanceS: 1e-10, restV: 0.3, railLowV: 0, railHighV: 0.5 };
    expect(membraneRate(m, 0.5, 1e-9)).toBe(0);
    expect(membraneRate(m, 0.5, -1e-9)).toBeLessThan(0);
    const pop = membranePopulation([m, m, m, m], { timeScale: 1e-3, voltsPerUnit: 0.1, restV: 0.3 });
    expect(Array.from(pop.railLow)).toEqual([-3, -3, -3, -3].map((x) => expect.closeTo(x, 12)));
    const y = [2.5, 2.5, -3.2, 1];
    const u = new Float64Array(4);
    clampToRails(pop, y, u);
    expect(Array.from(u)).toEqual([expect.closeTo(2, 12), expect.closeTo(2, 12), expect.closeTo(-3, 12), 1]);
    const dy = new Float64Array(4);
    railCut(pop, y, [1, -1, -1, 1], dy);
    expect(Array.from(dy)).toEqual([0, -1, 0, 1]);
  });
});

describe('lead stage', () => {
  const lead: LeadParams = { leadS: 0.01, poleS: 0.0005, maxOut: 1e9 };
  const leadSys = (x: (t: number) => number): OdeSystem => ({ size: 1, rhs: (t, y, dy) => void (dy[0] = leadStateRate(lead, x(t), y[0]!)), componentName: () => 'z' });

  it('a population in model units on a ramp (leadStateRhs, leadOutputs): y(t) = c(t + τ_L) − c(τ_L − τ_p) e^{−t/τ_p} in seconds, ≤ 1e-6', () => {
    for (const secondsPerMs of [1e-3, 1e-6]) {
      // the same stage at two time scales, and a second one twice as fast; a unit without a stage between
      const stages = [{ ...lead, leadS: lead.leadS * secondsPerMs * 1e3, poleS: lead.poleS * secondsPerMs * 1e3 }, null, { leadS: 2e-3 * secondsPerMs * 1e3, poleS: 1e-4 * secondsPerMs * 1e3, maxOut: 1e9 }];
      const pop = leadPopulation(stages, secondsPerMs);
      const cPerS = 3 / (secondsPerMs * 1e3); // the ramp's slope per second
      const x = (tMs: number) => {
        const v = cPerS * tMs * secondsPerMs;
        return [v, v, v];
      };
      const sys: OdeSystem = { size: 3, rhs: (t, y, dy) => leadStateRhs(pop, x(t), y, dy), componentName: (i) => `z${i}` };
      const times = [0.2, 1, 3, 10, 30];
      const out = new Float64Array(3);
      integrate(sys, [0, 0, 0], 30, times).forEach((z, k) => {
        leadOutputs(pop, x(times[k]!), z, out);
        const tS = times[k]! * secondsPerMs;
        expect(rel(out[0]!, leadRampResponse(stages[0]!, cPerS, tS))).toBeLessThan(1e-6);
        expect(out[1]).toBe(x(times[k]!)[1]); // no stage: the signal passes unchanged
        expect(rel(out[2]!, leadRampResponse(stages[2]!, cPerS, tS))).toBeLessThan(1e-6);
      });
    }
  });

  it('output swing: limited to ±maxOut on both signs, as the SPICE source is', () => {
    const pop = leadPopulation([{ leadS: 0.01, poleS: 0.001, maxOut: 0.5 }, { leadS: 0.01, poleS: 0.001, maxOut: 0.5 }, { leadS: 0.01, poleS: 0.001, maxOut: 0.5 }], 1e-3);
    const out = new Float64Array(3);
    // k = 10: x = 0.1 from rest (z = 0) gives 1.0, x = −0.1 gives −1.0, x = 0.02 gives 0.2
    leadOutputs(pop, [0.1, -0.1, 0.02], [0, 0, 0], out);
    expect(Array.from(out)).toEqual([0.5, -0.5, expect.closeTo(0.2, 14)]);
    expect(leadOutput({ leadS: 0.01, poleS: 0.001, maxOut: 0.5 }, -0.1, 0)).toBe(-0.5);
    expect(leadOutput({ leadS: 0.01, poleS: 0.001, maxOut: 0.5 }, -0.1, 0, false)).toBeCloseTo(-1, 14);
    expect(leadSubckt().join("\n")).toMatch(/min\(max\(.*, \(\{-vmax\}\)\), \(\{vmax\}\)\)$/m);
  });

  it('on a sinusoid: gain and phase match H(jω) = (1 + jωτ_L)/(1 + jωτ_p), relative error ≤ 1e-6', () => {
    for (const f of [5, 50, 400]) {
      const w = 2 * Math.PI * f;
      const period = 1 / f;
      // start the internal state on its periodic solution, then measure over whole periods
      const zAmp = 1 / Math.hypot(1, w * lead.poleS);
      const zPh = -Math.atan(w * lead.poleS);
      const times = Array.from({ length: 400 }, (_, i) => ((i + 0.5) / 400) * 4 * period);
      const ys = integrate(leadSys((t) => Math.sin(w * t)), [zAmp * Math.sin(zPh)], 4 * period, times).map(([z], i) => leadOutput(lead, Math.sin(w * times[i]!), z!));
      // projections on sin and cos over 4 periods (midpoint rule: exact for trigonometric polynomials)
      let s = 0;
      let co = 0;
      ys.forEach((y, i) => {
        s += (2 / ys.length) * y * Math.sin(w * times[i]!);
        co += (2 / ys.length) * y * Math.cos(w * times[i]!);
      });
      const { gain, phase } = leadTransfer(lead, w);
      expect(rel(Math.hypot(s, co), gain)).toBeLessThan(1e-6);
      expect(Math.abs(Math.atan2(co, s) - phase)).toBeLessThan(1e-6 * Math.max(1, Math.abs(phase)));
    }
  });
});

describe('current-sensing unit and exact look-ahead', () => {
  it('on a membrane driven by I(t): ρ + (τ_r/τ_m) ρ′(I − u) (its SPICE form) and ρ + τ_r ρ′ u̇ (the emulator\'s) both equal ρ(u) + τ_r dρ(u)/dt of the closed form', () => {
    const act = { kind: 'logistic' as const };
    const m = MEMBRANES[1]!.m; // τ_m = 10 µs = 10 model ms
    const pop = membranePopulation([m], { timeScale: 1e-6, voltsPerUnit: 1, restV: m.restV });
    const tauMs = 10;
    const tauRMs = 12; // a mismatched look-ahead: the two forms still agree with each other
    const look = lookaheadPopulation([tauRMs * 1e-6], 1e-6);
    expect(look.lookMs[0]).toBeCloseTo(tauRMs, 12);
    // I(t) = A: u(t) = A(1 − e^{−t/τ}), u̇ = (A/τ) e^{−t/τ}
    const A = 1.5;
    const sys: OdeSystem = { size: 1, rhs: (_t, y, dy) => membraneRhs(pop, y, [A], dy), componentName: () => 'u' };
    const times = [1, 5, 10, 20];
    integrate(sys, [0], 20, times).forEach(([u], k) => {
      const t = times[k]!;
      const uc = A * (1 - Math.exp(-t / tauMs));
      const udotC = (A / tauMs) * Math.exp(-t / tauMs);
      const { rho, d1 } = activationAt(act, uc);
      const want = rho + tauRMs * d1 * udotC;
      const a = activationAt(act, u!);
      const udot = new Float64Array(1);
      membraneRhs(pop, [u!], [A], udot);
      const emulator = new Float64Array(1);
      prospective(look, [a.rho], [a.d1], udot, emulator);
      expect(rel(emulator[0]!, want)).toBeLessThan(1e-6);
      expect(rel(currentSensingRate(tauRMs / tauMs, a.rho, a.d1, A, u!, 0), want)).toBeLessThan(1e-6);
      const term = new Float64Array(1);
      lookaheadTerm(look, [a.d1], udot, term);
      expect(rel(a.rho + term[0]!, emulator[0]!)).toBeLessThan(1e-15);
    });
  });
});

describe('input filter, depressing synapse, plastic synapse, noise', () => {
  it('input filter in model units (inputFilterRhs): τ_in = R C, step response in seconds, ≤ 1e-6', () => {
    const f = [
      { resistanceOhm: 5e6, capacitanceF: 1.2e-12 }, // 6 µs = 6 model ms at 1 µs per ms
      { resistanceOhm: 1e7, capacitanceF: 1.2e-12 },
    ];
    const tau = Float64Array.from(f, (x) => inputFilterTauMs(x, 1e-6));
    expect(tau[0]).toBeCloseTo(6, 12);
    const sys: OdeSystem = { size: 2, rhs: (_t, y, dy) => inputFilterRhs(tau, [0.8, 0.8], y, dy), componentName: (i) => `r̄${i}` };
    const times = [1, 6, 20];
    integrate(sys, [0.1, 0.1], 20, times).forEach((r, k) => {
      const tS = times[k]! * 1e-6;
      f.forEach((x, i) => expect(rel(r[i]!, inputFilterStepResponse(x.resistanceOhm * x.capacitanceF, 0.1, 0.8, tS))).toBeLessThan(1e-6));
    });
  });

  it('depressing synapse in model units (poolRhs): recovery and steady state match the closed form in seconds, ≤ 1e-6', () => {
    const ps = [
      { recoveryS: 0.01, a: 1.5, d: 2 },
      { recoveryS: 0.005, a: 1, d: 0.5 },
    ];
    const pop = depressingPopulation(ps, 1e-3);
    for (const [x0, rate] of [
      [1, 0.8],
      [0.2, 0],
      [0.5, 2.5],
    ] as const) {
      const sys: OdeSystem = { size: 2, rhs: (_t, y, dy) => poolRhs(pop, y, [rate, rate], dy), componentName: (i) => `x${i}` };
      const times = [1, 5, 20, 100, 500];
      integrate(sys, [x0, x0], 500, times).forEach((x, k) => {
        ps.forEach((p, i) => expect(rel(x[i]!, poolRecovery(p, x0, rate, times[k]! * 1e-3))).toBeLessThan(1e-6));
      });
      const x = integrate(sys, [x0, x0], 500, [500])[0]!;
      ps.forEach((p, i) => expect(rel(x[i]!, poolSteadyState(p, rate))).toBeLessThan(1e-6));
    }
  });

  it('depressing synapse: in steady state it delivers the presynaptic voltage when ρ is depression-matched (theory §6)', () => {
    const dep = { recoveryS: 0.01, a: 1.5, d: 2 };
    const act = { kind: 'depression-matched' as const, a: dep.a, d: dep.d };
    const pop = depressingPopulation([dep, dep, dep, dep], 1e-3);
    const us = [0.1, 0.7, 1.5, 4];
    const r = us.map((u) => activationValue(act, u));
    const out = new Float64Array(4);
    transmittedSignals(pop, r.map((x) => poolSteadyState(dep, x)), r, out);
    us.forEach((u, i) => {
      expect(transmitted(dep, poolSteadyState(dep, r[i]!), r[i]!)).toBeCloseTo(u, 12);
      expect(out[i]).toBeCloseTo(u, 12);
    });
  });

  it('analog plastic weight (weightLeak): w(t) = aτ + (w0 − aτ) e^{−t/τ} under a constant drive, ≤ 1e-6', () => {
    const tauMs = 100;
    const drive = 0.003;
    const sys: OdeSystem = {
      size: 2,
      rhs: (_t, y, dy) => {
        dy.fill(drive);
        weightLeak(tauMs, y, dy, 0, 2);
      },
      componentName: (i) => `w${i}`,
    };
    const times = [10, 100, 400];
    integrate(sys, [0.5, -0.2], 400, times).forEach((w, k) => {
      expect(rel(w[0]!, leakyWeight(tauMs, 0.5, drive, times[k]!))).toBeLessThan(1e-6);
      expect(rel(w[1]!, leakyWeight(tauMs, -0.2, drive, times[k]!))).toBeLessThan(1e-6);
    });
  });

  it('digital register: nearest rounding keeps the remainder, stochastic rounding is unbiased; codes clip at the DAC range', () => {
    expect(registerStep(2.4, false, () => 0)).toBe(2);
    expect(registerStep(2.5, false, () => 0)).toBe(3);
    expect(registerStep(-0.6, false, () => 0)).toBe(-1);
    const rng = new Rng(3);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) sum += registerStep(0.3, true, () => rng.uniform());
    // binomial: mean 0.3, σ of the mean √(0.21/n) ≈ 0.0032; 5 σ
    expect(Math.abs(sum / n - 0.3)).toBeLessThan(5 * Math.sqrt(0.21 / n));
    expect(registerCode(62, 3, 63)).toBe(63);
    expect(registerCode(-62, -3, 63)).toBe(-63);
    expect(registerUpdateTimes(0.5, 0.2, 1.5)).toEqual([0.5, 1, 1.5]);
  });

  it('membrane noise in model units: the OU variance σ²τ/2 of u equals kT·F/C over V_unit² (the kT/C closed form)', () => {
    for (const { m, secondsPerMs } of MEMBRANES) {
      const p = { temperatureK: 300, excessFactor: 2 };
      const V = 0.05;
      const sigma = noiseSigmaPerSqrtMs(currentNoisePsd(p, m.leakConductanceS), m.capacitanceF, V, secondsPerMs);
      const tauMs = membraneTauS(m) / secondsPerMs;
      expect(rel((sigma * sigma * tauMs) / 2, (membraneNoiseRmsV(p, m.capacitanceF) / V) ** 2)).toBeLessThan(1e-12);
    }
  });
});

describe('resistor series (snapToSeries)', () => {
  it('snaps R_in = R_f/|w| to the nearest series value in any decade, the decade an exact power of ten', () => {
    // |w| = 2·10⁴: R_in = 5·10⁻⁵ R_f, nearest E24 value 5.1 in the decade 10⁻⁵ (V8's 10 ** -5 is one ulp low)
    expect(snapToSeries(2e4, 'E24')).toBe(1 / (5.1 * 1e-5));
    expect(snapToSeries(1 / 4.6e3, 'E24')).toBe(1 / (4.7 * 1e3)); // R_in = 4.6 kR_f → 4.7
    expect(snapToSeries(1 / 4.4e3, 'E24')).toBe(1 / (4.3 * 1e3)); // → 4.3: nearest in ratio, not the next one up
    expect(snapToSeries(1 / 9.8, 'E24')).toBe(1 / 10); // above 9.1 the next decade's 1.0 is nearer
    expect(snapToSeries(1 / 1.0e-3, 'E96')).toBe(1 / 1e-3); // an exact series value stays
    // E96: 10^(i/96) to three digits, the standard table's ends and a middle value
    expect(1 / snapToSeries(1 / 1.02, 'E96')).toBeCloseTo(1.02, 12);
    expect(1 / snapToSeries(1 / 4.99, 'E96')).toBeCloseTo(4.99, 12);
    expect(1 / snapToSeries(1 / 9.76, 'E96')).toBeCloseTo(9.76, 12);
    expect(snapToSeries(0, 'E24')).toBe(0); // a weight of 0 gives R_in = ∞: no current, no hang
  });
});
