import type { GraphPlan } from '../../compiler/graph/plan.js';
import { formatBytes, ResourceError } from '../../core/memory-budget.js';
import type { DigitalOptions } from './options.js';
import { workspaceLayout } from './workspace.js';

/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const WASM_MAX_BYTES = 2 ** 32;

/**
 * What the digital engine will allocate for a network beyond the graph's own weights, from its plan
 * (before any weight exists): the workspace (a copy of the weights, per-step vectors, the layered
 * solver's columns) and, for recurrent networks or `--solver dense`, the dense solver's N×N matrices.
 * A workspace that cannot fit a WebAssembly memory is refused here, before anything is drawn.
 */
export function digitalFootprint(plan: GraphPlan, o: Pick<DigitalOptions, 'batch' | 'solver' | 'kernels'>): { bytes: number; what: string } {
  const B = o.batch ?? 1;
  const N = plan.nNeurons;
  const solver = o.solver ?? 'auto';
  const layered = solver === 'layered' || (solver === 'auto' && plan.layered && plan.feedback !== 'microcircuit');
  const shape = {
    nNeurons: N,
    nInputs: plan.nInputs,
    nInterneurons: plan.nInterneurons,
    nOutputs: plan.outputs.length,
    perNeuronParams: false,
    asymmetricFeedback: plan.feedback !== 'transpose',
    projections: plan.projections.map((p) => ({ rows: p.rows, cols: p.cols, plastic: p.plastic, fromInput: p.pre.type === 'input', masked: p.maskSpec !== null })),
  };
  const workspace = 8 * workspaceLayout(shape, B, layered).lengths.reduce((s, n) => s + n, 0);
  if ((o.kernels ?? 'wasm') === 'wasm' && workspace > WASM_MAX_BYTES) {
    throw new ResourceError(`the digital engine's arrays need ${formatBytes(workspace)}, more than a WebAssembly memory holds (4 GiB); run with --kernels js`);
  }
  const dense = layered ? 0 : 8 * N * N * (2 + 2 * B);
  return { bytes: workspace + dense, what: `digital engine ${formatBytes(workspace)}${dense ? ` + dense solver ${formatBytes(dense)}` : ''}` };
}
