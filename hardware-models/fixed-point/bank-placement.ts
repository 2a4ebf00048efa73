import type { CoreProgram, Instr } from './core-program.js';
import { ALL_READ_BANKS, bankList, READ_ROLES, roleReads, type ReadBanks, type ReadRole } from './vcore-rtl-limits.js';

/** A build's vector banks, as placement sees them. */
export type BankShape = { words: number; bits: number };

/**
 * Places a program's vector banks onto a core build's banks: program bank b goes to build bank `perm[b]`, one each,
 * with at least its words and bits, and on a bank that every operand role reading it reaches (`readBanks`, the
 * build's read muxes; without it every role reads every bank). Widest program bank first, each trying the narrowest,
 * then smallest, free build bank that holds it and backtracking when a later bank finds no place (at most 8 banks:
 * 8! = 40,320 placements at worst, the first best fit in practice). Returns the placement, or the clauses saying
 * which banks found no place.
 */
export function placeBanks(prog: Pick<CoreProgram, 'banks' | 'code'>, build: ReadonlyArray<BankShape>, readBanks: ReadBanks = ALL_READ_BANKS): { perm: number[] } | { problems: string[] } {
  const order = prog.banks.map((_, b) => b).sort((a, b) => prog.banks[b]!.bits - prog.banks[a]!.bits || prog.banks[b]!.words - prog.banks[a]!.words);
  const roles = rolesPerBank(prog.banks.length, prog.code);
  const holds = (b: number, j: number) => build[j]!.bits >= prog.banks[b]!.bits && build[j]!.words >= prog.banks[b]!.words;
  const reaches = (b: number, j: number) => READ_ROLES.every((r) => !roles[b]!.has(r) || (readBanks[r] >> j) & 1);
  const byFit = build.map((_, j) => j).sort((x, y) => build[x]!.bits - build[y]!.bits || build[x]!.words - build[y]!.words);
  const perm = new Array<number>(prog.banks.length).fill(-1);
  const used = new Set<number>();
  const place = (k: number, ok: (b: number, j: number) => boolean): boolean => {
    if (k === order.length) return true;
    const b = order[k]!;
    for (const j of byFit) {
      if (used.has(j) || !ok(b, j)) continue;
      perm[b] = j;
      used.add(j);
      if (place(k + 1, ok)) return true;
      used.delete(j);
    }
    perm[b] = -1;
    return false;
  };
  if (place(0, (b, j) => holds(b, j) && reaches(b, j))) return { perm };
  // no placement: by size alone (then the ports are why), or not even that (the banks that find no place)
  const bySize = place(0, holds);
  return { problems: bySize ? [noReach(prog.banks, build.length, roles, readBanks)] : noPlace(prog.banks, build, order, holds) };
}

/** The roles that read each program bank (roleReads over the code). */
function rolesPerBank(n: number, code: Instr[]): Array<Set<ReadRole>> {
  const roles = Array.from({ length: n }, () => new Set<ReadRole>());
  for (const ins of code) for (const r of roleReads(ins)) roles[r.a.bank]?.add(r.role);
  return roles;
}

/**
 * The banks that find no place by size: each bank, widest first, given the narrowest free bank that holds it (the
 * search's first branch: where the search by size fails, this names at least one bank).
 */
function noPlace(banks: CoreProgram['banks'], build: ReadonlyArray<BankShape>, order: number[], holds: (b: number, j: number) => boolean): string[] {
  const free = new Set(build.map((_, j) => j));
  const problems: string[] = [];
  for (const b of order) {
    const fits = [...free].filter((j) => holds(b, j)).sort((x, y) => build[x]!.bits - build[y]!.bits || build[x]!.words - build[y]!.words);
    if (fits.length === 0) {
      const need = banks[b]!;
      problems.push(`a bank of ${need.words} words × ${need.bits} bits (${need.vectors.slice(0, 3).join(', ')}${need.vectors.length > 3 ? ', …' : ''}), and no free bank of the core holds it (${build.map((k) => `${k.words}×${k.bits}`).join(', ')})`);
      continue;
    }
    free.delete(fits[0]!);
  }
  return problems;
}

/** Why the ports refuse a placement the sizes allow: which roles read each bank, which banks each port reaches. */
function noReach(banks: CoreProgram['banks'], nBuild: number, roles: Array<Set<ReadRole>>, readBanks: ReadBanks): string {
  const reads = banks.map((k, b) => `${k.words}×${k.bits} read as ${READ_ROLES.filter((r) => roles[b]!.has(r)).map((r) => r.toUpperCase()).join('') || '-'}`).join(', ');
  const reach = READ_ROLES.map((r) => `${r.toUpperCase()} banks ${bankList(readBanks[r] & (2 ** nBuild - 1))}`).join('; ');
  return `a placement of its ${banks.length} banks (${reads}) where every operand role reaches the banks it reads, and the core's read ports reach: ${reach}`;
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
