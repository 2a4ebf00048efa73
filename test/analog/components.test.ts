import { describe, expect, it } from 'vitest';
import { poolRate, poolRecovery, poolSteadyState, transmitted } from '../../hardware-models/components/depressing-synapse.js';
import { leadOutput, leadRampResponse, leadStateRate, leadTransfer } from '../../hardware-models/components/lead-stage.js';
import { membraneRate, membraneStepResponse, membraneTauS } from '../../hardware-models/components/membrane.js';
import { activationValue } from '../../core/activation.js';
import { createIntegrator } from '../../emulator/analog/ode/registry.js';
import type { OdeSystem } from '../../emulator/analog/ode/ode.js';

/** Integrates a one- or two-state component with DOPRI5 at tight tolerance, sampling by dense output. */
function integrate(sys: OdeSystem, y0: number[], tEnd: number, times: number[]): number[][] {
  const y = Float64Array.from(y0);
  const out: number[][] = [];
  const buf = new Float64Array(sys.size);
  let k = 0;
  createIntegrator('dopri5', { rtol: 1e-12, atol: 1e-15 }).integrate(sys, 0, y, tEnd, (a, b, interp) => {
    while (k < times.length && times[k]! <= b) {
      if (times[k]! >= a) interp(times[k]!, buf);
      out.push(Array.from(buf));
      k++;
    }
  });
  return out;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('components against their closed forms', () => {
  it('membrane RC: step response V(t) = V∞ + (V0 − V∞) e^{−t/τ}, relative error ≤ 1e-6', () => {
    const m = { capacitanceF: 3e-12, leakConductanceS: 3e-10, restV: 0.3, railLowV: 0, railHighV: 1.8 };
    const I = 30e-12; // 100 mV deflection
    const tau = membraneTauS(m);
    expect(tau).toBeCloseTo(0.01, 15);
    const times = [0.001, 0.005, 0.01, 0.02, 0.05];
    const sys: OdeSystem = { size: 1, rhs: (_t, y, dy) => void (dy[0] = membraneRate(m, y[0]!, I)), componentName: () => 'V' };
    integrate(sys, [m.restV], 0.05, times).forEach(([v], i) => expect(rel(v! - m.restV, membraneStepResponse(m, m.restV, I, times[i]!) - m.restV)).toBeLessThan(1e-6));
  });

  it('membrane rails: the node stops at the rail', () => {
    const m = { capacitanceF: 1e-12, leakConductanceS: 1e-10, restV: 0.3, railLowV: 0, railHighV: 0.5 };
    expect(membraneRate(m, 0.5, 1e-9)).toBe(0);
    expect(membraneRate(m, 0.5, -1e-9)).toBeLessThan(0);
  });

  const lead = { leadS: 0.01, poleS: 0.0005, outMin: -1e9, outMax: 1e9 };
  const leadSys = (x: (t: number) => number): OdeSystem => ({ size: 1, rhs: (t, y, dy) => void (dy[0] = leadStateRate(lead, x(t), y[0]!)), componentName: () => 'z' });

  it('lead stage on a ramp: y(t) = c(t + τ_L) − c(τ_L − τ_p) e^{−t/τ_p}, relative error ≤ 1e-6', () => {
    const c = 3;
    const times = [0.0002, 0.001, 0.003, 0.01, 0.03];
    integrate(leadSys((t) => c * t), [0], 0.03, times).forEach(([z], i) => {
      const y = leadOutput(lead, c * times[i]!, z!);
      expect(rel(y, leadRampResponse(lead, c, times[i]!))).toBeLessThan(1e-6);
    });
  });

  it('lead stage on a sinusoid: gain and phase match H(jω) = (1 + jωτ_L)/(1 + jωτ_p), relative error ≤ 1e-6', () => {
    for (const f of [5, 50, 400]) {
      const w = 2 * Math.PI * f;
      const period = 1 / f;
      // start the internal state on its periodic solution, then measure over whole periods
      const zAmp = 1 / Math.hypot(1, w * lead.poleS);
      const zPh = -Math.atan(w * lead.poleS);
      const t0 = 0;
      const times = Array.from({ length: 400 }, (_, i) => t0 + ((i + 0.5) / 400) * 4 * period);
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

  const dep = { recoveryS: 0.01, a: 1.5, d: 2 };
  const poolSys = (rate: number): OdeSystem => ({ size: 1, rhs: (_t, y, dy) => void (dy[0] = poolRate(dep, y[0]!, rate)), componentName: () => 'x' });

  it('depressing synapse: recovery and steady state match the closed form, relative error ≤ 1e-6', () => {
    const times = [0.001, 0.005, 0.02, 0.1];
    for (const [x0, rate] of [
      [1, 0.8],
      [0.2, 0],
      [0.5, 2.5],
    ] as const) {
      integrate(poolSys(rate), [x0], 0.2, [...times, 0.2]).forEach(([x], i) => {
        const t = [...times, 0.2][i]!;
        expect(rel(x!, poolRecovery(dep, x0, rate, t))).toBeLessThan(1e-6);
      });
      expect(rel(integrate(poolSys(rate), [x0], 0.5, [0.5])[0]![0]!, poolSteadyState(dep, rate))).toBeLessThan(1e-6);
    }
  });

  it('depressing synapse: in steady state it delivers the presynaptic voltage when ρ is depression-matched (theory §6)', () => {
    const act = { kind: 'depression-matched' as const, a: dep.a, d: dep.d };
    for (const u of [0.1, 0.7, 1.5, 4]) {
      const r = activationValue(act, u);
      expect(transmitted(dep, poolSteadyState(dep, r), r)).toBeCloseTo(u, 12);
    }
  });
});
