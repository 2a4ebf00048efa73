import { formatBytes, requireMemory, type MemoryBudget, memoryBudget } from '../../core/memory-budget.js';
import { Rng } from '../../core/rng.js';
import type { ResolvedSpec } from '../spec/format.js';
import {
  GRAPH_FORMAT,
  type NlaGraph,
  type Projection,
} from './graph.js';
import { drawWeights } from './init-weights.js';
import { planGraph, type ProjectionPlan } from './plan.js';

/**
 * Builds the NLA graph from a validated spec, drawing every initial weight from generators forked off the
 * spec's seed by projection name (so adding a projection does not change the others' draws). The arrays
 * are sized first (planGraph) and refused with their size and the limit when over the memory budget.
 */
export function buildGraph(spec: ResolvedSpec, budget: MemoryBudget = memoryBudget()): NlaGraph {
  const plan = planGraph(spec);
  const f = plan.footprint;
  requireMemory(f.bytes, `the weights of '${spec.name}' (${f.weightCells} weights × 8 B${f.maskCells ? `, masks ${formatBytes(f.maskCells)}` : ''})`, budget);
  const rng = new Rng(spec.seed);
  const projections = plan.projections.map((p) => realise(p, rng));
  const { footprint: _, ...shape } = plan;
  return { ...shape, format: GRAPH_FORMAT, projections };
}

function realise(p: ProjectionPlan, rng: Rng): Projection {
  const { init, maskSpec, ...rest } = p;
  const weights = new Float64Array(p.rows * p.cols);
  if (Array.isArray(init)) init.forEach((row, r) => weights.set(row, r * p.cols));
  else drawWeights(init, rng.fork(`weights:${p.name}`), weights);
  const mask = maskSpec ? buildMask(maskSpec, p.rows, p.cols, rng.fork(`mask:${p.name}`)) : null;
  if (mask) for (let i = 0; i < mask.length; i++) if (!mask[i]) weights[i] = 0;
  return { ...rest, weights, mask };
}

function buildMask(mask: number[][] | { density: number }, rows: number, cols: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(rows * cols);
  if (Array.isArray(mask)) mask.forEach((row, r) => row.forEach((v, c) => (m[r * cols + c] = v ? 1 : 0)));
  else for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < mask.density ? 1 : 0;
  return m;
}
