import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { exportNir, type SpecExtras } from '../../compiler/nir/export.js';
import { importNirFile } from '../../compiler/nir/import.js';
import { writeNirFile } from '../../compiler/nir/nir-file.js';
import type { ResolvedSpec } from '../../compiler/spec/format.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { readJsonFile } from '../../core/json-file.js';

/**
 * spec → NIR file → spec gives the same network: the validated specs deep-equal, the graphs built from them
 * carry the same float64 weights bit for bit, the description comes back, and nothing is noted as changed.
 */
const dir = mkdtempSync(join(tmpdir(), 'nla-nir-rt-'));

async function roundTrip(name: string, spec: ResolvedSpec, extras: SpecExtras) {
  const file = join(dir, `${name}.nir`);
  await writeNirFile(file, exportNir(spec, extras));
  return importNirFile(file);
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function expectExactRoundTrip(name: string, raw: any, spec: ResolvedSpec = validateSpec(raw)) {
  const r = await roundTrip(name, spec, { init: raw.init, description: raw.description });
  expect(r.extension).toBe(true);
  expect(r.notes).toEqual([]);
  expect(r.spec.description).toBe(raw.description);
  const back = validateSpec(r.spec);
  expect(back).toEqual(spec);
  const g0 = buildGraph(spec);
  const g1 = buildGraph(back);
  expect(g1.projections.map((p) => p.name)).toEqual(g0.projections.map((p) => p.name));
  g0.projections.forEach((p, i) => expect(sameBits(p.weights, g1.projections[i]!.weights), p.name).toBe(true));
  return r;
}

/** A recurrent network with given (awkward float64) weights, bias values, a mask matrix and per-projection settings. */
function recurrentSpec(): any {
  const w = (rows: number, cols: number, k: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(7 * i + 3 * j + k) / 3 + 1e-17 * (i + 1)));
  const rec = w(4, 4, 1);
  const mask = rec.map((row, i) => row.map((_, j) => ((i + j) % 3 === 0 ? 0 : 1)));
  return {
    format: 'nla-network/1',
    name: 'recurrent',
    description: 'two recurrent populations, one with drawn weights',
    seed: 42,
    structure: 'recurrent',
    tauMs: 7.3,
    beta: 0.25,
    activation: { name: 'clipped-relu', max: 2 },
    init: { distribution: 'uniform', low: -0.2, high: 0.2 },
    plasticity: { enabled: true, etaPerMs: 0.003 },
    populations: [
      { name: 'in', kind: 'input', size: 3, tauInMs: 2.5 },
      { name: 'h', kind: 'hidden', size: 4, bias: { values: [0.1, -0.2, 1 / 3, 0] } },
      { name: 'g', kind: 'hidden', size: 5, tauMs: 12, activation: 'tanh', bias: { init: { distribution: 'constant', value: 0.05 }, plastic: false } },
      { name: 'out', kind: 'output', size: 2, activation: 'linear' },
    ],
    projections: [
      { from: 'in', to: 'h', weights: w(4, 3, 0) },
      { name: 'h-rec', from: 'h', to: 'h', weights: rec.map((row, i) => row.map((x, j) => x * mask[i]![j]!)), mask, etaPerMs: 0.01 },
      { from: 'h', to: 'g', mask: { density: 0.5 } },
      { name: 'g-rec', from: 'g', to: 'g', init: { distribution: 'normal', std: 0.05 }, plastic: false },
      { from: 'g', to: 'out' },
      { from: 'h', to: 'out', weights: w(2, 4, 2) },
    ],
  };
}

/** The cortical microcircuit (Algorithm 2): interneurons, feedback settings that NIR cannot say. */
function microcircuitSpec(): any {
  return {
    format: 'nla-network/1',
    name: 'microcircuit',
    seed: 3,
    activation: 'logistic',
    feedback: { mode: 'microcircuit', betaInterneuron: 0.2, interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 }, etaPerMs: 0.004 },
    plasticity: { enabled: true },
    populations: [
      { name: 'in', kind: 'input', size: 3 },
      { name: 'h', kind: 'hidden', size: 5, bias: true },
      { name: 'i', kind: 'interneuron', size: 2, serves: 'h' },
      { name: 'out', kind: 'output', size: 2 },
    ],
    projections: [
      { from: 'in', to: 'h' },
      { from: 'h', to: 'out' },
    ],
  };
}

describe('NLA → NIR → NLA round trips exactly', () => {
  it('the bundled teacher example (drawn weights and biases)', async () => {
    const path = 'examples/teacher/network.json';
    await expectExactRoundTrip('teacher', readJsonFile(path), loadSpecFile(path));
  });

  it('the MNIST 784-500-10 network', async () => {
    const path = 'examples/mnist/network.json';
    const r = await expectExactRoundTrip('mnist', readJsonFile(path), loadSpecFile(path));
    expect(r.spec.populations.map((p) => p.size)).toEqual([784, 500, 10]);
  });

  it('a recurrent network with given float64 weights, bias values, masks, activations with parameters', async () => {
    await expectExactRoundTrip('recurrent', recurrentSpec());
  });

  it('a cortical microcircuit with interneurons', async () => {
    const r = await expectExactRoundTrip('microcircuit', microcircuitSpec());
    expect(r.spec.populations.find((p) => p.kind === 'interneuron')).toEqual({ name: 'i', kind: 'interneuron', size: 2, serves: 'h' });
  });
});
