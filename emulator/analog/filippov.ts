/**
 * Filippov's sliding vector field on the intersection of n switching surfaces u_{s_j} = const (kinks
 * of ρ that the state slides on): from the field at the base vertex (every sliding neuron on its lower
 * piece) and at the n vertices with one neuron on its upper piece, the weights λ solve
 *   u̇_{s_i}(base) + Σ_j λ_j (u̇_{s_i}(vertex j) − u̇_{s_i}(base)) = 0,   i = 1 … n,
 * and the field is base + Σ_j λ_j (vertex_j − base) with every λ clamped to [0, 1] and the sliding
 * components held (dy_{s_i} = 0). For one surface this is Filippov's convex combination exactly (the
 * limit that a forward Euler step chattering across the kink converges to); for several it is its
 * multi-affine form.
 */
export class FilippovBlend {
  private readonly m: Float64Array;
  private readonly rhs: Float64Array;

  /** For up to `maxSurfaces` sliding surfaces in a state of `size` components. */
  constructor(readonly maxSurfaces: number) {
    this.m = new Float64Array(maxSurfaces * maxSurfaces);
    this.rhs = new Float64Array(maxSurfaces);
  }

  /**
   * `sliding`: the sliding components s_j; `base` and `vertex[j]`: the fields (dy); writes the blend into
   * dy and the unclamped λ into `lambda` (a λ outside [0, 1] means that surface's slide has ended).
   * A singular system (both sides equally fast, or vertices that do not move u_{s_i}) gives λ = ½ there.
   */
  blend(sliding: readonly number[], base: Float64Array, vertex: readonly Float64Array[], dy: Float64Array, lambda: Float64Array): void {
    const n = sliding.length;
    const { m, rhs } = this;
    for (let i = 0; i < n; i++) {
      rhs[i] = -base[sliding[i]!]!;
      for (let j = 0; j < n; j++) m[i * n + j] = vertex[j]![sliding[i]!]! - base[sliding[i]!]!;
    }
    solveSmall(m, rhs, n);
    for (let j = 0; j < n; j++) lambda[j] = rhs[j]!;
    dy.set(base);
    for (let j = 0; j < n; j++) {
      const l = Math.min(1, Math.max(0, rhs[j]!));
      const v = vertex[j]!;
      for (let c = 0; c < dy.length; c++) dy[c] = dy[c]! + l * (v[c]! - base[c]!);
    }
    for (const s of sliding) dy[s] = 0;
  }
}

/** Solves the n×n system m x = b in place (b ← x) by Gaussian elimination with partial pivoting; a zero pivot gives ½. */
function solveSmall(m: Float64Array, b: Float64Array, n: number): void {
  const piv = Array.from({ length: n }, (_, i) => i);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
      [b[c], b[p]] = [b[p]!, b[c]!];
      [piv[c], piv[p]] = [piv[p]!, piv[c]!];
    }
    const d = m[c * n + c]!;
    if (d === 0) continue;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] = m[r * n + k]! - f * m[c * n + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    const d = m[c * n + c]!;
    if (d === 0) {
      b[c] = 0.5;
      continue;
    }
    let s = b[c]!;
    for (let k = c + 1; k < n; k++) s -= m[c * n + k]! * b[k]!;
    b[c] = s / d;
  }
}
