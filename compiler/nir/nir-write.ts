import type { H5Data, H5Tree } from './h5-tree.js';
import type { NirArray, NirGraph, NirNode } from './nir-graph.js';

/** The HDF5 tree of a NIR graph, in NIR's published layout (see nir-graph.ts). */
export function nirToTree(g: NirGraph): H5Tree {
  const nodes: H5Tree = {};
  for (const [name, node] of g.nodes) nodes[name] = nodeTree(name, node);
  const root: H5Tree = {
    type: str('NIRGraph'),
    nodes,
    edges: { kind: 'dataset', dtype: 'string', shape: [g.edges.length, 2], values: g.edges.flat() },
  };
  if (Object.keys(g.metadata).length) root.metadata = metadataTree(g.metadata);
  return { version: str(g.version), node: root };
}

function nodeTree(name: string, n: NirNode): H5Tree {
  const t: H5Tree = { type: str(n.type === 'Other' ? n.nirType : n.type) };
  switch (n.type) {
    case 'Input':
    case 'Output':
      t.shape = { kind: 'dataset', dtype: 'int', shape: [n.shape.length], values: n.shape };
      break;
    case 'Linear':
      t.weight = arr(n.weight);
      break;
    case 'Affine':
      t.weight = arr(n.weight);
      t.bias = arr(n.bias);
      break;
    case 'LI':
      t.tau = arr(n.tau);
      t.r = arr(n.r);
      t.v_leak = arr(n.v_leak);
      break;
    case 'Other':
      throw new Error(`cannot write node '${name}' of type ${n.nirType}`);
  }
  if (Object.keys(n.metadata).length) t.metadata = metadataTree(n.metadata);
  return t;
}

function metadataTree(m: Record<string, string>): H5Tree {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, str(v)]));
}

function str(s: string): H5Data {
  return { kind: 'dataset', dtype: 'string', shape: [], values: [s] };
}

function arr(a: NirArray): H5Data {
  return { kind: 'dataset', dtype: 'float64', shape: a.shape, values: a.values };
}
