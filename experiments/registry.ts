import { UsageError } from '../core/errors.js';
import { closest } from '../core/checker.js';
import type { Experiment } from './experiment.js';
import { instantaneityExperiment } from './instantaneity.js';
import { mnistExperiment } from './mnist/mnist-experiment.js';
import { microcircuitExperiment } from './microcircuit.js';
import { patternCompletionExperiment } from './pattern-completion.js';
import { depressionExperiment } from './depression.js';
import { recurrentNeuronExperiment } from './recurrent-neuron.js';
import { topDownExperiment } from './top-down.js';

/** The paper's claims as experiments, in the order of the paper (issue 5). */
export const EXPERIMENTS: Experiment[] = [
  instantaneityExperiment,
  mnistExperiment,
  microcircuitExperiment,
  patternCompletionExperiment,
  depressionExperiment,
  recurrentNeuronExperiment,
  topDownExperiment,
];

export function findExperiment(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (e) return e;
  const names = EXPERIMENTS.map((x) => x.name);
  const near = closest(name, names);
  throw new UsageError(`experiment '${name}' does not exist${near ? ` (did you mean '${near}'?)` : ''}; expected one of ${names.join(', ')}`);
}
