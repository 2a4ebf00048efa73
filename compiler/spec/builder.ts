import type { NlaGraph } from '../graph/graph.js';
import { buildGraph } from '../graph/build.js';
import {
  SPEC_FORMAT,
  type ActivationSpec,
  type FeedbackSpec,
  type InitSpec,
  type NetworkSpec,
  type NeuronPopulationSpec,
  type PopulationSpec,
  type ProjectionSpec,
  type ResolvedSpec,
} from './format.js';
import { validateSpec } from './validate.js';

/**
 * Fluent TypeScript builder for network specs. It produces the same JSON a user would write
 * (`toSpec()`), which goes through the same validation (`resolve()`) and graph construction (`build()`),
 * so a network built in code and one loaded from a file are the same network.
 *
 *   const g = network('mnist').input('in', 784).hidden('h', 500).output('out', 10)
 *     .connect('in', 'h').connect('h', 'out').beta(0.1).build();
 */
export class NetworkBuilder {
  private readonly spec: NetworkSpec;

  constructor(name?: string) {
    this.spec = { format: SPEC_FORMAT, populations: [], projections: [] };
    if (name !== undefined) this.spec.name = name;
  }

  seed(seed: number): this {
    this.spec.seed = seed;
    return this;
  }

  beta(beta: number): this {
    this.spec.beta = beta;
    return this;
  }

  /** Default membrane time constant τ of neuron populations, ms. */
  tauMs(tau: number): this {
    this.spec.tauMs = tau;
    return this;
  }

  /** Default input low-pass time constant τ_in, ms. */
  tauInMs(tau: number): this {
    this.spec.tauInMs = tau;
    return this;
  }

  activation(a: ActivationSpec): this {
    this.spec.activation = a;
    return this;
  }

  init(init: InitSpec): this {
    this.spec.init = init;
    return this;
  }

  structure(s: NonNullable<NetworkSpec['structure']>): this {
    this.spec.structure = s;
    return this;
  }

  feedback(f: FeedbackSpec): this {
    this.spec.feedback = f;
    return this;
  }

  plasticity(p: NonNullable<NetworkSpec['plasticity']>): this {
    this.spec.plasticity = p;
    return this;
  }

  input(name: string, size: number, opts: { tauInMs?: number } = {}): this {
    return this.population({ name, kind: 'input', size, ...opts });
  }

  hidden(name: string, size: number, opts: Omit<NeuronPopulationSpec, 'name' | 'kind' | 'size'> = {}): this {
    return this.population({ name, kind: 'hidden', size, ...opts });
  }

  output(name: string, size: number, opts: Omit<NeuronPopulationSpec, 'name' | 'kind' | 'size'> = {}): this {
    return this.population({ name, kind: 'output', size, ...opts });
  }

  interneurons(name: string, size: number, serves: string): this {
    return this.population({ name, kind: 'interneuron', size, serves });
  }

  population(p: PopulationSpec): this {
    this.spec.populations.push(p);
    return this;
  }

  connect(from: string, to: string, opts: Omit<ProjectionSpec, 'from' | 'to'> = {}): this {
    this.spec.projections.push({ from, to, ...opts });
    return this;
  }

  /** The spec as JSON-ready data (a deep copy). */
  toSpec(): NetworkSpec {
    return structuredClone(this.spec);
  }

  /** Validates (throws SpecError with JSON paths) and normalises. */
  resolve(): ResolvedSpec {
    return validateSpec(this.toSpec());
  }

  build(): NlaGraph {
    return buildGraph(this.resolve());
  }
}

/** A `NetworkBuilder` for a network of this name: populations and projections added in TypeScript, producing the same spec JSON a file would. */
export function network(name?: string): NetworkBuilder {
  return new NetworkBuilder(name);
}

/**
 * A layered network `sizes[0]` inputs → hidden layers → `sizes[last]` outputs, all-to-all between
 * consecutive layers (populations `in`, `h1` … `hK`, `out`).
 */
export function layeredNetwork(
  sizes: number[],
  opts: { name?: string; activation?: ActivationSpec; init?: InitSpec; bias?: boolean; seed?: number; beta?: number; tauMs?: number; tauInMs?: number } = {},
): NetworkBuilder {
  if (sizes.length < 2) throw new RangeError('layeredNetwork: expected at least an input and an output size');
  const b = network(opts.name ?? `layered-${sizes.join('-')}`);
  if (opts.seed !== undefined) b.seed(opts.seed);
  if (opts.beta !== undefined) b.beta(opts.beta);
  if (opts.tauMs !== undefined) b.tauMs(opts.tauMs);
  if (opts.tauInMs !== undefined) b.tauInMs(opts.tauInMs);
  if (opts.activation !== undefined) b.activation(opts.activation);
  if (opts.init !== undefined) b.init(opts.init);
  const names = sizes.map((_, i) => (i === 0 ? 'in' : i === sizes.length - 1 ? 'out' : `h${i}`));
  b.input('in', sizes[0]!);
  for (let i = 1; i < sizes.length - 1; i++) b.hidden(names[i]!, sizes[i]!, opts.bias ? { bias: true } : {});
  b.output('out', sizes[sizes.length - 1]!, opts.bias ? { bias: true } : {});
  for (let i = 1; i < sizes.length; i++) b.connect(names[i - 1]!, names[i]!);
  return b;
}
