import { gather, scatterAdd, type Layout, type ProjRef } from './layout.js';
import type { Workspace } from './workspace.js';

/**
 * The two linear maps between neurons that all dynamics share, over B×N vectors:
 * W_net (forward, presynaptic → postsynaptic neurons) and F (feedback, postsynaptic → presynaptic:
 * F = W_netᵀ for exact NLA, the fixed random B for feedback alignment).
 */

/** dst[post] += scale · W_p src[pre] for one neuron-to-neuron projection. */
export function forwardOne(L: Layout, w: Workspace, ref: ProjRef, src: Float64Array, dst: Float64Array, scale: number): void {
  const { rows, cols } = ref.p;
  const buf = w.proj[ref.index]!;
  gather(src, L.N, ref.preOff, cols, L.B, buf.colBuf);
  w.kernels.gemv(buf.W, rows, cols, L.B, buf.colBuf, buf.out);
  scatterAdd(buf.out, rows, L.B, dst, L.N, ref.postOff, scale);
}

/** dst[pre] += scale · F_p src[post] for the k-th neuron-to-neuron projection. */
export function backOne(L: Layout, w: Workspace, k: number, src: Float64Array, dst: Float64Array, scale: number): void {
  const ref = L.net[k]!;
  const { rows, cols } = ref.p;
  const buf = w.proj[ref.index]!;
  gather(src, L.N, ref.postOff, rows, L.B, buf.postBuf);
  const fb = L.feedbackOf[k];
  if (fb) w.kernels.gemv(w.proj[fb.index]!.W, cols, rows, L.B, buf.postBuf, buf.colBuf);
  else w.kernels.gemvT(buf.W, rows, cols, L.B, buf.postBuf, buf.colBuf);
  scatterAdd(buf.colBuf, cols, L.B, dst, L.N, ref.preOff, scale);
}

/** dst += scale · W_net src. */
export function forwardNet(L: Layout, w: Workspace, src: Float64Array, dst: Float64Array, scale = 1): void {
  for (const ref of L.net) forwardOne(L, w, ref, src, dst, scale);
}

/** dst = F src (dst is zeroed first). */
export function backProject(L: Layout, w: Workspace, src: Float64Array, dst: Float64Array): void {
  dst.fill(0);
  for (let k = 0; k < L.net.length; k++) backOne(L, w, k, src, dst, 1);
}

/**
 * dst1 = F src1 and dst2 = F src2 in one pass over each projection (both zeroed first): the two B-batches
 * go through one kernel call of 2B vectors, which reads each weight row once for both. Per vector the
 * arithmetic is that of `backProject`. Needs the stacked scratch (w.stackPre/stackPost) to hold 2B
 * vectors; otherwise it is two `backProject`s.
 */
export function backProjectPair(L: Layout, w: Workspace, src1: Float64Array, dst1: Float64Array, src2: Float64Array, dst2: Float64Array): void {
  const B = L.B;
  const fits = L.net.every((ref) => 2 * B * Math.max(ref.p.rows, ref.p.cols) <= Math.min(w.stackPre.length, w.stackPost.length));
  if (!fits) {
    backProject(L, w, src1, dst1);
    backProject(L, w, src2, dst2);
    return;
  }
  dst1.fill(0);
  dst2.fill(0);
  for (let k = 0; k < L.net.length; k++) {
    const ref = L.net[k]!;
    const { rows, cols } = ref.p;
    gather(src1, L.N, ref.postOff, rows, B, w.stackPost);
    gather(src2, L.N, ref.postOff, rows, B, w.stackPost.subarray(B * rows));
    const fb = L.feedbackOf[k];
    if (fb) w.kernels.gemv(w.proj[fb.index]!.W, cols, rows, 2 * B, w.stackPost, w.stackPre);
    else w.kernels.gemvT(w.proj[ref.index]!.W, rows, cols, 2 * B, w.stackPost, w.stackPre);
    scatterAdd(w.stackPre, cols, B, dst1, L.N, ref.preOff, 1);
    scatterAdd(w.stackPre.subarray(B * cols), cols, B, dst2, L.N, ref.preOff, 1);
  }
}

/**
 * dst = (I − D F)⁻¹ src for a layered graph: back substitution in reverse topological order,
 * y_q = src_q + ρ'_q ⊙ Σ_{k leaving q} F_k y_post(k). Uses `t` as scratch.
 */
export function solveUpper(L: Layout, w: Workspace, src: Float64Array, dst: Float64Array, t: Float64Array): void {
  const { B, N } = L;
  dst.set(src);
  t.fill(0);
  for (let qi = L.order.length - 1; qi >= 0; qi--) {
    const q = L.order[qi]!;
    const ks = L.leaving[q]!;
    if (!ks.length) continue;
    for (const k of ks) backOne(L, w, k, dst, t, 1);
    const pop = L.graph.neurons[q]!;
    for (let b = 0; b < B; b++) {
      for (let i = b * N + pop.offset, e = i + pop.size; i < e; i++) dst[i] = dst[i]! + w.drho[i]! * t[i]!;
    }
  }
}

/**
 * dst = (I − W_net D)⁻¹ src for a layered graph: forward substitution in topological order,
 * x_q = src_q + Σ_{k arriving at q} W_k (ρ' ⊙ x)_pre(k). Uses `s` as scratch (holds ρ' ⊙ x).
 */
export function solveLower(L: Layout, w: Workspace, src: Float64Array, dst: Float64Array, s: Float64Array): void {
  const { B, N } = L;
  dst.set(src);
  for (const q of L.order) {
    const pop = L.graph.neurons[q]!;
    for (const k of L.arriving[q]!) forwardOne(L, w, L.net[k]!, s, dst, 1);
    for (let b = 0; b < B; b++) {
      for (let i = b * N + pop.offset, e = i + pop.size; i < e; i++) s[i] = w.drho[i]! * dst[i]!;
    }
  }
}
