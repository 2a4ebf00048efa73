import { InputError } from '../../core/errors.js';
import { numberMatrix } from '../../core/json-matrix.js';
import type { NlaGraph } from './graph.js';

/**
 * Reads the weight matrices of a state file (`nla-state/1`, written by `nla simulate --save-state`) for
 * a graph: every projection must be present with its shape, nothing unknown may be present, and masked
 * synapses must be 0. Errors name the file and the field. Returns one row-major array per projection.
 * (The compiler reads trained weights this way; the digital engine's full restore builds on it.)
 */
export function readStateWeights(g: NlaGraph, raw: unknown, file?: string): Float64Array[] {
  const fail = (path: string, msg: string): never => {
    throw new InputError(`${path}: ${msg}`, file);
  };
  const st = raw as { format?: unknown; network?: unknown; weights?: Record<string, unknown> };
  if (!st || typeof st !== 'object' || Array.isArray(st)) fail('(top)', 'expected a JSON object');
  if (st.format !== 'nla-state/1') fail('format', `expected 'nla-state/1', got ${JSON.stringify(st.format)}`);
  if (st.network !== g.name) fail('network', `the state is of network '${String(st.network)}', this network is '${g.name}'`);
  const known = new Set(g.projections.map((p) => p.name));
  for (const name of Object.keys(st.weights ?? {})) if (!known.has(name)) fail(`weights["${name}"]`, `no projection of that name in network '${g.name}' (has ${[...known].join(', ')})`);
  return g.projections.map((p) => {
    const path = `weights["${p.name}"]`;
    const mm = numberMatrix(path, st.weights?.[p.name], p.rows, p.cols, fail);
    const W = new Float64Array(p.rows * p.cols);
    mm.forEach((row, i) =>
      row.forEach((v, j) => {
        if (p.mask && !p.mask[i * p.cols + j] && v !== 0) fail(`${path}[${i}][${j}]`, 'is nonzero where the mask has no synapse');
        W[i * p.cols + j] = v;
      }),
    );
    return W;
  });
}

/** A copy of the graph with the weights of a state file. */
export function withStateWeights(g: NlaGraph, raw: unknown, file?: string): NlaGraph {
  const W = readStateWeights(g, raw, file);
  return { ...g, projections: g.projections.map((p, k) => ({ ...p, weights: W[k]! })) };
}
