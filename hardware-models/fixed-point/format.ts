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

/**
 * Where the core's multipliers take their operands from: a NumberFormat names, for each kind of
 * operand, the rounded right shift that slices it out of its stored value (shr, then saturation to
 * `operandBits` signed bits, counted), and the width of the datapath weights. Stored values keep the
 * formats above (S, U, D, Q3.28 registers); only what enters a multiplier changes, and each product is
 * brought back to its format with the shift reduced by the operands' slice shifts (negative = exact
 * left shift). WIDE (all slices 0, unlimited widths) is the core of docs/protocol.md bit for bit.
 */
export interface NumberFormat {
  readonly name: string;
  /** Wq = shr(W, weightShift) saturated to weightBits signed: Q3.(28 − weightShift). */
  readonly weightShift: number;
  readonly weightBits: number;
  /** Width of every other multiplier operand (signed); Infinity: no limit. */
  readonly operandBits: number;
  /** Width of the unsigned factors dt/τ, dt/τ_in, β, η·dt: a mantissa of at most this many bits with a per-factor shift (the exponent); Infinity: the register as is. */
  readonly factorBits: number;
  /** Slice shifts: the operand is shr(x, shift) of the stored value. */
  readonly slice: {
    /** S values ρ, ρ', ρ'', s_in (Q3.16) → Q3.(16 − signal). */
    readonly signal: number;
    /** the mismatch m (U, Q3.24) → Q.(24 − mismatch); WIDE's m̂ = shr(m, 8). */
    readonly mismatch: number;
    /** c = W_netᵀ m̂ (U) → Q.(24 − error). */
    readonly error: number;
    /** u* − u and u* − u*prev (U) → Q.(24 − state). */
    readonly state: number;
    /** D values Δ, d_in, g, a, q, ρ'Δ, p − wt (Q0.24) → Q0.(24 − inc). */
    readonly inc: number;
    /** R = Σ r̄² and M = Σ m̂² (Q.16) → Q.(16 − sumSq). */
    readonly sumSq: number;
    /** t = m̂ r̄ and the rank-one terms (Q.16) before they multiply η·dt → Q.(16 − rank). */
    readonly rank: number;
  };
  /** Fractional bits of κ = ρ''·c (WIDE: 16, an S value). */
  readonly kappaFrac: number;
  /**
   * The decay products k·f and k_in·(r_in − r̄_in): 'whole' multiplies the whole U value (WIDE; with
   * 16-bit operands it would take two partial products, high 16 bits signed and low 12 bits unsigned);
   * a number is a slice shift like the others.
   */
  readonly decay: 'whole' | number;
  /**
   * The weight update: 'chain' is W += shr(shr(m̂·r̄, 16)·ηdt, 12) (two chained products per synapse,
   * WIDE); 'row' forms em = shr(e·m, 16) (e the 16-bit mantissa of ηdt, m the whole U value: two
   * partial products, em < 2²⁷) once per row and adds shr(em·r̄, 20 − e's exponent − slice.signal) per synapse (two
   * partial products of r̄ with em's 16 high and 12 low bits), so that no slice of m limits the update.
   */
  readonly plasticity: 'chain' | 'row';
}

/** The formats of docs/protocol.md: 20-bit datapath weights and signals, 24- and 28-bit operands. */
export const WIDE: NumberFormat = {
  name: 'WIDE',
  weightShift: DATAPATH_SHIFT,
  weightBits: 20,
  operandBits: Infinity,
  factorBits: Infinity,
  slice: { signal: 0, mismatch: GUARD, error: 0, state: 0, inc: 0, sumSq: 0, rank: 0 },
  kappaFrac: SIGNAL_FRAC,
  decay: 'whole',
  plasticity: 'chain',
};

/**
 * Every product 16×16 with signed operands (iCE40 UP5K SB_MAC16), a study: bench/format-study.ts
 * measures it against the float engine (about 3x WIDE's error; inside the bounds of
 * test/board/fixed-point.test.ts), test/board/narrow-format.test.ts holds it. Multiplier operands:
 * datapath weights Q2.13 (shr(W, 15), saturating at ±4: the main source of error; Q3.12 weights would
 * leave the inference bound), ρ, ρ', ρ'', s_in Q3.12, m and c Q3.12, u* − u Q3.12, f and r_in − r̄_in
 * (the decays) Q2.13, increments Q0.19 (±1/16), R and M Q7.8, rank-one terms Q4.11, κ Q.18 (±1/8);
 * dt/τ, dt/τ_in, β and η·dt as 15-bit mantissas with an exponent (non-negative, so signed 16 too). One
 * product takes two partial products: the weight update (em = ηdt·m per row from the whole m, em·r̄
 * per synapse); with 16-bit slices of m its rounding accumulates over the steps. Accumulators:
 * |Σ| < 2¹⁵·2¹⁵·2¹⁰ = 2⁴⁰ for fan-in ≤ 1024 (41 bits). Image, codec and protocol are WIDE's.
 */
export const UP5K16: NumberFormat = {
  name: 'UP5K16',
  weightShift: 15,
  weightBits: 16,
  operandBits: 16,
  factorBits: 15,
  slice: { signal: 4, mismatch: 12, error: 12, state: 12, inc: 5, sumSq: 8, rank: 5 },
  kappaFrac: 18,
  decay: 11,
  plasticity: 'row',
};

/** Saturation to a signed width (Infinity: none). */
export function clampBits(x: number, bits: number): number {
  if (bits === Infinity) return x;
  const hi = 2 ** (bits - 1) - 1;
  return x > hi ? hi : x < -hi - 1 ? -hi - 1 : x;
}

/** A factor register as mantissa·2^shift with a mantissa of at most `bits` unsigned bits (rounded). */
export function factorOf(x: number, bits: number): { mant: number; shift: number } {
  let shift = 0;
  let mant = x;
  while (mant >= 2 ** bits) mant = shr(x, ++shift);
  return { mant, shift };
}

/** The datapath weight: the register's top 20 bits, rounded (shr by 12), saturated to Q3.16. */
export function datapath(w: number): number {
  const x = shr(w, DATAPATH_SHIFT);
  return x > SIGNAL_MAX ? SIGNAL_MAX : x;
}

/** The datapath weight of a format: datapath(w) for WIDE, else shr(w, weightShift) saturated to weightBits. */
export function datapathOf(w: number, fmt: NumberFormat): number {
  return fmt === WIDE ? datapath(w) : clampBits(shr(w, fmt.weightShift), fmt.weightBits);
}
