/**
 * The part of the neuromorphic intermediate representation (NIR, github.com/neuromorphs/NIR) this toolkit
 * reads and writes, as it lies in an HDF5 file written by `nir.write`:
 *
 *   /version                 string (the NIR version that wrote it)
 *   /node/type               "NIRGraph"
 *   /node/nodes/<name>/type  "Input" | "Output" | "Linear" | "Affine" | "LI" | … (any other type is kept as `Other`)
 *   /node/nodes/<name>/…     the node's parameters (see `NirNode`)
 *   /node/edges              strings, shape (E, 2): [source, target] node names
 *   /node/metadata/…         optional; datasets (here: strings) that NIR readers load as an opaque dict
 *
 * Units are NIR's: time constants in seconds, everything else dimensionless. Matrices are (out, in).
 */
export const NIR_VERSION_WRITTEN = '1.0.0';

/** A numeric parameter: shape and row-major float64 values (float32 in a file is widened exactly). */
export interface NirArray {
  shape: number[];
  values: number[];
  /** The dtype in the file ('float64', 'float32', 'int'). */
  dtype: string;
}

/** The node kinds NLA maps; any other NIR type is read as `Other` so that it can be refused by name. */
export type NirNode =
  | { type: 'Input'; shape: number[]; metadata: Record<string, string> }
  | { type: 'Output'; shape: number[]; metadata: Record<string, string> }
  | { type: 'Linear'; weight: NirArray; metadata: Record<string, string> }
  | { type: 'Affine'; weight: NirArray; bias: NirArray; metadata: Record<string, string> }
  /** Leaky integrator: tau · dv/dt = (v_leak − v) + r · I, tau in seconds. */
  | { type: 'LI'; tau: NirArray; r: NirArray; v_leak: NirArray; metadata: Record<string, string> }
  | { type: 'Other'; nirType: string; metadata: Record<string, string> };

/** A NIR graph: named nodes, directed edges (their sum feeds the target), graph metadata. */
export interface NirGraph {
  version: string;
  nodes: Map<string, NirNode>;
  edges: [string, string][];
  metadata: Record<string, string>;
}

/** A float64 vector as a NirArray. */
export function nirVector(values: number[]): NirArray {
  return { shape: [values.length], values, dtype: 'float64' };
}

/** A rows×cols matrix (row-major values) as a NirArray. */
export function nirMatrix(rows: number, cols: number, values: number[]): NirArray {
  return { shape: [rows, cols], values, dtype: 'float64' };
}
