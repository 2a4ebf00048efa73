import { InputError } from '../../core/errors.js';
import type { NeuronPopulationSpec, PopulationSpec, ProjectionSpec } from '../spec/format.js';
import type { NlaExtension } from './extension.js';
import type { ImportDraft } from './import-draft.js';
import { neuronDrive } from './nir-drive.js';
import type { NirWiring } from './nir-wiring.js';
import { uniformValue } from './nir-wiring.js';

/**
 * A NIR graph that carries the NLA extension, back to the spec it was exported from. Sizes, weights,
 * biases, τ and wiring come from the nodes and edges (so a peer's edits are kept); the extension supplies
 * the rest. Every population and projection of the extension must be a node of the right type, and every
 * Input, LI, Linear and Affine node must be in the extension: a mismatch is refused naming the node.
 */
export function importWithExtension(w: NirWiring, ext: NlaExtension, file: string): ImportDraft {
  const fail = (msg: string): never => {
    throw new InputError(msg, file);
  };
  const notes: string[] = [];
  const drive = neuronDrive(w, (a) => a.values);
  for (const p of drive.folded) notes.push(`LI node '${p}': r ≠ 1 or v_leak ≠ 0, folded into its weights and bias`);
  const draft: ImportDraft = { spec: null as never, drawnWeights: new Map(), drawnBiases: new Map(), notes };
  const known = new Set<string>();
  const populations: PopulationSpec[] = ext.populations.map((p) => {
    known.add(p.name);
    if (p.kind === 'interneuron') return { name: p.name, kind: p.kind, size: p.size, serves: p.serves };
    if (p.kind === 'input') {
      const node = w.inputs.find((x) => x.name === p.name) ?? fail(`the NLA extension names input population '${p.name}' but there is no Input node of that name`);
      return { name: p.name, kind: 'input', size: node.size, tauInMs: p.tauInMs };
    }
    const n = w.neurons.find((x) => x.name === p.name) ?? fail(`the NLA extension names population '${p.name}' but there is no LI node of that name`);
    const out: NeuronPopulationSpec = { name: p.name, kind: p.kind, size: n.size, tauMs: tauMsOf(n.node.tau, p.tauMs, p.name, notes, fail), activation: p.activation, bias: false };
    const bias = drive.bias.get(p.name) ?? null;
    if (p.bias) {
      const carrier = w.projections.find((x) => x.name === p.bias!.carrier);
      if (!carrier || carrier.node.type !== 'Affine' || carrier.to !== p.name) fail(`the NLA extension says the bias of '${p.name}' is carried by Affine node '${p.bias.carrier}' into it, but the graph has no such node`);
      out.bias = { values: bias!, plastic: p.bias.plastic };
      if (p.bias.origin === 'drawn') draft.drawnBiases.set(p.name, p.bias.init);
    } else if (bias && bias.some((x) => x !== 0)) {
      fail(`LI node '${p.name}' receives a bias (Affine bias or v_leak) but the NLA extension says population '${p.name}' has none`);
    }
    return out;
  });
  const projections: ProjectionSpec[] = ext.projections.map((p) => {
    known.add(p.name);
    const node = w.projections.find((x) => x.name === p.name) ?? fail(`the NLA extension names projection '${p.name}' but there is no Linear or Affine node of that name (or it lost an edge)`);
    if (p.origin === 'drawn') draft.drawnWeights.set(p.name, p.init);
    return { name: p.name, from: node.from, to: node.to, weights: drive.weights.get(p.name)!, ...(p.mask ? { mask: p.mask } : {}), plastic: p.plastic, etaPerMs: p.etaPerMs };
  });
  for (const name of [...w.inputs, ...w.neurons, ...w.projections].map((x) => x.name)) {
    if (!known.has(name)) fail(`node '${name}' is not in the NLA extension (the graph was changed after export): remove the extension to import it as a plain NIR graph`);
  }
  for (const o of w.outputs) {
    const pop = ext.populations.find((p) => p.name === o.reads);
    if (!pop || pop.kind !== 'output') fail(`Output node '${o.name}' reads '${o.reads}', which the NLA extension does not declare as an output population`);
  }
  const net = ext.network;
  draft.spec = {
    format: 'nla-network/1',
    name: net.name,
    ...(net.description !== undefined ? { description: net.description } : {}),
    seed: net.seed,
    structure: net.structure,
    beta: net.beta,
    init: net.init,
    feedback: net.feedback,
    plasticity: net.plasticity,
    populations,
    projections,
  };
  return draft;
}

/** τ in ms from the node's tau in seconds: the extension's exact decimal when it agrees to 1e-12, else tau·1000 (noted). */
function tauMsOf(tau: Parameters<typeof uniformValue>[0], extTauMs: number, pop: string, notes: string[], fail: (m: string) => never): number {
  const s = uniformValue(tau) ?? fail(`node '${pop}' (LI).tau: differs across the population; NLA has one τ per population`);
  if (!(s > 0)) fail(`node '${pop}' (LI).tau: expected a positive time constant in seconds, got ${s}`);
  const ms = s * 1000;
  if (Math.abs(ms - extTauMs) <= 1e-12 * extTauMs) return extTauMs;
  notes.push(`population '${pop}': τ = ${ms} ms from the LI node (tau = ${s} s), not the ${extTauMs} ms the NLA extension recorded`);
  return ms;
}
