import type { Arena, KernelBackend, Kernels } from './kernels.js';

/**
 * Reference kernels in plain JavaScript. The summation order mirrors simd.wat exactly: dot products keep
 * four partial sums (indices ≡ 0,1,2,3 mod 4), combine them as (s0 + s2) + (s1 + s3), then add the tail.
 */
export const jsKernels: Kernels = {
  name: 'js',
  gemv(W, rows, cols, B, x, y) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let b = 0; b < B; b++) y[b * rows + r] = dot(W, o, x, b * cols, cols);
    }
  },
  gemvT(W, rows, cols, B, x, y) {
    y.fill(0, 0, B * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let b = 0; b < B; b++) {
        const a = x[b * rows + r]!;
        if (a === 0) continue;
        const yo = b * cols;
        for (let c = 0; c < cols; c++) y[yo + c] = y[yo + c]! + a * W[o + c]!;
      }
    }
  },
  rankUpdate,
  fusedUpdateGemv(W, mask, rows, cols, B, coef, post, pre, x, y, x2, y2) {
    if (B !== 1 || mask !== null) {
      if (coef !== 0) rankUpdate(W, mask, rows, cols, B, coef, post, pre);
      jsKernels.gemv(W, rows, cols, B, x, y);
      if (x2 && y2) jsKernels.gemv(W, rows, cols, B, x2, y2);
      return;
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const a = coef !== 0 ? coef * post[r]! : 0; // post is empty for non-plastic projections
      if (x2 && y2) {
        if (a !== 0) updateDot2(W, o, pre, x, x2, cols, a, y, y2, r);
        else dot2(W, o, x, x2, cols, y, y2, r);
      } else {
        y[r] = a !== 0 ? updateDot(W, o, pre, x, cols, a) : dot(W, o, x, 0, cols);
      }
    }
  },
};

function rankUpdate(W: Float64Array, mask: Uint8Array | null, rows: number, cols: number, B: number, coef: number, post: Float64Array, pre: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let b = 0; b < B; b++) {
      const a = coef * post[b * rows + r]!;
      if (a === 0) continue;
      const po = b * cols;
      if (mask) {
        for (let c = 0; c < cols; c++) if (mask[o + c]) W[o + c] = W[o + c]! + a * pre[po + c]!;
      } else {
        for (let c = 0; c < cols; c++) W[o + c] = W[o + c]! + a * pre[po + c]!;
      }
    }
  }
}

function dot(W: Float64Array, o: number, x: Float64Array, xo: number, n: number): number {
  const n4 = n & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c < n4; c += 4) {
    const i = o + c;
    const j = xo + c;
    s0 += W[i]! * x[j]!;
    s1 += W[i + 1]! * x[j + 1]!;
    s2 += W[i + 2]! * x[j + 2]!;
    s3 += W[i + 3]! * x[j + 3]!;
  }
  let s = s0 + s2 + (s1 + s3);
  for (; c < n; c++) s += W[o + c]! * x[xo + c]!;
  return s;
}

function updateDot(W: Float64Array, o: number, p: Float64Array, x: Float64Array, n: number, a: number): number {
  const n4 = n & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c < n4; c += 4) {
    const i = o + c;
    const w0 = W[i]! + a * p[c]!;
    const w1 = W[i + 1]! + a * p[c + 1]!;
    const w2 = W[i + 2]! + a * p[c + 2]!;
    const w3 = W[i + 3]! + a * p[c + 3]!;
    W[i] = w0;
    W[i + 1] = w1;
    W[i + 2] = w2;
    W[i + 3] = w3;
    s0 += w0 * x[c]!;
    s1 += w1 * x[c + 1]!;
    s2 += w2 * x[c + 2]!;
    s3 += w3 * x[c + 3]!;
  }
  let s = s0 + s2 + (s1 + s3);
  for (; c < n; c++) {
    const w = W[o + c]! + a * p[c]!;
    W[o + c] = w;
    s += w * x[c]!;
  }
  return s;
}

function updateDot2(W: Float64Array, o: number, p: Float64Array, x: Float64Array, x2: Float64Array, n: number, a: number, y: Float64Array, y2: Float64Array, r: number): void {
  const n4 = n & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  let c = 0;
  for (; c < n4; c += 4) {
    const i = o + c;
    const w0 = W[i]! + a * p[c]!;
    const w1 = W[i + 1]! + a * p[c + 1]!;
    const w2 = W[i + 2]! + a * p[c + 2]!;
    const w3 = W[i + 3]! + a * p[c + 3]!;
    W[i] = w0;
    W[i + 1] = w1;
    W[i + 2] = w2;
    W[i + 3] = w3;
    s0 += w0 * x[c]!;
    s1 += w1 * x[c + 1]!;
    s2 += w2 * x[c + 2]!;
    s3 += w3 * x[c + 3]!;
    t0 += w0 * x2[c]!;
    t1 += w1 * x2[c + 1]!;
    t2 += w2 * x2[c + 2]!;
    t3 += w3 * x2[c + 3]!;
  }
  let s = s0 + s2 + (s1 + s3);
  let t = t0 + t2 + (t1 + t3);
  for (; c < n; c++) {
    const w = W[o + c]! + a * p[c]!;
    W[o + c] = w;
    s += w * x[c]!;
    t += w * x2[c]!;
  }
  y[r] = s;
  y2[r] = t;
}

function dot2(W: Float64Array, o: number, x: Float64Array, x2: Float64Array, n: number, y: Float64Array, y2: Float64Array, r: number): void {
  const n4 = n & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  let c = 0;
  for (; c < n4; c += 4) {
    const i = o + c;
    const w0 = W[i]!, w1 = W[i + 1]!, w2 = W[i + 2]!, w3 = W[i + 3]!;
    s0 += w0 * x[c]!;
    s1 += w1 * x[c + 1]!;
    s2 += w2 * x[c + 2]!;
    s3 += w3 * x[c + 3]!;
    t0 += w0 * x2[c]!;
    t1 += w1 * x2[c + 1]!;
    t2 += w2 * x2[c + 2]!;
    t3 += w3 * x2[c + 3]!;
  }
  let s = s0 + s2 + (s1 + s3);
  let t = t0 + t2 + (t1 + t3);
  for (; c < n; c++) {
    const w = W[o + c]!;
    s += w * x[c]!;
    t += w * x2[c]!;
  }
  y[r] = s;
  y2[r] = t;
}

export const jsBackend: KernelBackend = {
  name: 'js',
  createArena(lengths: number[]): Arena {
    return { arrays: lengths.map((n) => new Float64Array(n)), kernels: jsKernels };
  },
};
