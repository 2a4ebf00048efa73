/**
 * What drives a network over time: input rates and output targets, per batch sample. Every engine
 * (digital, analog, SPICE, board) reads the same Drive, so their runs are comparable.
 *
 * Contract: `inputs` and `targets` give right-continuous values at time t (ms). Discontinuities that the
 * dynamics must treat as events (a delta in an input rate, a step in a target) are announced by
 * `impulses` and `targetJumps`; a step in an input *rate* needs no event, since the input low-pass keeps
 * r̄_in continuous.
 */
export interface Drive {
  /** Number of input channels (the graph's stimulus-driven inputs). */
  readonly inputChannels: number;
  /** Number of target channels (the graph's output neurons), or 0 when there are no targets. */
  readonly targetChannels: number;
  /** Raw input rates r_in(t) of sample b into out[offset … offset + inputChannels). */
  inputs(tMs: number, sample: number, out: Float64Array, offset: number): void;
  /**
   * Target voltages u*(t) of sample b and their slopes (du* per ms) into value/slope at offset. NaN in
   * `value` means "this output is not nudged now".
   */
  targets(tMs: number, sample: number, value: Float64Array, slope: Float64Array, offset: number): void;
  /** Input impulses (delta events) with time in (t0, t1]: the integral of the rate, per channel. */
  impulses(t0: number, t1: number, sample: number): Impulse[];
  /** Whether a target value jumps at some time in (t0, t1]. */
  targetJumps(t0: number, t1: number): boolean;
  /**
   * Times in (t0, t1] where an input or target is not smooth (a jump or a kink: table rows, steps,
   * impulses), ascending. Continuous-time engines stop their integrator there and restart.
   */
  breakpoints(t0: number, t1: number): number[];
}

/** A delta event on one input channel at time `tMs` (model ms). */
export interface Impulse {
  channel: number;
  /** ∫ r_in dt over the delta, in rate·ms; it raises r̄_in by area/τ_in. */
  area: number;
  tMs: number;
}
