/**
 * Structure of the neuron-to-neuron projection graph: a topological order when it is acyclic
 * (a layered network, possibly with skip connections), or one cycle as evidence when it is not.
 */
export interface Edge {
  from: number;
  to: number;
  /** Index of the projection realising this edge, for error messages. */
  projection: number;
}

export type Topology =
  | { acyclic: true; order: number[]; depth: number[] }
  | { acyclic: false; cycle: Edge[] };

/**
 * Analyses `n` nodes joined by `edges`. For an acyclic graph returns a topological order (sources first)
 * and each node's depth (longest path from a source, sources at 0); otherwise one cycle, as its edges.
 */
export function analyseTopology(n: number, edges: Edge[]): Topology {
  const out: Edge[][] = Array.from({ length: n }, () => []);
  for (const e of edges) out[e.from]!.push(e);
  const state = new Uint8Array(n); // 0 unvisited, 1 on stack, 2 done
  const post: number[] = [];
  const stackEdges: Edge[] = [];
  let cycle: Edge[] | null = null;

  const visit = (v: number): void => {
    state[v] = 1;
    for (const e of out[v]!) {
      if (cycle) return;
      if (state[e.to] === 1) {
        const startIdx = stackEdges.findIndex((s) => s.from === e.to);
        cycle = [...(startIdx >= 0 ? stackEdges.slice(startIdx) : []), e];
        return;
      }
      if (state[e.to] === 0) {
        stackEdges.push(e);
        visit(e.to);
        stackEdges.pop();
      }
    }
    state[v] = 2;
    post.push(v);
  };
  for (let v = 0; v < n && !cycle; v++) if (state[v] === 0) visit(v);
  if (cycle) return { acyclic: false, cycle };

  const order = post.reverse();
  const depth = new Array<number>(n).fill(0);
  for (const v of order) for (const e of out[v]!) depth[e.to] = Math.max(depth[e.to]!, depth[v]! + 1);
  return { acyclic: true, order, depth };
}
