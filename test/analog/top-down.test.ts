import { describe, expect, it } from 'vitest';
import { activationAt } from '../../core/activation.js';
import { UsageError } from '../../core/errors.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { network } from '../../compiler/spec/builder.js';
import { poolRecovery, poolSteadyState } from '../../hardware-models/components/depressing-synapse.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { ConstantSignal, FunctionSignal } from '../../emulator/stimulus/signal.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';

// Issue 15, gap 2: depressing synapses placed by the compiler on the microcircuit's top-down arrays (B,
// B^IP read u of the layer above), held against the pool's closed form (components/depressing-synapse.ts)
// and the linearised pool of experiments/depression.ts.

const A = 1;
const D = 1;
const ACT = { name: 'depression-matched', a: A, d: D };

/** 3-5-2 microcircuit, depression-matched everywhere, positive forward weights (u of the outputs > 0). */
const micro = (act: string | Record<string, unknown> = ACT, outputs = 2) =>
  network('mc').seed(4).beta(0.2).activation(act as never).tauMs(10).tauInMs(2).init({ distribution: 'normal', mean: 0.3, std: 0.1 })
    .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } })
    .input('in', 3).hidden('h', 5).interneurons('i', 2, 'h').output('out', outputs).connect('in', 'h').connect('h', 'out').build();

const profile = (topDown: Record<string, unknown>, over: Record<string, unknown> = {}) => validateProfile({ format: 'nla-profile/1', name: 'td', extends: 'ideal', topDown, ...over });
const depressing = (over: Record<string, unknown> = {}) => profile({ kind: 'depressing', recoveryRatio: 1, ...over });

function simulator(ir: CircuitIR, init: 'rest' | 'equilibrium' = 'equilibrium') {
  return new AnalogSimulator(modelFromCircuit(ir), { learn: false, rtol: 1e-10, atol: 1e-13, init });
}

/** Runs `ms` in chunks of `every` ms and returns the state after each chunk. */
function states(sim: AnalogSimulator, drive: SignalDrive, ms: number, every: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < Math.round(ms / every); k++) {
    const r = sim.run({ durationMs: every, drive, sampleEveryMs: every });
    if (r.failure) throw r.failure;
    out.push(Float64Array.from(sim.state!));
  }
  return out;
}

describe('top-down carriers placed by the compiler', () => {
  it('B and B^IP get one pool per column at τ_rec = ratio·τ with the matched a and d; every other array is a wire', () => {
    const ir = compileCircuit(micro(), depressing({ recoveryRatio: 2 }));
    for (const a of ir.arrays) {
      if (a.role === 'feedback' || a.role === 'int-nudge') {
        expect(a.carrier.kind).toBe('depressing');
        if (a.carrier.kind !== 'depressing') continue;
        expect(a.carrier.recoveryS).toEqual(new Array(2).fill(2 * 10e-3)); // 2 × τ = 10 ms at the biological scale
        expect(a.carrier.a).toEqual([A, A]);
        expect(a.carrier.d).toEqual([D, D]);
      } else expect(a.carrier.kind).toBe('wire');
    }
    expect(ir.reports[0]!.summary).toContain('depressing synapses, τ_rec = 2·τ');
    expect(compileCircuit(micro(), profile({ kind: 'rate' })).arrays.filter((a) => a.carrier.kind === 'rate').map((a) => a.realises).sort()).toEqual(['B:h->out', 'BIP:i']);
    // a depressing carrier on an array that reads rates is refused by the validator
    const bad = structuredClone(ir);
    bad.arrays.find((a) => a.role === 'forward')!.carrier = { kind: 'rate' };
    expect(() => validateCircuit(JSON.parse(JSON.stringify(bad)))).toThrow(/carrier.kind: expected 'wire'/);
  });

  it('refuses depressing pools on a population whose rate they cannot invert, naming it and its activation', () => {
    let err: unknown;
    try {
      compileCircuit(micro('logistic'), depressing());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(String(err)).toMatch(/'out'.*logistic/);
    expect(() => compileCircuit(micro('logistic'), profile({ kind: 'rate' }))).not.toThrow();
  });

  it('pool mismatch: drawn per column from the seed, same seed → same circuit bit for bit, other components untouched', () => {
    const p = depressing({ recoverySigma: 0.2, releaseSigma: 0.1 });
    const g = micro(ACT, 40);
    const one = compileCircuit(g, p, { seed: 11 });
    expect(JSON.stringify(compileCircuit(g, p, { seed: 11 }))).toBe(JSON.stringify(one));
    const other = compileCircuit(g, p, { seed: 12 });
    const rec = (ir: CircuitIR) => ir.arrays.flatMap((a) => (a.carrier.kind === 'depressing' ? a.carrier.recoveryS : []));
    expect(rec(one)).toHaveLength(80);
    expect(new Set(rec(one)).size).toBe(80); // one draw per column and array
    expect(rec(other)).not.toEqual(rec(one));
    const rel = rec(one).map((x) => x / 10e-3 - 1);
    const sd = Math.sqrt(rel.reduce((s, x) => s + x * x, 0) / rel.length);
    expect(sd).toBeGreaterThan(0.2 * 0.7);
    expect(sd).toBeLessThan(0.2 * 1.3);
    // the pools draw from their own generators: neurons and synapses are those of the same seed without pools
    const wire = compileCircuit(g, profile({ kind: 'wire' }), { seed: 11 });
    expect(JSON.stringify(one.neurons)).toBe(JSON.stringify(wire.neurons));
    expect(JSON.stringify(one.arrays.map((a) => a.conductanceS))).toBe(JSON.stringify(wire.arrays.map((a) => a.conductanceS)));
  });
});

describe('depressing top-down synapses in the emulated microcircuit', () => {
  const drive = () => new SignalDrive(new ConstantSignal([0.6, 1.2, 0.9]), new ConstantSignal([1.0, 1.6]));

  it('constant input: the delivered signal is u (steady state (1 + a x*) ρ(u) = u), the pools sit at x*, the network at the wire’s equilibrium', () => {
    const dep = simulator(compileCircuit(micro(), depressing()), 'rest');
    const wire = simulator(compileCircuit(micro(), profile({ kind: 'wire' })), 'rest');
    const [yd] = states(dep, drive(), 300, 300);
    const [yw] = states(wire, drive(), 300, 300);
    const sys = dep.system;
    sys.rhs(300, yd!, new Float64Array(sys.size)); // evaluate at the final state: signals and rates
    const out = sys.graph.neurons.find((p) => p.name === 'out')!;
    for (const a of sys.pools.arrays) {
      for (let j = 0; j < a.cols; j++) {
        const u = yd![out.offset + j]!;
        expect(u).toBeGreaterThan(0.5); // the matched rate's inverse is u only for u ≥ 0
        expect(Math.abs(a.signal[j]! - u)).toBeLessThan(1e-8);
        const rate = activationAt({ kind: 'depression-matched', a: A, d: D }, u).rho;
        expect(Math.abs(yd![sys.oX + a.poolOff + j]! - poolSteadyState({ recoveryS: 0.01, a: A, d: D }, rate))).toBeLessThan(1e-8);
      }
    }
    for (let i = 0; i < sys.graph.nNeurons; i++) expect(Math.abs(yd![i]! - yw![i]!)).toBeLessThan(1e-7);
  });

  it('a target step: the voltages jump, each pool follows poolRecovery within the bound its rate’s drift allows', () => {
    const tStep = 50;
    const target = new TableSignal(Float64Array.of(0, tStep), [Float64Array.of(1.0, 2.5), Float64Array.of(1.6, 0.6)], 'step');
    const d = new SignalDrive(new ConstantSignal([0.6, 1.2, 0.9]), target);
    const sim = simulator(compileCircuit(micro(), depressing()), 'rest');
    const sys = sim.system;
    states(sim, d, tStep, tStep);
    const every = 0.25;
    const after = states(sim, d, 40, every);
    const out = sys.graph.neurons.find((p) => p.name === 'out')!;
    const act = { kind: 'depression-matched' as const, a: A, d: D };
    const pool = { recoveryS: 0.01, a: A, d: D };
    const a = sys.pools.arrays[0]!;
    for (let j = 0; j < out.size; j++) {
      const rate = after.map((y) => activationAt(act, y[out.offset + j]!).rho);
      // from the first sample after the jump (x0 = xs[0], r1 = its rate) on, against the closed form
      const xs = after.map((y) => y[sys.oX + a.poolOff + j]!);
      const r1 = rate[0]!;
      const drift = Math.max(...rate.map((r) => Math.abs(r - r1)));
      // e = x − x_closed obeys τ ė = −(1 + d r1) e − d (r − r1) x with e(0) = 0, x ≤ 1: |e| ≤ d·drift/(1 + d r1)
      const bound = (D * drift) / (1 + D * r1);
      let worst = 0;
      for (let k = 1; k < xs.length; k++) worst = Math.max(worst, Math.abs(xs[k]! - poolRecovery(pool, xs[0]!, r1, k * every * 1e-3)));
      expect(worst).toBeLessThanOrEqual(1.02 * bound + 1e-9);
      // and the step itself is far larger than that bound: the pool really moved along the closed form
      expect(Math.abs(xs[0]! - poolSteadyState(pool, r1))).toBeGreaterThan(10 * bound);
    }
  });

  it('moving input: the delivered error stays within the linearised pool’s high-pass bound ρ′c τ_eff max|u̇|, and so does its effect on the hidden layer', () => {
    const periodMs = 40;
    const input = new FunctionSignal(3, (t, c) => 0.9 + 0.5 * Math.sin((2 * Math.PI * t) / periodMs + c), (t, c) => ((0.5 * 2 * Math.PI) / periodMs) * Math.cos((2 * Math.PI * t) / periodMs + c));
    const d = () => new SignalDrive(input, new ConstantSignal([1.0, 1.6]));
    const dep = simulator(compileCircuit(micro(), depressing()));
    const wire = simulator(compileCircuit(micro(), profile({ kind: 'wire' })));
    const every = 0.2;
    const ys = states(dep, d(), 160, every);
    const yw = states(wire, d(), 160, every);
    const sys = dep.system;
    const out = sys.graph.neurons.find((p) => p.name === 'out')!;
    const h = sys.graph.neurons.find((p) => p.name === 'h')!;
    const act = { kind: 'depression-matched' as const, a: A, d: D };
    const tauRecMs = 10;
    let worstErr = 0;
    let gainTau = 0;
    let slope = 0;
    for (let k = 0; k < ys.length; k++) {
      for (let j = 0; j < out.size; j++) {
        const u = ys[k]![out.offset + j]!;
        const { rho, d1 } = activationAt(act, u);
        const x = ys[k]![sys.oX + sys.pools.arrays[0]!.poolOff + j]!;
        worstErr = Math.max(worstErr, Math.abs((1 + A * x) * rho - u));
        // linearised pool at u (experiments/depression.ts): c = a d r̄ x*², τ_eff = τ_rec/(1 + d r̄)
        const xs = 1 / (1 + D * rho);
        gainTau = Math.max(gainTau, d1 * A * D * rho * xs * xs * (tauRecMs / (1 + D * rho)));
        if (k > 0) slope = Math.max(slope, Math.abs(u - ys[k - 1]![out.offset + j]!) / every);
      }
    }
    const bound = gainTau * slope;
    expect(worstErr).toBeLessThanOrEqual(1.2 * bound);
    expect(worstErr).toBeGreaterThan(0.3 * bound); // the bound is the size of the effect, not a loose ceiling
    // the hidden layer reads it through v = B s − W^PI u^I: its error against the wire (the theory) is the
    // delivered error carried by the apical weights, |Δu_h| ≤ ‖B − β^I W^PI B^IP‖∞ max ρ′_h · max|s − u|
    const W = (name: string) => sys.workspace.proj[sys.graph.projections.findIndex((p) => p.name === name)]!.W;
    const [B, Wpi, Bip] = [W('B:h->out'), W('WPI:i'), W('BIP:i')];
    let norm = 0;
    for (let i = 0; i < h.size; i++) {
      let row = 0;
      for (let j = 0; j < out.size; j++) {
        let m = B[i * out.size + j]!;
        for (let k = 0; k < 2; k++) m -= sys.graph.betaInterneuron * Wpi[i * 2 + k]! * Bip[k * out.size + j]!;
        row += Math.abs(m);
      }
      norm = Math.max(norm, row);
    }
    let hiddenErr = 0;
    let maxSlopeH = 0;
    for (let k = 0; k < ys.length; k++) for (let i = 0; i < h.size; i++) {
      hiddenErr = Math.max(hiddenErr, Math.abs(ys[k]![h.offset + i]! - yw[k]![h.offset + i]!));
      maxSlopeH = Math.max(maxSlopeH, activationAt(act, ys[k]![h.offset + i]!).d1);
    }
    expect(hiddenErr).toBeGreaterThan(1e-4);
    expect(hiddenErr).toBeLessThanOrEqual(1.2 * norm * maxSlopeH * worstErr);
  });

  it('the Jacobian with carried top-down inputs: jvp and the assembled J equal central differences of f at fixed pools', () => {
    for (const td of [{ kind: 'rate' }, { kind: 'depressing', recoveryRatio: 2 }]) {
      const sim = simulator(compileCircuit(micro(), profile(td)), 'rest');
      const [y] = states(sim, drive(), 5, 5); // pools away from their steady state
      const sys = sim.system;
      const w = sys.workspace;
      const N = sys.graph.nNeurons;
      sys.rhs(5, y!, new Float64Array(sys.size));
      const u0 = Float64Array.from(w.u);
      const v = Float64Array.from({ length: N }, (_, i) => Math.sin(1.3 * i + 0.4));
      const jv = new Float64Array(N);
      sys.dynamics.jvp(v, jv);
      const J = new Float64Array(N * N);
      sys.dynamics.assemble(0, J);
      const fAt = (sign: number) => {
        for (let i = 0; i < N; i++) w.u[i] = u0[i]! + sign * 1e-6 * v[i]!;
        sys.dynamics.evaluate(false);
        return Float64Array.from(w.f);
      };
      const [fp, fm] = [fAt(1), fAt(-1)];
      for (let i = 0; i < N; i++) {
        const fd = (fp[i]! - fm[i]!) / 2e-6;
        expect(Math.abs(jv[i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        let row = 0;
        for (let j = 0; j < N; j++) row += J[i * N + j]! * v[j]!;
        expect(Math.abs(row - jv[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(row)));
      }
    }
  });
});
