import { Rng } from '../../core/rng.js';

/** Shuffles `perm` in place: Fisher–Yates from the top, j = rng.int(i + 1). */
export function shuffleInPlace(perm: Int32Array, rng: Rng): void {
  for (let i = perm.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
}

/** A uniformly random permutation of 0 … n−1 (shuffleInPlace of the identity), then its first `count` entries (all by default). */
export function permutation(n: number, rng: Rng, count = n): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(perm, rng);
  return count === n ? perm : perm.slice(0, count);
}

/**
 * The training stream of the paper protocol: the training set cycled in epochs of `n` images, each
 * epoch a fresh permutation. Epoch e is shuffled by its own generator, `new Rng(seed).fork('mnist:epoch:' + e)`,
 * so image k of the stream depends only on (seed, k): a resumed run needs no generator state, only
 * the presentation count, and gets exactly the images an uninterrupted run gets.
 */
export class EpochOrder {
  private epoch = -1;
  private perm: Int32Array = new Int32Array(0);

  constructor(
    /** Images per epoch (the training set's size). */
    readonly n: number,
    readonly seed: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`epoch size: expected a positive integer, got ${n}`);
  }

  /** The generator label of epoch e's shuffle. */
  static label(e: number): string {
    return `mnist:epoch:${e}`;
  }

  /** Index (into the training set) of the image shown at presentation k (0-based). */
  image(k: number): number {
    const e = Math.floor(k / this.n);
    if (e !== this.epoch) {
      this.perm = permutation(this.n, new Rng(this.seed).fork(EpochOrder.label(e)));
      this.epoch = e;
    }
    return this.perm[k - e * this.n]!;
  }
}
