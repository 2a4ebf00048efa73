import { TABLE_KNOTS } from './image.js';

/**
 * The vector core's knot words: how the RTL holds an activation table (gateware/vcore/vcore.v reads one word a lerp).
 * Knot i of the image's tables (i = slot·3·257 + j·257 + k; j = 0 ρ, 1 ρ′, 2 ρ″; k = 0..256) is one 32-bit word:
 * bits 17..0 the knot value T[i] (signed, 18 bits), bits 31..18 the step to the next knot ΔT = T[i+1] − T[i] (signed,
 * 14 bits; 0 at the last knot k = 256). A lerp is then T + shr(ΔT·f, 12), which is the program machine's
 * T[k] + shr((T[k+1] − T[k])·f, 12) exactly when both fields hold their values. A table whose values or steps do not
 * fit cannot run on the core: `knotProblems` names the first such knot of each table, and the image check refuses it.
 */
export const KNOT_T_BITS = 18;
export const KNOT_DT_BITS = 14;

const fits = (v: number, bits: number) => v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1);
const signed = (v: number, bits: number) => ((v << (32 - bits)) >> (32 - bits));

/** Where knot i sits: its slot, its table (0 ρ, 1 ρ′, 2 ρ″) and its knot index. */
export function knotPlace(i: number): { slot: number; j: number; k: number } {
  return { slot: Math.floor(i / (3 * TABLE_KNOTS)), j: Math.floor(i / TABLE_KNOTS) % 3, k: i % TABLE_KNOTS };
}

/** ΔT of knot i of `tables` (0 at a table's last knot). */
export function knotStep(tables: ArrayLike<number>, i: number): number {
  return i % TABLE_KNOTS === TABLE_KNOTS - 1 ? 0 : tables[i + 1]! - tables[i]!;
}

/** Knot i's word, as the host writes it (`VcorePort.knotWrite`). Throws if T or ΔT does not fit (check first). */
export function knotWord(tables: ArrayLike<number>, i: number): number {
  const problem = knotProblem(tables, i);
  if (problem) throw new Error(problem);
  const t = tables[i]!;
  return ((t & 0x3ffff) | ((knotStep(tables, i) & 0x3fff) << KNOT_T_BITS)) >>> 0;
}

/** A knot word's two fields, sign-extended. */
export function unpackKnot(word: number): { t: number; dt: number } {
  return { t: signed(word & 0x3ffff, KNOT_T_BITS), dt: signed(word >>> KNOT_T_BITS, KNOT_DT_BITS) };
}

/**
 * Why knot i does not fit a knot word (null when it does), naming slot, table and knot: its value, then its step
 * (`only`: check just one of the two).
 */
export function knotProblem(tables: ArrayLike<number>, i: number, only?: 'value' | 'step'): string | null {
  const { slot, j, k } = knotPlace(i);
  const name = `table slot ${slot} ${['ρ', 'ρ′', 'ρ″'][j]} knot ${k}`;
  const t = tables[i]!;
  if (only !== 'step' && !fits(t, KNOT_T_BITS)) return `${name}: value ${t} does not fit ${KNOT_T_BITS} signed bits`;
  if (only === 'value') return null;
  const dt = knotStep(tables, i);
  if (!fits(dt, KNOT_DT_BITS)) return `${name}: step to the next knot ${dt} does not fit ${KNOT_DT_BITS} signed bits`;
  return null;
}

/** The first knot of each table that does not fit, one clause each (empty when all fit). */
export function knotProblems(tables: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let start = 0; start < tables.length; start += TABLE_KNOTS) {
    for (let i = start; i < Math.min(tables.length, start + TABLE_KNOTS); i++) {
      const p = knotProblem(tables, i);
      if (p) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}
