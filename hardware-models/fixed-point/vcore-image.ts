import { ByteWriter } from '../../core/bytes.js';
import type { Addr, CoreProgram, Factor, Instr } from './core-program.js';
import { betaReaders, decodeProgram, encodeProgram, WORDS_PER_INSTR } from './core-program-encode.js';
import { SIGNAL_MAX } from './format.js';
import { TABLE_KNOTS } from './image.js';
import { FieldReader, ImageError, openContainer, sealContainer } from './image-container.js';
import { knotProblem } from './vcore-knots.js';
import { ALL_READ_BANKS, checkRtlProgram, vcoreRtlLimitsFor, type ReadBanks } from './vcore-rtl-limits.js';

/**
 * The vector core's image (format `nla-vcore-image/1`, magic `NLAV`; docs/protocol.md section 10.5): what the host
 * compiles from a board image (`compileProgram(image, UP5K16)`, core-program.ts) so that a board with the vector
 * core (gateware/vcore/) only checks and copies: the encoded program (core-program-encode.ts), the bank geometry,
 * the constant registers, the weights, the knot tables and the interface maps the firmware uses to write inputs and
 * targets, clear the banks on RESET and read the probes. Little-endian, in the container of image-container.ts:
 *
 *   header   "NLAV" u16 version=1 u16 flags=0 u32 totalBytes u32 sourceImageId (the NLAI image's CRC: what HELLO_ACK
 *            reports) u8 numberFormat (1 = UP5K16) u8 weightShift u8 weightBits u8 operandBits u8 factorBits
 *            u8 nBanks u16 nInstructions u16 entryReset u16 entryFrame u16 stepsPerFrame u16 iterations u8 nK u8 kBeta
 *            u16 nWeights u16 nProjections u16 nTableWords u16 nStimulusInputs u16 nBias u16 nOutputs u16 nAllU
 *            u16 nClear u16 nBetaReaders str name
 *   banks    nBanks × (u16 words, u8 bits)
 *   program  nInstructions × 4 × u32 (instruction pc in words 4·pc .. 4·pc + 3, bit 32j + i of the instruction in word j)
 *   K        nK × (i32 mantissa, i8 exponent): a factor (E's constant, PLAS's) has 0 ≤ mantissa < 2^factorBits,
 *            a clip top (ACT clip) is a Q3.16 signal
 *   readers  nBetaReaders × u16 pc: the instructions SET_PARAM BETA refolds (betaReaders)
 *   projections  nProjections × (u16 wbase, u16 wlen)
 *   weights  nWeights × i32 (W; the board keeps a copy as W0 for RESET with restore)
 *   tables   nTableWords × i32 (slot s at s·3·257: ρ, ρ′, ρ″)
 *   io       addresses as u16 (bank << 8 | word): nStimulusInputs r_in words, nBias r̄_in words, nOutputs × 6 (u, ρ, ē,
 *            u*, u*prev, has-target), nAllU u words, nClear × (address, u16 length)
 *   trailer  u32 CRC-32 of every byte before it
 *
 * `decodeVcoreImage` checks the image against what a build of the core holds (`VcoreBuild`, announced by the board)
 * and against itself: every instruction decodes and re-encodes to the same bits, every address, length, weight range,
 * table range, K index, jump target and entry point lies inside the image's memories, and the β readers are exactly
 * the instructions that read β; last, the program is inside what the build's RTL runs as the program machine does
 * (vcore-rtl-limits.ts checkRtlProgram with vcoreRtlLimitsFor(build): LOOP nesting, the fields vcore_elem lacks, the
 * bank ports). Each refusal is an ImageError naming the byte and the field (the instruction's first byte and its op
 * for a program fault, `instruction N (OP) FIELD` with checkRtlProgram's field for an RTL limit).
 */
export const VCORE_IMAGE_MAGIC = 'NLAV';
export const VCORE_IMAGE_VERSION = 1;
/** Number formats a vector core computes in (format.ts). */
export const VCORE_FORMATS = { UP5K16: 1 } as const;

/** What one synthesized vector core holds: the limits a vcore image must fit (the board announces them). */
export interface VcoreBuild {
  numberFormat: keyof typeof VCORE_FORMATS;
  /** The datapath's format parameters (vcore.v WS, WB; vcore_elem's operand and factor widths). */
  weightShift: number;
  weightBits: number;
  operandBits: number;
  factorBits: number;
  /** Program memory, instructions (2^PAW). */
  instructions: number;
  /** The vector banks as synthesized: words and bit width of each (NB, BW). */
  banks: Array<{ words: number; bits: number }>;
  /** Constant registers and the bits of a mantissa. */
  kRegs: number;
  /** Weight registers W (2^WAW); the board keeps W0 beside them. */
  weightWords: number;
  /** Knot-table words. */
  tableWords: number;
  /**
   * The banks each operand role reads (vcore.v RA, RX, RY, RS, RM; bit b: bank b). A role's read mux covers only
   * these banks, so the compiler places a program's banks to match and the check refuses a read outside them.
   */
  readBanks: ReadBanks;
}

/** A build the programs of today fit: 8 banks of 256 × 42 bits (the widest value a bank holds is below 2^41). */
export const VCORE_GENERIC_BUILD: VcoreBuild = {
  numberFormat: 'UP5K16',
  weightShift: 15,
  weightBits: 16,
  operandBits: 16,
  factorBits: 15,
  instructions: 128,
  banks: Array.from({ length: 8 }, () => ({ words: 256, bits: 42 })),
  kRegs: 16,
  weightWords: 4096,
  tableWords: 8 * 3 * TABLE_KNOTS,
  readBanks: ALL_READ_BANKS,
};

/**
 * The build the iCE40 UP5K board is meant to carry (gateware/vcore on board_top): two wide banks (256 × 42 bits, 3 EBR
 * each) and five narrow ones (256 × 32, 2 EBR each), 16 of the 18 EBR the rest of the board leaves the core (K takes one
 * more). The compiler's programs use at most two banks wider than 32 bits (the example 6 banks, the 64-neuron clip
 * network 7); `compileVcoreImage` places a program's banks onto the build's by width and by the banks each operand
 * role reads (bank-placement.ts). The read masks are the narrowest found onto which the compiler's programs place: the
 * example, the deeper network, the 64-neuron clip network and a family of 11 layered shapes × 5 activations with and
 * without plasticity (test/fixed-point/bank-placement.test.ts), and the conformance networks (test/conformance, on
 * the RTL board). X reads 5 banks, Y 6, the subtrahend 3, the mask 2 (every role every bank: 365–407 more logic cells).
 */
export const VCORE_UP5K_BUILD: VcoreBuild = {
  ...VCORE_GENERIC_BUILD,
  banks: [...Array.from({ length: 2 }, () => ({ words: 256, bits: 42 })), ...Array.from({ length: 5 }, () => ({ words: 256, bits: 32 }))],
  readBanks: { a: 0x7f, x: 0x7c, y: 0x7d, s: 0x16, m: 0x0c },
};

/** The builds a user names (`--vcore-build`): the generic one and the UP5K board's (what board_top synthesizes). */
export const VCORE_BUILDS: Readonly<Record<'generic' | 'up5k', VcoreBuild>> = { generic: VCORE_GENERIC_BUILD, up5k: VCORE_UP5K_BUILD };

/** A decoded vcore image: the program the machine runs (its `vectors` map is empty: names are not carried). */
export interface VcoreImage {
  sourceImageId: number;
  network: string;
  prog: CoreProgram;
  /** The program as the core fetches it (encodeProgram's words). */
  words: Uint32Array;
  betaReaders: number[];
}

const addrWord = (a: Addr) => (a.bank << 8) | a.word;

/** The image of a compiled program. The program must be in a format a vector core computes (UP5K16's parameters). */
export function encodeVcoreImage(prog: CoreProgram, sourceImageId: number, network: string): Uint8Array {
  const f = prog.fmt;
  if (f.operandBits === Infinity) throw new Error('a vcore image needs a program compiled for UP5K16 (compileProgram(image, UP5K16)); this one is WIDE');
  const words = encodeProgram(prog);
  const readers = betaReaders(prog);
  const io = prog.io;
  const w = new ByteWriter();
  for (const ch of VCORE_IMAGE_MAGIC) w.u8(ch.charCodeAt(0));
  w.u16(VCORE_IMAGE_VERSION).u16(0).u32(0).u32(sourceImageId);
  w.u8(VCORE_FORMATS.UP5K16).u8(f.weightShift).u8(f.weightBits).u8(f.operandBits).u8(f.factorBits).u8(prog.banks.length);
  w.u16(prog.code.length).u16(prog.entry.reset).u16(prog.entry.frame).u16(prog.stepsPerFrame).u16(prog.iterations);
  w.u8(prog.K.length).u8(prog.kBeta).u16(prog.w0).u16(prog.wbase.length).u16(prog.tables.length);
  w.u16(io.rin.length).u16(io.bias.length).u16(io.out.length).u16(io.allU.length).u16(io.clear.length).u16(readers.length);
  w.str(network);
  for (const b of prog.banks) w.u16(b.words).u8(b.bits);
  for (const x of words) w.u32(x);
  prog.K.forEach((k, i) => {
    if (k.exp < -128 || k.exp > 127) throw new Error(`K register ${i}: exponent ${k.exp} does not fit i8`);
    w.i32(k.mant).u8(k.exp & 0xff);
  });
  for (const pc of readers) w.u16(pc);
  prog.wbase.forEach((b, k) => w.u16(b).u16(prog.wlen[k]!));
  for (let i = 0; i < prog.w0; i++) w.i32(prog.weights[i]!);
  for (const t of prog.tables) w.i32(t);
  for (const a of [...io.rin, ...io.bias]) w.u16(addrWord(a));
  for (const o of io.out) for (const a of [o.u, o.rho, o.ebar, o.ustar, o.prev, o.ht]) w.u16(addrWord(a));
  for (const a of io.allU) w.u16(addrWord(a));
  for (const c of io.clear) w.u16(addrWord(c)).u16(c.len);
  return sealContainer(w.done());
}

interface Header {
  sourceImageId: number;
  fmt: CoreProgram['fmt'];
  nBanks: number;
  nInstr: number;
  entry: { reset: number; frame: number };
  stepsPerFrame: number;
  iterations: number;
  nK: number;
  kBeta: number;
  nW: number;
  nProj: number;
  nTables: number;
  nRin: number;
  nBias: number;
  nOut: number;
  nAllU: number;
  nClear: number;
  nReaders: number;
  network: string;
  /** Byte offsets of the fields later checks refer to. */
  at: Record<string, number>;
}

function readHeader(r: FieldReader, b: VcoreBuild): Header {
  const sourceImageId = r.u32('sourceImageId');
  r.range('u8', 'numberFormat', VCORE_FORMATS[b.numberFormat], VCORE_FORMATS[b.numberFormat]);
  const fmt = {
    weightShift: r.range('u8', 'weightShift', b.weightShift, b.weightShift),
    weightBits: r.range('u8', 'weightBits', b.weightBits, b.weightBits),
    operandBits: r.range('u8', 'operandBits', b.operandBits, b.operandBits),
    factorBits: r.range('u8', 'factorBits', b.factorBits, b.factorBits),
  };
  const at: Record<string, number> = {};
  const field = (kind: 'u8' | 'u16', name: string, lo: number, hi: number) => {
    at[name] = r.o;
    return r.range(kind, name, lo, hi);
  };
  const nBanks = field('u8', 'nBanks', 1, b.banks.length);
  const nInstr = field('u16', 'nInstructions', 1, b.instructions);
  const entry = { reset: field('u16', 'entryReset', 0, nInstr - 1), frame: field('u16', 'entryFrame', 0, nInstr - 1) };
  const stepsPerFrame = field('u16', 'stepsPerFrame', 1, 0xffff);
  const iterations = field('u16', 'iterations', 1, 0xffff);
  const nK = field('u8', 'nK', 0, b.kRegs);
  const kBeta = field('u8', 'kBeta', 0, Math.max(0, nK - 1));
  const nW = field('u16', 'nWeights', 0, b.weightWords);
  const nProj = field('u16', 'nProjections', 0, 0xffff);
  const tablesField = r.o;
  const nTables = field('u16', 'nTableWords', 0, b.tableWords);
  if (nTables % (3 * TABLE_KNOTS) !== 0) r.fail(tablesField, 'nTableWords', `expected whole table slots (a multiple of 3·${TABLE_KNOTS}), got ${nTables}`);
  const nRin = field('u16', 'nStimulusInputs', 0, 0xffff);
  const nBias = field('u16', 'nBias', 0, 0xffff);
  const nOut = field('u16', 'nOutputs', 1, 0xffff);
  const nAllU = field('u16', 'nAllU', 0, 0xffff);
  const nClear = field('u16', 'nClear', 0, 0xffff);
  const nReaders = field('u16', 'nBetaReaders', 0, nInstr);
  const network = r.str('name', true);
  return { sourceImageId, fmt, nBanks, nInstr, entry, stepsPerFrame, iterations, nK, kBeta, nW, nProj, nTables, nRin, nBias, nOut, nAllU, nClear, nReaders, network, at };
}

/** Decodes a vcore image and checks it against a build and itself (see the file's doc comment). */
export function decodeVcoreImage(bytes: Uint8Array, build: VcoreBuild = VCORE_GENERIC_BUILD, source = 'vcore image'): VcoreImage {
  const r = openContainer(bytes, source, { magic: VCORE_IMAGE_MAGIC, version: VCORE_IMAGE_VERSION, minBytes: 64 });
  const h = readHeader(r, build);
  const banks: CoreProgram['banks'] = [];
  for (let k = 0; k < h.nBanks; k++) {
    const words = r.range('u16', `bank ${k} words`, 1, build.banks[k]!.words);
    banks.push({ words, bits: r.range('u8', `bank ${k} bits`, 1, build.banks[k]!.bits), vectors: [] });
  }
  const progAt = r.o;
  const words = new Uint32Array(h.nInstr * WORDS_PER_INSTR);
  for (let i = 0; i < words.length; i++) words[i] = r.u32(`instruction ${Math.floor(i / WORDS_PER_INSTR)} word ${i % WORDS_PER_INSTR}`);
  const K: Factor[] = [];
  const kAt: number[] = [];
  for (let k = 0; k < h.nK; k++) {
    kAt.push(r.o);
    K.push({ mant: r.i32(`K ${k} mantissa`), exp: r.i8(`K ${k} exponent`) });
  }
  const readersAt = r.o;
  const readers: number[] = [];
  for (let k = 0; k < h.nReaders; k++) readers.push(r.range('u16', `beta reader ${k}`, 0, h.nInstr - 1));
  const wbase: number[] = [];
  const wlen: number[] = [];
  for (let k = 0; k < h.nProj; k++) {
    const base = r.range('u16', `projection ${k} wbase`, 0, h.nW);
    wbase.push(base);
    wlen.push(r.range('u16', `projection ${k} wlen`, 0, h.nW - base));
  }
  const weights = new Int32Array(2 * h.nW);
  for (let i = 0; i < h.nW; i++) weights[i] = weights[h.nW + i] = r.i32(`weight ${i}`);
  const tables = new Int32Array(h.nTables);
  const tablesAt = r.o;
  for (let i = 0; i < h.nTables; i++) tables[i] = r.i32(`table word ${i}`);
  // every value first, then every step (a step is the earlier knot's field: a bad value is named at its own byte)
  for (const only of ['value', 'step'] as const) {
    for (let i = 0; i < h.nTables; i++) {
      const problem = knotProblem(tables, i, only);
      if (problem) r.fail(tablesAt + 4 * i, `table word ${i}`, `expected a knot the core's knot word holds, got ${problem}`);
    }
  }
  const inBanks = (at: number, field: string, v: number, len: number): Addr => {
    const a = { bank: v >> 8, word: v & 0xff };
    if (a.bank >= h.nBanks || a.word + len > banks[a.bank]!.words)
      r.fail(at, field, `bank ${a.bank} word ${a.word}${len > 1 ? ` (+${len})` : ''} is outside the image's banks (${banks.map((b) => b.words).join(', ')} words)`);
    return a;
  };
  const addr = (field: string): Addr => {
    const at = r.o;
    return inBanks(at, field, r.u16(field), 1);
  };
  const io: CoreProgram['io'] = { rin: [], bias: [], allU: [], out: [], clear: [] };
  for (let k = 0; k < h.nRin; k++) io.rin.push(addr(`r_in ${k}`));
  for (let k = 0; k < h.nBias; k++) io.bias.push(addr(`bias ${k}`));
  for (let k = 0; k < h.nOut; k++) {
    const [u, rho, ebar, ustar, prev, ht] = ['u', 'rho', 'ebar', 'ustar', 'prev', 'ht'].map((n) => addr(`output ${k} ${n}`)) as [Addr, Addr, Addr, Addr, Addr, Addr];
    io.out.push({ u, rho, ebar, ustar, prev, ht });
  }
  for (let k = 0; k < h.nAllU; k++) io.allU.push(addr(`all_u ${k}`));
  for (let k = 0; k < h.nClear; k++) {
    const at = r.o;
    const v = r.u16(`clear ${k}`);
    const len = r.u16(`clear ${k} length`);
    io.clear.push({ ...inBanks(at, `clear ${k}`, v, Math.max(1, len)), len });
  }
  r.end();
  const fmt = { ...h.fmt };
  const w0 = h.nW;
  const code = decodeChecked(r, words, progAt, { K, kBeta: h.kBeta }, { banks, nK: h.nK, nW: h.nW, nTables: h.nTables, nInstr: h.nInstr });
  checkKUses(r, code, K, kAt, build.factorBits);
  const prog: CoreProgram = { code, entry: h.entry, banks, vectors: {}, weights, wbase, wlen, w0, tables, K, kBeta: h.kBeta, stepsPerFrame: h.stepsPerFrame, iterations: h.iterations, fmt, io };
  const want = betaReaders(prog);
  if (want.length !== readers.length || want.some((pc, i) => readers[i] !== pc))
    r.fail(readersAt, 'beta readers', `expected the instructions that read K ${h.kBeta} (β): [${want.join(', ')}], got [${readers.join(', ')}]`);
  checkRtl(r, prog, build, progAt);
  return { sourceImageId: h.sourceImageId, network: h.network, prog, words, betaReaders: readers };
}

/**
 * The build's RTL limits on the decoded program (after every other check): the first problem checkRtlProgram lists
 * is refused at its instruction's first byte with the field `instruction N (OP) FIELD`. The limits on the memories
 * (instructions, entry points, banks, K file, weights, tables) are the header's and the instructions' checks above, so
 * what remains are LOOPs nested past the loop stack, fields the RTL does not decode and the bank ports; a problem
 * without an instruction would be refused at the program's first byte (field `program`).
 */
function checkRtl(r: FieldReader, prog: CoreProgram, build: VcoreBuild, progAt: number): void {
  const first = checkRtlProgram(prog, vcoreRtlLimitsFor(build))[0];
  if (first === undefined) return;
  const m = /^instruction (\d+) \((\w+)\): field (\S+) = (.*?): (.*)$/.exec(first);
  if (!m) r.fail(progAt, 'program', `expected a program the build's RTL runs, got ${first}`);
  const pc = Number(m[1]);
  r.fail(progAt + 16 * pc, `instruction ${pc} (${m[2]}) ${m[3]}`, `expected what the build's RTL runs as the program machine does, got ${m[3]} = ${m[4]}: ${m[5]}`);
}

/**
 * Each K register as its users read it: a clip top (ACT clip) a Q3.16 signal, every other register (a factor: E's
 * constant, PLAS's, β, or unused) a mantissa in 0..2^factorBits − 1, the core's K file.
 */
function checkKUses(r: FieldReader, code: Instr[], K: Factor[], kAt: number[], factorBits: number): void {
  const tops = clipTops(code);
  K.forEach((k, i) => {
    if (!tops.has(i) && (k.mant < 0 || k.mant >= 2 ** factorBits)) r.fail(kAt[i]!, `K ${i} mantissa`, `expected 0..${2 ** factorBits - 1} (a factor: the core's K file), got ${k.mant}`);
  });
  code.forEach((ins, pc) => {
    const use = (k: number, lo: number, hi: number, what: string) => {
      const m = K[k]!.mant;
      if (m < lo || m > hi) r.fail(kAt[k]!, `K ${k} mantissa`, `expected ${lo}..${hi} (${what} of instruction ${pc}, ${ins.op}), got ${m}`);
    };
    if (ins.op === 'E' && ins.x?.m === 'k') use(ins.x.k, 0, 2 ** factorBits - 1, 'a factor');
    if (ins.op === 'PLAS') use(ins.k, 0, 2 ** factorBits - 1, 'a factor');
    if (ins.op === 'ACT' && ins.kind === 'clip') use(ins.k, 0, SIGNAL_MAX, 'a clip top (the core holds it as 20 bits, unsigned)');
  });
}

/** The K registers an ACT clip reads as its top (the core holds them as 32-bit words beside W, not in the K file). */
export function clipTops(code: Instr[]): Set<number> {
  return new Set(code.flatMap((ins) => (ins.op === 'ACT' && ins.kind === 'clip' ? [ins.k] : [])));
}

interface Extent {
  banks: CoreProgram['banks'];
  nK: number;
  nW: number;
  nTables: number;
  nInstr: number;
}

/** Decodes the program one instruction at a time; every fault names the instruction's first byte, its pc and op. */
function decodeChecked(r: FieldReader, words: Uint32Array, progAt: number, ctx: Pick<CoreProgram, 'K' | 'kBeta'>, x: Extent): Instr[] {
  // decodeProgram unfolds shifts with K: decode against K padded with zeros, then refuse indices past the image's K
  const padded = { K: [...ctx.K, ...Array.from({ length: 2048 }, () => ({ mant: 0, exp: 0 }))], kBeta: ctx.kBeta };
  const code: Instr[] = [];
  for (let pc = 0; pc < x.nInstr; pc++) {
    const at = progAt + 16 * pc;
    const one = words.subarray(pc * WORDS_PER_INSTR, (pc + 1) * WORDS_PER_INSTR);
    let ins: Instr;
    try {
      ins = decodeProgram(one, padded)[0]!;
    } catch (e) {
      r.fail(at, `instruction ${pc}`, (e as Error).message.replace(/^instruction 0: /, ''));
    }
    const fault = instrFault(ins, x);
    if (fault) r.fail(at, `instruction ${pc} (${ins.op})`, fault);
    code.push(ins);
  }
  let again: Uint32Array;
  try {
    again = encodeProgram({ code, K: ctx.K, kBeta: ctx.kBeta });
  } catch (e) {
    const pc = Number(/instruction (\d+)/.exec((e as Error).message)?.[1] ?? 0);
    r.fail(progAt + 16 * pc, `instruction ${pc}`, (e as Error).message);
  }
  for (let i = 0; i < words.length; i++)
    if (again[i] !== words[i]) {
      const pc = Math.floor(i / WORDS_PER_INSTR);
      r.fail(progAt + 4 * i, `instruction ${pc} (${code[pc]!.op}) word ${i % WORDS_PER_INSTR}`, `bits that do not decode: 0x${words[i]!.toString(16)} re-encodes as 0x${again[i]!.toString(16)} (a reserved bit set or a shift outside its field)`);
    }
  return code;
}

/** What is outside the image's memories in one instruction, or null. */
function instrFault(ins: Instr, x: Extent): string | null {
  const span = (name: string, a: Addr | null | undefined, len: number): string | null => {
    if (!a) return null;
    if (a.bank >= x.banks.length) return `${name}: bank ${a.bank}, the image has ${x.banks.length} banks`;
    if (a.word + len > x.banks[a.bank]!.words) return `${name}: words ${a.word}..${a.word + len - 1} of bank ${a.bank}, which has ${x.banks[a.bank]!.words}`;
    return null;
  };
  const kreg = (name: string, k: number) => (k >= x.nK ? `${name}: K register ${k}, the image has ${x.nK}` : null);
  const wrange = (wb: number, n: number) => (wb + n > x.nW ? `weights ${wb}..${wb + n - 1}, the image has ${x.nW}` : null);
  const target = (name: string, pc: number) => (pc >= x.nInstr ? `${name}: target ${pc}, the program has ${x.nInstr} instructions` : null);
  const first = (...f: Array<string | null>) => f.find((s) => s !== null) ?? null;
  switch (ins.op) {
    case 'E': {
      const src = (p: string, s: typeof ins.x) =>
        s === null ? null : s.m === 'k' ? kreg(p, s.k) : first(span(p, s.a, s.m === 'v' ? ins.n : 1), span(`${p}.sub`, s.sub, s.m === 'v' ? ins.n : 1));
      return first(span('dst', ins.dst, ins.n), span('a', ins.a, ins.n), src('x', ins.x), src('y', ins.y), span('mask', ins.mask, ins.n));
    }
    case 'MV': {
      const [nx, nacc] = ins.t ? [ins.rows, ins.cols] : [ins.cols, ins.rows];
      return first(span('x', ins.x, nx), span('acc', ins.acc, nacc), span('epi.dst', ins.epi?.dst, nacc), span('epi.a', ins.epi?.a, nacc), wrange(ins.wb, ins.rows * ins.cols));
    }
    case 'DOT':
      return first(span('dst', ins.dst, 1), span('x', ins.x, ins.n), span('y', ins.y, ins.n));
    case 'PLAS':
      return first(span('r', ins.r, ins.rows), span('c', ins.c, ins.cols), kreg('k', ins.k), wrange(ins.wb, ins.rows * ins.cols));
    case 'ACT':
      return first(
        ...(['u', 'rho', 'drho', 'curv'] as const).map((f) => span(f, ins[f], ins.n)),
        ins.kind === 'clip' ? kreg('k', ins.k) : null,
        ins.kind === 'table' && ins.tb + 3 * TABLE_KNOTS > x.nTables ? `table words ${ins.tb}..${ins.tb + 3 * TABLE_KNOTS - 1}, the image has ${x.nTables}` : null,
      );
    case 'LOOP':
      return target('end', ins.end);
    case 'JNL':
    case 'JMP':
      return target('to', ins.to);
    default:
      return null;
  }
}

/** The image of a file the user named, refused as the protocol's image errors are. */
export function isVcoreImage(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === VCORE_IMAGE_MAGIC;
}

export { ImageError };
