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
 * encodable (the compiler never emits one). PLAS's first shift is folded (u1); the chain's sh2 is stored as written.
 */

export const OPCODE = { HALT: 0, E: 1, MV: 2, DOT: 3, PLAS: 4, ACT: 5, LOOP: 6, NEXT: 7, JNL: 8, JMP: 9 } as const;
export const CLAMP_CODE: Record<Clamp, number> = { none: 0, U: 1, D: 2, S: 3, OP: 4, R28: 5 };
const CLAMPS: Clamp[] = ['none', 'U', 'D', 'S', 'OP', 'R28'];
const MODES = ['none', 'v', 'b', 'k'] as const;
const KINDS = ['linear', 'clip', 'table'] as const;
export const WORDS_PER_INSTR = 4;

/** Bit positions of the E fields (for the RTL and its testbench): [lsb, width]. */
export const E_FIELDS: Record<string, [number, number]> = (() => {
  const f: Record<string, [number, number]> = {};
  let at = 4;
  const src = (p: string) => [`${p}mode`, 2, `${p}addr`, 11, `${p}s`, 4, `${p}clip`, 1, `${p}shl8`, 1, `${p}sub_en`, 1, `${p}sub`, 11] as const;
  const list: Array<string | number> = ['n', 9, 'dst', 11, 'clamp', 3, 'count', 1, 'a_en', 1, 'a', 11, 'a_neg', 1, ...src('x'), ...src('y'), 'u', 6, 'use_exp', 1, 'p_neg', 1, 'mask_en', 1, 'mask', 11, 'one', 1];
  for (let i = 0; i < list.length; i += 2) {
    f[list[i] as string] = [at, list[i + 1] as number];
    at += list[i + 1] as number;
  }
  return f;
})();

class Writer {
  bits: Array<[number, number]> = [];
  at = 0;
  constructor(
    private readonly pc: number,
    private readonly op: string,
  ) {}
  put(name: string, v: number, w: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** w) throw new Error(`instruction ${this.pc} (${this.op}): field ${name} = ${v} does not fit ${w} bits`);
    this.bits.push([v, w]);
    this.at += w;
  }
  flag(name: string, b: boolean): void {
    this.put(name, b ? 1 : 0, 1);
  }
  addr(name: string, a: Addr | null): void {
    const x = a ?? { bank: 0, word: 0 };
    if (x.word < 0 || x.word >= 256) throw new Error(`instruction ${this.pc} (${this.op}): field ${name}.word = ${x.word} does not fit 8 bits`);
    if (x.bank < 0 || x.bank >= 8) throw new Error(`instruction ${this.pc} (${this.op}): field ${name}.bank = ${x.bank} does not fit 3 bits`);
    this.put(name, x.bank * 256 + x.word, 11);
  }
  write(out: Uint32Array, base: number): void {
    if (this.at > 128) throw new Error(`instruction ${this.pc} (${this.op}): ${this.at} bits`);
    let pos = 0;
    for (const [v, w] of this.bits) {
      for (let b = 0; b < w; b++, pos++) if (Math.floor(v / 2 ** b) % 2) out[base + (pos >> 5)]! |= 1 << (pos & 31);
    }
  }
}

class Reader {
  pos = 0;
  constructor(
    private readonly w: Uint32Array,
    private readonly base: number,
  ) {}
  get(n: number): number {
    let v = 0;
    for (let b = 0; b < n; b++, this.pos++) if ((this.w[this.base + (this.pos >> 5)]! >>> (this.pos & 31)) & 1) v += 2 ** b;
    return v;
  }
  flag(): boolean {
    return this.get(1) === 1;
  }
  addr(): Addr {
    const v = this.get(11);
    return { bank: v >> 8, word: v & 255 };
  }
}

/** Whether X is the constant ONE (the multiplier bypassed: u = sh). */
function isOne(ins: Extract<Instr, { op: 'E' }>, K: Factor[], kBeta: number): boolean {
  return ins.x !== null && ins.x.m === 'k' && ins.x.k !== kBeta && K[ins.x.k]!.mant === 1 && K[ins.x.k]!.exp === 0;
}

/** The folded shift u of an E op (vcore_elem's): 15 + sh − [useExp]·K.exp for a product, sh for the bypass. */
export function foldU(ins: Extract<Instr, { op: 'E' }>, K: Factor[], kBeta: number): number {
  if (isOne(ins, K, kBeta)) return ins.sh;
  const exp = ins.useExp && ins.x && ins.x.m === 'k' ? K[ins.x.k]!.exp : 0;
  return 15 + ins.sh - exp;
}

/** The instructions whose encoding depends on β's register (SET_PARAM BETA refolds their u with `refold`). */
export function betaReaders(prog: Pick<CoreProgram, 'code' | 'kBeta'>): number[] {
  const out: number[] = [];
  prog.code.forEach((ins, pc) => {
    if ((ins.op === 'E' && ins.x?.m === 'k' && ins.x.k === prog.kBeta) || (ins.op === 'PLAS' && ins.k === prog.kBeta)) out.push(pc);
  });
  return out;
}

function encodeSrc(w: Writer, p: string, s: Src | null, K: Factor[]): void {
  if (s === null) {
    w.put(`${p}.mode`, 0, 2);
    w.put(`${p}.rest`, 0, 29);
    return;
  }
  if (s.m === 'k') {
    if (K[s.k] === undefined) throw new Error(`${p}: no K register ${s.k}`);
    w.put(`${p}.mode`, 3, 2);
    w.put(`${p}.k`, s.k, 11);
    w.put(`${p}.rest`, 0, 18);
    return;
  }
  w.put(`${p}.mode`, s.m === 'v' ? 1 : 2, 2);
  w.addr(`${p}.addr`, s.a);
  w.put(`${p}.slice`, s.sl.s, 4);
  w.flag(`${p}.clip`, s.sl.clip);
  if (s.shl !== undefined && s.shl !== 0 && s.shl !== 8) throw new Error(`${p}.shl = ${s.shl}: only 8`);
  w.flag(`${p}.shl8`, s.shl === 8);
  w.flag(`${p}.sub_en`, !!s.sub);
  w.addr(`${p}.sub`, s.sub ?? null);
}

function decodeSrc(r: Reader): { s: Src | null } {
  const mode = MODES[r.get(2)]!;
  if (mode === 'none') {
    r.get(29);
    return { s: null };
  }
  if (mode === 'k') {
    const k = r.get(11);
    r.get(18);
    return { s: { m: 'k', k } };
  }
  const a = r.addr();
  const sl: Slice = { s: r.get(4), clip: r.flag() };
  const shl8 = r.flag();
  const subEn = r.flag();
  const sub = r.addr();
  return { s: { m: mode, a, sl, ...(shl8 ? { shl: 8 } : {}), ...(subEn ? { sub } : {}) } };
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

function encodeInstr(ins: Instr, pc: number, K: Factor[], kBeta: number): Writer {
  const w = new Writer(pc, ins.op);
  w.put('op', OPCODE[ins.op], 4);
  switch (ins.op) {
    case 'E': {
      if (ins.y?.m === 'k') throw new Error(`instruction ${pc} (E): field y: a constant on Y is not encodable`);
      w.put('n', ins.n, 9);
      w.addr('dst', ins.dst);
      w.put('clamp', CLAMP_CODE[ins.clamp], 3);
      w.flag('count', ins.count);
      w.flag('a_en', ins.a !== null);
      w.addr('a', ins.a);
      w.flag('a_neg', ins.aNeg);
      encodeSrc(w, 'x', ins.x, K);
      encodeSrc(w, 'y', ins.y, K);
      w.put('u', foldU(ins, K, kBeta), 6);
      w.flag('use_exp', ins.useExp);
      w.flag('p_neg', ins.pNeg);
      w.flag('mask_en', ins.mask !== null);
      w.addr('mask', ins.mask);
      w.flag('one', isOne(ins, K, kBeta));
      break;
    }
    case 'MV': {
      w.flag('t', ins.t);
      w.flag('init', ins.init);
      w.put('rows', ins.rows, 9);
      w.put('cols', ins.cols, 9);
      w.put('wb', ins.wb, 16);
      w.addr('x', ins.x);
      w.addr('acc', ins.acc);
      const e = ins.epi;
      w.flag('epi_en', e !== null);
      w.addr('epi.dst', e?.dst ?? null);
      w.put('epi.clamp', CLAMP_CODE[e?.clamp ?? 'none'], 3);
      w.flag('epi.count', e?.count ?? false);
      w.flag('epi.a_en', !!e?.a);
      w.addr('epi.a', e?.a ?? null);
      w.flag('epi.a_neg', e?.aNeg ?? false);
      w.put('epi.sh', e?.sh ?? 0, 6);
      w.flag('epi.p_neg', e?.pNeg ?? false);
      break;
    }
    case 'DOT':
      w.put('n', ins.n, 9);
      w.addr('dst', ins.dst);
      w.addr('x', ins.x);
      w.addr('y', ins.y);
      break;
    case 'PLAS':
      w.put('rows', ins.rows, 9);
      w.put('cols', ins.cols, 9);
      w.put('wb', ins.wb, 16);
      w.addr('r', ins.r);
      w.addr('c', ins.c);
      w.put('u1', ins.sh1 - (ins.useExp1 ? K[ins.k]!.exp : 0), 6);
      w.flag('use_exp1', ins.useExp1);
      w.put('k', ins.k, 5);
      w.flag('chain_en', ins.chain !== null);
      w.put('chain.slice', ins.chain?.sl.s ?? 0, 4);
      w.flag('chain.clip', ins.chain?.sl.clip ?? false);
      w.put('chain.sh2', ins.chain?.sh2 ?? 0, 6);
      break;
    case 'ACT':
      w.put('kind', KINDS.indexOf(ins.kind), 2);
      w.put('n', ins.n, 9);
      w.addr('u', ins.u);
      w.addr('rho', ins.rho);
      w.addr('drho', ins.drho);
      w.addr('curv', ins.curv);
      w.put('k', ins.k, 5);
      w.put('tb', ins.tb, 13);
      break;
    case 'LOOP':
      w.flag('count', ins.count === 'iters');
      w.put('end', ins.end, 10);
      break;
    case 'JNL':
    case 'JMP':
      w.put('to', ins.to, 10);
      break;
    case 'NEXT':
    case 'HALT':
      break;
  }
  return w;
}

/** The instructions of encoded words; the K registers (and β's index) unfold the E ops' shifts. */
export function decodeProgram(words: Uint32Array, ctx: Pick<CoreProgram, 'K' | 'kBeta'>): Instr[] {
  const code: Instr[] = [];
  for (let pc = 0; pc * WORDS_PER_INSTR < words.length; pc++) {
    const r = new Reader(words, pc * WORDS_PER_INSTR);
    const op = r.get(4);
    switch (op) {
      case OPCODE.HALT:
        code.push({ op: 'HALT' });
        break;
      case OPCODE.E: {
        const n = r.get(9);
        const dst = r.addr();
        const clamp = CLAMPS[r.get(3)]!;
        const count = r.flag();
        const aEn = r.flag();
        const a = r.addr();
        const aNeg = r.flag();
        const x = decodeSrc(r).s;
        const y = decodeSrc(r).s;
        const u = r.get(6);
        const useExp = r.flag();
        const pNeg = r.flag();
        const maskEn = r.flag();
        const mask = r.addr();
        const one = r.flag();
        const exp = useExp && x && x.m === 'k' ? ctx.K[x.k]!.exp : 0;
        const sh = one ? u : u - 15 + exp;
        code.push({ op: 'E', n, dst, clamp, count, a: aEn ? a : null, aNeg, x, y, sh, useExp, pNeg, mask: maskEn ? mask : null });
        break;
      }
      case OPCODE.MV: {
        const t = r.flag();
        const init = r.flag();
        const rows = r.get(9);
        const cols = r.get(9);
        const wb = r.get(16);
        const x = r.addr();
        const acc = r.addr();
        const epiEn = r.flag();
        const dst = r.addr();
        const clamp = CLAMPS[r.get(3)]!;
        const count = r.flag();
        const aEn = r.flag();
        const a = r.addr();
        const aNeg = r.flag();
        const sh = r.get(6);
        const pNeg = r.flag();
        const epi: Epilogue | null = epiEn ? { dst, clamp, count, a: aEn ? a : null, aNeg, sh, pNeg } : null;
        code.push({ op: 'MV', t, rows, cols, wb, x, acc, init, epi });
        break;
      }
      case OPCODE.DOT:
        code.push({ op: 'DOT', n: r.get(9), dst: r.addr(), x: r.addr(), y: r.addr() });
        break;
      case OPCODE.PLAS: {
        const rows = r.get(9);
        const cols = r.get(9);
        const wb = r.get(16);
        const rr = r.addr();
        const c = r.addr();
        const u1 = r.get(6);
        const useExp1 = r.flag();
        const k = r.get(5);
        const sh1 = u1 + (useExp1 ? ctx.K[k]!.exp : 0);
        const chainEn = r.flag();
        const s = r.get(4);
        const clip = r.flag();
        const sh2 = r.get(6);
        code.push({ op: 'PLAS', rows, cols, wb, r: rr, c, sh1, useExp1, k, chain: chainEn ? { sl: { s, clip }, sh2 } : null });
        break;
      }
      case OPCODE.ACT: {
        const kind = KINDS[r.get(2)]!;
        code.push({ op: 'ACT', kind, n: r.get(9), u: r.addr(), rho: r.addr(), drho: r.addr(), curv: r.addr(), k: r.get(5), tb: r.get(13) });
        // field order of the record above is the decode order (kind first)
        break;
      }
      case OPCODE.LOOP:
        code.push({ op: 'LOOP', count: r.flag() ? 'iters' : 'steps', end: r.get(10) });
        break;
      case OPCODE.NEXT:
        code.push({ op: 'NEXT' });
        break;
      case OPCODE.JNL:
        code.push({ op: 'JNL', to: r.get(10) });
        break;
      case OPCODE.JMP:
        code.push({ op: 'JMP', to: r.get(10) });
        break;
      default:
        throw new Error(`instruction ${pc}: unknown op ${op}`);
    }
  }
  return code;
}
