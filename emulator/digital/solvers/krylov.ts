import * as libm from '../../../core/libm.js';
/**
 * Preconditioned Krylov iterations on stacked batch vectors, used by the layered solver when ρ'' ≠ 0
 * (the exactly solvable M = ÃA + βP is the preconditioner of J = M − C).
 *
 * Contract of both: `apply(v, out)` computes out = J v, `precond(r, out)` out = M⁻¹ r; x holds the start
 * and receives the solution. They return null when ‖b − Jx‖∞ ≤ tol, or a reason.
 */
export type Op = (v: Float64Array, out: Float64Array) => void;

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const normInf = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

/** Preconditioned conjugate gradients for symmetric J; reports a non-positive curvature (J not positive definite). */
export function pcg(apply: Op, precond: Op, b: Float64Array, x: Float64Array, tol: number, maxIt: number): { fail: string | null; iterations: number } {
  const n = b.length;
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  apply(x, q);
  for (let i = 0; i < n; i++) r[i] = b[i]! - q[i]!;
  if (normInf(r) <= tol) return { fail: null, iterations: 0 };
  precond(r, z);
  p.set(z);
  let rz = dot(r, z);
  for (let it = 1; it <= maxIt; it++) {
    apply(p, q);
    const pq = dot(p, q);
    if (!(pq > 0)) return { fail: 'the Hessian H = ∂f/∂u is not positive definite (negative curvature found)', iterations: it };
    const a = rz / pq;
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + a * p[i]!;
      r[i] = r[i]! - (a * q[i]!);
    }
    if (normInf(r) <= tol) return { fail: null, iterations: it };
    precond(r, z);
    const rz2 = dot(r, z);
    const beta = rz2 / rz;
    rz = rz2;
    for (let i = 0; i < n; i++) p[i] = z[i]! + beta * p[i]!;
  }
  return { fail: `conjugate gradients did not converge in ${maxIt} iterations`, iterations: maxIt };
}

/** Right-preconditioned restarted GMRES(m) for non-symmetric J. */
export function gmres(apply: Op, precond: Op, b: Float64Array, x: Float64Array, tol: number, maxIt: number, m = 30): { fail: string | null; iterations: number } {
  const n = b.length;
  const r = new Float64Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  let total = 0;
  while (total < maxIt) {
    apply(x, w);
    for (let i = 0; i < n; i++) r[i] = b[i]! - w[i]!;
    if (normInf(r) <= tol) return { fail: null, iterations: total };
    const beta = Math.sqrt(dot(r, r));
    const V: Float64Array[] = [r.map((v) => v / beta)];
    const H: number[][] = [];
    const cs: number[] = [];
    const sn: number[] = [];
    const g = [beta];
    let k = 0;
    for (; k < m && total < maxIt; k++, total++) {
      precond(V[k]!, z);
      apply(z, w);
      const h = new Array<number>(k + 2).fill(0);
      for (let j = 0; j <= k; j++) {
        h[j] = dot(w, V[j]!);
        for (let i = 0; i < n; i++) w[i] = w[i]! - (h[j]! * V[j]![i]!);
      }
      h[k + 1] = Math.sqrt(dot(w, w));
      V.push(w.map((v) => v / (h[k + 1]! || 1)));
      for (let j = 0; j < k; j++) {
        const t = cs[j]! * h[j]! + sn[j]! * h[j + 1]!;
        h[j + 1] = -sn[j]! * h[j]! + cs[j]! * h[j + 1]!;
        h[j] = t;
      }
      const d = libm.hypot(h[k]!, h[k + 1]!);
      cs.push(h[k]! / d);
      sn.push(h[k + 1]! / d);
      h[k] = d;
      h[k + 1] = 0;
      g.push(-sn[k]! * g[k]!);
      g[k] = cs[k]! * g[k]!;
      H.push(h);
      if (Math.abs(g[k + 1]!) <= tol * 1e-3) {
        k++;
        total++;
        break;
      }
    }
    // back substitution for y, then x += M⁻¹ (V y)
    const y = new Array<number>(k).fill(0);
    for (let i = k - 1; i >= 0; i--) {
      let s = g[i]!;
      for (let j = i + 1; j < k; j++) s -= H[j]![i]! * y[j]!;
      y[i] = s / H[i]![i]!;
    }
    w.fill(0);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) w[i] = w[i]! + y[j]! * V[j]![i]!;
    precond(w, z);
    for (let i = 0; i < n; i++) x[i] = x[i]! + z[i]!;
  }
  apply(x, w);
  for (let i = 0; i < n; i++) r[i] = b[i]! - w[i]!;
  return normInf(r) <= tol ? { fail: null, iterations: total } : { fail: `GMRES did not converge in ${maxIt} iterations`, iterations: total };
}
