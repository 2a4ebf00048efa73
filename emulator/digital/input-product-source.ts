import type { ProjRef } from './layout.js';

/**
 * Where forwardPass (forward-pass.ts) gets an input projection's products y = W r̄_in (into buf.out) and
 * z = W dr̄_in/dt (into buf.out2) other than by its own pass over W. Two implementations: the digital
 * engine's carried products (input-products.ts, DigitalOptions.inputProducts = 'incremental' or 'lowrank') and the
 * analog emulator's affine family (analog/affine-input-products.ts).
 *
 * Contract: products handed out are those of the W, r̄_in (buf.pre), dr̄_in/dt (buf.preDot) and raw input
 * r_in of this evaluation, to rounding; a source that cannot vouch for that returns false and lets the
 * plain pass run. Whoever writes or reads W outside forwardPass calls `release` first.
 */
export interface InputProductSource {
  /** Whether forwardPass asks this source for the projection's products. */
  handles(ref: ProjRef): boolean;
  /**
   * The products of this evaluation (the simulator's step `step`, raw input `rawIn` at the projection's
   * offset) into buf.out and buf.out2. False: forwardPass makes its full pass, then calls `recomputed`.
   */
  carry(ref: ProjRef, step: number, rawIn: Float64Array): boolean;
  /** After forwardPass's own full pass (buf.out, buf.out2 exact for this evaluation). */
  recomputed(ref: ProjRef, step: number, rawIn: Float64Array): void;
  /** W is about to be read or written outside forwardPass: apply whatever is pending, forget what is carried. */
  release(ref: ProjRef): void;
}
