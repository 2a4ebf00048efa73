import { buildGraph } from '../graph/build.js';
import type { Projection } from '../graph/graph.js';
import { SPEC_DEFAULTS, type InitSpec, type ResolvedSpec } from '../spec/format.js';
import { InputError } from '../../core/errors.js';
import { extensionMetadata, type ExtensionPopulation, type ExtensionProjection, type NlaExtension, NLA_EXTENSION_FORMAT } from './extension.js';
import { NIR_VERSION_WRITTEN, type NirGraph, type NirNode, nirMatrix, nirVector } from './nir-graph.js';
import { activationToJson } from './activation-json.js';

/** What the resolved spec no longer holds but the JSON did: the top-level init and the description. */
export interface SpecExtras {
  init?: InitSpec;
  description?: string;
}

/** The name of the Output node that reads output population `pop`. */
export function outputNodeName(pop: string): string {
  return `${pop}.output`;
}

/**
 * An NLA network as a NIR graph: each input population an Input node, each hidden or output population an
 * LI node (tau = τ/1000 s, r = 1, v_leak = 0: NLA's τ u̇ = −u + I), each projection a Linear node (out, in)
 * whose weights are the spec's or, where the spec draws them, the seed's draw; a population's bias is the
 * `bias` of an Affine node: its first incoming projection. Each output population feeds an Output node.
 * The rest of the spec goes into the NLA extension (extension.ts).
 */
export function exportNir(spec: ResolvedSpec, extras: SpecExtras = {}): NirGraph {
  checkNames(spec);
  const graph = buildGraph(spec);
  const drawn = new Map<string, Projection>(graph.projections.map((p) => [p.name, p]));
  const carriers = biasCarriers(spec);
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  for (const p of spec.inputs) nodes.set(p.name, { type: 'Input', shape: [p.size], metadata: {} });
  for (const n of spec.neurons) {
    nodes.set(n.name, { type: 'LI', tau: nirVector(new Array(n.size).fill(n.tauMs / 1000)), r: nirVector(new Array(n.size).fill(1)), v_leak: nirVector(new Array(n.size).fill(0)), metadata: {} });
  }
  for (const p of spec.projections) {
    const w = drawn.get(p.name)!;
    // given weights are written as given (bit for bit, −0 included); drawn ones as the seed's draw
    const weight = nirMatrix(w.rows, w.cols, p.weights ? p.weights.flat() : Array.from(w.weights));
    const biasOf = [...carriers].find(([, proj]) => proj === p.name)?.[0];
    if (biasOf !== undefined) nodes.set(p.name, { type: 'Affine', weight, bias: nirVector(biasValues(spec, biasOf, drawn)), metadata: {} });
    else nodes.set(p.name, { type: 'Linear', weight, metadata: {} });
    edges.push([p.from, p.name], [p.name, p.to]);
  }
  const outputs: Record<string, string> = {};
  for (const n of spec.neurons.filter((x) => x.kind === 'output')) {
    nodes.set(outputNodeName(n.name), { type: 'Output', shape: [n.size], metadata: {} });
    edges.push([n.name, outputNodeName(n.name)]);
    outputs[outputNodeName(n.name)] = n.name;
  }
  const ext = extension(spec, extras, carriers, outputs);
  return { version: NIR_VERSION_WRITTEN, nodes, edges, metadata: extensionMetadata(ext) };
}

/** A population's bias: its given values, or the seed's draw. */
function biasValues(spec: ResolvedSpec, pop: string, drawn: Map<string, Projection>): number[] {
  return spec.neurons.find((n) => n.name === pop)!.bias!.values ?? Array.from(drawn.get(`bias->${pop}`)!.weights);
}

/** Each biased population → the projection (its first incoming one) whose Affine node carries the bias. */
function biasCarriers(spec: ResolvedSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of spec.neurons) {
    if (!n.bias) continue;
    const first = spec.projections.find((p) => p.to === n.name);
    if (!first) throw new InputError(`population '${n.name}' has a bias but no incoming projection to carry it as a NIR Affine bias`);
    out.set(n.name, first.name);
  }
  return out;
}

/** Node names must be unique across populations, projections and Output nodes, and valid HDF5 names. */
function checkNames(spec: ResolvedSpec): void {
  const seen = new Map<string, string>();
  const claim = (name: string, what: string) => {
    if (name.includes('/') || name === '.' || name === '') throw new InputError(`${what} '${name}': not a valid NIR node name (no '/', not empty)`);
    const prev = seen.get(name);
    if (prev) throw new InputError(`${what} '${name}' has the same name as ${prev}; NIR nodes need distinct names`);
    seen.set(name, `${what} '${name}'`);
  };
  for (const p of [...spec.inputs, ...spec.neurons]) claim(p.name, 'population');
  for (const p of spec.projections) claim(p.name, 'projection');
  for (const n of spec.neurons.filter((x) => x.kind === 'output')) claim(outputNodeName(n.name), 'output node');
}

function extension(spec: ResolvedSpec, extras: SpecExtras, carriers: Map<string, string>, outputs: Record<string, string>): NlaExtension {
  const populations: ExtensionPopulation[] = [
    ...spec.inputs.map((p) => ({ name: p.name, kind: 'input' as const, tauInMs: p.tauInMs })),
    ...spec.neurons.map((n) => ({
      name: n.name,
      kind: n.kind,
      tauMs: n.tauMs,
      activation: activationToJson(n.activation),
      bias: n.bias ? { carrier: carriers.get(n.name)!, origin: n.bias.values ? ('given' as const) : ('drawn' as const), init: n.bias.init, plastic: n.bias.plastic } : null,
    })),
    ...spec.interneurons.map((k) => ({ name: k.name, kind: 'interneuron' as const, size: k.size, serves: k.serves })),
  ];
  const projections: ExtensionProjection[] = spec.projections.map((p) => ({
    name: p.name,
    origin: p.weights ? 'given' : 'drawn',
    init: p.init,
    mask: p.mask,
    plastic: p.plastic,
    etaPerMs: p.etaPerMs,
  }));
  return {
    format: NLA_EXTENSION_FORMAT,
    network: {
      name: spec.name,
      ...(extras.description !== undefined ? { description: extras.description } : {}),
      seed: spec.seed,
      structure: spec.structure,
      beta: spec.beta,
      init: extras.init ?? SPEC_DEFAULTS.init,
      feedback: spec.feedback,
      plasticity: spec.plasticity,
    },
    populations,
    projections,
    outputs,
  };
}
