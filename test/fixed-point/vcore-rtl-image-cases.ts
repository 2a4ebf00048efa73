import type { Addr, CoreProgram, Instr } from '../../hardware-models/fixed-point/core-program.js';
import { decodeVcoreImage, encodeVcoreImage, VCORE_GENERIC_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { ALL_READ_BANKS, checkRtlProgram, READ_ROLES, roleReads, vcoreRtlLimitsFor } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';

/**
 * Images whose only fault is an RTL limit (vcore-rtl-limits.ts): a compiled image's program with one instruction
 * changed, re-encoded whole (encodeVcoreImage: the β readers and the CRC follow), so every other check of
 * decodeVcoreImage passes. The expected field comes from the reference, checkRtlProgram on the changed program, not
 * from the image check under test: a case is the first instruction where the change makes checkRtlProgram's first
 * problem the named field (and the image otherwise valid). `field: null` marks a change the RTL runs as the program
 * machine does (reading ahead of the write): both checks must accept it.
 */
export interface RtlImageCase {
  name: string;
  bytes: Uint8Array;
  pc: number;
  op: Instr['op'];
  /** checkRtlProgram's field (`a_neg`, `x.a.bank`, `dst.word`, ...), or null: accepted. */
  field: string | null;
}

type E = Extract<Instr, { op: 'E' }>;
type MV = Extract<Instr, { op: 'MV' }>;
type VSrc = Extract<NonNullable<E['x']>, { m: 'v' | 'b' }>;
/** A change of one instruction (pc, the program): the new instruction, or null where it does not apply. */
type Change = (ins: Instr, pc: number, prog: CoreProgram) => Instr | null;

const vsrc = (s: E['x']): s is VSrc => s !== null && s.m !== 'k';
/** em (a constant times an unclipped Y, no bypass): what checkRtlProgram checks with checkEm. */
const isEm = (e: E) => e.x?.m === 'k' && vsrc(e.y) && !e.y.sl.clip;
/** Another word of a's bank with len words from it inside the bank (before a when it can, else after), or null. */
function otherWord(prog: CoreProgram, a: Addr, len: number, behind = true): Addr | null {
  const words = prog.banks[a.bank]!.words;
  if (behind && a.word >= 1) return { bank: a.bank, word: a.word - 1 };
  if (a.word + 1 + len <= words) return { bank: a.bank, word: a.word + 1 };
  return null;
}
const e = (f: (i: E, pc: number, p: CoreProgram) => Instr | null): Change => (i, pc, p) => (i.op === 'E' ? f(i, pc, p) : null);
const mv = (f: (i: MV, p: CoreProgram) => Instr | null): Change => (i, _pc, p) => (i.op === 'MV' ? f(i, p) : null);

/** LOOP depth at each pc as checkRtlProgram's checkLoops counts it (before the instruction itself). */
function depthAt(prog: CoreProgram, at: number): number {
  const open: number[] = [];
  for (let pc = 0; pc < at; pc++) {
    while (open.length && pc >= open[open.length - 1]!) open.pop();
    const i = prog.code[pc]!;
    if (i.op === 'LOOP') open.push(i.end);
  }
  while (open.length && at >= open[open.length - 1]!) open.pop();
  return open.length;
}

/** The changes, one per RTL limit an image can break (the name, checkRtlProgram's field, the change). */
const CHANGES: Array<[string, string | null, Change]> = [
  ['negated A on an E op', 'a_neg', e((i) => (i.a ? { ...i, aNeg: true } : null))],
  ['negated A on an MV epilogue', 'epi.a_neg', mv((i) => (i.epi ? { ...i, epi: { ...i.epi, aNeg: true } } : null))],
  ['X sliced by 8 (X slices 0 and 4 only)', 'x.slice', e((i) => (vsrc(i.x) ? { ...i, x: { ...i.x, sl: { ...i.x.sl, s: 8 } } } : null))],
  ['X pre-adder: a subtrahend', 'x.sub', e((i) => (vsrc(i.x) ? { ...i, x: { ...i.x, sub: i.x.a } } : null))],
  ['X pre-adder: shl8', 'x.shl8', e((i) => (vsrc(i.x) ? { ...i, x: { ...i.x, shl: 8 } } : null))],
  ['Y sliced by 3 (not a Y slice)', 'y.slice', e((i) => (vsrc(i.y) && !isEm(i) && i.y.sl.clip ? { ...i, y: { ...i.y, sl: { ...i.y.sl, s: 3 } } } : null))],
  ['em: Y sliced', 'y.slice', e((i) => (isEm(i) && vsrc(i.y) ? { ...i, y: { ...i.y, sl: { ...i.y.sl, s: 4 } } } : null))],
  ['em: Y pre-adder subtrahend', 'y.sub', e((i) => (isEm(i) && vsrc(i.y) ? { ...i, y: { ...i.y, sub: i.y.a } } : null))],
  ['em: Y pre-adder shl8', 'y.shl8', e((i) => (isEm(i) && vsrc(i.y) ? { ...i, y: { ...i.y, shl: 8 } } : null))],
  ['em: folded shift below 15', 'u', e((i, _pc, p) => (isEm(i) ? { ...i, sh: i.sh - (15 + i.sh - (i.useExp && i.x?.m === 'k' ? p.K[i.x.k]!.exp : 0)) + 14 } : null))],
  ['PLAS chain mode', 'chain_en', (i) => (i.op === 'PLAS' ? { ...i, chain: { sl: { s: 0, clip: false }, sh2: 0 } } : null)],
  ['LOOP nested three deep', 'end', (i, pc, p) => (i.op === 'E' && depthAt(p, pc) === 2 ? { op: 'LOOP', count: 'steps', end: pc + 1 } : null)],
  ['two reads of one bank: X beside A', 'x.a.bank', e((i, _pc, p) => {
    const w = i.a && i.x?.m === 'v' ? otherWord(p, i.a, i.n) : null;
    return w && vsrc(i.x) ? { ...i, x: { ...i.x, a: w } } : null;
  })],
  ['two reads of one bank: Y beside X', 'y.a.bank', e((i, _pc, p) => {
    const w = vsrc(i.x) && i.x.m === 'v' && vsrc(i.y) && i.y.m === 'v' ? otherWord(p, i.x.a, i.n) : null;
    return w && vsrc(i.y) ? { ...i, y: { ...i.y, a: w } } : null;
  })],
  ['two reads of one bank: Y\'s subtrahend beside Y', 'y.sub.bank', e((i, _pc, p) => {
    const w = vsrc(i.y) && i.y.m === 'v' && !isEm(i) ? otherWord(p, i.y.a, i.n) : null;
    return w && vsrc(i.y) ? { ...i, y: { ...i.y, sub: w } } : null;
  })],
  ['two reads of one bank: the mask beside X', 'mask.bank', e((i, _pc, p) => {
    const w = vsrc(i.x) && i.x.m === 'v' && !i.mask ? otherWord(p, i.x.a, i.n) : null;
    return w ? { ...i, mask: w } : null;
  })],
  ['two reads of one bank: DOT Y beside X', 'y.bank', (i, _pc, p) => {
    const w = i.op === 'DOT' ? otherWord(p, i.x, i.n) : null;
    return w && i.op === 'DOT' ? { ...i, y: w } : null;
  }],
  ['two reads of one bank: MV partial sums beside X', 'acc.bank', mv((i) => (!i.init && Math.max(i.rows, i.cols) > 1 ? { ...i, acc: { bank: i.x.bank, word: i.x.word } } : null))],
  ['two reads of one bank: PLAS C beside R', 'c.bank', (i) => (i.op === 'PLAS' && Math.max(i.rows, i.cols) > 1 ? { ...i, c: { bank: i.r.bank, word: i.r.word } } : null)],
  ['reading behind the write: A one word below dst', 'dst.word', e((i) => (i.n > 1 && i.dst.word >= 1 ? { ...i, a: { bank: i.dst.bank, word: i.dst.word - 1 } } : null))],
  ['an MV epilogue writing the words X reads', 'epi.dst.word', mv((i) => (i.epi && Math.max(i.rows, i.cols) > 1 ? { ...i, epi: { ...i.epi, dst: i.x } } : null))],
  ['an MV (init, no epilogue) writing its sums over X', 'acc.word', mv((i) => (Math.max(i.rows, i.cols) > 1 ? { ...i, init: true, epi: null, acc: i.x } : null))],
  ['a DOT writing a word X reads', 'dst.word', (i) => (i.op === 'DOT' && i.n > 1 ? { ...i, dst: { bank: i.x.bank, word: i.x.word + 1 } } : null)],
  ['reading ahead: A one word above dst (accepted)', null, e((i, _pc, p) => (i.n > 1 && i.dst.word + 1 + i.n <= p.banks[i.dst.bank]!.words ? { ...i, a: { bank: i.dst.bank, word: i.dst.word + 1 } } : null))],
];

/** The first problem checkRtlProgram finds in prog on a build: [pc, field], or null. */
export function firstRtlProblem(prog: CoreProgram, build: VcoreBuild): [number, string] | null {
  const p = checkRtlProgram(prog, vcoreRtlLimitsFor(build))[0];
  if (p === undefined) return null;
  const m = /^instruction (\d+) \(\w+\): field (\S+) = /.exec(p);
  if (!m) throw new Error(`a problem without an instruction: ${p}`);
  return [Number(m[1]), m[2]!];
}

/** One case per change that applies to the image's program (the first instruction where it gives the field). */
export function rtlImageCases(good: Uint8Array, build: VcoreBuild = VCORE_GENERIC_BUILD): RtlImageCase[] {
  const vi = decodeVcoreImage(good, build);
  const prog = vi.prog;
  const out: RtlImageCase[] = [];
  for (const [name, field, change] of CHANGES) {
    for (let pc = 0; pc < prog.code.length; pc++) {
      const ins = change(prog.code[pc]!, pc, prog);
      if (!ins) continue;
      const q: CoreProgram = { ...prog, code: prog.code.map((x, k) => (k === pc ? ins : x)) };
      let bytes: Uint8Array;
      try {
        bytes = encodeVcoreImage(q, vi.sourceImageId, vi.network);
      } catch {
        continue; // a field that does not encode (a folded shift outside 6 bits)
      }
      const want = firstRtlProblem(q, build);
      const hit = field === null ? want === null : want !== null && want[0] === pc && want[1] === field;
      if (hit && passesOtherChecks(bytes, build)) {
        out.push({ name, bytes, pc, op: ins.op, field });
        break;
      }
    }
  }
  out.push(...readPortCases(prog, vi, build));
  const two = twoDeepLoops(prog, vi, build);
  if (two) out.push(two);
  return out;
}

/** A compiled image refused by a build whose one read port reaches one bank fewer: the build with it. */
export interface ReadPortBuildCase extends RtlImageCase {
  build: VcoreBuild;
}

/**
 * The image unchanged, checked against builds whose port `role` no longer reaches one bank that port reads: for every
 * role and bank, the first problem checkRtlProgram names on that build, one case for each distinct op and field (every
 * read of every op through every port a program has: E's a, x.a, y.a, y.sub, mask; MV's x, acc, epi.a; DOT's x, y;
 * PLAS's r, c; ACT's u).
 */
export function readPortBuildCases(good: Uint8Array, build: VcoreBuild): ReadPortBuildCase[] {
  const prog = decodeVcoreImage(good, build).prog;
  const out: ReadPortBuildCase[] = [];
  const seen = new Set<string>();
  for (const role of READ_ROLES)
    for (let bank = 0; bank < prog.banks.length; bank++) {
      if (!((build.readBanks[role] >> bank) & 1)) continue;
      const narrow: VcoreBuild = { ...build, readBanks: { ...build.readBanks, [role]: build.readBanks[role] & ~(1 << bank) } };
      const want = firstRtlProblem(prog, narrow);
      if (!want) continue; // nothing reads the bank through that port
      if (!want[1].endsWith('.bank')) throw new Error(`readPortBuildCases: ${want[1]} is not a read port's field`);
      const op = prog.code[want[0]]!.op;
      if (seen.has(`${op} ${want[1]}`)) continue;
      seen.add(`${op} ${want[1]}`);
      out.push({ name: `the ${role.toUpperCase()} port without bank ${bank}: ${op} ${want[1]}`, bytes: good, pc: want[0], op, field: want[1], build: narrow });
    }
  return out;
}

/** An instruction with the address at `field` (roleReads' names) moved to another bank, the word kept. */
function moveRead(ins: Instr, field: string, bank: number): Instr {
  const to = (a: Addr) => ({ ...a, bank });
  switch (ins.op) {
    case 'E':
      if (field === 'a') return { ...ins, a: to(ins.a!) };
      if (field === 'mask') return { ...ins, mask: to(ins.mask!) };
      if (field === 'x.a' && vsrc(ins.x)) return { ...ins, x: { ...ins.x, a: to(ins.x.a) } };
      if (field === 'y.a' && vsrc(ins.y)) return { ...ins, y: { ...ins.y, a: to(ins.y.a) } };
      if (field === 'y.sub' && vsrc(ins.y)) return { ...ins, y: { ...ins.y, sub: to(ins.y.sub!) } };
      break;
    case 'MV':
      if (field === 'x') return { ...ins, x: to(ins.x) };
      if (field === 'acc') return { ...ins, acc: to(ins.acc) };
      if (field === 'epi.a' && ins.epi) return { ...ins, epi: { ...ins.epi, a: to(ins.epi.a!) } };
      break;
    case 'DOT':
      return field === 'x' ? { ...ins, x: to(ins.x) } : { ...ins, y: to(ins.y) };
    case 'PLAS':
      return field === 'r' ? { ...ins, r: to(ins.r) } : { ...ins, c: to(ins.c) };
    case 'ACT':
      return { ...ins, u: to(ins.u) };
  }
  throw new Error(`moveRead: no ${field} on ${ins.op}`);
}

/**
 * For each op and read field (roleReads' names), that read moved to a bank its port does not reach (the build's
 * readBanks), the first instruction where it makes checkRtlProgram's first problem `FIELD.bank` at its pc with the
 * image otherwise valid; none on a build whose ports reach every bank the program has.
 */
function readPortCases(prog: CoreProgram, vi: { sourceImageId: number; network: string }, build: VcoreBuild): RtlImageCase[] {
  const out: RtlImageCase[] = [];
  const done = new Set<string>();
  for (let pc = 0; pc < prog.code.length; pc++)
    for (const r of roleReads(prog.code[pc]!)) {
      const key = `${prog.code[pc]!.op} ${r.field}`;
      if (done.has(key)) continue;
      for (const bank of prog.banks.map((_, b) => b).filter((b) => !((build.readBanks[r.role] >> b) & 1))) {
        const ins = moveRead(prog.code[pc]!, r.field, bank);
        const q: CoreProgram = { ...prog, code: prog.code.map((x, k) => (k === pc ? ins : x)) };
        const want = firstRtlProblem(q, build);
        if (!want || want[0] !== pc || want[1] !== `${r.field}.bank`) continue;
        // the read port alone refuses it (not one bank read twice in a slot, which names the same field)
        if (firstRtlProblem(q, { ...build, readBanks: ALL_READ_BANKS }) !== null) continue;
        const bytes = encodeVcoreImage(q, vi.sourceImageId, vi.network);
        if (!passesOtherChecks(bytes, build)) continue;
        out.push({ name: `the ${r.role.toUpperCase()} read port: ${ins.op} ${r.field} moved to bank ${bank}, which it does not reach`, bytes, pc, op: ins.op, field: `${r.field}.bank` });
        done.add(key);
        break;
      }
    }
  return out;
}

/** Two E ops at depth 2 made LOOPs: two third levels, the first refused (the second must not upset the loop stack). */
function twoDeepLoops(prog: CoreProgram, vi: { sourceImageId: number; network: string }, build: VcoreBuild): RtlImageCase | null {
  const pcs = prog.code.flatMap((i, pc) => (i.op === 'E' && depthAt(prog, pc) === 2 ? [pc] : []));
  const [a, b] = [pcs[0], pcs.find((pc) => pc > pcs[0]! + 1)];
  if (a === undefined || b === undefined) return null;
  const q: CoreProgram = { ...prog, code: prog.code.map((x, k): Instr => (k === a || k === b ? { op: 'LOOP', count: 'steps', end: k + 1 } : x)) };
  const bytes = encodeVcoreImage(q, vi.sourceImageId, vi.network);
  const want = firstRtlProblem(q, build);
  if (!want || want[0] !== a || want[1] !== 'end' || checkRtlProgram(q, vcoreRtlLimitsFor(build)).length < 2 || !passesOtherChecks(bytes, build)) return null;
  return { name: 'two LOOPs nested three deep', bytes, pc: a, op: 'LOOP', field: 'end' };
}

/**
 * The image passes every check of decodeVcoreImage before the RTL one: it is accepted, or refused with an RTL field
 * (`instruction N (OP) FIELD`, FIELD not `word J`). Which RTL field, if any, is left to the test to compare with the
 * reference.
 */
function passesOtherChecks(bytes: Uint8Array, build: VcoreBuild): boolean {
  try {
    decodeVcoreImage(bytes, build);
    return true;
  } catch (e) {
    return /^vcore image: byte \d+ \(instruction \d+ \(\w+\) [a-z_.0-9]+\): expected what the build's RTL runs/.test((e as Error).message);
  }
}
