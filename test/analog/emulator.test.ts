import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator, type AnalogOptions } from '../../emulator/analog/simulator.js';
import { runDigital } from '../../emulator/digital/run.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import type { Drive } from '../../emulator/drive.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';
import { drive } from '../helpers.js';

const profile = (over: Record<string, unknown>): Profile => validateProfile({ format: 'nla-profile/1', name: 'test', ...over });

function analogTrace(ir: CircuitIR, d: Drive, ms: number, probe: string, opts: AnalogOptions = {}) {
  const sim = new AnalogSimulator(modelFromCircuit(ir), { rtol: 1e-8, atol: 1e-11, ...opts });
  return sim.run({ durationMs: ms, drive: d, probes: parseProbes(probe, sim.system.graph), sampleEveryMs: 0.5 });
}

function relError(a: Float64Array[], b: Float64Array[]): number {
  let m = 0;
  let s = 0;
  a.forEach((x, k) => x.forEach((v, i) => {
    m = Math.max(m, Math.abs(v - b[k]![i]!));
    s = Math.max(s, Math.abs(b[k]![i]!));
  }));
  return m / s;
}

function columns(t: { names: string[]; columnAt(i: number): Float64Array }, prefix: string): Float64Array[] {
  return t.names.map((n, i) => [n, i] as const).filter(([n]) => n.startsWith(prefix)).map(([, i]) => t.columnAt(i));
}

describe('ideal profile: the analog emulator reproduces the digital engine', () => {
  const cases: Array<[string, () => NlaGraph, boolean]> = [
    ['3-layer, inference', () => layeredNetwork([4, 8, 6, 3], { activation: 'logistic', seed: 2, beta: 0.2, bias: true, init: { distribution: 'normal', std: 0.5 } }).build(), false],
    [
      '3-layer, learning',
      () => layeredNetwork([4, 8, 6, 3], { activation: 'logistic', seed: 2, beta: 0.2, bias: true, init: { distribution: 'normal', std: 0.5 } }).plasticity({ enabled: true, etaPerMs: 0.005 }).build(),
      true,
    ],
    [
      'microcircuit, learning',
      () =>
        network('mc')
          .seed(4)
          .beta(0.2)
          .activation('logistic')
          .init({ distribution: 'normal', std: 0.5 })
          .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } })
          .input('in', 4)
          .hidden('h', 6)
          .interneurons('i', 4, 'h')
          .output('out', 3)
          .connect('in', 'h')
          .connect('h', 'out')
          .plasticity({ enabled: true, etaPerMs: 0.005 })
          .build(),
      true,
    ],
  ];
  for (const [name, make, learn] of cases) {
    it(`${name}: within 1e-3 relative error of the digital engine at dt = 0.005 ms`, () => {
      const g = make();
      const d = drive(g, true);
      const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!));
      const a = analogTrace(ir, d, 150, 'u', { learn });
      const dig = runDigital(new DigitalSimulator(g, { dtMs: 0.005, learn }), { durationMs: 150, drive: d, probes: parseProbes('u', g), sampleEveryMs: 0.5 });
      expect(a.traces.rows).toBe(dig.traces.rows);
      const err = relError(columns(a.traces, 'u:'), columns(dig.traces, 'u:'));
      expect(err).toBeLessThan(1e-3);
      expect(err).toBeGreaterThan(0); // two different integrators
    });
  }
});

describe('non-ideal prospective units', () => {
  const g = layeredNetwork([4, 8, 6, 3], { activation: 'logistic', seed: 2, beta: 0.2, init: { distribution: 'normal', std: 0.5 } }).build();
  const maxF = (ir: CircuitIR) => analogTrace(ir, drive(g, true), 300, 'f:out', { init: 'equilibrium' }).summary.maxAbsF;

  it('a current-sensing unit is exact when τ_r = τ_m; a mismatched look-ahead breaks the cancellation', () => {
    const p = profile({ extends: 'ideal', rateUnit: { kind: 'current-sensing', lookaheadSigma: 0 } });
    const matched = compileCircuit(g, p);
    const off = structuredClone(matched);
    for (const n of off.neurons) if (n.rateUnit.kind === 'current-sensing') n.rateUnit.lookaheadS *= 1.2;
    const fMatched = maxF(matched);
    const fOff = maxF(off);
    expect(fMatched).toBeLessThan(1e-5);
    expect(fOff).toBeGreaterThan(100 * fMatched);
  });

  /** Mean delay ∫(1 − s(t)) dt of each layer's normalised response to a small input step at 10 ms. */
  function layerDelays(net: NlaGraph, over: Record<string, unknown>): number[] {
    const r0 = [0.3, 0.6, 0.4, 0.5];
    const d = new SignalDrive(new FunctionSignal(4, (t, c) => r0[c]! + (t >= 10 ? 0.04 * Math.sin(2 * c + 1) : 0)));
    const ir = compileCircuit(net, profile({ extends: 'ideal', ...over }));
    const res = analogTrace(ir, d, 80, 'u', { init: 'equilibrium', rtol: 1e-9, atol: 1e-12 });
    const t = res.traces.time();
    return net.neurons.map((pop) => {
      const cols = Array.from({ length: pop.size }, (_, i) => res.traces.column(`u:${pop.name}[${i}]`));
      const k0 = t.findIndex((x) => x >= 9.5);
      const before = cols.map((c) => c[k0]!);
      const delta = cols.map((c, i) => c[c.length - 1]! - before[i]!);
      const norm = delta.reduce((s, x) => s + x * x, 0);
      let area = 0;
      for (let k = 0; k < t.length; k++) {
        if (t[k]! < 10) continue;
        area += (1 - cols.reduce((acc, c, i) => acc + (c[k]! - before[i]!) * delta[i]!, 0) / norm) * 0.5;
      }
      return area;
    });
  }

  it('a parasitic pole τ_p delays propagation by about τ_p per layer (10 layers, within 20 %)', () => {
    const depth = 10;
    const poleRatio = 0.05; // τ_p = 0.5 ms
    const tauP = poleRatio * 10;
    const lead = { rateUnit: { kind: 'lead', poleRatio, lookaheadSigma: 0, maxRate: 10 } };
    // an inference circuit: β = 0 and no error pathway, so only the forward path acts
    const mk = (feedback: 'none' | 'transpose') => {
      const b = layeredNetwork([4, ...Array(depth - 1).fill(6), 4], { activation: 'logistic', seed: 5, beta: 0, init: { distribution: 'normal', std: 1.6 } });
      if (feedback === 'none') b.feedback({ mode: 'random', init: { distribution: 'zeros' } });
      return b.build();
    };
    const exact = layerDelays(mk('none'), {});
    const delays = layerDelays(mk('none'), lead);
    // with exact units every layer lags only the input filter (τ_in = 10 ms)
    for (const x of exact) expect(Math.abs(x - 10)).toBeLessThan(0.3);
    // layer 1 sees the inputs directly; each further layer adds one lead stage, so one τ_p
    expect(Math.abs(delays[0]! - exact[0]!)).toBeLessThan(0.05);
    const perLayer = (delays[depth - 1]! - delays[0]!) / (depth - 1);
    expect(Math.abs(perLayer - tauP) / tauP).toBeLessThan(0.2);
    // with the error pathway on, the mismatch a lagging layer causes is fed back and holds the layers
    // below it back: the network lags more than τ_p per layer (a design hazard the report shows)
    const coupled = layerDelays(mk('transpose'), lead);
    expect(coupled[depth - 1]! - coupled[0]!).toBeGreaterThan(2 * (depth - 1) * tauP);
  });

  it('τ_p = τ/1000: the stiff solver needs far fewer steps than the explicit pair', () => {
    const ir = compileCircuit(g, profile({ extends: 'ideal', rateUnit: { kind: 'lead', poleRatio: 1e-3, lookaheadSigma: 0, maxRate: 10 }, errorUnit: { kind: 'lead', poleRatio: 1e-3, lookaheadSigma: 0 } }));
    const run = (solver: 'dopri5' | 'rosenbrock') => analogTrace(ir, drive(g, true), 100, 'u:out', { solver, rtol: 1e-4, atol: 1e-7 });
    const stiff = run('rosenbrock');
    const explicit = run('dopri5');
    const sa = stiff.summary.stats.accepted + stiff.summary.stats.rejected;
    const ea = explicit.summary.stats.accepted + explicit.summary.stats.rejected;
    console.log(`τ_p = τ/1000, 100 ms: rosenbrock ${sa} steps (${stiff.summary.stats.rhsEvaluations} evaluations), dopri5 ${ea} steps (${explicit.summary.stats.rhsEvaluations} evaluations)`);
    expect(sa * 10).toBeLessThan(ea);
    expect(relError(columns(stiff.traces, 'u:'), columns(explicit.traces, 'u:'))).toBeLessThan(1e-3);
  });
});
