import type { Addr, CoreProgram, Instr, Src } from './core-program.js';
import { foldU, foldU1, isOne } from './core-program-encode.js';
import { TABLE_KNOTS } from './image.js';
import type { VcoreBuild } from './vcore-image.js';

/**
 * What the vector core's RTL (gateware/vcore/vcore.v, vcore_elem.v, vcore_banks.v) can run, as limits a program is
 * checked against before it is encoded for a board: the encoding (core-program-encode.ts) has wider fields than the
 * RTL decodes, and a program outside these limits would encode fine and run wrong. Every field names the RTL
 * parameter or structure it comes from. `checkRtlProgram` lists every problem of a program (instruction index, op,
 * field, value and the limit), `vcoreRtlLimitsFor` gives the limits of a synthesized build (VcoreBuild).
 *
 * Also checked: the bank ports as vcore.v uses them (one read port a bank: no slot reads two words of one bank; the
 * pipeline reads ahead of its writes: no instruction reads, at a later index, a word it wrote at an earlier one;
 * reading ahead, the read base above the write base, reads each word first in both the machine and the pipeline),
 * and the read muxes: each operand role reads only the banks its mux covers (`readBanks`).
 *
 * Not checked here (data, not fields): the values themselves (a stored value below 2^(bits − 1) of its bank, an
 * unclipped multiplier operand inside 16 bits, em's m inside 31 bits, Y's pre-adder inside 32 bits), and the shifts
 * after SET_PARAM BETA refolds β's readers with another exponent (check the program again with the new K).
 */
export interface VcoreRtlLimits {
  /** Program memory in instructions: 2^PAW (vcore.v PAW; the fetch address is PAW bits, a jump past it wraps). */
  instructions: number;
  /** LOOP nesting: vcore.v's loop stack has two levels (lp_top0/1, lp_left0/1; a third overwrites the second). */
  loopDepth: number;
  /**
   * The vector banks as synthesized: NB of them (3-bit bank fields: at most 8), each DEPTH = 256 words (vcore_banks
   * AW = 8: base + index wraps past it) of BW bits (at most D = 42, the width of a bank word and of the host port).
   */
  banks: Array<{ words: number; bits: number }>;
  /** The K file: kr[0:15] (vcore.v k_addr is 4 bits; an E op reads kr[x.k[3:0]]). */
  kRegs: number;
  /** Bits of a K mantissa an E op multiplies by (vcore.v k_wdata; vcore_elem's kmant, unsigned, 15 bits). */
  kMantBits: number;
  /** Weight registers W: 2^WAW (MV's and PLAS's wb + index is WAW bits: past it wraps). */
  weightWords: number;
  /** Knot-table words (ACT table): W addresses 8192 + i, below the clip tops at 16352 (14-bit W port). */
  tableWords: number;
  /** Clip-top words (ACT clip): W address 16352 + k (32-bit words, not the 15-bit K file), so k < 32. */
  clipTops: number;
  /** The X port's slices: vcore_elem's X slice mux has two ways, 0 and XS = 4 (x_sl = xs ≠ 0). */
  xSlices: number[];
  /** The Y port's slices: vcore_elem's `slice` cases 4, 5, 8, 11, 12 and 0 (any other shift reads as 0). */
  ySlices: number[];
  /** Bits of a shift: E's folded u, MV's epi.sh, PLAS's u1 (vcore_elem's u, 6 bits). */
  shiftBits: number;
  /** A negated A (E's a_neg, MV's epi.a_neg): vcore_elem has none (the sum has one carry); vcore.v ignores the bit. */
  negatedA: boolean;
  /** X's pre-adder (sub, shl8): vcore_elem's X port has none; vcore.v does not decode the fields. */
  xPreAdder: boolean;
  /** A constant on Y: the Y port reads the banks (and W) only. */
  yConstant: boolean;
  /** PLAS's chain mode: not in the RTL (vcore.v traps on it). */
  plasChain: boolean;
  /**
   * The banks each operand role reads (bit b: bank b; vcore.v's RA, RX, RY, RS, RM): a role's address and data muxes
   * cover only these, so an instruction that read another bank through that role would read 0 (A's data mux covers
   * every bank, the host reads through it; RA narrows its address mux).
   */
  readBanks: ReadBanks;
}

/**
 * The operand roles that read the vector banks, each with a read mux of its own in vcore.v: A (E's A, MV's partial
 * sums and epilogue A, ACT's u), X (E's X, MV's and DOT's x, PLAS's c), Y (E's Y, DOT's y, PLAS's r), S (Y's
 * subtrahend) and M (the has-target mask).
 */
export type ReadRole = 'a' | 'x' | 'y' | 's' | 'm';
export const READ_ROLES: readonly ReadRole[] = ['a', 'x', 'y', 's', 'm'];
/** Per role, the banks it reads (bit b: bank b). */
export type ReadBanks = Readonly<Record<ReadRole, number>>;
/** Every role reads every bank (a core synthesized with full read muxes). */
export const ALL_READ_BANKS: ReadBanks = { a: 0xff, x: 0xff, y: 0xff, s: 0xff, m: 0xff };

/** The banks of a mask, listed ("2, 3, 5"). */
export function bankList(mask: number): string {
  return Array.from({ length: 8 }, (_, b) => b).filter((b) => (mask >> b) & 1).join(', ') || 'none';
}

/** One bank read of an instruction: checkRtlProgram's field name, the role whose read mux serves it, the address. */
export interface RoleRead {
  field: string;
  role: ReadRole;
  a: Addr;
}

/** The bank reads of an instruction by role, in the order the check lists them (vcore.v's read enables). */
export function roleReads(ins: Instr): RoleRead[] {
  const out: RoleRead[] = [];
  const read = (field: string, role: ReadRole, a: Addr | null | undefined) => {
    if (a) out.push({ field, role, a });
  };
  switch (ins.op) {
    case 'E':
      read('a', 'a', ins.a);
      if (ins.x && ins.x.m !== 'k') read('x.a', 'x', ins.x.a);
      if (ins.y && ins.y.m !== 'k') {
        read('y.a', 'y', ins.y.a);
        read('y.sub', 's', ins.y.sub);
      }
      read('mask', 'm', ins.mask);
      break;
    case 'MV':
      read('x', 'x', ins.x);
      if (!ins.init) read('acc', 'a', ins.acc);
      read('epi.a', 'a', ins.epi?.a);
      break;
    case 'DOT':
      read('x', 'x', ins.x);
      read('y', 'y', ins.y);
      break;
    case 'PLAS':
      if (ins.chain) break; // refused on its own (chain_en): the RTL reads nothing for it
      read('r', 'y', ins.r);
      read('c', 'x', ins.c);
      break;
    case 'ACT':
      read('u', 'a', ins.u);
      break;
  }
  return out;
}

/** vcore.v's bank word width D: no build's bank is wider. */
export const VCORE_D = 42;
/** vcore_banks' DEPTH (AW = 8). */
export const VCORE_BANK_WORDS = 256;
const W_TABLES = 8192;
const W_CLIP_TOPS = 16352;

/** The RTL as written: vcore.v's default parameters (NB = 6 banks of 256 × 42 bits, PAW = 7, WAW = 9, XS = 4). */
export const VCORE_RTL_LIMITS: VcoreRtlLimits = {
  instructions: 2 ** 7,
  loopDepth: 2,
  banks: Array.from({ length: 6 }, () => ({ words: VCORE_BANK_WORDS, bits: VCORE_D })),
  kRegs: 16,
  kMantBits: 15,
  weightWords: 2 ** 9,
  tableWords: W_CLIP_TOPS - W_TABLES,
  clipTops: 2 ** 14 - W_CLIP_TOPS,
  xSlices: [0, 4],
  ySlices: [0, 4, 5, 8, 11, 12],
  shiftBits: 6,
  negatedA: false,
  xPreAdder: false,
  yConstant: false,
  plasChain: false,
  readBanks: ALL_READ_BANKS,
};

/**
 * The limits of a build (the board's CORE_INFO): its banks, program memory, K file, weight and table words; the rest
 * as the RTL is written. A build the RTL cannot be synthesized as throws naming the field and the RTL's bound.
 */
export function vcoreRtlLimitsFor(build: VcoreBuild): VcoreRtlLimits {
  const R = VCORE_RTL_LIMITS;
  const bound = (field: string, v: number, max: number, why: string) => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new Error(`build: ${field} = ${v}, vcore.v allows at most ${max} (${why})`);
  };
  bound('banks', build.banks.length, 8, '3-bit bank fields');
  build.banks.forEach((b, i) => {
    bound(`bank ${i} words`, b.words, VCORE_BANK_WORDS, 'vcore_banks DEPTH, 8-bit word fields');
    bound(`bank ${i} bits`, b.bits, VCORE_D, 'D');
  });
  bound('instructions', build.instructions, 2 ** 10, '10-bit pc');
  if (2 ** Math.round(Math.log2(build.instructions)) !== build.instructions) throw new Error(`build: instructions = ${build.instructions} is not 2^PAW`);
  bound('kRegs', build.kRegs, R.kRegs, 'kr[0:15]');
  bound('factorBits', build.factorBits, R.kMantBits, "k_wdata, vcore_elem's kmant");
  bound('weightWords', build.weightWords, W_TABLES / 2, 'W and W0 below the knot tables at W 8192');
  bound('tableWords', build.tableWords, R.tableWords, 'W 8192 .. 16351');
  if (build.operandBits !== 16) throw new Error(`build: operandBits = ${build.operandBits}, vcore_elem's slices and multiplier are 16 bits`);
  for (const role of READ_ROLES) bound(`readBanks.${role}`, build.readBanks[role], 0xff, 'an 8-bit mask, one bit a bank');
  const readBanks = { ...build.readBanks };
  return { ...R, instructions: build.instructions, banks: build.banks.map((b) => ({ ...b })), kRegs: build.kRegs, kMantBits: build.factorBits, weightWords: build.weightWords, tableWords: build.tableWords, readBanks };
}

type P = Pick<CoreProgram, 'code' | 'K' | 'kBeta' | 'banks' | 'w0' | 'tables' | 'entry'>;

/** Collects the problems of one instruction: `bad(field, value, why)`, `span(field, address, length)`. */
class Issues {
  constructor(
    readonly out: string[],
    readonly pc: number,
    readonly op: string,
    private readonly L: VcoreRtlLimits,
  ) {}
  bad(field: string, v: number | string, why: string): void {
    this.out.push(`instruction ${this.pc} (${this.op}): field ${field} = ${v}: ${why}`);
  }
  span(field: string, a: Addr | null | undefined, len: number): void {
    if (!a || len === 0) return;
    const b = this.L.banks[a.bank];
    if (!b) return this.bad(`${field}.bank`, a.bank, `the build has ${this.L.banks.length} banks (NB)`);
    if (a.word + len > b.words) this.bad(`${field}.word`, a.word, `words ${a.word}..${a.word + len - 1} pass bank ${a.bank}'s ${b.words} (base + index wraps at the bank's depth)`);
  }
  shift(field: string, u: number, lo = 0): void {
    if (u < lo || u >= 2 ** this.L.shiftBits) this.bad(field, u, `vcore_elem's shift takes ${lo}..${2 ** this.L.shiftBits - 1}`);
  }
  weights(wb: number, n: number): void {
    if (wb + n > this.L.weightWords) this.bad('wb', wb, `weights ${wb}..${wb + n - 1} pass the build's ${this.L.weightWords} weight words (2^WAW: the W address wraps)`);
  }
}

/** A K register an E op multiplies by: in the K file, its mantissa inside kMantBits. */
function kFactor(is: Issues, field: string, k: number, prog: P, L: VcoreRtlLimits): void {
  if (k >= L.kRegs) return is.bad(field, k, `the K file has ${L.kRegs} registers (kr[0:15])`);
  const f = prog.K[k];
  if (!f) return is.bad(field, k, `the program has ${prog.K.length} K registers`);
  if (!Number.isInteger(f.mant) || f.mant < 0 || f.mant >= 2 ** L.kMantBits) is.bad(field, k, `K ${k}'s mantissa ${f.mant} does not fit the K file's ${L.kMantBits} unsigned bits`);
}

/** An operand of an E op on port p (X or Y) on the general path (the multiplier with slices). */
function port(is: Issues, p: 'x' | 'y', s: Src | null, ins: Extract<Instr, { op: 'E' }>, prog: P, L: VcoreRtlLimits): void {
  if (s === null) return;
  if (s.m === 'k') {
    if (p === 'y' && !L.yConstant) return is.bad('y.mode', 'k', 'a constant on Y: the Y port reads the banks only');
    return kFactor(is, `${p}.k`, s.k, prog, L);
  }
  const len = s.m === 'v' ? ins.n : 1;
  is.span(`${p}.a`, s.a, len);
  is.span(`${p}.sub`, s.sub, len);
  const slices = p === 'x' ? L.xSlices : L.ySlices;
  if (!slices.includes(s.sl.s)) is.bad(`${p}.slice`, s.sl.s, `the ${p.toUpperCase()} port slices by ${slices.join(', ')} only (vcore_elem${p === 'x' ? ' XS' : "'s slice cases"})`);
  if (p === 'x' && !L.xPreAdder) {
    if (s.sub) is.bad('x.sub', `bank ${s.sub.bank} word ${s.sub.word}`, "X has no pre-adder (vcore_elem's X port)");
    if (s.shl) is.bad('x.shl8', s.shl, "X has no pre-adder (vcore_elem's X port)");
  }
}

/** em = K·m (a constant times an unclipped Y): two mac terms and an epilogue of rs(sum, u − 15); Y is read whole. */
function checkEm(is: Issues, ins: Extract<Instr, { op: 'E' }>, u: number, prog: P, L: VcoreRtlLimits): void {
  const y = ins.y as Extract<Src, { m: 'v' | 'b' }>;
  kFactor(is, 'x.k', (ins.x as Extract<Src, { m: 'k' }>).k, prog, L);
  is.span('y.a', y.a, y.m === 'v' ? ins.n : 1);
  if (y.sl.s !== 0) is.bad('y.slice', y.sl.s, 'a constant times an unclipped Y (em) reads Y unsliced: clip it or slice it elsewhere');
  if (y.sub) is.bad('y.sub', `bank ${y.sub.bank} word ${y.sub.word}`, "a constant times an unclipped Y (em) has no pre-adder (vcore.v's em path)");
  if (y.shl) is.bad('y.shl8', y.shl, "a constant times an unclipped Y (em) has no pre-adder (vcore.v's em path)");
  is.shift('u', u, 15);
}

function checkE(is: Issues, ins: Extract<Instr, { op: 'E' }>, prog: P, L: VcoreRtlLimits): void {
  is.span('dst', ins.dst, ins.n);
  is.span('a', ins.a, ins.n);
  is.span('mask', ins.mask, ins.n);
  if (ins.aNeg && !L.negatedA) is.bad('a_neg', 1, 'vcore_elem has no negated A');
  if (ins.x?.m === 'k' && !ins.y) return kFactor(is, 'x.k', ins.x.k, prog, L);
  const x = ins.x;
  const y = ins.y;
  const u = foldU(ins, prog.K, prog.kBeta);
  if (x?.m === 'k' && y && y.m !== 'k' && !y.sl.clip && !isOne(ins, prog.K, prog.kBeta)) return checkEm(is, ins, u, prog, L);
  port(is, 'x', x, ins, prog, L);
  port(is, 'y', y, ins, prog, L);
  if (x && y) is.shift('u', u);
}

function checkMV(is: Issues, ins: Extract<Instr, { op: 'MV' }>): void {
  const [inner, outer] = ins.t ? [ins.rows, ins.cols] : [ins.cols, ins.rows];
  is.span('x', ins.x, inner);
  if (!ins.init || !ins.epi) is.span('acc', ins.acc, outer);
  is.weights(ins.wb, ins.rows * ins.cols);
  const e = ins.epi;
  if (!e) return;
  is.span('epi.dst', e.dst, outer);
  is.span('epi.a', e.a, outer);
  if (e.aNeg) is.bad('epi.a_neg', 1, 'vcore_elem has no negated A');
  is.shift('epi.sh', e.sh);
}

function checkPlas(is: Issues, ins: Extract<Instr, { op: 'PLAS' }>, prog: P, L: VcoreRtlLimits): void {
  is.span('r', ins.r, ins.rows);
  is.span('c', ins.c, ins.cols);
  is.weights(ins.wb, ins.rows * ins.cols);
  if (!prog.K[ins.k]) return is.bad('k', ins.k, `the program has ${prog.K.length} K registers`);
  is.shift('u1', foldU1(ins, prog.K));
  if (ins.chain && !L.plasChain) is.bad('chain_en', 1, 'PLAS chain mode is not in the RTL (vcore.v traps on it)');
}

function checkAct(is: Issues, ins: Extract<Instr, { op: 'ACT' }>, prog: P, L: VcoreRtlLimits): void {
  for (const f of ['u', 'rho', 'drho', 'curv'] as const) is.span(f, ins[f], ins.n);
  if (ins.kind === 'table' && ins.tb + 3 * TABLE_KNOTS > L.tableWords)
    is.bad('tb', ins.tb, `knot words ${ins.tb}..${ins.tb + 3 * TABLE_KNOTS - 1} pass the build's ${L.tableWords} table words (W 8192 + i)`);
  if (ins.kind !== 'clip') return;
  if (ins.k >= L.clipTops) return is.bad('k', ins.k, `clip tops live at W 16352 + k: k < ${L.clipTops}`);
  const top = prog.K[ins.k];
  if (!top) return is.bad('k', ins.k, `the program has ${prog.K.length} K registers`);
  if (!Number.isInteger(top.mant) || top.mant < -(2 ** 31) || top.mant >= 2 ** 31) is.bad('k', ins.k, `K ${ins.k}'s clip top ${top.mant} does not fit its 32-bit word`);
}

function checkInstr(is: Issues, ins: Instr, prog: P, L: VcoreRtlLimits): void {
  const target = (field: string, to: number) => {
    if (to >= prog.code.length || to >= L.instructions) is.bad(field, to, `past the program (${prog.code.length} instructions; the fetch address wraps at ${L.instructions})`);
  };
  switch (ins.op) {
    case 'E':
      return checkE(is, ins, prog, L);
    case 'MV':
      return checkMV(is, ins);
    case 'DOT':
      is.span('dst', ins.dst, 1);
      is.span('x', ins.x, ins.n);
      return is.span('y', ins.y, ins.n);
    case 'PLAS':
      return checkPlas(is, ins, prog, L);
    case 'ACT':
      return checkAct(is, ins, prog, L);
    case 'LOOP':
      return target('end', ins.end);
    case 'JNL':
    case 'JMP':
      return target('to', ins.to);
  }
}

/** One bank access of an instruction: a field's address, how many words, and the counter that indexes it. */
interface Access {
  field: string;
  a: Addr;
  len: number;
  /** 'i': element/row index, 'j': a weight pass's inner index, 'c': constant (broadcast). */
  by: 'i' | 'j' | 'c';
}

/** Two accesses reach different words of one bank in some slot (the words differ for some index). */
function differ(p: Access, q: Access, n: number): boolean {
  if (p.a.bank !== q.a.bank) return false;
  if (p.by === q.by) return p.a.word !== q.a.word;
  return !(n <= 1 && p.a.word === q.a.word);
}

/** The accesses of an E op as vcore.v issues them: reads in one slot, and the write. */
function eAccess(ins: Extract<Instr, { op: 'E' }>): { reads: Access[]; write: Access } {
  const reads: Access[] = [];
  const src = (p: string, s: Src | null, sub: boolean) => {
    if (!s || s.m === 'k') return;
    const by = s.m === 'v' ? 'i' : 'c';
    const len = s.m === 'v' ? ins.n : 1;
    reads.push({ field: `${p}.a`, a: s.a, len, by });
    if (sub && s.sub) reads.push({ field: `${p}.sub`, a: s.sub, len, by });
  };
  if (ins.a) reads.push({ field: 'a', a: ins.a, len: ins.n, by: 'i' });
  src('x', ins.x, false); // X's subtrahend is never read (no X pre-adder)
  src('y', ins.y, true);
  if (ins.mask) reads.push({ field: 'mask', a: ins.mask, len: ins.n, by: 'i' });
  return { reads, write: { field: 'dst', a: ins.dst, len: ins.n, by: 'i' } };
}

/** The reads of one slot and the writes of an instruction (E, MV, DOT, PLAS), or null. */
function accesses(ins: Instr): { slots: Access[][]; writes: Access[]; reads: Access[]; n: number } | null {
  switch (ins.op) {
    case 'E': {
      const { reads, write } = eAccess(ins);
      return { slots: [reads], writes: [write], reads, n: ins.n };
    }
    case 'MV': {
      const [inner, outer] = ins.t ? [ins.rows, ins.cols] : [ins.cols, ins.rows];
      const x: Access = { field: 'x', a: ins.x, len: inner, by: 'j' };
      const acc: Access = { field: 'acc', a: ins.acc, len: outer, by: 'i' };
      const epiA: Access[] = ins.epi?.a ? [{ field: 'epi.a', a: ins.epi.a, len: outer, by: 'i' }] : [];
      const writes = ins.epi ? [{ field: 'epi.dst', a: ins.epi.dst, len: outer, by: 'i' as const }] : [acc];
      return { slots: [ins.init ? [x] : [x, acc]], writes, reads: [x, ...(ins.init ? [] : [acc]), ...epiA], n: Math.max(inner, outer) };
    }
    case 'DOT': {
      const reads: Access[] = [{ field: 'x', a: ins.x, len: ins.n, by: 'j' }, { field: 'y', a: ins.y, len: ins.n, by: 'j' }];
      return { slots: [reads], writes: [{ field: 'dst', a: ins.dst, len: 1, by: 'c' }], reads, n: ins.n };
    }
    case 'PLAS': {
      const reads: Access[] = [{ field: 'r', a: ins.r, len: ins.rows, by: 'i' }, { field: 'c', a: ins.c, len: ins.cols, by: 'j' }];
      return { slots: [reads], writes: [], reads, n: Math.max(ins.rows, ins.cols) };
    }
    default:
      return null;
  }
}

/**
 * A bank has one read port (vcore.v's read-address mux gives it to A, then X, Y, the subtrahend, the mask): one slot
 * must not read two different words of a bank. And the pipeline writes an element ~5 cycles after its reads
 * (vcore_banks: no read-write collision logic): an instruction must not read a word it has written at an earlier
 * index (reading ahead, the read base above the write base, is the same in the machine and the pipeline).
 */
function checkAccess(is: Issues, ins: Instr): void {
  const acc = accesses(ins);
  if (!acc) return;
  for (const slot of acc.slots)
    slot.forEach((p, k) => {
      const q = slot.slice(0, k).find((o) => differ(o, p, acc.n));
      if (q) is.bad(`${p.field}.bank`, p.a.bank, `read in one cycle with ${q.field} (bank ${q.a.bank} word ${q.a.word}): a bank has one read port`);
    });
  for (const w of acc.writes)
    for (const r of acc.reads) {
      const overlap = r.a.bank === w.a.bank && r.a.word < w.a.word + w.len && w.a.word < r.a.word + r.len;
      // reading ahead (both by the element index, the read base above the write base) reads each word before the
      // index that writes it, in the machine as in the pipeline: only reading behind sees the difference
      const ahead = r.by === 'i' && w.by === 'i' && r.a.word > w.a.word;
      if (overlap && !ahead && differ(r, w, acc.n)) is.bad(`${w.field}.word`, w.a.word, `writes words ${r.field} reads at another index (bank ${r.a.bank} words ${r.a.word}..${r.a.word + r.len - 1}): the pipeline reads ahead of its writes, so it would read the word before this instruction wrote it`);
    }
}

/** Each read of a bank outside its role's read mux (after the bank ports: the C check's order). */
function checkRoles(is: Issues, ins: Instr, L: VcoreRtlLimits): void {
  for (const r of roleReads(ins)) {
    const mask = L.readBanks[r.role];
    if (!((mask >> r.a.bank) & 1)) is.bad(`${r.field}.bank`, r.a.bank, `the ${r.role.toUpperCase()} read port reaches banks ${bankList(mask)} only (vcore.v R${r.role.toUpperCase()})`);
  }
}

/** The program's memories against the build: instructions, entry points, banks, K file, weights, tables. */
function checkMemories(out: string[], prog: P, L: VcoreRtlLimits): void {
  if (prog.code.length > L.instructions) out.push(`instructions: ${prog.code.length}, the program memory holds ${L.instructions} (2^PAW)`);
  for (const [name, pc] of Object.entries(prog.entry)) if (pc >= prog.code.length || pc >= L.instructions) out.push(`entry ${name}: ${pc}, past the program (${prog.code.length} instructions)`);
  if (prog.banks.length > L.banks.length) out.push(`banks: ${prog.banks.length}, the build has ${L.banks.length} (NB)`);
  prog.banks.forEach((b, i) => {
    const lim = L.banks[i];
    if (!lim) return;
    if (b.words > lim.words) out.push(`bank ${i}: ${b.words} words, the build's bank ${i} has ${lim.words} (vcore_banks DEPTH)`);
    if (b.bits > lim.bits) out.push(`bank ${i}: ${b.bits} bits, the build's bank ${i} holds ${lim.bits} (BW, at most D = ${VCORE_D})`);
  });
  if (prog.K.length > L.kRegs) out.push(`K: ${prog.K.length} registers, the K file has ${L.kRegs} (kr, 4-bit k_addr)`);
  if (prog.w0 > L.weightWords) out.push(`weights: ${prog.w0} words, the build has ${L.weightWords} (2^WAW)`);
  if (prog.tables.length > L.tableWords) out.push(`tables: ${prog.tables.length} words, the build has ${L.tableWords} (W 8192 + i)`);
}

/** LOOPs nested deeper than the loop stack. */
function checkLoops(out: string[], prog: P, L: VcoreRtlLimits): void {
  const open: number[] = [];
  prog.code.forEach((ins, pc) => {
    while (open.length && pc >= open[open.length - 1]!) open.pop();
    if (ins.op !== 'LOOP') return;
    open.push(ins.end);
    if (open.length > L.loopDepth) out.push(`instruction ${pc} (LOOP): field end = ${ins.end}: nested ${open.length} deep, the loop stack has ${L.loopDepth} levels`);
  });
}

/** Every way the program is outside the limits (empty: the RTL runs it as the program machine does). */
export function checkRtlProgram(prog: P, limits: VcoreRtlLimits = VCORE_RTL_LIMITS): string[] {
  const out: string[] = [];
  checkMemories(out, prog, limits);
  checkLoops(out, prog, limits);
  prog.code.forEach((ins, pc) => {
    const is = new Issues(out, pc, ins.op, limits);
    checkInstr(is, ins, prog, limits);
    checkAccess(is, ins);
    checkRoles(is, ins, limits);
  });
  return out;
}
