import { gather, scatterAdd, type Layout } from '../layout.js';
import type { Workspace } from '../workspace.js';

/**
 * The layered back substitution of operators.ts (`solveUpper`) over a stack of nb = m·B vectors at once
 * (sample-major: vector v uses the ρ' of batch sample ⌊v/m⌋): each kernel call reads a weight row once for
 * all nb vectors, where m separate substitutions would stream every neuron-to-neuron weight m times. Per
 * vector the arithmetic is that of `solveUpper` (the kernels' batched forms repeat the single-vector
 * summation order), so a column computed here equals, bit for bit, the same column computed alone.
 */

/** dst[pre] += F_p src[post] (or W_pᵀ src[post] when `transpose`) for the k-th neuron-to-neuron projection over nb vectors. */
function backStack(L: Layout, w: Workspace, k: number, nb: number, src: Float64Array, dst: Float64Array, transpose: boolean): void {
  const ref = L.net[k]!;
  const { rows, cols } = ref.p;
  gather(src, L.N, ref.postOff, rows, nb, w.stackPost);
  const fb = transpose ? null : L.feedbackOf[k];
  if (fb) w.kernels.gemv(w.proj[fb.index]!.W, cols, rows, nb, w.stackPost, w.stackPre);
  else w.kernels.gemvT(w.proj[ref.index]!.W, rows, cols, nb, w.stackPost, w.stackPre);
  scatterAdd(w.stackPre, cols, nb, dst, L.N, ref.preOff, 1);
}

/** Vectors per kernel call: bounds the scratch (STACK_CHUNK·N, STACK_CHUNK·widest projection side). */
export const STACK_CHUNK = 32;

/** x[v] ← x[v] + ρ'_⌊(first + v)/m⌋ ⊙ t[v] on population q, for the nb vectors of a chunk (N entries each). */
function addScaled(L: Layout, w: Workspace, q: number, m: number, first: number, nb: number, x: Float64Array, t: Float64Array): void {
  const N = L.N;
  const pop = L.graph.neurons[q]!;
  for (let v = 0; v < nb; v++) {
    const d = Math.floor((first + v) / m) * N - v * N;
    for (let i = v * N + pop.offset, e = i + pop.size; i < e; i++) x[i] = x[i]! + w.drho[i + d]! * t[i]!;
  }
}

/**
 * x ← (I − D F)⁻¹ x for nb stacked vectors, in place (back substitution, as `solveUpper`); with
 * `transpose`, x ← (I − D W_netᵀ)⁻¹ x = (I − W_net D)⁻ᵀ x whatever the feedback. Runs in chunks of
 * STACK_CHUNK vectors; `t`: scratch of STACK_CHUNK·N (or nb·N if fewer).
 */
export function stackedUpper(L: Layout, w: Workspace, nb: number, x: Float64Array, t: Float64Array, transpose = false): void {
  const N = L.N;
  const m = nb / L.B;
  for (let first = 0; first < nb; first += STACK_CHUNK) {
    const n = Math.min(STACK_CHUNK, nb - first);
    const xc = x.subarray(first * N, (first + n) * N);
    t.fill(0, 0, n * N);
    for (let qi = L.order.length - 1; qi >= 0; qi--) {
      const q = L.order[qi]!;
      const ks = L.leaving[q]!;
      if (!ks.length) continue;
      for (const k of ks) backStack(L, w, k, n, xc, t, transpose);
      addScaled(L, w, q, m, first, n, xc, t);
    }
  }
}
