import type { IntegrationFailure } from './ode/ode.js';

/** The largest residual |u̇_s| left on a sliding surface, relative to |u̇_s| on its two pieces. */
const RESIDUAL_REL = 1e-9;
/** Secant iterations after the first estimate before a slide that does not settle is reported. */
const MAX_ITERATIONS = 20;

/**
 * Filippov's sliding field on the intersection of n switching surfaces u_s = κ_s (neurons held on a kink
 * of ρ), for circuits whose f is affine in each blend weight (lead-stage and plain units), by equivalent
 * control: each sliding neuron s sees the blend ρ_s = (1 − α_s)·(piece below) +
 * α_s·(piece above), and the weights α solve u̇_s(α) = 0 for every sliding s. f is affine in each α_s;
 * in such a circuit a neuron's own piece reaches its own u̇ through ρ′ in its error term, and other
 * neurons' only through a downstream error that no kink changes (ρ is continuous at a kink), so the
 * system is diagonal and f at the weights equals the convex combination of the pieces' fields: one evaluation with every α = 0, one with every α = 1, and the per-surface roots
 * α_s = −u̇_s(0) / (u̇_s(1) − u̇_s(0)) solve it. The field is evaluated once more at those α (clamped to
 * [0, 1]) and the residual checked; where coupling remains (an exact error unit, a microcircuit), each
 * α_s takes secant steps until |u̇_s| ≤ 10⁻⁹ of its pieces' rates. Three evaluations of f for any n, where
 * the vertex form needs n + 1. For one surface this is Filippov's convex combination exactly (the limit
 * that a forward Euler step chattering across the kink converges to). A slide that does not settle is an
 * error naming the neuron, never a field that looks fine.
 */
export class SlidingField {
  /** Per sliding surface: the blend weights evaluated, the previous secant point, u̇ on the upper piece, |u̇| scale. */
  private alpha = new Float64Array(0);
  private aPrev = new Float64Array(0);
  private rPrev = new Float64Array(0);
  private udotHigh = new Float64Array(0);
  private scale = new Float64Array(0);

  /**
   * `sliding`: the sliding neurons s; `evaluate(alpha, dy)` evaluates f with neuron sliding[j] at blend
   * weight alpha[j] into dy and returns u̇ (before the rails) of every neuron, or a failure; `udotLow`
   * receives u̇_s with every α = 0 (which piece the flow leaves to). Writes the field into dy (sliding
   * components held: dy_s = 0) and the unclamped weights into `lambda` (one outside [0, 1] means that
   * surface's slide has ended, and its margin says so).
   */
  solve(
    sliding: readonly number[],
    evaluate: (alpha: Float64Array, dy: Float64Array) => Float64Array | IntegrationFailure,
    dy: Float64Array,
    lambda: Float64Array,
    udotLow: Float64Array,
    t: number,
    describe: (neuron: number) => string,
  ): IntegrationFailure | null {
    const n = sliding.length;
    this.reserve(n);
    const { alpha, aPrev, rPrev, udotHigh, scale } = this;
    alpha.fill(0, 0, n);
    let ud = evaluate(alpha, dy);
    if (!(ud instanceof Float64Array)) return ud;
    for (let j = 0; j < n; j++) udotLow[j] = ud[sliding[j]!]!;
    alpha.fill(1, 0, n);
    ud = evaluate(alpha, dy);
    if (!(ud instanceof Float64Array)) return ud;
    for (let j = 0; j < n; j++) {
      udotHigh[j] = ud[sliding[j]!]!;
      scale[j] = Math.abs(udotLow[j]!) + Math.abs(udotHigh[j]!);
      lambda[j] = secant(0, udotLow[j]!, 1, udotHigh[j]!);
    }
    for (let it = 0; ; it++) {
      for (let j = 0; j < n; j++) alpha[j] = Math.min(1, Math.max(0, lambda[j]!));
      ud = evaluate(alpha, dy);
      if (!(ud instanceof Float64Array)) return ud;
      const worst = this.worstResidual(sliding, ud, lambda);
      if (worst < 0) break;
      if (it === MAX_ITERATIONS) {
        const r = ud[sliding[worst]!]!;
        return { what: `the sliding field on the kink of ${describe(sliding[worst]!)} did not settle: u̇ = ${r.toExponential(2)} units/ms after ${MAX_ITERATIONS + 3} evaluations of f with ${n} neurons sliding (try --kinks free)`, timeMs: t };
      }
      for (let j = 0; j < n; j++) {
        if (alpha[j] !== lambda[j]) continue; // clamped: that slide is ending, its margin says so
        const r = ud[sliding[j]!]!;
        // first correction: from the end whose u̇ has the other sign (regula falsi), then secant steps
        if (it === 0) {
          const low = Math.sign(r) !== Math.sign(udotLow[j]!);
          aPrev[j] = low ? 0 : 1;
          rPrev[j] = low ? udotLow[j]! : udotHigh[j]!;
        }
        lambda[j] = secant(aPrev[j]!, rPrev[j]!, alpha[j]!, r);
        aPrev[j] = alpha[j]!;
        rPrev[j] = r;
      }
    }
    for (const s of sliding) dy[s] = 0;
    return null;
  }

  /** The sliding surface with the largest residual beyond tolerance (weights inside [0, 1] only), or −1. */
  private worstResidual(sliding: readonly number[], ud: Float64Array, lambda: Float64Array): number {
    let worst = -1;
    let worstRel = RESIDUAL_REL;
    for (let j = 0; j < sliding.length; j++) {
      if (!(lambda[j]! >= 0 && lambda[j]! <= 1)) continue;
      const rel = Math.abs(ud[sliding[j]!]!) / (this.scale[j]! || 1);
      if (rel > worstRel) {
        worst = j;
        worstRel = rel;
      }
    }
    return worst;
  }

  private reserve(n: number): void {
    if (this.alpha.length >= n) return;
    this.alpha = new Float64Array(n);
    this.aPrev = new Float64Array(n);
    this.rPrev = new Float64Array(n);
    this.udotHigh = new Float64Array(n);
    this.scale = new Float64Array(n);
  }
}

/** The root of the line through (a0, r0) and (a1, r1); ½ where the line is flat (both pieces equally fast). */
function secant(a0: number, r0: number, a1: number, r1: number): number {
  const d = r1 - r0;
  return d === 0 ? 0.5 : a1 - (r1 * (a1 - a0)) / d;
}

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
