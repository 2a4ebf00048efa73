import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { DigitalReference, RunOutcome } from '../../emulator/engine.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { digitalEngine } from '../../emulator/digital/engine.js';
import { analogEngine } from '../../emulator/analog/engine.js';
import { boardEngine } from '../../host/engine/board-engine.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { ENGINE_NAMES } from '../../cli/engine-registry.js';
import { CASES, maxDeviation, settledState, steps, type ConformanceCase } from './cases.js';
import { framedDrive, referenceOptions, runOn, subjects, type Subject } from './subjects.js';

/**
 * One conformance suite for every engine of the registry (TensorFlow.js runs one suite on every back end;
 * Nengo's back ends run Nengo's tests): the same networks and drives, the same contract (traces named and
 * timed alike, a summary, no failure), the theory's identities, and agreement with the digital reference
 * within each engine's stated tolerance. What an engine cannot do is listed per case with the reason.
 */
const SUBJECTS = subjects();

it('covers every engine in the registry', () => {
  expect(new Set(SUBJECTS.map((s) => s.factory.name))).toEqual(new Set(ENGINE_NAMES));
});

for (const subject of SUBJECTS) {
  const skip = subject.unavailable();
  if (skip) process.stderr.write(`NOTE: conformance: ${subject.label} skipped: ${skip}\n`);
  describe.skipIf(skip !== null)(`${subject.label}: within ${subject.tolerance.toPrecision(3)} of the digital reference (${subject.why})`, () => {
    beforeAll(async () => subject.setUp?.(), 600_000); // the RTL board builds its Verilator model on a first run
    afterAll(async () => subject.tearDown?.());
    for (const c of CASES) {
      const own = subject.excludedCases?.[c.name];
      const excluded = c.excluded[subject.factory.name] ?? own?.why;
      it.skipIf(excluded !== undefined)(`${c.name}${excluded ? ` (excluded: ${excluded})` : ''}`, async () => {
        await conforms(subject, c);
      });
      if (own) it(`${c.name}: the exclusion's reason holds`, () => expect(own.holds(), own.why).toBe(true));
    }
  });
}

async function conforms(subject: Subject, c: ConformanceCase): Promise<void> {
  const graph = c.graph();
  const common = { learn: c.learn };
  const drive = new SignalDrive(c.input, c.target, c.impulses);
  const { engine, outcome } = await runOn(subject.factory, graph, subject.options, common, drive, c.durationMs, c.probes, subject.framed ? undefined : 0.25);
  // the contract: no failure, the whole duration, the summary's common fields, traces timed in model ms
  expect(outcome.failure).toBeNull();
  expect(outcome.summary.engine).toBe(subject.factory.name);
  expect(outcome.summary.simulatedMs).toBeCloseTo(c.durationMs, 9);
  expect(outcome.summary.learn).toBe(c.learn);
  const time = outcome.traces.time();
  expect(time.length).toBeGreaterThan(10);
  expect(c.durationMs - time[time.length - 1]!).toBeLessThanOrEqual(1 + 1e-9);
  // the reference: the digital engine (for a board, running the board's own algorithm in float on its frames)
  const ref = await reference(subject, c, graph, engine.reference);
  expect(outcome.traces.names.every((n) => ref.traces.names.includes(n))).toBe(true);
  const dev = maxDeviation(ref.traces, outcome.traces);
  expect(dev.compared).toBeGreaterThan(10);
  expect(dev.max, `max |Δ| at ${dev.column}, t = ${dev.tMs} ms`).toBeLessThanOrEqual(subject.tolerance);
  if (c.settles) expectSettled(outcome, graph, c, subject.tolerance);
  if (c.learn && outcome.weights && ref.weights) expectSameLearning(graph, outcome, ref);
  if (c.impulses.length) expectImpulse(outcome, graph, c);
}

async function reference(subject: Subject, c: ConformanceCase, graph: NlaGraph, ref: DigitalReference | undefined): Promise<RunOutcome> {
  const drive = subject.framed && ref ? framedDrive(c.input, c.target, ref.frameMs, c.durationMs) : new SignalDrive(c.input, c.target, c.impulses);
  const { outcome } = await runOn(digitalEngine, graph, referenceOptions(subject, ref), { learn: c.learn }, drive, c.durationMs + (subject.framed && ref ? ref.frameMs : 0), c.probes);
  expect(outcome.failure).toBeNull();
  return outcome;
}

/** With constant inputs and no targets the network settles on u = W ρ(u) + W_in r_in (f = 0). */
function expectSettled(outcome: RunOutcome, graph: NlaGraph, c: ConformanceCase, tolerance: number): void {
  const rIn = new Float64Array(c.input.channels);
  c.input.value(c.durationMs, rIn, 0);
  const expected = settledState(graph, rIn);
  const last = outcome.traces.rows - 1;
  for (const p of graph.neurons) {
    for (let i = 0; i < p.size; i++) {
      const got = outcome.traces.column(`u:${p.name}[${i}]`)[last]!;
      // after 40 ms at τ = τ_in = 2 ms the remainder of the start from rest is e^−20: nothing
      expect(Math.abs(got - expected[p.offset + i]!), `u:${p.name}[${i}]`).toBeLessThanOrEqual(tolerance + 1e-6);
    }
  }
}

/** An engine that reports weights learns like the reference: the weight changes point the same way. */
function expectSameLearning(graph: NlaGraph, outcome: RunOutcome, ref: RunOutcome): void {
  for (const p of graph.projections) {
    const w0 = p.weights;
    const a = ref.weights!.get(p.name)!;
    const b = outcome.weights!.get(p.name)!;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < w0.length; k++) {
      const da = a[k]! - w0[k]!;
      const db = b[k]! - w0[k]!;
      dot += da * db;
      na += da * da;
      nb += db * db;
    }
    expect(na, `${p.name} learned`).toBeGreaterThan(0);
    expect(dot / Math.sqrt(na * nb), `${p.name}: cosine of the weight changes`).toBeGreaterThan(0.99);
  }
}

/** An input delta of area A raises r̄_in by A/τ_in at once (theory: the low-pass of a delta). */
function expectImpulse(outcome: RunOutcome, graph: NlaGraph, c: ConformanceCase): void {
  const imp = c.impulses[0]!;
  const pop = graph.inputs[0]!;
  const col = outcome.traces.column(`rbar:${pop.name}[${imp.channel}]`);
  const time = outcome.traces.time();
  // the row at the impulse's time holds the state just after it (every engine applies events at the step or breakpoint)
  const after = time.findIndex((t) => t >= imp.tMs - 1e-9);
  expect(time[after]).toBeCloseTo(imp.tMs, 9);
  const before = after - 1;
  // r̄_in moves by (r_in − r̄_in)·Δt/τ_in between the rows as well: bounded by 0.3·0.25/2 here
  expect(Math.abs(col[after]! - col[before]! - imp.area / pop.tauInMs)).toBeLessThan(0.3 * (time[after]! - time[before]!) / pop.tauInMs);
}


describe('a run that cannot go on returns its failure as a value, with the time, the place and what was recorded before', () => {
  // an input rate that steps from 0.5 to 10⁷ at 20 ms drives u past the divergence limit |u| = 10⁶ once
  // r̄_in = 10⁷ (1 − e^(−(t−20)/τ_in)) passes 10⁶: at t = 20 + 10·ln(1/0.9) ≈ 21.05 ms
  const g = () => layeredNetwork([1, 1], { activation: 'logistic', seed: 1, init: { distribution: 'constant', value: 1 } }).build();
  const input = () => new SignalDrive(steps([[0, 0.5], [20, 1e7]]), null);
  for (const [label, factory, options] of [
    ['digital', digitalEngine, { dt: '0.01ms' }],
    ['analog', analogEngine, { profile: 'ideal' }],
  ] as const) {
    it(`${label}: an input drives u past the divergence limit: failure at the time and neuron, rows before it`, async () => {
      const { outcome } = await runOn(factory, g(), options, {}, input(), 50, 'u', 0.5);
      const f = outcome.failure!;
      expect(f).not.toBeNull();
      expect(f.what).toMatch(/divergence: \|u\| = .* exceeds 1000000/);
      expect(f.timeMs).toBeGreaterThan(21.0);
      expect(f.timeMs).toBeLessThan(21.2);
      expect(f.where).toBe('out[0]');
      const time = outcome.traces.time();
      expect(time.length).toBe(43); // rows every 0.5 ms up to 21 ms
      expect(time[time.length - 1]!).toBeLessThanOrEqual(f.timeMs);
      expect(outcome.summary.simulatedMs).toBeLessThan(50);
    });
  }
  it('board: a board that cannot be reached is a failure value naming the device, every frame missing', async () => {
    const g = layeredNetwork([2, 2], { activation: 'logistic', seed: 1 }).build();
    const { outcome } = await runOn(boardEngine, g, { boardPort: '/dev/nla-no-such-board' }, {}, new SignalDrive(steps([[0, 0.5, 0.5]]), null), 5, 'u');
    expect(outcome.failure).not.toBeNull();
    expect(outcome.failure!.where).toBe('/dev/nla-no-such-board');
    expect(outcome.traces.rows).toBe(5);
    expect(Array.from(outcome.traces.columnAt(0)).every(Number.isNaN)).toBe(true);
  });
});
