import { buildGraph } from '../graph/build.js';
import type { NetworkSpec, NeuronPopulationSpec, ProjectionSpec } from '../spec/format.js';
import { validateSpec } from '../spec/validate.js';
import { readExtension } from './extension.js';
import type { ImportDraft } from './import-draft.js';
import { importWithExtension } from './import-nla.js';
import { importPeer } from './import-peer.js';
import { readNirFile } from './nir-file.js';
import type { NirGraph } from './nir-graph.js';
import { nirWiring } from './nir-wiring.js';

/** An imported network: the spec, whether the file carried the NLA extension, and what was assumed or changed. */
export interface NirImport {
  spec: NetworkSpec;
  extension: boolean;
  notes: string[];
}

/** Reads a NIR file and returns the NLA network it describes (see importNir). */
export async function importNirFile(file: string): Promise<NirImport> {
  return importNir(await readNirFile(file), file);
}

/**
 * A NIR graph as an NLA spec. With the NLA extension the exported spec comes back (weights and biases the
 * spec drew from its seed are written as draws again when the file's values are exactly that draw); without
 * it, the closest NLA network with every assumption noted. The result is validated as a spec.
 */
export function importNir(g: NirGraph, file: string): NirImport {
  const w = nirWiring(g, file);
  const ext = readExtension(g.metadata, file);
  const draft = ext ? importWithExtension(w, ext, file) : importPeer(g, w, file);
  const spec = settleDrawn(draft, file);
  validateSpec(spec, file);
  return { spec, extension: ext !== null, notes: draft.notes };
}

/** Writes weights and biases as draws again where the file's values are bit for bit the seed's draw. */
function settleDrawn(d: ImportDraft, file: string): NetworkSpec {
  if (!d.drawnWeights.size && !d.drawnBiases.size) return d.spec;
  const candidate = structuredClone(d.spec);
  for (const p of candidate.projections) {
    const init = d.drawnWeights.get(p.name ?? '');
    if (init) {
      delete p.weights;
      p.init = init;
    }
  }
  for (const n of candidate.populations) {
    const init = d.drawnBiases.get(n.name);
    const b = (n as NeuronPopulationSpec).bias;
    if (init && b && typeof b === 'object') (n as NeuronPopulationSpec).bias = { init, plastic: b.plastic ?? true };
  }
  const drawn = buildGraph(validateSpec(candidate, file));
  const byName = new Map(drawn.projections.map((p) => [p.name, p.weights]));
  const same = (a: Float64Array | undefined, rows: number[][]) => !!a && rows.flat().every((x, i) => x === a[i]) && a.length === rows.flat().length;
  const out = structuredClone(d.spec);
  out.projections = out.projections.map((p, i): ProjectionSpec => {
    if (!d.drawnWeights.has(p.name ?? '')) return p;
    if (same(byName.get(p.name!), p.weights as number[][])) return candidate.projections[i]!;
    d.notes.push(`projection '${p.name}': its weights are not the seed's draw any more (changed after export), written explicitly`);
    return p;
  });
  out.populations = out.populations.map((n, i) => {
    const b = (n as NeuronPopulationSpec).bias;
    if (!d.drawnBiases.has(n.name) || !b || typeof b !== 'object' || !b.values) return n;
    if (same(byName.get(`bias->${n.name}`), b.values.map((v) => [v]))) return candidate.populations[i]!;
    d.notes.push(`population '${n.name}': its bias is not the seed's draw any more (changed after export), written explicitly`);
    return n;
  });
  return out;
}
