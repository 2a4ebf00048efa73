import type { CoreProgram } from './core-program.js';

/** A build's vector banks, as placement sees them. */
export type BankShape = { words: number; bits: number };

/**
 * Places a program's vector banks onto a core build's banks: program bank b goes to build bank `perm[b]`, one each,
 * with at least its words and bits. Best fit, widest program bank first (each takes the narrowest, then smallest,
 * free build bank that holds it). Returns the placement, or the clauses saying which banks found no place.
 */
export function placeBanks(prog: Pick<CoreProgram, 'banks'>, build: ReadonlyArray<BankShape>): { perm: number[] } | { problems: string[] } {
  const order = prog.banks.map((_, b) => b).sort((a, b) => prog.banks[b]!.bits - prog.banks[a]!.bits || prog.banks[b]!.words - prog.banks[a]!.words);
  const free = new Set(build.map((_, j) => j));
  const perm = new Array<number>(prog.banks.length).fill(-1);
  const problems: string[] = [];
  for (const b of order) {
    const need = prog.banks[b]!;
    const fits = [...free].filter((j) => build[j]!.bits >= need.bits && build[j]!.words >= need.words);
    fits.sort((x, y) => build[x]!.bits - build[y]!.bits || build[x]!.words - build[y]!.words);
    if (fits.length === 0) {
      problems.push(`a bank of ${need.words} words × ${need.bits} bits (${need.vectors.slice(0, 3).join(', ')}${need.vectors.length > 3 ? ', …' : ''}), and no free bank of the core holds it (${build.map((k) => `${k.words}×${k.bits}`).join(', ')})`);
      continue;
    }
    perm[b] = fits[0]!;
    free.delete(fits[0]!);
  }
  return problems.length ? { problems } : { perm };
}

/**
 * The program with its banks renumbered (bank b becomes perm[b]): every address in the code, the vectors and the
 * interface maps; the banks listed up to the highest used, a build bank no program bank uses as one word of one bit
 * (nothing reads it).
 */
export function permuteBanks(prog: CoreProgram, perm: number[]): CoreProgram {
  const n = Math.max(...perm) + 1;
  const banks: CoreProgram['banks'] = Array.from({ length: n }, () => ({ words: 1, bits: 1, vectors: [] }));
  prog.banks.forEach((b, k) => (banks[perm[k]!] = b));
  return { ...prog, banks, code: remap(prog.code, perm), vectors: remap(prog.vectors, perm), io: remap(prog.io, perm) };
}

/** A deep copy of x with every address ({ bank, word, … }) moved to its new bank. */
function remap<T>(x: T, perm: number[]): T {
  if (Array.isArray(x)) return x.map((e) => remap(e, perm)) as T;
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return x;
  const o = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = remap(v, perm);
  if (typeof o.bank === 'number' && typeof o.word === 'number') {
    const to = perm[o.bank];
    if (to === undefined) throw new Error(`bank placement: an address in bank ${o.bank}, which the program does not have`);
    out.bank = to;
  }
  return out as T;
}
