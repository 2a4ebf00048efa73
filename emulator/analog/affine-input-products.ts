import type { InputProductSource } from '../digital/input-product-source.js';
import type { CarriedBuffers } from '../digital/input-products.js';
import type { Layout, ProjRef } from '../digital/layout.js';
import type { ProjBuffers, Workspace } from '../digital/workspace.js';

/**
 * How far a column may lie off the family and still use it, in units of its own magnitude
 * (|r̄_j| + |r_in,j| + |c·d_j|): a few roundings of the solver's stage sums. A finite-difference probe of
 * the Jacobian (a relative step of about 1.5·10⁻⁸) is far outside.
 */
export const AFFINE_TOLERANCE = 16 * Number.EPSILON;

/** One input projection whose weights hold still during the run. */
interface Entry {
  ref: ProjRef;
  buf: ProjBuffers;
  /** lastRaw: r_in of the stretch; lastDot: d = r̄_a − r_in; y: W r_in; z: W d (arena arrays: kernel operands). */
  arrays: CarriedBuffers;
  /** τ_in of every column (one low-pass time constant for the population), model ms; Infinity for a constant-rate input. */
  tauMs: number;
  /** Whether y, z describe a stretch; the column of the largest |d|. */
  valid: boolean;
  pivot: number;
}

/**
 * The analog emulator's input products from an affine family (Workspace.inputProducts of AnalogSystem).
 *
 * While the raw input r_in and a projection's weights W hold still, the input low-pass τ_in dr̄/dt = r_in − r̄
 * (one τ_in for the projection's input population) is linear with constant coefficients. Every state a
 * Runge–Kutta or Rosenbrock method builds from a point r̄_a of such a stretch (a stage, an accepted or a
 * rejected step, a dense-output point) is then r̄ = r_in + c·d with d = r̄_a − r_in and one scalar c. So
 *
 *   W r̄ = W r_in + c·W d,     W dr̄/dt = −(c/τ_in)·W d,
 *
 * O(rows) per evaluation from two products made once per stretch in one pass over W, where the plain
 * evaluation makes two products in a pass over W at every evaluation (about seven per DOPRI5 step). The
 * right-hand side is the same function of the state, to rounding: each evaluation finds c from the column
 * with the largest |d| and checks every column against the family (to AFFINE_TOLERANCE of each column's
 * magnitude, O(cols)). Where the state is off the family (an impulse, a new input value, a finite-difference
 * probe of the Jacobian) or r_in changed, the stretch restarts at this state, which costs the pass the plain
 * evaluation makes. Projections whose weights change during the run (plasticity) are not handled.
 */
export class AffineInputProducts implements InputProductSource {
  private readonly entries: Array<Entry | null>;
  /** Stretches started (a pass over W each) and evaluations served from a stretch, for reports and tests. */
  stretches = 0;
  derived = 0;

  /**
   * `buffers`: the workspace's carried arrays (Workspace with carryInputs); `stimulusTauMs`: τ_in of every
   * stimulus input, as the emulator integrates the low-pass; `fixed(k)`: whether projection k's weights hold
   * still during runs.
   */
  constructor(L: Layout, private readonly w: Workspace, buffers: Array<CarriedBuffers | null>, stimulusTauMs: Float64Array, fixed: (k: number) => boolean) {
    this.entries = buffers.map(() => null);
    for (const ref of L.forward) {
      const arrays = buffers[ref.index];
      if (!arrays || !fixed(ref.index) || ref.p.pre.type !== 'input') continue;
      const pop = L.graph.inputs[ref.p.pre.pop]!;
      const taus = pop.constantRate !== null ? [Infinity] : Array.from(stimulusTauMs.subarray(ref.preOff, ref.preOff + ref.p.cols));
      if (taus.length === 0 || taus.some((t) => t !== taus[0])) continue; // mismatched RC filters: no single family
      this.entries[ref.index] = { ref, buf: w.proj[ref.index]!, arrays, tauMs: taus[0]!, valid: false, pivot: 0 };
    }
  }

  handles(ref: ProjRef): boolean {
    return this.entries[ref.index] !== null;
  }

  carry(ref: ProjRef, _step: number, rawIn: Float64Array): boolean {
    const e = this.entries[ref.index]!;
    if (e.buf.pendCoef !== 0) {
      e.valid = false;
      return false;
    }
    let c = e.valid ? this.onFamily(e, rawIn, ref.preOff) : NaN;
    if (c !== c) {
      this.startStretch(e, rawIn, ref.preOff);
      c = 1;
    } else this.derived++;
    const { y, z } = e.arrays;
    const { out, out2 } = e.buf;
    const k = -c / e.tauMs;
    for (let r = 0; r < ref.p.rows; r++) {
      out[r] = y[r]! + c * z[r]!;
      out2[r] = k * z[r]!;
    }
    return true;
  }

  recomputed(): void {}

  release(ref: ProjRef): void {
    const e = this.entries[ref.index];
    if (e) e.valid = false;
  }

  /** c with r̄ = r_in + c·d for this evaluation's r̄ (buf.pre), or NaN when r_in changed or r̄ is off the family. */
  private onFamily(e: Entry, rawIn: Float64Array, off: number): number {
    const { lastRaw, lastDot } = e.arrays;
    const pre = e.buf.pre;
    const n = lastRaw.length;
    for (let j = 0; j < n; j++) if (rawIn[off + j] !== lastRaw[j]) return NaN;
    const dp = lastDot[e.pivot]!;
    const c = dp !== 0 ? (pre[e.pivot]! - lastRaw[e.pivot]!) / dp : 0;
    for (let j = 0; j < n; j++) {
      const cd = c * lastDot[j]!;
      const tol = AFFINE_TOLERANCE * (Math.abs(pre[j]!) + Math.abs(lastRaw[j]!) + Math.abs(cd));
      if (!(Math.abs(pre[j]! - lastRaw[j]! - cd) <= tol)) return NaN;
    }
    return c;
  }

  /** A stretch from this evaluation's r̄ and r_in: d = r̄ − r_in, then W r_in and W d in one pass over W. */
  private startStretch(e: Entry, rawIn: Float64Array, off: number): void {
    const { lastRaw, lastDot, y, z } = e.arrays;
    const { buf, ref } = e;
    const pre = buf.pre;
    let big = -1;
    for (let j = 0; j < lastRaw.length; j++) {
      const r = rawIn[off + j]!;
      lastRaw[j] = r;
      lastDot[j] = pre[j]! - r;
      if (Math.abs(lastDot[j]!) > big) {
        big = Math.abs(lastDot[j]!);
        e.pivot = j;
      }
    }
    this.w.kernels.fusedUpdateGemv(buf.W, null, ref.p.rows, ref.p.cols, 1, 0, buf.pendPost, buf.pendPre, lastRaw, y, lastDot, z);
    e.valid = true;
    this.stretches++;
  }
}
