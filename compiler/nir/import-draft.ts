import type { InitSpec, NetworkSpec } from '../spec/format.js';

/**
 * An imported network before its drawn weights are settled: the spec with every weight and bias explicit
 * (as the NIR nodes hold them), which of them the NLA extension says were drawn from init and seed (with
 * that init), and the notes to print (what was assumed, what changed).
 */
export interface ImportDraft {
  spec: NetworkSpec;
  drawnWeights: Map<string, InitSpec>;
  drawnBiases: Map<string, InitSpec>;
  notes: string[];
}
