import type { Addr, Factor, Instr, Src } from '../../hardware-models/fixed-point/core-program.js';
import { CLAMP_CODE, opFields, type FieldPos } from '../../hardware-models/fixed-point/core-program-encode.js';

/**
 * For every field of every op (opFields): how to put a raw value v (0..max) into an instruction (`make`) and read
 * it back from a decoded one (`read`), so a test can check that the encoder puts the value at opFields' position.
 * The programs use FIELD_K: register 1 is ONE (the bypass), the others mantissa 2, exponent 0; β is register 0.
 */
export interface FieldCase {
  max: number;
  make: (v: number) => Instr;
  read: (ins: Instr) => number;
}

/** K registers for the field cases (2048: an 11-bit K index). */
export const FIELD_K: Factor[] = Array.from({ length: 2048 }, (_, i) => ({ mant: i === 1 ? 1 : 2, exp: 0 }));

/** Bits [lsb, lsb + width) of instruction pc in encoded words. */
export function readField(words: Uint32Array, pc: number, [lsb, width]: FieldPos): number {
  let v = 0;
  for (let b = 0; b < width; b++) {
    const pos = lsb + b;
    if ((words[4 * pc + (pos >> 5)]! >>> (pos & 31)) & 1) v += 2 ** b;
  }
  return v;
}

type R = Record<string, unknown>;
const A = (v: number): Addr => ({ bank: v >> 8, word: v & 255 });
const av = (a: unknown): number => ((a as Addr).bank << 8) | (a as Addr).word;
const CLAMPS = Object.keys(CLAMP_CODE);

/** A case that sets `key` of the instruction `base(v)` builds. */
function mk(max: number, base: (v: number) => R, read: (i: R) => number): FieldCase {
  return { max, make: (v) => base(v) as unknown as Instr, read: (i) => read(i as unknown as R) };
}

const E0 = (): R => ({ op: 'E', n: 0, dst: A(0), clamp: 'none', count: false, a: null, aNeg: false, x: null, y: null, sh: -15, useExp: false, pNeg: false, mask: null });
type VSrc = { m: 'v' | 'b'; a: Addr; sl: { s: number; clip: boolean }; shl?: number; sub?: Addr };
const V = (o: Partial<VSrc> = {}): VSrc => ({ m: 'v', a: A(0), sl: { s: 0, clip: false }, ...o });

/** The cases of a source port's fields (X or Y). */
function srcCases(p: 'x' | 'y'): Record<string, FieldCase> {
  const set = (s: Src | null) => ({ ...E0(), [p]: s });
  const get = (i: R) => i[p] as Record<string, unknown> | null;
  const modes: Array<Src | null> = [null, V(), { ...V(), m: 'b' }, { m: 'k', k: 2 }];
  return {
    [`${p}mode`]: mk(p === 'x' ? 3 : 2, (v) => set(modes[v]!), (i) => (get(i) === null ? 0 : ['v', 'b', 'k'].indexOf(get(i)!.m as string) + 1)),
    [`${p}addr`]: mk(2047, (v) => set(V({ a: A(v) })), (i) => av(get(i)!.a)),
    [`${p}s`]: mk(15, (v) => set(V({ sl: { s: v, clip: true } })), (i) => (get(i)!.sl as { s: number }).s),
    [`${p}clip`]: mk(1, (v) => set(V({ sl: { s: 4, clip: v === 1 } })), (i) => ((get(i)!.sl as { clip: boolean }).clip ? 1 : 0)),
    [`${p}shl8`]: mk(1, (v) => set(V(v ? { shl: 8 } : {})), (i) => (get(i)!.shl === 8 ? 1 : 0)),
    [`${p}sub_en`]: mk(1, (v) => set(V(v ? { sub: A(5) } : {})), (i) => (get(i)!.sub ? 1 : 0)),
    [`${p}sub`]: mk(2047, (v) => set(V({ sub: A(v) })), (i) => av(get(i)!.sub)),
  };
}

function eCases(): Record<string, FieldCase> {
  const f = (key: string, max: number, put: (v: number) => unknown, get: (x: unknown) => number) => mk(max, (v) => ({ ...E0(), [key]: put(v) }), (i) => get(i[key]));
  const flag = (key: string) => f(key, 1, (v) => v === 1, (x) => (x ? 1 : 0));
  return {
    n: f('n', 511, (v) => v, Number),
    dst: f('dst', 2047, A, av),
    clamp: f('clamp', 5, (v) => CLAMPS[v], (x) => CLAMPS.indexOf(x as string)),
    count: flag('count'),
    a_en: f('a', 1, (v) => (v ? A(3) : null), (x) => (x ? 1 : 0)),
    a: f('a', 2047, A, av),
    a_neg: flag('aNeg'),
    ...srcCases('x'),
    ...srcCases('y'),
    u: f('sh', 63, (v) => v - 15, (x) => (x as number) + 15),
    use_exp: flag('useExp'),
    p_neg: flag('pNeg'),
    mask_en: f('mask', 1, (v) => (v ? A(3) : null), (x) => (x ? 1 : 0)),
    mask: f('mask', 2047, A, av),
    one: mk(1, (v) => ({ ...E0(), x: { m: 'k', k: v ? 1 : 2 }, y: V(), sh: 0 }), (i) => ((i.x as { k: number }).k === 1 ? 1 : 0)),
  };
}

const EPI = { dst: A(0), clamp: 'none', count: false, a: null, aNeg: false, sh: 0, pNeg: false };
const MV0 = (): R => ({ op: 'MV', t: false, rows: 0, cols: 0, wb: 0, x: A(0), acc: A(0), init: false, epi: { ...EPI } });

function mvCases(): Record<string, FieldCase> {
  const f = (key: string, max: number, put: (v: number) => unknown, get: (x: unknown) => number) => mk(max, (v) => ({ ...MV0(), [key]: put(v) }), (i) => get(i[key]));
  const e = (key: string, max: number, put: (v: number) => unknown, get: (x: unknown) => number) => mk(max, (v) => ({ ...MV0(), epi: { ...EPI, [key]: put(v) } }), (i) => get((i.epi as R)[key]));
  const bool = (v: number) => v === 1;
  const b = (x: unknown) => (x ? 1 : 0);
  return {
    t: f('t', 1, bool, b),
    init: f('init', 1, bool, b),
    rows: f('rows', 511, (v) => v, Number),
    cols: f('cols', 511, (v) => v, Number),
    wb: f('wb', 65535, (v) => v, Number),
    x: f('x', 2047, A, av),
    acc: f('acc', 2047, A, av),
    epi_en: f('epi', 1, (v) => (v ? { ...EPI } : null), b),
    'epi.dst': e('dst', 2047, A, av),
    'epi.clamp': e('clamp', 5, (v) => CLAMPS[v], (x) => CLAMPS.indexOf(x as string)),
    'epi.count': e('count', 1, bool, b),
    'epi.a_en': e('a', 1, (v) => (v ? A(3) : null), b),
    'epi.a': e('a', 2047, A, av),
    'epi.a_neg': e('aNeg', 1, bool, b),
    'epi.sh': e('sh', 63, (v) => v, Number),
    'epi.p_neg': e('pNeg', 1, bool, b),
  };
}

function plasCases(): Record<string, FieldCase> {
  const P0 = (): R => ({ op: 'PLAS', rows: 0, cols: 0, wb: 0, r: A(0), c: A(0), sh1: 0, useExp1: false, k: 0, chain: null });
  const f = (key: string, max: number, put: (v: number) => unknown, get: (x: unknown) => number) => mk(max, (v) => ({ ...P0(), [key]: put(v) }), (i) => get(i[key]));
  const ch = (o: Partial<{ s: number; clip: boolean; sh2: number }>) => ({ sl: { s: o.s ?? 0, clip: o.clip ?? false }, sh2: o.sh2 ?? 0 });
  const c = (max: number, put: (v: number) => Parameters<typeof ch>[0], get: (x: { sl: { s: number; clip: boolean }; sh2: number }) => number) => mk(max, (v) => ({ ...P0(), chain: ch(put(v)) }), (i) => get(i.chain as never));
  return {
    rows: f('rows', 511, (v) => v, Number),
    cols: f('cols', 511, (v) => v, Number),
    wb: f('wb', 65535, (v) => v, Number),
    r: f('r', 2047, A, av),
    c: f('c', 2047, A, av),
    u1: f('sh1', 63, (v) => v, Number),
    use_exp1: f('useExp1', 1, (v) => v === 1, (x) => (x ? 1 : 0)),
    k: f('k', 31, (v) => v, Number),
    chain_en: f('chain', 1, (v) => (v ? ch({}) : null), (x) => (x ? 1 : 0)),
    'chain.s': c(15, (v) => ({ s: v }), (x) => x.sl.s),
    'chain.clip': c(1, (v) => ({ clip: v === 1 }), (x) => (x.sl.clip ? 1 : 0)),
    'chain.sh2': c(63, (v) => ({ sh2: v }), (x) => x.sh2),
  };
}

function actCases(): Record<string, FieldCase> {
  const KINDS = ['linear', 'clip', 'table'];
  const A0 = (): R => ({ op: 'ACT', n: 0, u: A(0), rho: A(0), drho: A(0), curv: A(0), kind: 'linear', k: 0, tb: 0 });
  const f = (key: string, max: number, put: (v: number) => unknown, get: (x: unknown) => number) => mk(max, (v) => ({ ...A0(), [key]: put(v) }), (i) => get(i[key]));
  const num = (key: string, max: number) => f(key, max, (v) => v, Number);
  return {
    kind: f('kind', 2, (v) => KINDS[v], (x) => KINDS.indexOf(x as string)),
    n: num('n', 511),
    u: f('u', 2047, A, av),
    rho: f('rho', 2047, A, av),
    drho: f('drho', 2047, A, av),
    curv: f('curv', 2047, A, av),
    k: num('k', 31),
    tb: num('tb', 8191),
  };
}

/** The cases of an op's fields (the `op` field included: its only value is the opcode). */
export function fieldCases(op: Instr['op']): Record<string, FieldCase> {
  const to = (o: 'JNL' | 'JMP') => ({ to: mk(1023, (v) => ({ op: o, to: v }), (i) => i.to as number) });
  const table: Record<Instr['op'], () => Record<string, FieldCase>> = {
    HALT: () => ({}),
    NEXT: () => ({}),
    E: eCases,
    MV: mvCases,
    DOT: () => ({
      n: mk(511, (v) => ({ op: 'DOT', n: v, dst: A(0), x: A(0), y: A(0) }), (i) => i.n as number),
      ...Object.fromEntries(['dst', 'x', 'y'].map((key) => [key, mk(2047, (v) => ({ op: 'DOT', n: 0, dst: A(0), x: A(0), y: A(0), [key]: A(v) }), (i) => av(i[key]))])),
    }),
    PLAS: plasCases,
    ACT: actCases,
    LOOP: () => ({
      count: mk(1, (v) => ({ op: 'LOOP', count: v ? 'iters' : 'steps', end: 0 }), (i) => (i.count === 'iters' ? 1 : 0)),
      end: mk(1023, (v) => ({ op: 'LOOP', count: 'steps', end: v }), (i) => i.end as number),
    }),
    JNL: () => to('JNL'),
    JMP: () => to('JMP'),
  };
  const fields = table[op]();
  const any = Object.values(fields)[0];
  const opCase = mk(15, () => (any ? any.make(0) : { op }) as unknown as R, () => -1);
  const cases = { op: opCase, ...fields };
  for (const k of Object.keys(cases)) if (!opFields(op)[k]) throw new Error(`${op}: a case for ${k}, which opFields does not have`);
  return cases;
}
