import type { Layout, ProjRef } from './layout.js';
import type { ProjBuffers, Workspace } from './workspace.js';

/**
 * Plasticity of one projection during a step: Ẇ = (η/B) Σ_b post_b pre_bᵀ (masked), the batch-averaged
 * form of Eq. 8 (post = ē_raw, pre = r̄ for forward weights). The engine needs Ẇ applied to vectors (for
 * ∂f/∂t) and the update itself (deferred into the next pass over W).
 */
export interface WeightRate {
  ref: ProjRef;
  buf: ProjBuffers;
  /** η/B. */
  scale: number;
  /** Postsynaptic factor per sample (B×rows) and presynaptic factor (B×cols). */
  post: Float64Array;
  pre: Float64Array;
}

/** out_b = Ẇ x_b for every sample (x: B×cols, out: B×rows). */
export function applyWdot(w: Workspace, L: Layout, rate: WeightRate, x: Float64Array, out: Float64Array): void {
  const { rows, cols, mask } = rate.ref.p;
  const B = L.B;
  if (mask) {
    materialise(w, L, rate);
    w.kernels.gemv(rate.buf.wdot, rows, cols, B, x, out);
    return;
  }
  // Ẇ x_b = (η/B) Σ_b' post_b' (pre_b' · x_b): a B×B Gram matrix, then a B-term combination of post vectors
  lowRank(w, rate.pre, cols, rate.post, rows, B, rate.scale, x, out);
}

/** out_b = Ẇᵀ y_b for every sample (y: B×rows, out: B×cols). */
export function applyWdotT(w: Workspace, L: Layout, rate: WeightRate, y: Float64Array, out: Float64Array): void {
  const { rows, cols, mask } = rate.ref.p;
  const B = L.B;
  if (mask) {
    materialise(w, L, rate);
    w.kernels.gemvT(rate.buf.wdot, rows, cols, B, y, out);
    return;
  }
  lowRank(w, rate.post, rows, rate.pre, cols, B, rate.scale, y, out);
}

/**
 * out_b = scale · Σ_b' (a_b' · x_b) c_b' for B vectors a (length na), c (length nc): with B = 1 two loops,
 * otherwise two kernel calls (G = A Xᵀ, out = Gᵀ-weighted sum of the c vectors).
 */
function lowRank(w: Workspace, a: Float64Array, na: number, c: Float64Array, nc: number, B: number, scale: number, x: Float64Array, out: Float64Array): void {
  if (B === 1) {
    let s = 0;
    for (let i = 0; i < na; i++) s += a[i]! * x[i]!;
    s *= scale;
    for (let i = 0; i < nc; i++) out[i] = s * c[i]!;
    return;
  }
  // G[b·B + b'] = a_b' · x_b (gemv with the B vectors a as the matrix rows)
  w.kernels.gemv(a, B, na, B, x, w.gram);
  for (let i = 0; i < B * B; i++) w.gram[i] = w.gram[i]! * scale;
  // out_b[k] = Σ_b' c_b'[k] G[b·B + b'] (gemvT with the B vectors c as the matrix rows)
  w.kernels.gemvT(c, B, nc, B, w.gram, out);
}

function materialise(w: Workspace, L: Layout, rate: WeightRate): void {
  const { rows, cols, mask } = rate.ref.p;
  rate.buf.wdot.fill(0);
  w.kernels.rankUpdate(rate.buf.wdot, mask, rows, cols, L.B, rate.scale, rate.post, rate.pre);
}

/** Defers W += dt·Ẇ into the projection's next pass over W (the fused kernel applies it). */
export function deferUpdate(rate: WeightRate, dtMs: number, B: number): void {
  const buf = rate.buf;
  if (buf.pendCoef !== 0) throw new Error('internal: a pending weight update was never applied');
  buf.pendPost.set(rate.post.subarray(0, B * rate.ref.p.rows));
  buf.pendPre.set(rate.pre.subarray(0, B * rate.ref.p.cols));
  buf.pendCoef = dtMs * rate.scale;
}

/** Applies a deferred update now (before weights are read, saved or snapshotted). */
export function flushPending(w: Workspace, L: Layout, ref: ProjRef): void {
  // queued updates of carried input products are older than the pending one: they go first
  w.inputProducts?.release(ref);
  const buf = w.proj[ref.index]!;
  if (buf.pendCoef === 0) return;
  const { rows, cols, mask } = ref.p;
  w.kernels.rankUpdate(buf.W, mask, rows, cols, L.B, buf.pendCoef, buf.pendPost, buf.pendPre);
  buf.pendCoef = 0;
}
