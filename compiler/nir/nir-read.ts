import { InputError } from '../../core/errors.js';
import { type H5Data, type H5Tree, isData } from './h5-tree.js';
import type { NirArray, NirGraph, NirNode } from './nir-graph.js';

/**
 * Reads the NIR graph out of an HDF5 tree (the layout in nir-graph.ts). Every problem is refused with the
 * file, the node and the field: a missing field, a field of the wrong kind, a node's inconsistent shapes,
 * an edge naming a node that does not exist. Node types NLA does not map are kept as `Other`.
 */
export function nirFromTree(tree: H5Tree, file: string): NirGraph {
  const fail = (msg: string): never => {
    throw new InputError(msg, file);
  };
  const root = tree.node;
  if (!root || isData(root)) return fail("no group 'node': not a NIR file");
  const type = stringField(root, 'type', 'node', fail);
  if (type !== 'NIRGraph') fail(`node/type: expected 'NIRGraph', got '${type}'`);
  const version = isData(tree.version) ? String(tree.version.values[0]) : fail("no dataset 'version': not a NIR file");
  const nodesGroup = root.nodes;
  if (!nodesGroup || isData(nodesGroup)) return fail("node/nodes: missing (a NIR graph's nodes)");
  const nodes = new Map<string, NirNode>();
  for (const [name, n] of Object.entries(nodesGroup)) {
    if (isData(n)) fail(`node '${name}': a dataset, expected a group`);
    nodes.set(name, readNode(n as H5Tree, name, fail));
  }
  const edges = readEdges(root, fail);
  edges.forEach(([a, b], i) => {
    for (const end of [a, b]) if (!nodes.has(end)) fail(`edge ${i} (${a} → ${b}): no node named '${end}'`);
  });
  return { version, nodes, edges, metadata: readMetadata(root, 'node', fail) };
}

type Fail = (msg: string) => never;

function readNode(t: H5Tree, name: string, fail: Fail): NirNode {
  const where = `node '${name}'`;
  const type = stringField(t, 'type', where, fail);
  const metadata = readMetadata(t, where, fail);
  const num = (field: string) => numberField(t, field, `${where} (${type})`, fail);
  switch (type) {
    case 'Input':
    case 'Output': {
      // `shape` is what nir.write stores; a file that only has the node's type dict is read from that
      const typed = t[type === 'Input' ? 'input_type' : 'output_type'];
      const alt = typed && !isData(typed) ? typed[type === 'Input' ? 'input' : 'output'] : undefined;
      const shape = t.shape === undefined && isData(alt) ? (alt.values as number[]) : num('shape').values;
      return { type, shape, metadata };
    }
    case 'Linear':
      return { type, weight: matrix(num('weight'), `${where} (Linear).weight`, fail), metadata };
    case 'Affine': {
      const weight = matrix(num('weight'), `${where} (Affine).weight`, fail);
      const bias = num('bias');
      if (bias.values.length !== weight.shape[0]) fail(`${where} (Affine).bias: ${bias.values.length} values for ${weight.shape[0]} output rows of weight`);
      return { type, weight, bias, metadata };
    }
    case 'LI': {
      const tau = num('tau');
      const r = num('r');
      const vLeak = num('v_leak');
      if (r.values.length !== tau.values.length || vLeak.values.length !== tau.values.length) {
        fail(`${where} (LI): tau, r and v_leak differ in length (${tau.values.length}, ${r.values.length}, ${vLeak.values.length})`);
      }
      return { type, tau, r, v_leak: vLeak, metadata };
    }
    default:
      return { type: 'Other', nirType: type, metadata };
  }
}

function matrix(a: NirArray, where: string, fail: Fail): NirArray {
  if (a.shape.length !== 2) fail(`${where}: expected a 2-D (out, in) matrix, got shape [${a.shape.join(', ')}]`);
  return a;
}

function stringField(t: H5Tree, field: string, where: string, fail: Fail): string {
  const d = t[field];
  if (!isData(d)) return fail(`${where}: missing field '${field}'`);
  if (d.dtype !== 'string' || d.values.length !== 1) fail(`${where}.${field}: expected a string`);
  return String(d.values[0]);
}

function numberField(t: H5Tree, field: string, where: string, fail: Fail): NirArray {
  const d: H5Data | H5Tree | undefined = t[field];
  if (!isData(d)) return fail(`${where}: missing field '${field}'`);
  if (d.dtype === 'string') fail(`${where}.${field}: expected numbers, got strings`);
  const values = d.values as number[];
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`${where}.${field}[${bad}]: not a finite number (${values[bad]})`);
  return { shape: d.shape.length ? d.shape : [1], values, dtype: d.dtype };
}

function readEdges(root: H5Tree, fail: Fail): [string, string][] {
  const d = root.edges;
  if (!isData(d)) return fail("node/edges: missing (the graph's edges)");
  if (d.values.length === 0) return [];
  if (d.dtype !== 'string' || d.shape.length !== 2 || d.shape[1] !== 2) fail(`node/edges: expected strings of shape (E, 2), got ${d.dtype} [${d.shape.join(', ')}]`);
  const v = d.values as string[];
  const out: [string, string][] = [];
  for (let i = 0; i < v.length; i += 2) out.push([v[i]!, v[i + 1]!]);
  return out;
}

function readMetadata(t: H5Tree, where: string, fail: Fail): Record<string, string> {
  const m = t.metadata;
  if (m === undefined) return {};
  if (isData(m)) return fail(`${where}.metadata: expected a group`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (isData(v) && v.dtype === 'string' && v.values.length === 1) out[k] = String(v.values[0]);
  return out;
}
