import type { Activation } from '../../core/activation.js';
import type { ActivationSpec, InitSpec, NetworkSpec, PopulationSpec, ProjectionSpec, ResolvedSpec } from '../spec/format.js';

/**
 * A resolved spec written back as `nla-network/1` JSON with every value explicit, so that validating it
 * gives the same `ResolvedSpec` again. `defaultInit` is the top-level `init` (the init that a projection
 * with explicit weights, or a bias with explicit values, resolves to); `description` is kept as given.
 */
export function specToJson(spec: ResolvedSpec, defaultInit: InitSpec, description?: string): NetworkSpec {
  const populations: PopulationSpec[] = [
    ...spec.inputs.map((p) => ({ name: p.name, kind: 'input' as const, size: p.size, tauInMs: p.tauInMs })),
    ...spec.neurons.map((n) => ({
      name: n.name,
      kind: n.kind,
      size: n.size,
      tauMs: n.tauMs,
      activation: activationToJson(n.activation),
      bias: n.bias === null ? false : n.bias.values ? { values: n.bias.values, plastic: n.bias.plastic } : { init: n.bias.init, plastic: n.bias.plastic },
    })),
    ...spec.interneurons.map((k) => ({ name: k.name, kind: 'interneuron' as const, size: k.size, serves: k.serves })),
  ];
  const projections: ProjectionSpec[] = spec.projections.map((p) => ({
    name: p.name,
    from: p.from,
    to: p.to,
    ...(p.weights ? { weights: p.weights } : { init: p.init }),
    ...(p.mask ? { mask: p.mask } : {}),
    plastic: p.plastic,
    etaPerMs: p.etaPerMs,
  }));
  return {
    format: spec.format,
    name: spec.name,
    ...(description !== undefined ? { description } : {}),
    seed: spec.seed,
    structure: spec.structure,
    beta: spec.beta,
    init: defaultInit,
    feedback: spec.feedback,
    plasticity: spec.plasticity,
    populations,
    projections,
  };
}

/** An activation as the spec writes it: its name alone, or `{ name, ...parameters }`. */
export function activationToJson(a: Activation): ActivationSpec {
  const { kind, ...params } = a as { kind: string } & Record<string, unknown>;
  return Object.keys(params).length ? { name: kind, ...params } : kind;
}
