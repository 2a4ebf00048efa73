import type { Addr, Clamp, CoreProgram, Epilogue, Factor, Instr, Slice, Src } from './core-program.js';

/**
 * The vector core's program as bits (stage 2: what gateware/vcore/vcore.v fetches). One instruction is 128 bits,
 * four u32 words (word 4·pc + j holds bits 32j..32j+31), fields packed from bit 0 in the order of the tables below.
 * An address is 11 bits: bank (3) in the high bits, word (8) in the low bits. Every field is unsigned; a value that
 * does not fit throws naming the instruction index, the op and the field.
 *
 * The product shift of an E op is stored folded, as vcore_elem takes it: u = 15 + sh − [useExp]·K[k].exp for a
 * product, u = sh for the bypass (X is the constant ONE = {1, 0}: `one`). The K register's exponent is known at
 * encode time; SET_PARAM BETA rewrites β and must refold u of the instructions `betaReaders` lists (`refold`).
 * `decodeProgram` unfolds with the K registers it is given (sh = u − 15 + [useExp]·K.exp).
 *
 * | op (bits 3:0) | fields after the op, in order (bits) |
 * |---|---|
 * | 0 HALT | — |
 * | 1 E | n 9 · dst 11 · clamp 3 (0 none, 1 U, 2 D, 3 S, 4 OP, 5 R28) · count 1 · a_en 1 · a 11 · a_neg 1 · X 31 · Y 31 · u 6 · use_exp 1 · p_neg 1 · mask_en 1 · mask 11 · one 1  (= 124) |
 * |  | a source (X, Y) is: mode 2 (0 none, 1 v: base + i, 2 b: broadcast base, 3 k: constant) · addr-or-k 11 · slice s 4 · clip 1 · shl8 1 · sub_en 1 · sub 11 |
 * | 2 MV | t 1 · init 1 · rows 9 · cols 9 · wb 16 · x 11 · acc 11 · epi_en 1 · epi dst 11 · clamp 3 · count 1 · a_en 1 · a 11 · a_neg 1 · sh 6 · p_neg 1  (= 98) |
 * | 3 DOT | n 9 · dst 11 · x 11 · y 11 |
 * | 4 PLAS | rows 9 · cols 9 · wb 16 · r 11 · c 11 · u1 6 (sh1 − [use_exp1]·K[k].exp, folded like E's u) · use_exp1 1 · k 5 · chain_en 1 · chain slice s 4 · chain clip 1 · sh2 6 (as written) |
 * | 5 ACT | kind 2 (0 linear, 1 clip, 2 table) · n 9 · u 11 · rho 11 · drho 11 · curv 11 · k 5 · tb 13 |
 * | 6 LOOP | count 1 (0 steps, 1 iters) · end 10 |
 * | 7 NEXT | — |
 * | 8 JNL | to 10 |
 * | 9 JMP | to 10 |
 *
 * An E op with a constant on X: the constant's mantissa is K[k].mant (15 bits in UP5K16); a constant on Y is not
 * encodable (the compiler never emits one). `one` (the multiplier bypassed) is set only where X is the constant ONE
 * (mant 1, exp 0, not β's register) and Y an unsliced, unclipped vector operand: the bypass has no slice stage.
 * PLAS's first shift is folded (u1); the chain's sh2 is stored as written.
 *
 * `opFields(op)` gives every field's [lsb, width] from the same list the encoder and decoder work from (LAYOUT);
 * what the RTL (gateware/vcore/vcore.v) supports of these fields is vcore-rtl-limits.ts.
 */

export const OPCODE = { HALT: 0, E: 1, MV: 2, DOT: 3, PLAS: 4, ACT: 5, LOOP: 6, NEXT: 7, JNL: 8, JMP: 9 } as const;
export const CLAMP_CODE: Record<Clamp, number> = { none: 0, U: 1, D: 2, S: 3, OP: 4, R28: 5 };
const CLAMPS: Clamp[] = ['none', 'U', 'D', 'S', 'OP', 'R28'];
const MODES = ['none', 'v', 'b', 'k'] as const;
const KINDS = ['linear', 'clip', 'table'] as const;
export const WORDS_PER_INSTR = 4;

type Op = Instr['op'];

/** A source's fields (X or Y of an E op) after its prefix: mode, address (or K index), slice, clip, shl8, pre-adder. */
const src = (p: string): Array<[string, number]> => [
  [`${p}mode`, 2],
  [`${p}addr`, 11],
  [`${p}s`, 4],
  [`${p}clip`, 1],
  [`${p}shl8`, 1],
  [`${p}sub_en`, 1],
  [`${p}sub`, 11],
];

/**
 * Every op's fields after the 4-bit op, in bit order (name, width): the one list the encoder, the decoder and
 * `opFields` use. An address field is 11 bits: word in its low 8, bank in its high 3.
 */
const LAYOUT: Record<Op, Array<[string, number]>> = {
  HALT: [],
  E: [['n', 9], ['dst', 11], ['clamp', 3], ['count', 1], ['a_en', 1], ['a', 11], ['a_neg', 1], ...src('x'), ...src('y'), ['u', 6], ['use_exp', 1], ['p_neg', 1], ['mask_en', 1], ['mask', 11], ['one', 1]],
  MV: [['t', 1], ['init', 1], ['rows', 9], ['cols', 9], ['wb', 16], ['x', 11], ['acc', 11], ['epi_en', 1], ['epi.dst', 11], ['epi.clamp', 3], ['epi.count', 1], ['epi.a_en', 1], ['epi.a', 11], ['epi.a_neg', 1], ['epi.sh', 6], ['epi.p_neg', 1]],
  DOT: [['n', 9], ['dst', 11], ['x', 11], ['y', 11]],
  PLAS: [['rows', 9], ['cols', 9], ['wb', 16], ['r', 11], ['c', 11], ['u1', 6], ['use_exp1', 1], ['k', 5], ['chain_en', 1], ['chain.s', 4], ['chain.clip', 1], ['chain.sh2', 6]],
  ACT: [['kind', 2], ['n', 9], ['u', 11], ['rho', 11], ['drho', 11], ['curv', 11], ['k', 5], ['tb', 13]],
  LOOP: [['count', 1], ['end', 10]],
  NEXT: [],
  JNL: [['to', 10]],
  JMP: [['to', 10]],
};

/** A field's place in the instruction: [lsb, width] (bit b of the instruction is bit b % 32 of word ⌊b / 32⌋). */
export type FieldPos = [number, number];

const FIELDS = Object.fromEntries(
  (Object.keys(LAYOUT) as Op[]).map((op) => {
    const f: Record<string, FieldPos> = { op: [0, 4] };
    let at = 4;
    for (const [name, w] of LAYOUT[op]) {
      f[name] = [at, w];
      at += w;
    }
    if (at > 128) throw new Error(`${op}: ${at} bits`);
    return [op, f];
  }),
) as Record<Op, Record<string, FieldPos>>;

/**
 * The [lsb, width] of every field of an op, `op` (bits 3:0) included, in bit order: the table the encoder and the
 * decoder work from (one source of truth for testbenches, the C firmware and vcore.v's slices). An address field
 * (11 bits) holds the word in its low 8 bits and the bank in its high 3.
 */
export function opFields(op: Op): Record<string, FieldPos> {
  return { ...FIELDS[op] };
}

/** Bit positions of the E fields (for the RTL and its testbench): [lsb, width] (opFields('E') without `op`). */
export const E_FIELDS: Record<string, FieldPos> = Object.fromEntries(Object.entries(FIELDS.E).filter(([k]) => k !== 'op'));

/** Writes named fields at their opFields positions; a value that does not fit throws naming pc, op and field. */
class Writer {
  private readonly f: Record<string, FieldPos>;
  private readonly vals: Array<[number, FieldPos]> = [];
  constructor(
    private readonly pc: number,
    private readonly op: Op,
  ) {
    this.f = FIELDS[op];
  }
  /** Field `name` = v; `label` names it in an error (default: the field). */
  put(name: string, v: number, label = name): void {
    const pos = this.f[name];
    if (!pos) throw new Error(`instruction ${this.pc} (${this.op}): no field ${name}`);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** pos[1]) throw new Error(`instruction ${this.pc} (${this.op}): field ${label} = ${v} does not fit ${pos[1]} bits`);
    this.vals.push([v, pos]);
  }
  flag(name: string, b: boolean): void {
    this.put(name, b ? 1 : 0);
  }
  addr(name: string, a: Addr | null): void {
    const x = a ?? { bank: 0, word: 0 };
    if (x.word < 0 || x.word >= 256) throw new Error(`instruction ${this.pc} (${this.op}): field ${name}.word = ${x.word} does not fit 8 bits`);
    if (x.bank < 0 || x.bank >= 8) throw new Error(`instruction ${this.pc} (${this.op}): field ${name}.bank = ${x.bank} does not fit 3 bits`);
    this.put(name, x.bank * 256 + x.word);
  }
  write(out: Uint32Array, base: number): void {
    for (const [v, [lsb, w]] of this.vals)
      for (let b = 0; b < w; b++) {
        const pos = lsb + b;
        if (Math.floor(v / 2 ** b) % 2) out[base + (pos >> 5)]! |= 1 << (pos & 31);
      }
  }
}

/** Reads named fields at their opFields positions. */
class Reader {
  f: Record<string, FieldPos> = FIELDS.HALT;
  constructor(
    private readonly w: Uint32Array,
    private readonly base: number,
  ) {}
  bits(lsb: number, n: number): number {
    let v = 0;
    for (let b = 0; b < n; b++) {
      const pos = lsb + b;
      if ((this.w[this.base + (pos >> 5)]! >>> (pos & 31)) & 1) v += 2 ** b;
    }
    return v;
  }
  get(name: string): number {
    const [lsb, n] = this.f[name]!;
    return this.bits(lsb, n);
  }
  flag(name: string): boolean {
    return this.get(name) === 1;
  }
  addr(name: string): Addr {
    const v = this.get(name);
    return { bank: v >> 8, word: v & 255 };
  }
}

/**
 * Whether the multiplier is bypassed (`one`: u = sh): X is the constant ONE = {1, 0} (not β's register, which
 * SET_PARAM may change) and Y is an unsliced, unclipped vector operand. vcore_elem's bypass takes Y as is (or its
 * pre-adder's difference): it has no slice stage, so a sliced or clipped Y must go through the multiplier (1 · op(Y)).
 */
export function isOne(ins: Extract<Instr, { op: 'E' }>, K: Factor[], kBeta: number): boolean {
  const y = ins.y;
  const plainY = y !== null && y.m !== 'k' && y.sl.s === 0 && !y.sl.clip;
  return plainY && ins.x !== null && ins.x.m === 'k' && ins.x.k !== kBeta && K[ins.x.k]!.mant === 1 && K[ins.x.k]!.exp === 0;
}

/** The folded shift u of an E op (vcore_elem's): 15 + sh − [useExp]·K.exp for a product, sh for the bypass. */
export function foldU(ins: Extract<Instr, { op: 'E' }>, K: Factor[], kBeta: number): number {
  if (isOne(ins, K, kBeta)) return ins.sh;
  const exp = ins.useExp && ins.x && ins.x.m === 'k' ? K[ins.x.k]!.exp : 0;
  return 15 + ins.sh - exp;
}

/** The folded first shift u1 of a PLAS op: sh1 − [useExp1]·K[k].exp. */
export function foldU1(ins: Extract<Instr, { op: 'PLAS' }>, K: Factor[]): number {
  return ins.sh1 - (ins.useExp1 ? K[ins.k]!.exp : 0);
}

/** The instructions whose encoding depends on β's register (SET_PARAM BETA refolds their u with `refold`). */
export function betaReaders(prog: Pick<CoreProgram, 'code' | 'kBeta'>): number[] {
  const out: number[] = [];
  prog.code.forEach((ins, pc) => {
    if ((ins.op === 'E' && ins.x?.m === 'k' && ins.x.k === prog.kBeta) || (ins.op === 'PLAS' && ins.k === prog.kBeta)) out.push(pc);
  });
  return out;
}

function encodeSrc(w: Writer, p: 'x' | 'y', s: Src | null, K: Factor[]): void {
  if (s === null) return; // mode 0, the rest 0
  if (s.m === 'k') {
    if (K[s.k] === undefined) throw new Error(`${p}: no K register ${s.k}`);
    w.put(`${p}mode`, 3, `${p}.mode`);
    w.put(`${p}addr`, s.k, `${p}.k`);
    return;
  }
  w.put(`${p}mode`, s.m === 'v' ? 1 : 2, `${p}.mode`);
  w.addr(`${p}addr`, s.a);
  w.put(`${p}s`, s.sl.s, `${p}.slice`);
  w.flag(`${p}clip`, s.sl.clip);
  if (s.shl !== undefined && s.shl !== 0 && s.shl !== 8) throw new Error(`${p}.shl = ${s.shl}: only 8`);
  w.flag(`${p}shl8`, s.shl === 8);
  w.flag(`${p}sub_en`, !!s.sub);
  w.addr(`${p}sub`, s.sub ?? null);
}

function decodeSrc(r: Reader, p: 'x' | 'y'): Src | null {
  const mode = MODES[r.get(`${p}mode`)]!;
  if (mode === 'none') return null;
  if (mode === 'k') return { m: 'k', k: r.get(`${p}addr`) };
  const a = r.addr(`${p}addr`);
  const sl: Slice = { s: r.get(`${p}s`), clip: r.flag(`${p}clip`) };
  const shl8 = r.flag(`${p}shl8`);
  const subEn = r.flag(`${p}sub_en`);
  const sub = r.addr(`${p}sub`);
  return { m: mode, a, sl, ...(shl8 ? { shl: 8 } : {}), ...(subEn ? { sub } : {}) };
}

/** The program as 4 × u32 words per instruction (the current K registers fold the shifts). */
export function encodeProgram(prog: Pick<CoreProgram, 'code' | 'K' | 'kBeta'>): Uint32Array {
  const out = new Uint32Array(prog.code.length * WORDS_PER_INSTR);
  prog.code.forEach((ins, pc) => encodeInstr(ins, pc, prog.K, prog.kBeta).write(out, pc * WORDS_PER_INSTR));
  return out;
}

/** Re-encodes instruction pc in place (SET_PARAM BETA: the β readers' folded u). */
export function refold(words: Uint32Array, prog: Pick<CoreProgram, 'code' | 'K' | 'kBeta'>, pc: number): void {
  words.fill(0, pc * WORDS_PER_INSTR, (pc + 1) * WORDS_PER_INSTR);
  encodeInstr(prog.code[pc]!, pc, prog.K, prog.kBeta).write(words, pc * WORDS_PER_INSTR);
}

function encodeE(w: Writer, ins: Extract<Instr, { op: 'E' }>, pc: number, K: Factor[], kBeta: number): void {
  if (ins.y?.m === 'k') throw new Error(`instruction ${pc} (E): field y: a constant on Y is not encodable`);
  w.put('n', ins.n);
  w.addr('dst', ins.dst);
  w.put('clamp', CLAMP_CODE[ins.clamp]);
  w.flag('count', ins.count);
  w.flag('a_en', ins.a !== null);
  w.addr('a', ins.a);
  w.flag('a_neg', ins.aNeg);
  encodeSrc(w, 'x', ins.x, K);
  encodeSrc(w, 'y', ins.y, K);
  w.put('u', foldU(ins, K, kBeta));
  w.flag('use_exp', ins.useExp);
  w.flag('p_neg', ins.pNeg);
  w.flag('mask_en', ins.mask !== null);
  w.addr('mask', ins.mask);
  w.flag('one', isOne(ins, K, kBeta));
}

function encodeMV(w: Writer, ins: Extract<Instr, { op: 'MV' }>): void {
  w.flag('t', ins.t);
  w.flag('init', ins.init);
  w.put('rows', ins.rows);
  w.put('cols', ins.cols);
  w.put('wb', ins.wb);
  w.addr('x', ins.x);
  w.addr('acc', ins.acc);
  const e = ins.epi;
  w.flag('epi_en', e !== null);
  w.addr('epi.dst', e?.dst ?? null);
  w.put('epi.clamp', CLAMP_CODE[e?.clamp ?? 'none']);
  w.flag('epi.count', e?.count ?? false);
  w.flag('epi.a_en', !!e?.a);
  w.addr('epi.a', e?.a ?? null);
  w.flag('epi.a_neg', e?.aNeg ?? false);
  w.put('epi.sh', e?.sh ?? 0);
  w.flag('epi.p_neg', e?.pNeg ?? false);
}

function encodeInstr(ins: Instr, pc: number, K: Factor[], kBeta: number): Writer {
  const w = new Writer(pc, ins.op);
  w.put('op', OPCODE[ins.op]);
  switch (ins.op) {
    case 'E':
      encodeE(w, ins, pc, K, kBeta);
      break;
    case 'MV':
      encodeMV(w, ins);
      break;
    case 'DOT':
      w.put('n', ins.n);
      w.addr('dst', ins.dst);
      w.addr('x', ins.x);
      w.addr('y', ins.y);
      break;
    case 'PLAS':
      w.put('rows', ins.rows);
      w.put('cols', ins.cols);
      w.put('wb', ins.wb);
      w.addr('r', ins.r);
      w.addr('c', ins.c);
      w.put('u1', foldU1(ins, K));
      w.flag('use_exp1', ins.useExp1);
      w.put('k', ins.k);
      w.flag('chain_en', ins.chain !== null);
      w.put('chain.s', ins.chain?.sl.s ?? 0, 'chain.slice');
      w.flag('chain.clip', ins.chain?.sl.clip ?? false);
      w.put('chain.sh2', ins.chain?.sh2 ?? 0);
      break;
    case 'ACT':
      w.put('kind', KINDS.indexOf(ins.kind));
      w.put('n', ins.n);
      w.addr('u', ins.u);
      w.addr('rho', ins.rho);
      w.addr('drho', ins.drho);
      w.addr('curv', ins.curv);
      w.put('k', ins.k);
      w.put('tb', ins.tb);
      break;
    case 'LOOP':
      w.flag('count', ins.count === 'iters');
      w.put('end', ins.end);
      break;
    case 'JNL':
    case 'JMP':
      w.put('to', ins.to);
      break;
    case 'NEXT':
    case 'HALT':
      break;
  }
  return w;
}

function decodeE(r: Reader, ctx: Pick<CoreProgram, 'K' | 'kBeta'>): Instr {
  const x = decodeSrc(r, 'x');
  const y = decodeSrc(r, 'y');
  const u = r.get('u');
  const useExp = r.flag('use_exp');
  const exp = useExp && x && x.m === 'k' ? ctx.K[x.k]!.exp : 0;
  const sh = r.flag('one') ? u : u - 15 + exp;
  const a = r.flag('a_en') ? r.addr('a') : null;
  const mask = r.flag('mask_en') ? r.addr('mask') : null;
  return { op: 'E', n: r.get('n'), dst: r.addr('dst'), clamp: CLAMPS[r.get('clamp')]!, count: r.flag('count'), a, aNeg: r.flag('a_neg'), x, y, sh, useExp, pNeg: r.flag('p_neg'), mask };
}

function decodeMV(r: Reader): Instr {
  const epi: Epilogue | null = r.flag('epi_en')
    ? { dst: r.addr('epi.dst'), clamp: CLAMPS[r.get('epi.clamp')]!, count: r.flag('epi.count'), a: r.flag('epi.a_en') ? r.addr('epi.a') : null, aNeg: r.flag('epi.a_neg'), sh: r.get('epi.sh'), pNeg: r.flag('epi.p_neg') }
    : null;
  return { op: 'MV', t: r.flag('t'), rows: r.get('rows'), cols: r.get('cols'), wb: r.get('wb'), x: r.addr('x'), acc: r.addr('acc'), init: r.flag('init'), epi };
}

function decodePlas(r: Reader, ctx: Pick<CoreProgram, 'K' | 'kBeta'>): Instr {
  const k = r.get('k');
  const useExp1 = r.flag('use_exp1');
  const sh1 = r.get('u1') + (useExp1 ? ctx.K[k]!.exp : 0);
  const chain = r.flag('chain_en') ? { sl: { s: r.get('chain.s'), clip: r.flag('chain.clip') }, sh2: r.get('chain.sh2') } : null;
  return { op: 'PLAS', rows: r.get('rows'), cols: r.get('cols'), wb: r.get('wb'), r: r.addr('r'), c: r.addr('c'), sh1, useExp1, k, chain };
}

function decodeInstr(r: Reader, op: Op, ctx: Pick<CoreProgram, 'K' | 'kBeta'>): Instr {
  switch (op) {
    case 'E':
      return decodeE(r, ctx);
    case 'MV':
      return decodeMV(r);
    case 'DOT':
      return { op: 'DOT', n: r.get('n'), dst: r.addr('dst'), x: r.addr('x'), y: r.addr('y') };
    case 'PLAS':
      return decodePlas(r, ctx);
    case 'ACT':
      return { op: 'ACT', kind: KINDS[r.get('kind')]!, n: r.get('n'), u: r.addr('u'), rho: r.addr('rho'), drho: r.addr('drho'), curv: r.addr('curv'), k: r.get('k'), tb: r.get('tb') };
    case 'LOOP':
      return { op: 'LOOP', count: r.flag('count') ? 'iters' : 'steps', end: r.get('end') };
    case 'JNL':
    case 'JMP':
      return { op, to: r.get('to') };
    default:
      return { op } as Instr;
  }
}

const OPS = Object.fromEntries(Object.entries(OPCODE).map(([k, v]) => [v, k as Op])) as Record<number, Op>;

/** The instructions of encoded words; the K registers (and β's index) unfold the E ops' shifts. */
export function decodeProgram(words: Uint32Array, ctx: Pick<CoreProgram, 'K' | 'kBeta'>): Instr[] {
  const code: Instr[] = [];
  for (let pc = 0; pc * WORDS_PER_INSTR < words.length; pc++) {
    const r = new Reader(words, pc * WORDS_PER_INSTR);
    const code4 = r.bits(0, 4);
    const op = OPS[code4];
    if (op === undefined) throw new Error(`instruction ${pc}: unknown op ${code4}`);
    r.f = FIELDS[op];
    code.push(decodeInstr(r, op, ctx));
  }
  return code;
}
