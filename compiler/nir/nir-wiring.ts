import { InputError } from '../../core/errors.js';
import type { NirArray, NirGraph, NirNode } from './nir-graph.js';

/**
 * A NIR graph read as an NLA network's wiring: Input nodes are input populations, LI nodes neuron
 * populations, each Linear or Affine node one projection from exactly one Input or LI node to exactly one
 * LI node, each Output node reads exactly one LI node. Everything else is refused, naming the node (and its
 * type, or the edge, or the field and both shapes).
 */
export interface NirWiring {
  inputs: { name: string; size: number; shape: number[] }[];
  neurons: { name: string; size: number; node: Extract<NirNode, { type: 'LI' }> }[];
  projections: { name: string; from: string; to: string; node: Extract<NirNode, { type: 'Linear' | 'Affine' }> }[];
  outputs: { name: string; reads: string }[];
}

/** Why NLA cannot take a node of a given NIR type (for the refusal message). */
const REFUSED: Record<string, string> = {
  LIF: 'it spikes (threshold and reset); NLA neurons are rate neurons',
  CubaLIF: 'it spikes (threshold and reset) and has a synaptic current state',
  IF: 'it spikes (threshold and reset) and does not leak',
  Threshold: 'it emits spikes (a Heaviside step); NLA passes rates',
  I: 'a pure integrator (no leak) has no NLA membrane equivalent',
  CubaLI: 'its synaptic current stage (tau_syn) has no NLA equivalent',
  Scale: 'NLA has no stand-alone gain stage; fold the scale into the neighbouring weights',
  Conv1d: 'NLA projections are dense matrices (no convolutions)',
  Conv2d: 'NLA projections are dense matrices (no convolutions)',
  SumPool2d: 'NLA has no pooling',
  AvgPool2d: 'NLA has no pooling',
  Flatten: 'NLA populations are flat vectors (flatten in the exporting tool)',
  Delay: 'NLA has no synaptic delays',
  NIRGraph: 'nested subgraphs are not supported (flatten the graph in the exporting tool)',
};

/** The wiring of `g`, or an InputError naming the first node, edge or field NLA cannot represent. */
export function nirWiring(g: NirGraph, file: string): NirWiring {
  const fail = (msg: string): never => {
    throw new InputError(msg, file);
  };
  const ins = new Map<string, string[]>();
  const outs = new Map<string, string[]>();
  for (const name of g.nodes.keys()) {
    ins.set(name, []);
    outs.set(name, []);
  }
  for (const [a, b] of g.edges) {
    outs.get(a)!.push(b);
    ins.get(b)!.push(a);
  }
  const w: NirWiring = { inputs: [], neurons: [], projections: [], outputs: [] };
  const sizeOf = new Map<string, number>();
  for (const [name, n] of g.nodes) {
    if (n.type === 'Other') fail(`node '${name}' (type ${n.nirType}) cannot be represented in NLA: ${REFUSED[n.nirType] ?? 'unknown NIR node type'}`);
    if (n.type === 'Input') sizeOf.set(name, n.shape.reduce((p, x) => p * x, 1));
    if (n.type === 'LI') sizeOf.set(name, n.tau.values.length);
  }
  for (const [name, n] of g.nodes) {
    const from = ins.get(name)!;
    const to = outs.get(name)!;
    const typeOf = (x: string) => g.nodes.get(x)!.type;
    if (n.type === 'Input') {
      if (from.length) fail(`node '${name}' (Input): has an incoming edge from '${from[0]}'`);
      for (const t of to) if (typeOf(t) !== 'Linear' && typeOf(t) !== 'Affine') fail(`edge ${name} → ${t}: an Input may only feed Linear or Affine nodes (NLA inputs reach neurons through weights), got ${typeOf(t)}`);
      w.inputs.push({ name, size: sizeOf.get(name)!, shape: n.shape });
    } else if (n.type === 'LI') {
      for (const f of from) if (typeOf(f) !== 'Linear' && typeOf(f) !== 'Affine') fail(`edge ${f} → ${name}: an LI node may only be fed by Linear or Affine nodes, got ${typeOf(f)}`);
      w.neurons.push({ name, size: sizeOf.get(name)!, node: n });
    } else if (n.type === 'Linear' || n.type === 'Affine') {
      w.projections.push(projection(name, n, from, to, g, sizeOf, fail));
    } else if (n.type === 'Output') {
      if (to.length) fail(`node '${name}' (Output): has an outgoing edge to '${to[0]}'`);
      if (from.length !== 1) fail(`node '${name}' (Output): expected exactly one incoming edge, got ${from.length}`);
      const src = from[0]!;
      if (typeOf(src) !== 'LI') fail(`edge ${src} → ${name}: an Output must read an LI node (NLA reads out neuron voltages), got ${typeOf(src)}`);
      const size = n.shape.reduce((p, x) => p * x, 1);
      if (size !== sizeOf.get(src)) fail(`node '${name}' (Output).shape: [${n.shape.join(', ')}] does not match '${src}' (${sizeOf.get(src)} neurons)`);
      w.outputs.push({ name, reads: src });
    }
  }
  if (!w.outputs.length) fail('the graph has no Output node (NLA needs at least one output population)');
  return w;
}

function projection(name: string, n: Extract<NirNode, { type: 'Linear' | 'Affine' }>, from: string[], to: string[], g: NirGraph, sizeOf: Map<string, number>, fail: (m: string) => never): NirWiring['projections'][number] {
  const where = `node '${name}' (${n.type})`;
  if (from.length !== 1) fail(`${where}: expected exactly one incoming edge, got ${from.length}${from.length ? ` (${from.join(', ')})` : ''}`);
  if (to.length !== 1) fail(`${where}: expected exactly one outgoing edge, got ${to.length}${to.length ? ` (${to.join(', ')})` : ''}`);
  const src = from[0]!;
  const dst = to[0]!;
  const srcType = g.nodes.get(src)!.type;
  if (srcType !== 'Input' && srcType !== 'LI') fail(`edge ${src} → ${name}: a projection's source must be an Input or LI node, got ${srcType}`);
  if (g.nodes.get(dst)!.type !== 'LI') fail(`edge ${name} → ${dst}: a projection must feed an LI node, got ${g.nodes.get(dst)!.type}`);
  const [rows, cols] = n.weight.shape as [number, number];
  if (cols !== sizeOf.get(src)) fail(`${where}.weight: shape [${rows}, ${cols}] (out, in) does not match its source '${src}' (${sizeOf.get(src)} values)`);
  if (rows !== sizeOf.get(dst)) fail(`${where}.weight: shape [${rows}, ${cols}] (out, in) does not match its target '${dst}' (${sizeOf.get(dst)} neurons)`);
  return { name, from: src, to: dst, node: n };
}

/** The value every element of `a` shares, or null when they differ. */
export function uniformValue(a: NirArray): number | null {
  const v = a.values[0]!;
  return a.values.every((x) => x === v) ? v : null;
}
