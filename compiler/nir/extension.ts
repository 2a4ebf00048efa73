import { InputError } from '../../core/errors.js';
import type { ActivationSpec, InitSpec, ResolvedSpec } from '../spec/format.js';

/**
 * The NLA extension of a NIR file: everything an `nla-network/1` spec says that NIR cannot (the rate
 * nonlinearity, prospective coding, nudging β, feedback mode and interneurons, plasticity and learning
 * rates, the input low-pass τ_in, the seed and how weights were drawn). It is one JSON string in the graph's
 * `metadata` group under `nla` (with `nla_format`): NIR readers load metadata as an opaque dict of datasets
 * and older ones skip the group, so a peer reads the file as a plain NIR graph and loses only NLA's learning.
 *
 * It never repeats what the NIR nodes hold: sizes, weights, biases, τ and the wiring come from the nodes and
 * edges; the extension names which node is which population or projection and in which order.
 */
export const NLA_EXTENSION_FORMAT = 'nla-nir/1';

/** Metadata keys on the graph node. */
export const NLA_METADATA_KEY = 'nla';
export const NLA_FORMAT_KEY = 'nla_format';

/** How a weight matrix or bias vector came about: written in the spec ('given') or drawn from init and seed. */
export type Origin = 'given' | 'drawn';

/** One population, in spec order (inputs, then neurons, then interneurons). */
export type ExtensionPopulation =
  | { name: string; kind: 'input'; tauInMs: number }
  | {
      name: string;
      kind: 'hidden' | 'output';
      /** τ in ms as written, used when the node's τ (s) × 1000 matches it to 1e-12 (it recovers the exact decimal). */
      tauMs: number;
      activation: ActivationSpec;
      /** The bias: which Affine node carries it, how it came about, its init and plasticity. */
      bias: { carrier: string; origin: Origin; init: InitSpec; plastic: boolean } | null;
    }
  | { name: string; kind: 'interneuron'; size: number; serves: string };

/** One projection (a Linear or Affine node of the same name), in spec order. */
export interface ExtensionProjection {
  name: string;
  origin: Origin;
  init: InitSpec;
  mask: number[][] | { density: number } | null;
  plastic: boolean;
  etaPerMs: number;
}

/** The whole extension. */
export interface NlaExtension {
  format: typeof NLA_EXTENSION_FORMAT;
  network: {
    name: string;
    description?: string;
    seed: number;
    structure: ResolvedSpec['structure'];
    beta: number;
    init: InitSpec;
    feedback: ResolvedSpec['feedback'];
    plasticity: ResolvedSpec['plasticity'];
  };
  populations: ExtensionPopulation[];
  projections: ExtensionProjection[];
  /** Output node name → the output population it reads (the population's voltages u). */
  outputs: Record<string, string>;
}

/** The extension in a graph's metadata, or null when the file has none (a peer's NIR graph). */
export function readExtension(metadata: Record<string, string>, file: string): NlaExtension | null {
  const text = metadata[NLA_METADATA_KEY];
  if (text === undefined) return null;
  if (metadata[NLA_FORMAT_KEY] !== NLA_EXTENSION_FORMAT) {
    throw new InputError(`node/metadata/${NLA_FORMAT_KEY}: expected '${NLA_EXTENSION_FORMAT}', got '${metadata[NLA_FORMAT_KEY] ?? '(missing)'}'`, file);
  }
  let ext: NlaExtension;
  try {
    ext = JSON.parse(text) as NlaExtension;
  } catch (e) {
    throw new InputError(`node/metadata/${NLA_METADATA_KEY}: not JSON (${(e as Error).message})`, file);
  }
  for (const key of ['network', 'populations', 'projections', 'outputs'] as const) {
    if (ext[key] === undefined || ext[key] === null) throw new InputError(`node/metadata/${NLA_METADATA_KEY}: missing '${key}'`, file);
  }
  if (!Array.isArray(ext.populations) || !Array.isArray(ext.projections)) throw new InputError(`node/metadata/${NLA_METADATA_KEY}: populations and projections must be arrays`, file);
  return ext;
}

/** The metadata entries that carry an extension. */
export function extensionMetadata(ext: NlaExtension): Record<string, string> {
  return { [NLA_FORMAT_KEY]: NLA_EXTENSION_FORMAT, [NLA_METADATA_KEY]: JSON.stringify(ext) };
}
