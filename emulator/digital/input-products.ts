import type { Layout, ProjRef } from './layout.js';
import type { ProjBuffers, Workspace } from './workspace.js';
import type { InputProductSource } from './input-product-source.js';
import { exp, log } from '../../core/libm.js';

/** Weight updates queued before they are applied in one pass over W (a rank-K update). */
export const UPDATE_QUEUE = 8;

/**
 * `lowrank`: how far (relative, per column) an update's presynaptic factor may lie from the held frame's
 * family r_in + λ·d and still be summed into its rank-2 update: ~450 ulps, far above the rounding the
 * Euler recursion of r̄_in and λ = decay^k accumulate (about min(k, τ_in/dt) ulps, and k < 128: the
 * refresh's full pass ends every stretch), far below any real change of the input.
 */
export const LOWRANK_TOLERANCE = 1e-13;
/**
 * ...plus this absolute slack: a silent input channel's r̄_in decays through the subnormal numbers (below
 * 2.2e-308), whose rounding is absolute (5e-324), not relative; a deviation this small moves no weight.
 */
export const LOWRANK_ABSOLUTE_SLACK = 1e-300;

/** Arrays of one carried input projection, allocated in the workspace's arena (kernel operands). */
export interface CarriedBuffers {
  /** Queued updates: K postsynaptic (K×rows) and presynaptic (K×cols) factors, oldest first. */
  queuePost: Float64Array;
  queuePre: Float64Array;
  /** The carried products W·r̄_in and W·dr̄_in/dt (rows). */
  y: Float64Array;
  z: Float64Array;
  /** r̄_in, dr̄_in/dt and the raw input r_in at the last evaluation (cols). */
  lastPre: Float64Array;
  lastDot: Float64Array;
  lastRaw: Float64Array;
  /** `lowrank`: the summed postsynaptic factors (2×rows) of the family's two presynaptic ones, r_in and d (2×cols). */
  sumPost: Float64Array;
  sumPre: Float64Array;
}

/** Per projection: where its carried products stand. */
interface Carried {
  ref: ProjRef;
  buf: ProjBuffers;
  arrays: CarriedBuffers;
  /** (1 − dt/τ_in): how dr̄_in/dt decays while r_in holds still; and r̄_in − r_in (1 for a constant-rate input, whose r̄_in never moves). */
  decay: number;
  lineDecay: number;
  queued: number;
  queueCoef: number;
  /** The step whose products y, z hold (−1: none, recompute). */
  step: number;
  sinceFull: number;
  /** `lowrank`: updates summed into sumPost since the last flush, and the step whose update began the sums. */
  summed: number;
  firstStep: number;
}

/**
 * Incremental input products (DigitalOptions.inputProducts = 'incremental'). For every unmasked
 * projection from an input population, at batch 1, the engine needs y = W r̄_in and z = W dr̄_in/dt each
 * step; the reference recomputes both in a pass over W (the largest matrix of a network like
 * 784-500-10). While the raw input r_in holds still they follow from the last step's in O(rows + cols):
 *
 *   y_n = y_{n−1} + dt·z_{n−1} + c (p·r̄_n) a      (r̄_n = r̄_{n−1} + dt ṙ_{n−1}, the engine's Euler step)
 *   z_n = (1 − dt/τ_in)·z_{n−1} + c (p·ṙ_n) a     (ṙ_n = (r_in − r̄_n)/τ_in)
 *
 * where W_n = W_{n−1} + c a pᵀ is the weight update deferred from the previous step. The update itself is
 * queued and applied UPDATE_QUEUE at a time, each weight receiving the same additions in the same order
 * as in the reference, so W holds the reference's bits whenever it is read (with `lowRank`, the updates of
 * a stretch are summed into one rank-2 update instead, and W differs by rounding: `sumUpdate`). The products are exact in
 * exact arithmetic; in floating point they differ from a fresh pass by rounding that accumulates over at
 * most `refreshSteps` steps. A full pass (the reference kernel) is made on the first step, whenever r_in
 * changed, r̄_in moved other than by the Euler step (an impulse, a restore), the step is not the one after
 * the last, the weights were handed out, or refreshSteps passed. A second evaluation of the same step
 * (event handling: before and after a jump, Newton iterations) with the same W, r̄_in, dr̄_in/dt and r_in
 * reuses that step's products (the same operands give the same products).
 */
export class InputProducts implements InputProductSource {
  private readonly carried: Array<Carried | null>;
  /** Full passes, carried steps and re-evaluations of a step that reused its products, for reports and tests. */
  fullPasses = 0;
  carriedSteps = 0;
  reusedEvaluations = 0;
  /** `lowrank`: updates summed into a rank-2 update, and the rank-2 updates applied to W. */
  summedUpdates = 0;
  lowRankFlushes = 0;

  /**
   * `lowRank` (DigitalOptions.inputProducts = 'lowrank'): the weight updates of a held frame are summed
   * into one rank-2 update instead of being queued one by one (see `sumUpdate`).
   */
  constructor(
    L: Layout,
    private readonly w: Workspace,
    buffers: Array<CarriedBuffers | null>,
    private readonly dtMs: number,
    private readonly refreshSteps: number,
    private readonly lowRank = false,
  ) {
    this.carried = buffers.map(() => null);
    for (const ref of L.forward) {
      const arrays = buffers[ref.index];
      if (!arrays) continue;
      const pop = L.graph.inputs[ref.p.pre.pop]!;
      const decay = pop.constantRate !== null ? 0 : 1 - dtMs / pop.tauInMs;
      this.carried[ref.index] = { ref, buf: w.proj[ref.index]!, arrays, decay, lineDecay: pop.constantRate !== null ? 1 : decay, queued: 0, queueCoef: 0, step: -1, sinceFull: 0, summed: 0, firstStep: 0 };
    }
  }

  /** Whether this projection's products are carried (an unmasked input projection at batch 1). */
  handles(ref: ProjRef): boolean {
    return this.carried[ref.index] !== null;
  }

  /**
   * The products of step `step` into buf.out (y) and buf.out2 (z), with the pending update taken over
   * (queued, buf.pendCoef = 0). Returns false, after applying the queue, when a full pass is needed: the
   * caller then makes it and reports it with `recomputed`.
   */
  carry(ref: ProjRef, step: number, rawIn: Float64Array): boolean {
    const c = this.carried[ref.index]!;
    const { buf, arrays } = c;
    const cols = ref.p.cols;
    if (c.step === step && buf.pendCoef === 0 && this.unchanged(c, rawIn, ref.preOff)) {
      // the same step evaluated again (event handling) with the same W, r̄_in, dr̄_in/dt: the same products
      buf.out.set(arrays.y);
      buf.out2.set(arrays.z);
      this.reusedEvaluations++;
      return true;
    }
    if (c.step < 0 || step !== c.step + 1 || c.sinceFull >= this.refreshSteps || !this.onEulerPath(c, rawIn, ref.preOff)) {
      this.applyQueue(c);
      return false;
    }
    const coef = buf.pendCoef;
    if (coef !== 0 && c.queued > 0 && coef !== c.queueCoef) this.applyQueue(c);
    const { y, z } = arrays;
    const rows = ref.p.rows;
    const dt = this.dtMs;
    let sy = 0;
    let sz = 0;
    if (coef !== 0) {
      for (let j = 0; j < cols; j++) {
        sy += buf.pendPre[j]! * buf.pre[j]!;
        sz += buf.pendPre[j]! * buf.preDot[j]!;
      }
    }
    const ay = coef * sy;
    const az = coef * sz;
    for (let r = 0; r < rows; r++) {
      const a = coef !== 0 ? buf.pendPost[r]! : 0;
      y[r] = y[r]! + dt * z[r]! + ay * a;
      z[r] = c.decay * z[r]! + az * a;
    }
    if (coef !== 0) {
      if (this.lowRank) this.sumUpdate(c, coef, step);
      else this.enqueue(c, coef);
    }
    buf.out.set(y);
    buf.out2.set(z);
    this.remember(c, rawIn, ref.preOff, step);
    c.sinceFull++;
    this.carriedSteps++;
    return true;
  }

  /** After the caller's full pass of step `step` (buf.out, buf.out2 exact): carry from here. */
  recomputed(ref: ProjRef, step: number, rawIn: Float64Array): void {
    const c = this.carried[ref.index]!;
    c.arrays.y.set(c.buf.out);
    c.arrays.z.set(c.buf.out2);
    this.remember(c, rawIn, ref.preOff, step);
    c.sinceFull = 0;
    this.fullPasses++;
  }

  /** Applies the queued updates to W (before W is read) and forgets the carried products. */
  release(ref: ProjRef): void {
    const c = this.carried[ref.index];
    if (!c) return;
    this.applyQueue(c);
    c.step = -1;
  }

  /** r_in unchanged and r̄_in = r̄_last + dt·ṙ_last exactly (the engine's Euler step, nothing else). */
  private onEulerPath(c: Carried, rawIn: Float64Array, off: number): boolean {
    const { lastPre, lastDot, lastRaw } = c.arrays;
    const { pre } = c.buf;
    const dt = this.dtMs;
    for (let j = 0; j < lastRaw.length; j++) {
      if (rawIn[off + j] !== lastRaw[j] || pre[j] !== lastPre[j]! + dt * lastDot[j]!) return false;
    }
    return true;
  }

  /** r_in, r̄_in and dr̄_in/dt exactly as at the last evaluation. */
  private unchanged(c: Carried, rawIn: Float64Array, off: number): boolean {
    const { lastPre, lastDot, lastRaw } = c.arrays;
    const { pre, preDot } = c.buf;
    for (let j = 0; j < lastRaw.length; j++) {
      if (rawIn[off + j] !== lastRaw[j] || pre[j] !== lastPre[j] || preDot[j] !== lastDot[j]) return false;
    }
    return true;
  }

  private remember(c: Carried, rawIn: Float64Array, off: number, step: number): void {
    const { lastPre, lastDot, lastRaw } = c.arrays;
    lastPre.set(c.buf.pre);
    lastDot.set(c.buf.preDot);
    for (let j = 0; j < lastRaw.length; j++) lastRaw[j] = rawIn[off + j]!;
    c.step = step;
  }

  private enqueue(c: Carried, coef: number): void {
    const { rows, cols } = c.ref.p;
    c.arrays.queuePost.set(c.buf.pendPost.subarray(0, rows), c.queued * rows);
    c.arrays.queuePre.set(c.buf.pendPre.subarray(0, cols), c.queued * cols);
    c.queueCoef = coef;
    c.queued++;
    c.buf.pendCoef = 0;
    if (c.queued === UPDATE_QUEUE) this.applyQueue(c);
  }

  /**
   * `lowrank`: W += coef·a pᵀ (a = pendPost, p = pendPre) summed into the held frame's rank-2 update. While
   * r_in holds still the Euler recursion keeps r̄_in, and with it p, on the line p = r_in + λ_k·d (d = the
   * first p of the stretch − r_in, λ_k = (1 − dt/τ_in)^k k steps later), so Σ coef_k a_k p_kᵀ =
   * (Σ coef_k a_k) r_inᵀ + (Σ coef_k λ_k a_k) dᵀ: O(rows + cols) a step, and one pass over W (two
   * multiply-adds a weight) at the flush, where the reference makes one a step. Equal in exact arithmetic;
   * W then differs from the reference's by the rounding of the sums and of p's distance from the line (at
   * most LOWRANK_TOLERANCE of p, per column, checked). A p off the line (or a new r_in) flushes the sums
   * and starts a new stretch at it.
   */
  private sumUpdate(c: Carried, coef: number, step: number): void {
    const { rows, cols } = c.ref.p;
    const { sumPost, sumPre, lastRaw } = c.arrays;
    const p = c.buf.pendPre;
    const a = c.buf.pendPost;
    let lambda = 1;
    if (c.summed > 0) {
      lambda = exp((step - c.firstStep) * log(c.lineDecay)); // libm: the same bits on every engine (`**` is not)
      if (!this.onLine(c, p, lastRaw, lambda)) {
        this.flushSums(c);
        lambda = 1;
      }
    }
    if (c.summed === 0) {
      // (the queue is empty here: in this mode every update is summed, none is queued)
      for (let j = 0; j < cols; j++) {
        const r = lastRaw[j]!;
        sumPre[j] = r;
        sumPre[cols + j] = p[j]! - r;
      }
      c.firstStep = step;
    }
    const cl = coef * lambda;
    for (let r = 0; r < rows; r++) {
      sumPost[r] = sumPost[r]! + coef * a[r]!;
      sumPost[rows + r] = sumPost[rows + r]! + cl * a[r]!;
    }
    c.summed++;
    this.summedUpdates++;
    c.buf.pendCoef = 0;
  }

  /** Whether p = r_in + λ·d for the stretch's r_in and d, to LOWRANK_TOLERANCE per column. */
  private onLine(c: Carried, p: Float64Array, rawIn: Float64Array, lambda: number): boolean {
    const cols = c.ref.p.cols;
    const { sumPre } = c.arrays;
    for (let j = 0; j < cols; j++) {
      const r = sumPre[j]!;
      if (r !== rawIn[j]) return false;
      const ld = lambda * sumPre[cols + j]!;
      const tol = LOWRANK_TOLERANCE * (Math.abs(p[j]!) + Math.abs(r) + Math.abs(ld)) + LOWRANK_ABSOLUTE_SLACK;
      if (!(Math.abs(p[j]! - r - ld) <= tol)) return false;
    }
    return true;
  }

  /** Applies the summed rank-2 update to W (before W is read or a new stretch starts). */
  private flushSums(c: Carried): void {
    if (c.summed === 0) return;
    const { rows, cols } = c.ref.p;
    this.w.kernels.rankUpdate(c.buf.W, null, rows, cols, 2, 1, c.arrays.sumPost, c.arrays.sumPre);
    c.arrays.sumPost.fill(0);
    c.summed = 0;
    this.lowRankFlushes++;
  }

  private applyQueue(c: Carried): void {
    this.flushSums(c);
    if (c.queued === 0) return;
    const { rows, cols } = c.ref.p;
    // sample-major operands of a rank-K update: each weight gets the K additions oldest first, as step by step
    this.w.kernels.rankUpdate(c.buf.W, null, rows, cols, c.queued, c.queueCoef, c.arrays.queuePost, c.arrays.queuePre);
    c.queued = 0;
  }
}
