import { describe, expect, it } from 'vitest';
import { KERNEL_BACKENDS } from '../../core/kernels/backends.js';
import type { Arena } from '../../core/kernels/kernels.js';
import { Rng } from '../../core/rng.js';

/** Naive reference: straightforward loops, independent of the kernels' summation order. */
function refGemv(W: Float64Array, rows: number, cols: number, B: number, x: Float64Array): Float64Array {
  const y = new Float64Array(B * rows);
  for (let b = 0; b < B; b++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[b * rows + r]! += W[r * cols + c]! * x[b * cols + c]!;
  return y;
}

function fill(a: Float64Array, rng: Rng, sparse = false): void {
  for (let i = 0; i < a.length; i++) a[i] = sparse && rng.uniform() < 0.3 ? 0 : rng.normal();
}

const shapes: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 1], [7, 13, 1], [16, 16, 1], [10, 37, 3], [5, 4, 4], [33, 18, 2],
];

for (const backend of Object.values(KERNEL_BACKENDS)) {
  describe(`kernels (${backend.name} back end)`, () => {
    for (const [rows, cols, B] of shapes) {
      it(`match naive loops for ${rows}×${cols}, batch ${B}`, () => {
        const rng = new Rng(rows * 100 + cols * 7 + B);
        const arena: Arena = backend.createArena([rows * cols, B * cols, B * cols, B * rows, B * rows, B * rows]);
        const [W, x, x2, post, y, y2] = arena.arrays as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
        fill(W, rng);
        fill(x, rng, true);
        fill(x2, rng);
        fill(post, rng, true);
        const k = arena.kernels;

        k.gemv(W, rows, cols, B, x, y);
        const ref = refGemv(W, rows, cols, B, x);
        for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(ref[i]!, 12);

        const yt = backend.createArena([B * cols]);
        const [xt] = backend.createArena([B * rows]).arrays as [Float64Array];
        // gemvT against the naive transpose product
        const Wt = new Float64Array(cols * rows);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) Wt[c * rows + r] = W[r * cols + c]!;
        fill(xt, rng);
        const arena2 = backend.createArena([rows * cols, B * rows, B * cols]);
        const [W2, xr, out] = arena2.arrays as [Float64Array, Float64Array, Float64Array];
        W2.set(W);
        xr.set(xt);
        arena2.kernels.gemvT(W2, rows, cols, B, xr, out);
        const refT = refGemv(Wt, cols, rows, B, xt);
        for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(refT[i]!, 12);
        expect(yt.arrays[0]!.length).toBe(B * cols);

        // fused update + two mat-vecs equals update then naive products
        const coef = 0.37;
        const Wexp = Float64Array.from(W);
        for (let b = 0; b < B; b++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) Wexp[r * cols + c]! += coef * post[b * rows + r]! * x2[b * cols + c]!;
        k.fusedUpdateGemv(W, null, rows, cols, B, coef, post, x2, x, y, x2, y2);
        for (let i = 0; i < W.length; i++) expect(W[i]).toBeCloseTo(Wexp[i]!, 12);
        const r1 = refGemv(Wexp, rows, cols, B, x);
        const r2 = refGemv(Wexp, rows, cols, B, x2);
        for (let i = 0; i < y.length; i++) {
          expect(y[i]).toBeCloseTo(r1[i]!, 12);
          expect(y2[i]).toBeCloseTo(r2[i]!, 12);
        }
      });
    }

    it('masked updates leave absent synapses at zero', () => {
      const rows = 6;
      const cols = 9;
      const arena = backend.createArena([rows * cols, cols, rows, rows]);
      const [W, x, post, y] = arena.arrays as [Float64Array, Float64Array, Float64Array, Float64Array];
      const rng = new Rng(5);
      const mask = new Uint8Array(rows * cols).map(() => (rng.uniform() < 0.5 ? 1 : 0));
      fill(x, rng);
      fill(post, rng);
      arena.kernels.fusedUpdateGemv(W, mask, rows, cols, 1, 1, post, x, x, y, null, null);
      for (let i = 0; i < W.length; i++) {
        if (!mask[i]) expect(W[i]).toBe(0);
        else expect(W[i]).toBeCloseTo(post[Math.floor(i / cols)]! * x[i % cols]!, 14);
      }
    });
  });
}

describe('kernel back ends agree bit for bit', () => {
  it('gemvT over every block shape: 4-sample blocks and single samples, column tails of 0–3, sparse inputs', () => {
    for (const [rows, cols, B] of [[7, 4, 4], [9, 5, 4], [6, 6, 5], [11, 7, 8], [13, 3, 9], [3, 1, 6], [40, 301, 10], [1, 9, 4]] as const) {
      const results = Object.values(KERNEL_BACKENDS).map((backend) => {
        const rng = new Rng(rows * 31 + cols * 7 + B);
        const arena = backend.createArena([rows * cols, B * rows, B * cols]);
        const [W, x, y] = arena.arrays as Float64Array[];
        fill(W!, rng);
        fill(x!, rng, true);
        y!.fill(NaN); // every entry must be written
        arena.kernels.gemvT(W!, rows, cols, B, x!, y!);
        return Array.from(y!);
      });
      expect(results[0]!.every((v) => Number.isFinite(v))).toBe(true);
      expect(results[0]).toEqual(results[1]);
    }
  });

  it('gemv, gemvT, rankUpdate and fused passes give identical doubles in js and wasm', () => {
    for (const [rows, cols, B] of [[50, 784, 1], [10, 63, 1], [20, 31, 4], [9, 100, 32]] as const) {
      const results = Object.values(KERNEL_BACKENDS).map((backend) => {
        const rng = new Rng(99);
        const arena = backend.createArena([rows * cols, B * cols, B * cols, B * rows, B * rows, B * rows, B * cols]);
        const [W, x, x2, post, y, y2, yt] = arena.arrays as Float64Array[];
        fill(W!, rng);
        fill(x!, rng);
        fill(x2!, rng);
        fill(post!, rng, true);
        const k = arena.kernels;
        for (let step = 0; step < 3; step++) {
          k.fusedUpdateGemv(W!, null, rows, cols, B, 1e-3, post!, x2!, x!, y!, x2!, y2!);
          k.gemvT(W!, rows, cols, B, y!, yt!);
          k.rankUpdate(W!, null, rows, cols, B, -2e-3, y2!, yt!);
        }
        return [W, y, y2, yt].map((a) => Array.from(a!));
      });
      expect(results[0]).toEqual(results[1]);
    }
  });
});
