import type { Command } from 'commander';
import { buildGraph } from '../../compiler/graph/build.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { UsageError } from '../../core/errors.js';
import { oneOf, optionalSeed, positiveInt, positiveNumber } from '../../core/option-values.js';
import { Rng } from '../../core/rng.js';
import { STATE_FORMAT, type StateFile } from '../../emulator/digital/state-file.js';
import { mnist } from '../../experiments/mnist/dataset.js';
import { FeedForwardNet } from '../../experiments/mnist/ff-net.js';
import { writeOutput } from '../files.js';
import { TEST_SETS } from '../montecarlo/test-set.js';

interface TrainOptions {
  dataset: string;
  samples: string;
  lr: string;
  seed?: string;
  testImages: string;
  saveState: string;
  quiet?: boolean;
}

/**
 * `nla train`: trains a layered D-H-O classifier with biases on a bundled dataset and saves its weights as
 * a state file (nla-state/1) that `nla montecarlo --state`, `nla image --state` and `nla stream --state`
 * take. The rule is back-propagation on the network's settled readout (one SGD step per image on
 * C = ½‖u* − u‖², u the output voltages): in a layered NLA network at equilibrium this is the gradient the
 * NLA rule follows (theory §2; the paper's Fig. 4 control), taken here without simulating the dynamics, so
 * a 784-500-10 network trains in about a minute. Named deviation: not the time-continuous NLA rule itself
 * (`nla experiment mnist` runs that).
 */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train a layered classifier (inputs, hidden with bias, outputs with bias) on a bundled dataset by back-propagation on its settled readout, and save the weights as a state file")
    .argument('<spec>', 'network spec (JSON): 784 or 196 inputs, one hidden population, 10 outputs, biases')
    .option('--dataset <name>', `training set: ${TEST_SETS.join(', ')} (bundled; nothing is downloaded)`, 'mnist')
    .option('--samples <n>', 'training images, drawn in a seeded random order', '20000')
    .option('--lr <x>', 'learning rate per image (the NLA budget λ = η·β·T of one settled presentation)', '0.02')
    .option('--seed <n>', "seed of the training order (default: the network's)")
    .option('--test-images <n>', 'test images for the error printed at the end', '10000')
    .requiredOption('--save-state <json>', 'where to write the trained weights (nla-state/1)')
    .option('--quiet', 'no progress on stderr')
    .action((spec: string, o: TrainOptions) => train(spec, o));
}

function train(specPath: string, o: TrainOptions): void {
  oneOf(o.dataset, TEST_SETS, '--dataset');
  const g = buildGraph(loadSpecFile(specPath));
  checkShape(g);
  const factor = g.nStimulusInputs === 784 ? 1 : 2;
  const set = mnist('train', factor);
  const test = mnist('t10k', factor);
  const samples = positiveInt(o.samples, '--samples');
  const testCount = Math.min(positiveInt(o.testImages, '--test-images'), test.count);
  const lr = positiveNumber(o.lr, '--lr');
  const seed = optionalSeed(o.seed) ?? g.seed;
  const weights = g.projections.map((p) => Float64Array.from(p.weights));
  const net = FeedForwardNet.fromWeights(g, weights, true);
  const rng = new Rng(seed).fork('train:order');
  const t0 = performance.now();
  let last = t0;
  for (let k = 0; k < samples; k++) {
    const n = rng.int(set.count);
    net.sgdStep(set.pixels, n * set.size, set.labels[n]!, lr);
    if (!o.quiet && performance.now() - last > 2000) {
      last = performance.now();
      process.stderr.write(`train: ${k + 1}/${samples} images (${Math.floor((100 * (k + 1)) / samples)} %)\n`);
    }
  }
  const error = net.errorRate(test, Int32Array.from({ length: testCount }, (_, i) => i));
  const file = writeOutput(o.saveState, JSON.stringify(stateOf(g, weights, seed)));
  process.stdout.write(
    [
      `test error ${(100 * error).toFixed(2)} % on the first ${testCount} MNIST test images (settled readout, argmax of the output voltages)`,
      `${g.name}: ${samples} training images in seeded random order (seed ${seed}), back-propagation on the settled readout, learning rate ${lr}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `wrote ${file}`,
    ].join('\n') + '\n',
  );
}

function checkShape(g: NlaGraph): void {
  const hidden = g.neurons.filter((p) => p.kind === 'hidden');
  const inName = g.inputs.find((p) => p.constantRate === null)?.name;
  const names = new Set(g.projections.map((p) => p.name));
  const h = hidden[0]?.name;
  const out = g.neurons.find((p) => p.kind === 'output')?.name;
  const need = [`${inName}->${h}`, `${h}->${out}`, `bias->${h}`, `bias->${out}`];
  const ok = hidden.length === 1 && g.layered && g.feedback === 'transpose' && need.every((n) => names.has(n)) && g.projections.filter((p) => p.role === 'forward').length === 4;
  if (!ok) throw new UsageError(`nla train takes a layered network with one hidden population and biases (projections ${need.join(', ')}); '${g.name}' has ${[...names].join(', ')}`);
  if (hidden[0]!.activation.kind !== 'hard-sigmoid') throw new UsageError(`nla train's readout is a hard-sigmoid hidden layer (the paper's MNIST network); '${g.name}' has ${hidden[0]!.activation.kind} in '${h}'`);
  if (g.nStimulusInputs !== 784 && g.nStimulusInputs !== 196) throw new UsageError(`--dataset mnist: the network '${g.name}' has ${g.nStimulusInputs} inputs; MNIST images have 784 (28 × 28) or 196 (14 × 14)`);
  if (g.outputs.length !== 10) throw new UsageError(`--dataset mnist: the network '${g.name}' has ${g.outputs.length} outputs; a digit classifier has 10`);
}

/** A state at rest (u = 0, inputs unfiltered) with the trained weights. */
function stateOf(g: NlaGraph, weights: Float64Array[], seed: number): StateFile {
  const neurons: StateFile['neurons'] = {};
  for (const p of g.neurons) neurons[p.name] = { u: [new Array<number>(p.size).fill(0)], udot: [new Array<number>(p.size).fill(0)] };
  const inputs: StateFile['inputs'] = {};
  for (const p of g.inputs) if (p.constantRate === null) inputs[p.name] = { rbar: [new Array<number>(p.size).fill(0)] };
  const w: StateFile['weights'] = {};
  g.projections.forEach((p, k) => (w[p.name] = Array.from({ length: p.rows }, (_, r) => Array.from(weights[k]!.subarray(r * p.cols, (r + 1) * p.cols)))));
  return { format: STATE_FORMAT, network: g.name, seed, timeMs: 0, batch: 1, neurons, inputs, weights: w };
}
