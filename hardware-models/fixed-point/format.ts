/**
 * The board's number formats and arithmetic (docs/protocol.md, "Fixed-point core"). Integers are held
 * in JavaScript numbers, which represent every integer below 2⁵³ exactly; the formats keep every
 * product and sum below that, so each operation is the exact integer operation an FPGA performs.
 *
 * - S, signals on the wire and into the weight memory (rates, inputs, targets, probes): Q3.16 in 20
 *   bits, saturating to [−2¹⁹, 2¹⁹ − 1], i.e. [−8, 8 − 2⁻¹⁶];
 * - U, integrated state (voltages u, filtered inputs r̄_in, mismatch m, error ē, f): Q3.24 in 28 bits,
 *   the signal with 8 guard bits. The decay factor dt/τ is small (2⁻⁷ at dt = τ/100): k·f in Q3.16
 *   would round to 0 for |f| < 2⁷ LSB, a dead zone in which u drifts; the guard bits shrink it to
 *   below one signal LSB;
 * - D, increments per step (Δ = dt·u̇, d_in, the right-hand side b and H·Δ): Q0.24 in 24 bits,
 *   saturating to ±2⁻¹ (a voltage change of half a unit in one step is far outside normal dynamics);
 * - weights: 32-bit registers in Q3.28; the datapath uses the top 20 bits, shr(w, 12) (rounded, and
 *   saturated to 2¹⁹ − 1), as a Q3.16 weight;
 * - factors: dt/τ and dt/τ_in unsigned Q0.24, β unsigned Q8.16, η·dt unsigned Q0.24;
 * - accumulators: 53 bits. A fan-in of at most 1024 keeps Σ W·x below 2⁵² for x in D (2¹⁹·2²³·2¹⁰);
 * - every right shift rounds half up: shr(x, s) = ⌊(x + 2^(s−1)) / 2^s⌋.
 */
export const SIGNAL_FRAC = 16;
export const WEIGHT_FRAC = 28;
export const DATAPATH_SHIFT = WEIGHT_FRAC - SIGNAL_FRAC;
export const SIGNAL_MAX = 2 ** 19 - 1;
export const SIGNAL_MIN = -(2 ** 19);
export const ONE = 2 ** SIGNAL_FRAC;
export const MAX_FAN = 1024;
/** Guard bits of state (U) over signals (S), and the fractional bits of U and D. */
export const GUARD = 8;
export const STATE_FRAC = SIGNAL_FRAC + GUARD;
export const STATE_MAX = 2 ** 27 - 1;
export const STATE_MIN = -(2 ** 27);
export const INC_MAX = 2 ** 23 - 1;
export const INC_MIN = -(2 ** 23);
/** Largest β register (Q8.16). */
export const BETA_MAX_Q16 = 2 ** 24 - 1;

const HALF = Float64Array.from({ length: 64 }, (_, s) => (s === 0 ? 0 : 2 ** (s - 1)));
const INV = Float64Array.from({ length: 64 }, (_, s) => 2 ** -s);

/**
 * Rounded arithmetic right shift (round half up): ⌊(x + 2^(s−1)) / 2^s⌋ for integers |x| < 2⁵³. The
 * multiplication by 2^−s is exact in binary floating point, so this is the integer operation.
 */
export function shr(x: number, s: number): number {
  return Math.floor((x + HALF[s]!) * INV[s]!);
}

/** Saturation of a signal to Q3.16 in 20 bits. */
export function sat(x: number): number {
  return x > SIGNAL_MAX ? SIGNAL_MAX : x < SIGNAL_MIN ? SIGNAL_MIN : x;
}

export function toSignal(v: number): number {
  return sat(Math.round(v * ONE));
}

export function fromSignal(q: number): number {
  return q / ONE;
}

/** Weight register (Q3.28, int32) from a real weight, saturating. */
export function toWeight(w: number): number {
  const q = Math.round(w * 2 ** WEIGHT_FRAC);
  return q > 0x7fffffff ? 0x7fffffff : q < -0x80000000 ? -0x80000000 : q;
}

/** The datapath weight: the register's top 20 bits, rounded (shr by 12), saturated to Q3.16. */
export function datapath(w: number): number {
  const x = shr(w, DATAPATH_SHIFT);
  return x > SIGNAL_MAX ? SIGNAL_MAX : x;
}
