/** Dense LU factorisation with partial pivoting, in place on an n×n row-major Float64Array. */
export class DenseLu {
  readonly piv: Int32Array;
  constructor(
    readonly n: number,
    readonly a: Float64Array,
  ) {
    this.piv = new Int32Array(n);
  }

  /** Factorises; returns false when a pivot is zero (singular). */
  factor(): boolean {
    const { n, a, piv } = this;
    for (let k = 0; k < n; k++) {
      let p = k;
      let m = Math.abs(a[k * n + k]!);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]!);
        if (v > m) {
          m = v;
          p = i;
        }
      }
      piv[k] = p;
      if (m === 0) return false;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = a[k * n + j]!;
          a[k * n + j] = a[p * n + j]!;
          a[p * n + j] = t;
        }
      }
      const inv = 1 / a[k * n + k]!;
      for (let i = k + 1; i < n; i++) {
        const f = (a[i * n + k]! *= inv);
        if (f === 0) continue;
        const ro = i * n;
        const ko = k * n;
        for (let j = k + 1; j < n; j++) a[ro + j] = a[ro + j]! - (f * a[ko + j]!);
      }
    }
    return true;
  }

  /** Solves A x = b in place (b becomes x). */
  solve(b: Float64Array): void {
    const { n, a, piv } = this;
    for (let k = 0; k < n; k++) {
      const p = piv[k]!;
      if (p !== k) {
        const t = b[k]!;
        b[k] = b[p]!;
        b[p] = t;
      }
    }
    for (let i = 0; i < n; i++) {
      let s = b[i]!;
      for (let j = 0; j < i; j++) s -= a[i * n + j]! * b[j]!;
      b[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i]!;
      for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * b[j]!;
      b[i] = s / a[i * n + i]!;
    }
  }
}
