/**
 * Dense kernels used by the digital engine's hot loops, behind one interface with two back ends
 * (TensorFlow.js style): `js` (portable reference) and `wasm` (WebAssembly SIMD, default). Both use the
 * same summation order and give bit-identical results; test/kernels runs one suite against both.
 *
 * Matrices are row-major Float64Arrays (rows = postsynaptic neurons). Batched vectors are sample-major:
 * sample b of a length-n vector occupies [b·n, b·n + n). Kernels never allocate.
 */
export interface Kernels {
  readonly name: KernelBackendName;
  /** y_b[r] = Σ_c W[r,c]·x_b[c] for r < rows, b < B (assigns y). */
  gemv(W: Float64Array, rows: number, cols: number, B: number, x: Float64Array, y: Float64Array): void;
  /** y_b[c] = Σ_r W[r,c]·x_b[r] for c < cols, b < B (assigns y). */
  gemvT(W: Float64Array, rows: number, cols: number, B: number, x: Float64Array, y: Float64Array): void;
  /** W[r,c] += coef·Σ_b post_b[r]·pre_b[c]·mask[r,c] (mask null = all ones). */
  rankUpdate(W: Float64Array, mask: Uint8Array | null, rows: number, cols: number, B: number, coef: number, post: Float64Array, pre: Float64Array): void;
  /**
   * `rankUpdate` (skipped when coef = 0) followed by y = W x and, when x2/y2 are given, y2 = W x2, all with
   * the updated W. For B = 1 and no mask this is a single pass over W: the engine's hot loop.
   */
  fusedUpdateGemv(
    W: Float64Array,
    mask: Uint8Array | null,
    rows: number,
    cols: number,
    B: number,
    coef: number,
    post: Float64Array,
    pre: Float64Array,
    x: Float64Array,
    y: Float64Array,
    x2: Float64Array | null,
    y2: Float64Array | null,
  ): void;
}

export type KernelBackendName = 'js' | 'wasm';

/**
 * A block of zero-filled arrays allocated together, with the kernels that can operate on them. The wasm
 * back end places them in one WebAssembly memory sized once (never grown, so the views stay valid).
 * Arrays from different arenas must not be mixed in one kernel call.
 */
export interface Arena {
  readonly arrays: Float64Array[];
  readonly kernels: Kernels;
}

export interface KernelBackend {
  readonly name: KernelBackendName;
  createArena(lengths: number[]): Arena;
}
