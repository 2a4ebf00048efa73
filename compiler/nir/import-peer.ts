import { basename, extname } from 'node:path';
import { SPEC_DEFAULTS, type PopulationSpec, type ProjectionSpec } from '../spec/format.js';
import type { ImportDraft } from './import-draft.js';
import { decimalValues, neuronDrive } from './nir-drive.js';
import type { NirGraph } from './nir-graph.js';
import { uniformValue, type NirWiring } from './nir-wiring.js';
import { InputError } from '../../core/errors.js';

/**
 * A peer's NIR graph (no NLA extension) as the closest NLA network: Input → input population, LI → neuron
 * population (τ = tau·1000 ms), Linear/Affine → projection (weights r-scaled, biases v_leak + r·b), an LI read
 * by an Output node → output population. What NIR does not say is assumed, and every assumption is a note.
 */
export function importPeer(g: NirGraph, w: NirWiring, file: string): ImportDraft {
  const notes: string[] = [`no NLA extension: '${basename(file)}' (NIR ${g.version}) is imported as a plain NIR graph; assumed:`];
  const float32 = [...w.neurons.map((n) => n.node.tau), ...w.projections.map((p) => p.node.weight)].some((a) => a.dtype === 'float32');
  const drive = neuronDrive(w, decimalValues);
  const outputsRead = new Set(w.outputs.map((o) => o.reads));
  const populations: PopulationSpec[] = w.inputs.map((p) => ({ name: p.name, kind: 'input', size: p.size, tauInMs: SPEC_DEFAULTS.tauInMs }));
  for (const p of w.inputs.filter((x) => x.shape.length > 1)) notes.push(`  Input '${p.name}' of shape [${p.shape.join(', ')}] is flattened row-major to ${p.size} rates`);
  for (const n of w.neurons) {
    const s = uniformValue({ ...n.node.tau, values: decimalValues(n.node.tau) });
    if (s === null) throw new InputError(`node '${n.name}' (LI).tau: differs across the population; NLA has one τ per population`, file);
    if (!(s > 0)) throw new InputError(`node '${n.name}' (LI).tau: expected a positive time constant in seconds, got ${s}`, file);
    const bias = drive.bias.get(n.name) ?? null;
    populations.push({
      name: n.name,
      kind: outputsRead.has(n.name) ? 'output' : 'hidden',
      size: n.size,
      tauMs: s * 1000,
      activation: 'linear',
      bias: bias && bias.some((x) => x !== 0) ? { values: bias, plastic: true } : false,
    });
  }
  const projections: ProjectionSpec[] = w.projections.map((p) => ({ name: p.name, from: p.from, to: p.to, weights: drive.weights.get(p.name)!, plastic: true, etaPerMs: SPEC_DEFAULTS.etaPerMs }));
  notes.push(
    `  every population's rate ρ(u) = u ('linear'): NIR's LI node passes its voltage on unchanged`,
    `  input low-pass τ_in = ${SPEC_DEFAULTS.tauInMs} ms for every input population: NIR inputs are unfiltered, NLA filters every input rate`,
    `  τ (ms) = LI tau (s) × 1000`,
    `  nudging β = ${SPEC_DEFAULTS.beta}, feedback 'transpose', plasticity off (learning rate ${SPEC_DEFAULTS.etaPerMs}/ms when enabled), seed 0`,
    ...w.outputs.map((o) => `  Output node '${o.name}' makes '${o.reads}' an output population (read out by its voltage u)`),
    ...drive.folded.map((p) => `  LI node '${p}': r ≠ 1 or v_leak ≠ 0, folded into its incoming weights (r·W) and bias (v_leak + r·b)`),
    ...(float32 ? ['  float32 values are taken as the shortest decimal that rounds to them'] : []),
  );
  const name = basename(file, extname(file)) || 'network';
  return {
    spec: { format: 'nla-network/1', name, seed: 0, structure: 'auto', beta: SPEC_DEFAULTS.beta, plasticity: { enabled: false, etaPerMs: SPEC_DEFAULTS.etaPerMs }, populations, projections },
    drawnWeights: new Map(),
    drawnBiases: new Map(),
    notes,
  };
}
