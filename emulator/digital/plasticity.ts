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
  cross(rate.pre, x, cols, B, w.gram);
  out.fill(0, 0, B * rows);
  for (let b = 0; b < B; b++) {
    for (let b2 = 0; b2 < B; b2++) {
      const g = rate.scale * w.gram[b2 * B + b]!;
      if (g === 0) continue;
      const po = b2 * rows;
      const oo = b * rows;
      for (let r = 0; r < rows; r++) out[oo + r] += g * rate.post[po + r]!;
    }
  }
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
  cross(rate.post, y, rows, B, w.gram);
  out.fill(0, 0, B * cols);
  for (let b = 0; b < B; b++) {
    for (let b2 = 0; b2 < B; b2++) {
      const g = rate.scale * w.gram[b2 * B + b]!;
      if (g === 0) continue;
      const po = b2 * cols;
      const oo = b * cols;
      for (let c = 0; c < cols; c++) out[oo + c] += g * rate.pre[po + c]!;
    }
  }
}

function materialise(w: Workspace, L: Layout, rate: WeightRate): void {
  const { rows, cols, mask } = rate.ref.p;
  rate.buf.wdot.fill(0);
  w.kernels.rankUpdate(rate.buf.wdot, mask, rows, cols, L.B, rate.scale, rate.post, rate.pre);
}

/** G[b2·B + b] = a_b2 · x_b. */
function cross(a: Float64Array, x: Float64Array, n: number, B: number, G: Float64Array): void {
  for (let b2 = 0; b2 < B; b2++) {
    for (let b = 0; b < B; b++) {
      let s = 0;
      const ao = b2 * n;
      const xo = b * n;
      for (let i = 0; i < n; i++) s += a[ao + i]! * x[xo + i]!;
      G[b2 * B + b] = s;
    }
  }
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
  const buf = w.proj[ref.index]!;
  if (buf.pendCoef === 0) return;
  const { rows, cols, mask } = ref.p;
  w.kernels.rankUpdate(buf.W, mask, rows, cols, L.B, buf.pendCoef, buf.pendPost, buf.pendPre);
  buf.pendCoef = 0;
}
