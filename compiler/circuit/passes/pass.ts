import type { Profile } from '../../../hardware-models/profiles/profile.js';
import type { CircuitIR } from '../ir.js';

/** What every pass may read besides its input: the profile, the mismatch seed, and earlier circuits. */
export interface PassContext {
  readonly profile: Profile;
  /** Seed of the mismatch draw (recorded in the circuit). */
  readonly seed: number;
  /** The circuit before device variation (after quantise): the reference calibration trims towards. */
  readonly nominal?: CircuitIR;
}

/**
 * A compiler pass: a new circuit from its input (the graph for `scale`, the circuit so far for the
 * others), which it never modifies, with its report appended under its name. Same input and context:
 * the same circuit, bit for bit. Fixture tests (test/analog/passes.test.ts) hold every pass to this.
 */
export interface Pass<In = CircuitIR> {
  readonly name: string;
  run(input: In, ctx: PassContext): CircuitIR;
}
