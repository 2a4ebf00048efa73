import { describe, expect, it } from 'vitest';
import { ekvDrainCurrentA, squareLawCurrentA, thermalVoltageV, weakInversionCurrentA, type EkvParams } from '../../hardware-models/components/ekv.js';
import { dpiDriveCoefficients, dpiLinearStepResponse, dpiPairRates, dpiPopulation, dpiRate, dpiSteadyStateA, dpiTauS, type DpiParams } from '../../hardware-models/components/dpi-neuron.js';
import { createIntegrator } from '../../emulator/analog/ode/registry.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';

// U_T at 300 K by hand: 1.380649e-23 · 300 / 1.602176634e-19 = 0.0258520 V
const UT300 = 0.025852;
const nfet: EkvParams = { specificCurrentA: 1e-7, kappa: 0.7, thresholdV: 0.6, temperatureK: 300 };

describe('EKV transistor (Enz, Krummenacher, Vittoz 1995)', () => {
  it('U_T(300 K) = 25.85 mV (k_B T/q, SI constants)', () => {
    expect(Math.abs(thermalVoltageV(300) - UT300)).toBeLessThan(1e-6);
    expect(thermalVoltageV(600) / thermalVoltageV(300)).toBeCloseTo(2, 12);
  });

  it('weak inversion: equals the exponential law I_S e^{κ(V_G − V_T0)/U_T}(e^{−V_S/U_T} − e^{−V_D/U_T}) to 1e-3 well below V_T0', () => {
    // the law written out here, independently of the module's weak-inversion function
    const law = (vg: number, vs: number, vd: number) => 1e-7 * Math.exp((0.7 * (vg - 0.6)) / UT300) * (Math.exp(-vs / UT300) - Math.exp(-vd / UT300));
    for (const vg of [0, 0.05, -0.1]) {
      for (const vd of [0.05, 0.5]) {
        const rel = Math.abs(ekvDrainCurrentA(nfet, vg, 0, vd) / law(vg, 0, vd) - 1);
        expect(rel).toBeLessThan(1e-3);
        expect(Math.abs(weakInversionCurrentA(nfet, vg, 0, vd) / law(vg, 0, vd) - 1)).toBeLessThan(1e-4); // U_T rounded in the law
      }
    }
    // near threshold the interpolation departs from the exponential (the interpolation is there)
    expect(Math.abs(ekvDrainCurrentA(nfet, 0.6, 0, 0.5) / law(0.6, 0, 0.5) - 1)).toBeGreaterThan(0.3);
  });

  it('strong inversion: approaches the square law I_S((κ(V_G − V_T0) − V_S)/2U_T)² as V_G rises', () => {
    const square = (vg: number) => 1e-7 * ((0.7 * (vg - 0.6)) / (2 * UT300)) ** 2;
    const errs = [1.0, 1.4, 2.0].map((vg) => Math.abs(ekvDrainCurrentA(nfet, vg, 0, 3) / square(vg) - 1));
    expect(errs[0]!).toBeGreaterThan(errs[1]!);
    expect(errs[1]!).toBeGreaterThan(errs[2]!);
    expect(errs[2]!).toBeLessThan(0.02);
    expect(Math.abs(squareLawCurrentA(nfet, 2.0, 0) / square(2.0) - 1)).toBeLessThan(1e-4);
  });

  it('a saturated device is independent of V_D (weak and strong inversion), a linear-region one is not', () => {
    for (const vg of [0.2, 1.5]) {
      const vp = 0.7 * (vg - 0.6);
      const sat = Math.max(vp, 0) + 10 * UT300; // beyond pinch-off by 10 U_T
      const a = ekvDrainCurrentA(nfet, vg, 0, sat);
      const b = ekvDrainCurrentA(nfet, vg, 0, sat + 1);
      expect(Math.abs(b / a - 1)).toBeLessThan(1e-3);
      const lin = ekvDrainCurrentA(nfet, vg, 0, UT300);
      expect(Math.abs(lin / a - 1)).toBeGreaterThan(0.2);
    }
  });
});

/** Fixed-step RK4 of dI/dt = f(I), the test's own integrator. */
function rk4(f: (x: number) => number, x0: number, tEnd: number, steps: number): number {
  const h = tEnd / steps;
  let x = x0;
  for (let k = 0; k < steps; k++) {
    const k1 = f(x);
    const k2 = f(x + (h / 2) * k1);
    const k3 = f(x + (h / 2) * k2);
    const k4 = f(x + h * k3);
    x += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return x;
}

describe('DPI low-pass (Bartolozzi & Indiveri 2007)', () => {
  // C = 1 pF, κ = 0.7, I_τ = 2 pA: τ = 1e-12 · 0.025852/(0.7 · 2e-12) = 18.466 ms (by hand)
  const C = 1e-12;
  const Itau = 2e-12;
  const tauHand = (1e-12 * UT300) / (0.7 * 2e-12);

  it('τ = C U_T/(κ I_τ)', () => {
    expect(Math.abs(dpiTauS(C, 0.7, 300, Itau) / tauHand - 1)).toBeLessThan(1e-4);
  });

  it('linear regime (I_out ≫ I_th): the step response is the first-order low-pass with τ and gain I_th/I_τ', () => {
    const Ith = 1e-12;
    const Iin = 4e-9; // gain 1/2: I_out,∞ = 2 nA; from I_out(0) = 0.5 nA
    const tau = dpiTauS(C, 0.7, 300, Itau);
    const f = (x: number) => dpiRate(x, Iin, Ith, Itau, tau);
    for (const t of [0.25, 1, 3].map((k) => k * tauHand)) {
      const exact = rk4(f, 0.5e-9, t, 4000);
      const closed = 1e-9 * (2 - 1.5 * Math.exp(-t / tauHand)); // the low-pass written out
      // the exact equation departs by the factor 1 + I_th/I_out (≤ 1 + 1/500) and the offset I_th: bound 3 I_th/I_out,min
      expect(Math.abs(exact / closed - 1)).toBeLessThan(3 * (Ith / 0.5e-9));
      expect(Math.abs(dpiLinearStepResponse(0.5e-9, Iin, Ith, Itau, tau, t) / closed - 1)).toBeLessThan(1e-4);
    }
  });

  it('outside it (I_out ~ I_th): DOPRI5 on the module matches a fine RK4 of the exact equation, which departs from the low-pass', () => {
    const Ith = 1e-11;
    const Iin = 6e-12; // gain 5: linear I_∞ = 30 pA; exact I_∞ = I_th(I_in/I_τ − 1) = 20 pA
    const tau = dpiTauS(C, 0.7, 300, Itau);
    // the exact equation as written in Bartolozzi & Indiveri, solved for dI/dt: τ(1 + I_th/I)İ = (I_th/I_τ)I_in − I − I_th
    const exactEq = (x: number) => ((Ith / Itau) * Iin - x - Ith) / (tau * (1 + Ith / x));
    const sys = {
      size: 1,
      rhs: (_t: number, y: Float64Array, dy: Float64Array) => {
        dy[0] = dpiRate(y[0]!, Iin, Ith, Itau, tau);
        return null;
      },
      componentName: () => 'I_out',
    };
    for (const t of [0.5, 2, 8].map((k) => k * tau)) {
      const y = new Float64Array([2e-12]);
      expect(createIntegrator('dopri5', { rtol: 1e-10, atol: 1e-24 }).integrate(sys, 0, y, t)).toBeNull();
      const ref = rk4(exactEq, 2e-12, t, 20000);
      expect(Math.abs(y[0]! / ref - 1)).toBeLessThan(1e-6);
      const lin = dpiLinearStepResponse(2e-12, Iin, Ith, Itau, tau, t);
      expect(Math.abs(ref / lin - 1)).toBeGreaterThan(0.15);
    }
    expect(dpiSteadyStateA(Iin, Ith, Itau)).toBeCloseTo(2e-11, 20);
    expect(Math.abs(rk4(exactEq, 2e-12, 40 * tau, 40000) / 2e-11 - 1)).toBeLessThan(1e-6);
  });

  it('temperature: τ ∝ U_T/I_τ — the compiled pair at 360 K is 1.2× slower than at 300 K with the same biases', () => {
    const g = layeredNetwork([2, 3], { seed: 1 }).build();
    const tauAt = (temperatureK: number, scaleItau = 1) => {
      const p = validateProfile({ format: 'nla-profile/1', extends: 'translinear', name: 't', circuit: { kind: 'translinear', temperatureK, tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0 }, membrane: { capacitanceSigma: 0 } });
      const ir = compileCircuit(g, p);
      for (const n of ir.neurons) {
        n.dpi!.plus.tauCurrentA *= scaleItau;
        n.dpi!.minus.tauCurrentA *= scaleItau;
      }
      return { tau: modelFromCircuit(ir).dpi!.tauPlusMs[0]!, itau: ir.neurons[0]!.dpi!.plus.tauCurrentA };
    };
    const a = tauAt(300);
    const b = tauAt(360);
    expect(b.itau).toBe(a.itau); // the bias currents do not move with T
    expect(b.tau / a.tau).toBeCloseTo(360 / 300, 12);
    expect(tauAt(300, 2).tau / a.tau).toBeCloseTo(0.5, 12);
    expect(a.tau).toBeCloseTo(10, 9); // sized for τ = 10 ms at the bias temperature
  });
});

describe('DPI pair in model units (what the emulator integrates)', () => {
  // two mismatched halves, far outside the linear regime (I_th/I_unit = 0.3 and 0.5 against m = 1.5)
  const C = 2e-12;
  const unitA = 20e-12;
  const params: DpiParams = {
    kappa: 0.7,
    temperatureK: 310,
    unitCurrentA: unitA,
    commonModeUnits: 1.5,
    designGain: 0.5,
    plus: { tauCurrentA: 3e-12, thresholdCurrentA: 6e-12, inputScale: 1.1 },
    minus: { tauCurrentA: 2.5e-12, thresholdCurrentA: 10e-12, inputScale: 0.9 },
  };
  const pop = dpiPopulation([params], [C], 1e-3);
  const x = (tMs: number) => 1.2 * Math.sin(tMs / 7); // the drive in units

  it('u and s from (u, s) match two single DPIs integrated in amperes (the same midpoint rule), u = (I⁺ − I⁻)/I_unit', () => {
    // the test's own model: each half a DPI (dpiRate, SI, seconds) fed I_in± = (I_unit/g₀)(m ± x/2)·scale±
    const tauP = dpiTauS(C, 0.7, 310, 3e-12);
    const tauM = dpiTauS(C, 0.7, 310, 2.5e-12);
    const inA = (tMs: number, sign: 1 | -1, scale: number) => (unitA / 0.5) * (1.5 + (sign * x(tMs)) / 2) * scale;
    let ip = 30e-12;
    let im = 25e-12;
    let u = (ip - im) / unitA;
    let s = (ip + im) / unitA;
    const hMs = 0.001;
    const r = { uDot: 0, sDot: 0 };
    for (let k = 0; k < 20000; k++) {
      const t = k * hMs;
      // SI: the midpoint rule in seconds on the currents (a linear change of variables away from (u, s): the two agree to rounding)
      const fP = (I: number, tm: number) => dpiRate(I, inA(tm, 1, 1.1), 6e-12, 3e-12, tauP);
      const fM = (I: number, tm: number) => dpiRate(I, inA(tm, -1, 0.9), 10e-12, 2.5e-12, tauM);
      const hS = hMs * 1e-3;
      const ipMid = ip + (hS / 2) * fP(ip, t);
      const imMid = im + (hS / 2) * fM(im, t);
      ip += hS * fP(ipMid, t + hMs / 2);
      im += hS * fM(imMid, t + hMs / 2);
      // model units: the same midpoint rule on (u, s) with dpiPairRates, drive b = x − u
      expect(dpiPairRates(pop, 0, u, s, x(t) - u, r)).toBeNull();
      const uMid = u + (hMs / 2) * r.uDot;
      const sMid = s + (hMs / 2) * r.sDot;
      expect(dpiPairRates(pop, 0, uMid, sMid, x(t + hMs / 2) - uMid, r)).toBeNull();
      u += hMs * r.uDot;
      s += hMs * r.sDot;
    }
    expect(Math.abs(u - (ip - im) / unitA)).toBeLessThan(1e-9);
    expect(Math.abs(s - (ip + im) / unitA)).toBeLessThan(1e-9);
    // far from linear: u is not x (the low-pass alone would lag, but not by this much; sanity that the case is nonlinear)
    expect(Math.abs(u)).toBeGreaterThan(0.01);
  });

  it('u̇ is affine in the drive: k_b b + k_0 equals the pair\'s u̇ at any b', () => {
    const r = { uDot: 0, sDot: 0 };
    const { kb, k0 } = dpiDriveCoefficients(pop, 0, 0.3, 2.1);
    for (const b of [-1.5, -0.2, 0, 0.7, 1.9]) {
      expect(dpiPairRates(pop, 0, 0.3, 2.1, b, r)).toBeNull();
      expect(Math.abs(r.uDot - (kb * b + k0))).toBeLessThan(1e-12);
    }
  });

  it('beyond the class-A range an input current clips at 0 (that half loses its drive), and the pair says so', () => {
    const r = { uDot: 0, sDot: 0 };
    // x = 3.5 > 2m = 3: the − input would be 1.5 − 1.75 < 0 → 0; the + half is as inside the range
    expect(dpiPairRates(pop, 0, 0, 2, 3.5, r)).toMatch(/clips an input current at 0 \(the class-A range is \|x\| ≤ 2m = 3\)/);
    const am = 1;
    const dmHand = ((am / (pop.thresholdMinus[0]! + am)) * (0 - pop.thresholdMinus[0]! - am)) / pop.tauMinusMs[0]!;
    const dpHand = ((1 / (pop.thresholdPlus[0]! + 1)) * (pop.gainPlus[0]! * (1.5 + 1.75) - pop.thresholdPlus[0]! - 1)) / pop.tauPlusMs[0]!;
    expect(r.uDot).toBeCloseTo(dpHand - dmHand, 12);
    expect(r.sDot).toBeCloseTo(dpHand + dmHand, 12);
    // the affine form around a clipped drive: only the + half responds to b
    const { kb, k0 } = dpiDriveCoefficients(pop, 0, 0, 2, 3.5);
    expect(dpiPairRates(pop, 0, 0, 2, 3.7, r)).not.toBeNull();
    expect(Math.abs(r.uDot - (kb * 3.7 + k0))).toBeLessThan(1e-12);
    expect(dpiPairRates(pop, 0, 1, 0.5, 0, r)).toMatch(/half currents .* are not positive/);
    expect(dpiPairRates(pop, 0, 0, 2, 0.5, r)).toBeNull();
  });
});
