import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { readStateWeights } from '../../compiler/graph/state-weights.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { mnist } from '../../experiments/mnist/dataset.js';
import { FeedForwardNet } from '../../experiments/mnist/ff-net.js';
import { ensureBuilt, nla as run, root } from './run-nla.js';

// `nla train`: the saved state is a valid nla-state/1 for the spec, the printed test error is the error of
// those weights (recomputed here from the file), and training beats chance by far; bad input exits 2.
const nla = (...args: string[]) => run(args);
beforeAll(ensureBuilt);

describe('nla train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nla-train-'));
  const spec = join(dir, 'net.json');
  writeFileSync(spec, JSON.stringify({ format: 'nla-network/1', name: 'mnist-196-30-10', seed: 4, tauMs: 10, beta: 0.1, activation: 'hard-sigmoid', init: { distribution: 'normal', mean: 0, std: 0.05, cutoff: 0.15 }, populations: [{ name: 'in', kind: 'input', size: 196 }, { name: 'h', kind: 'hidden', size: 30, bias: true }, { name: 'out', kind: 'output', size: 10, bias: true }], projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }] }));

  it('trains, saves a state the compiler reads, and reports the error of the saved weights', () => {
    const state = join(dir, 's.json');
    const r = nla('train', spec, '--samples', '3000', '--lr', '0.05', '--test-images', '500', '--save-state', state, '--quiet');
    expect(r.code).toBe(0);
    const printed = Number(/^test error ([\d.]+) % on the first 500/m.exec(r.out)![1]) / 100;
    const g = buildGraph(loadSpecFile(spec));
    const W = readStateWeights(g, JSON.parse(readFileSync(state, 'utf8')), state);
    const err = FeedForwardNet.fromWeights(g, W).errorRate(mnist('t10k', 2), Int32Array.from({ length: 500 }, (_, i) => i));
    expect(printed).toBeCloseTo(err, 4);
    expect(err).toBeLessThan(0.3); // chance is 0.9
    expect(r.out).toMatch(/seed 4\b/);
  });

  it('refuses what it cannot train, exit 2', () => {
    const teacher = join(root, 'examples/teacher/network.json');
    for (const [args, msg] of [
      [['train', teacher, '--save-state', join(dir, 'x.json')], /hard-sigmoid hidden layer/],
      [['train', spec, '--dataset', 'cifar', '--save-state', join(dir, 'x.json')], /--dataset/],
      [['train', spec, '--samples', '0', '--save-state', join(dir, 'x.json')], /--samples/],
      [['train', spec], /--save-state/],
    ] as const) {
      const r = nla(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});
