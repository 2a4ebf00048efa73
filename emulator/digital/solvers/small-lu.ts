/**
 * LU factorisation with partial pivoting of a small dense n×n matrix, in place and without allocation per
 * solve: the layered solver factorises its |O|×|O| capacitance matrix per sample and evaluation and solves
 * with it once per application of M⁻¹, where a general matrix library's per-call objects cost more than
 * the arithmetic.
 */
export class SmallLu {
  /** Row-major n×n: L below the diagonal (unit diagonal implied), U on and above it. */
  readonly a: Float64Array;
  readonly pivot: Int32Array;
  singular = false;

  constructor(readonly n: number) {
    this.a = new Float64Array(n * n);
    this.pivot = new Int32Array(n);
  }

  /** Factorises the matrix currently in `a` (Doolittle, partial pivoting); sets `singular` on a zero pivot. */
  factor(): void {
    const { a, n, pivot } = this;
    this.singular = false;
    for (let k = 0; k < n; k++) {
      let p = k;
      for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[p * n + k]!)) p = i;
      pivot[k] = p;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = a[k * n + j]!;
          a[k * n + j] = a[p * n + j]!;
          a[p * n + j] = t;
        }
      }
      const d = a[k * n + k]!;
      if (d === 0 || !Number.isFinite(d)) {
        this.singular = true;
        return;
      }
      for (let i = k + 1; i < n; i++) {
        const l = (a[i * n + k] = a[i * n + k]! / d);
        for (let j = k + 1; j < n; j++) a[i * n + j] = a[i * n + j]! - l * a[k * n + j]!;
      }
    }
  }

  /** x ← S⁻¹ x, in place (x has n entries). */
  solve(x: Float64Array): void {
    const { a, n, pivot } = this;
    for (let k = 0; k < n; k++) {
      const p = pivot[k]!;
      if (p === k) continue;
      const t = x[k]!;
      x[k] = x[p]!;
      x[p] = t;
    }
    for (let i = 1; i < n; i++) {
      let s = x[i]!;
      for (let j = 0; j < i; j++) s -= a[i * n + j]! * x[j]!;
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
      x[i] = s / a[i * n + i]!;
    }
  }
}
