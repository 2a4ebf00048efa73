import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProgram, type CoreProgram, type Instr, type Src } from '../../hardware-models/fixed-point/core-program.js';
import { decodeProgram, encodeProgram, opFields, OPCODE } from '../../hardware-models/fixed-point/core-program-encode.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { VCORE_GENERIC_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { checkRtlProgram, VCORE_D, VCORE_RTL_LIMITS, vcoreRtlLimitsFor } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import { GATEWARE } from '../gateware/tools.js';
import { NETWORKS } from './vcore-drive.js';
import { FIELD_K, fieldCases, readField, type FieldCase } from './vcore-field-cases.js';
import { sliceFaults } from './vcore-ir-slices.js';

// What the vector core's RTL runs (vcore-rtl-limits.ts): the test networks pass the limits of the builds they are
// meant for, one field past its limit is refused naming pc, op and field, opFields is where the encoder puts every
// field, and gateware/vcore/vcore.v decodes every field at opFields' position.

type E = Extract<Instr, { op: 'E' }>;
const prog = (name: string): CoreProgram => compileProgram(NETWORKS.find(([n]) => n === name)![1](), UP5K16);

/** The build vcore-rtl.test.ts synthesizes for a program: NB = its banks, BW their widths, WAW = ⌈log2 w0⌉. */
function testBuild(p: CoreProgram): VcoreBuild {
  return { ...VCORE_GENERIC_BUILD, banks: p.banks.map((b) => ({ words: 256, bits: Math.min(VCORE_D, b.bits) })), weightWords: 2 ** Math.max(1, Math.ceil(Math.log2(p.w0))) };
}

describe('the RTL limits of the test networks (UP5K16)', () => {
  it('the example and the deeper network fit the RTL as written (vcore.v defaults: 6 banks, 128 instructions, 512 weights)', () => {
    for (const name of ['example', 'deeper']) {
      const p = prog(name);
      expect(checkRtlProgram(p, VCORE_RTL_LIMITS), name).toEqual([]);
      expect(checkRtlProgram(p, vcoreRtlLimitsFor(testBuild(p))), `${name} on its test build`).toEqual([]);
      process.stderr.write(`NOTE: ${name}: ${p.code.length} instructions, ${p.banks.length} banks (${p.banks.map((b) => `${b.words}x${b.bits}`).join(' ')}), K ${p.K.length}, ${p.w0} weights, ${p.tables.length} table words: fits VCORE_RTL_LIMITS\n`);
    }
  });

  it('the 64-neuron clip network needs a 7th bank and 11 weight address bits: refused by the defaults, fits its build and the generic build', () => {
    const p = prog('64-neuron clip');
    const problems = checkRtlProgram(p, VCORE_RTL_LIMITS);
    expect(problems).toContain('banks: 7, the build has 6 (NB)');
    expect(problems).toContain('weights: 1068 words, the build has 512 (2^WAW)');
    // every other problem is an address in bank 6 or a weight range past 512
    for (const m of problems.slice(2)) expect(m).toMatch(/field (\S+\.bank = 6: the build has 6 banks|wb = \d+: weights \d+\.\.\d+ pass the build's 512)/);
    const build = testBuild(p);
    expect(build.banks.length).toBe(7);
    expect(build.weightWords).toBe(2048);
    expect(checkRtlProgram(p, vcoreRtlLimitsFor(build))).toEqual([]);
    for (const [name] of NETWORKS) expect(checkRtlProgram(prog(name), vcoreRtlLimitsFor(VCORE_GENERIC_BUILD)), `${name}: generic build`).toEqual([]);
    process.stderr.write(`NOTE: 64-neuron clip: ${p.code.length} instructions, ${p.banks.length} banks (${p.banks.map((b) => `${b.words}x${b.bits}`).join(' ')}), K ${p.K.length}, ${p.w0} weights: NB = 7, WAW = 11 (${problems.length} problems under the defaults)\n`);
  });

  it('a decoded program (what a board gets) has the same problems as the compiled one', () => {
    for (const [name] of NETWORKS) {
      const p = prog(name);
      const q = { ...p, code: decodeProgram(encodeProgram(p), p) };
      expect(checkRtlProgram(q, VCORE_RTL_LIMITS), name).toEqual(checkRtlProgram(p, VCORE_RTL_LIMITS));
    }
  });

  it('a build vcore.v cannot be is refused naming the field', () => {
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, banks: Array.from({ length: 9 }, () => ({ words: 256, bits: 42 })) })).toThrow('build: banks = 9');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, banks: [{ words: 512, bits: 42 }] })).toThrow('build: bank 0 words = 512');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, banks: [{ words: 256, bits: 48 }] })).toThrow('build: bank 0 bits = 48');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, kRegs: 32 })).toThrow('build: kRegs = 32');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, instructions: 100 })).toThrow('build: instructions = 100');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, weightWords: 8192 })).toThrow('build: weightWords = 8192');
    expect(() => vcoreRtlLimitsFor({ ...VCORE_GENERIC_BUILD, factorBits: 16 })).toThrow('build: factorBits = 16');
  });
});

/** The first pc of an instruction matching `f`. */
function find(p: CoreProgram, f: (i: Instr) => boolean): number {
  const pc = p.code.findIndex(f);
  if (pc < 0) throw new Error('no such instruction');
  return pc;
}
const isE = (i: Instr): i is E => i.op === 'E';
const vecX = (i: Instr) => isE(i) && i.x !== null && i.x.m !== 'k';
const kTimesClippedY = (i: Instr) => isE(i) && i.x?.m === 'k' && i.y !== null && i.y.m !== 'k' && i.y.sl.clip;
const em = (i: Instr) => isE(i) && i.x?.m === 'k' && i.y !== null && i.y.m !== 'k' && !i.y.sl.clip && i.x.k !== 0;

/** Finds the first instruction `pick` accepts, mutates it (and the program's K) and returns its pc. */
function at<T extends Instr>(pick: (i: Instr) => boolean, f: (ins: T, p: CoreProgram) => void): (p: CoreProgram) => number {
  return (p) => {
    const pc = find(p, pick);
    f(p.code[pc] as T, p);
    return pc;
  };
}
type MV = Extract<Instr, { op: 'MV' }>;
type PL = Extract<Instr, { op: 'PLAS' }>;
type ACT = Extract<Instr, { op: 'ACT' }>;
const isMV = (i: Instr): i is MV => i.op === 'MV';
const kOf = (i: E) => (i.x as { k: number }).k;

/** One field past its limit: [what, op, field, mutate the example program (returns the pc)]. */
const MUTATIONS: Array<[string, string, string, (p: CoreProgram) => number]> = [
  ['negated A', 'E', 'a_neg', at<E>((i) => isE(i) && i.a !== null, (i) => void (i.aNeg = true))],
  ['X pre-adder', 'E', 'x.sub', at<E>(vecX, (i) => void ((i.x as { sub?: unknown }).sub = { bank: 0, word: 0 }))],
  ['X shl8', 'E', 'x.shl8', at<E>(vecX, (i) => void ((i.x as { shl?: number }).shl = 8))],
  ['X slice 5', 'E', 'x.slice', at<E>(vecX, (i) => void ((i.x as { sl: { s: number } }).sl.s = 5))],
  ['constant on Y', 'E', 'y.mode', at<E>(kTimesClippedY, (i) => void (i.y = { m: 'k', k: 0 }))],
  ['Y slice 3', 'E', 'y.slice', at<E>(kTimesClippedY, (i) => void ((i.y as { sl: { s: number } }).sl.s = 3))],
  ['K index 16', 'E', 'x.k', at<E>(kTimesClippedY, (i, p) => void ((i.x as { k: number }).k = 16, p.K.push(...Array.from({ length: 8 }, () => ({ mant: 2, exp: 0 })))))],
  ['K mantissa 2^15', 'E', 'x.k', at<E>(kTimesClippedY, (i, p) => void (p.K[kOf(i)] = { mant: 2 ** 15, exp: p.K[kOf(i)]!.exp }))],
  ['product shift u = 64', 'E', 'u', at<E>(kTimesClippedY, (i, p) => void (i.sh = 64 - 15 + (i.useExp ? p.K[kOf(i)]!.exp : 0)))],
  ['em: Y slice', 'E', 'y.slice', at<E>(em, (i) => void ((i.y as { sl: { s: number } }).sl.s = 4))],
  ['em: Y pre-adder', 'E', 'y.sub', at<E>(em, (i) => void ((i.y as { sub?: unknown }).sub = { bank: 0, word: 0 }))],
  ['em: u < 15', 'E', 'u', at<E>(em, (i, p) => void (i.sh = -1 + (i.useExp ? p.K[kOf(i)]!.exp : 0)))],
  ['dst past its bank', 'E', 'dst.word', at<E>(isE, (i) => void (i.dst = { bank: i.dst.bank, word: 257 - i.n }))],
  ['bank 6 of 6', 'E', 'dst.bank', at<E>(isE, (i) => void (i.dst = { bank: 6, word: 0 }))],
  ['MV weights past 2^WAW', 'MV', 'wb', at<MV>(isMV, (i) => void (i.wb = 512 - i.rows * i.cols + 1))],
  ['MV negated epilogue A', 'MV', 'epi.a_neg', at<MV>((i) => isMV(i) && i.epi !== null, (i) => void (i.epi!.aNeg = true))],
  ['MV epilogue shift 64', 'MV', 'epi.sh', at<MV>((i) => isMV(i) && i.epi !== null, (i) => void (i.epi!.sh = 64))],
  ['MV rows past the bank', 'MV', 'epi.dst.word', at<MV>((i) => isMV(i) && i.epi !== null && !i.t, (i) => void (i.rows = 257 - i.epi!.dst.word))],
  ['MV partial sums past the bank', 'MV', 'acc.word', at<MV>((i) => isMV(i) && !i.init, (i) => void (i.acc = { bank: i.acc.bank, word: 250 }))],
  ['DOT past its bank', 'DOT', 'x.word', (p) => ((p.code[0] = { op: 'DOT', n: 200, dst: { bank: 0, word: 0 }, x: { bank: 1, word: 100 }, y: { bank: 2, word: 0 } }), 0)],
  ['two words of one bank in a cycle (E: A and Y)', 'E', 'y.a.bank', at<E>((i) => isE(i) && i.a !== null && i.y?.m === 'v' && i.n > 1 && i.a.word < 200, (i) => void ((i.y as { a: { bank: number; word: number } }).a = { bank: i.a!.bank, word: i.a!.word + 1 }))],
  ['two words of one bank in a cycle (DOT)', 'DOT', 'y.bank', (p) => ((p.code[0] = { op: 'DOT', n: 4, dst: { bank: 0, word: 0 }, x: { bank: 1, word: 10 }, y: { bank: 1, word: 20 } }), 0)],
  ['E writes a word it reads at another index', 'E', 'dst.word', at<E>((i) => isE(i) && i.y?.m === 'v' && i.n > 1 && i.y.a.word < 200, (i) => void (i.dst = { bank: (i.y as { a: { bank: number } }).a.bank, word: (i.y as { a: { word: number } }).a.word + 1 }))],
  ['MV epilogue writes into its x', 'MV', 'epi.dst.word', at<MV>((i) => isMV(i) && i.epi !== null && i.rows > 1 && i.cols > 1, (i) => void (i.epi!.dst = { ...i.x }))],
  ['PLAS chain', 'PLAS', 'chain_en', at<PL>((i) => i.op === 'PLAS', (i) => void (i.chain = { sl: { s: 4, clip: true }, sh2: 8 }))],
  ['PLAS u1 = 64', 'PLAS', 'u1', at<PL>((i) => i.op === 'PLAS', (i, p) => void (i.sh1 = 64 + (i.useExp1 ? p.K[i.k]!.exp : 0)))],
  ['PLAS weights past 2^WAW', 'PLAS', 'wb', at<PL>((i) => i.op === 'PLAS', (i) => void (i.wb = 600))],
  ['ACT table past the table words', 'ACT', 'tb', at<ACT>((i) => i.op === 'ACT' && i.kind === 'table', (i) => void (i.tb = 8160 - 770))],
  ['ACT clip top 32', 'ACT', 'k', at<ACT>((i) => i.op === 'ACT', (i, p) => void ((i.kind = 'clip'), (i.k = 32), p.K.push(...Array.from({ length: 24 }, () => ({ mant: 65536, exp: 0 })))))],
  ['LOOP end past the program', 'LOOP', 'end', at<Extract<Instr, { op: 'LOOP' }>>((i) => i.op === 'LOOP', (i, p) => void (i.end = p.code.length))],
  ['JMP past the program', 'JMP', 'to', at<Extract<Instr, { op: 'JMP' }>>((i) => i.op === 'JMP', (i) => void (i.to = 130))],
  [
    'a third LOOP level',
    'LOOP',
    'end',
    (p) => {
      // the first instruction of the iteration loop (inside the step loop) becomes a LOOP ending at its NEXT
      const it = find(p, (i) => i.op === 'LOOP' && i.count === 'iters');
      const end = (p.code[it] as { end: number }).end;
      const pc = it + 1;
      p.code[pc] = { op: 'LOOP', count: 'steps', end: end - 1 };
      return pc;
    },
  ],
];

describe('checkRtlProgram: one field past its limit is refused naming pc, op and field', () => {
  for (const [what, op, field, mutate] of MUTATIONS) {
    it(what, () => {
      const p = structuredClone(prog('example'));
      const pc = mutate(p);
      const problems = checkRtlProgram(p, VCORE_RTL_LIMITS);
      const want = `instruction ${pc} (${op}): field ${field} = `;
      expect(problems.some((m) => m.startsWith(want)), `${what}: expected "${want}…" in\n${problems.join('\n')}`).toBe(true);
    });
  }

  it('program-level limits: instructions, banks, bank words and bits, K registers, table words', () => {
    const p = structuredClone(prog('deeper'));
    p.code.push({ op: 'HALT' }, { op: 'HALT' });
    p.banks[0]!.words = 300;
    p.banks[1]!.bits = 43;
    p.K.push(...Array.from({ length: 5 }, () => ({ mant: 1, exp: 0 })));
    p.tables = new Int32Array(8161);
    const problems = checkRtlProgram(p, VCORE_RTL_LIMITS);
    expect(problems).toEqual(
      expect.arrayContaining([
        'instructions: 129, the program memory holds 128 (2^PAW)',
        "bank 0: 300 words, the build's bank 0 has 256 (vcore_banks DEPTH)",
        "bank 1: 43 bits, the build's bank 1 holds 42 (BW, at most D = 42)",
        'K: 17 registers, the K file has 16 (kr, 4-bit k_addr)',
        'tables: 8161 words, the build has 8160 (W 8192 + i)',
      ]),
    );
  });
});

describe('the encoder against the RTL', () => {
  it("`one` (the multiplier bypassed) only for X = ONE and an unsliced, unclipped Y; a sliced ONE · Y goes through the multiplier and passes the limits", () => {
    const p = prog('example');
    const pc = find(p, (i) => isE(i) && i.x?.m === 'k' && i.x.k === 0 && i.y !== null && i.y.m === 'v' && !i.y.sub && !i.y.sl.clip && i.y.sl.s === 0);
    const one = opFields('E').one!;
    expect(readField(encodeProgram(p), pc, one)).toBe(1);
    const q = structuredClone(p);
    const ins = q.code[pc] as E;
    ins.y = { ...(ins.y as Extract<Src, { m: 'v' | 'b' }>), sl: { s: 4, clip: true } };
    const words = encodeProgram(q);
    expect(readField(words, pc, one)).toBe(0);
    expect(readField(words, pc, opFields('E').u!)).toBe(15 + ins.sh);
    expect(decodeProgram(words, q)[pc]).toEqual(Object.fromEntries(Object.entries(ins).filter(([k]) => k !== 'tag')));
    expect(checkRtlProgram(q, VCORE_RTL_LIMITS)).toEqual([]);
  });
});

describe('opFields: where the encoder puts every field', () => {
  for (const op of Object.keys(OPCODE) as Array<keyof typeof OPCODE>) {
    it(`${op}: a value in one field is read back at opFields' position, and decodes back`, () => {
      const fields = opFields(op);
      const cases = fieldCases(op);
      expect(Object.keys(cases).sort(), `${op}: the cases cover opFields`).toEqual(Object.keys(fields).sort());
      let seed = 12345 + OPCODE[op];
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      for (const [name, c] of Object.entries(cases) as Array<[string, FieldCase]>) {
        const pos = fields[name]!;
        const values = name === 'op' ? [OPCODE[op]] : [c.max, ...Array.from({ length: 24 }, () => rnd(c.max + 1))];
        for (const v of values) {
          const ctx = { K: FIELD_K, kBeta: 0 };
          const words = encodeProgram({ code: [c.make(v)], ...ctx });
          expect(readField(words, 0, pos), `${op}.${name} = ${v}`).toBe(v);
          const back = decodeProgram(words, ctx)[0]!;
          expect(back.op).toBe(op);
          if (name !== 'op') expect(c.read(back), `${op}.${name} = ${v} decoded`).toBe(v);
        }
      }
    });
  }
});

describe("vcore.v's instruction slices agree with opFields", () => {
  it('every ir[...] field of gateware/vcore/vcore.v sits where opFields puts it (unknown wires must sit on a field)', () => {
    const src = readFileSync(join(GATEWARE, 'vcore', 'vcore.v'), 'utf8');
    const r = sliceFaults(src);
    expect(r.faults).toEqual([]);
    expect(r.known).toBeGreaterThanOrEqual(60);
    process.stderr.write(`NOTE: vcore.v: ${r.known} known ir slices agree with opFields${r.unknown.length ? `; unknown wires on fields: ${r.unknown.join(', ')}` : ''}\n`);
  });

  it('a slice one bit off, a swapped address part or a field vcore.v has but no op has is caught', () => {
    const src = readFileSync(join(GATEWARE, 'vcore', 'vcore.v'), 'utf8');
    expect(sliceFaults(src.replace('ir[108:103]', 'ir[109:104]')).faults).toEqual(["u = ir[109:104]: opFields('E').u is [103, 6]"]);
    expect(sliceFaults(src.replace('wire [2:0]  dbank   = ir[23:21]', 'wire [2:0]  dbank   = ir[15:13]')).faults.length).toBeGreaterThan(0);
    expect(sliceFaults(`${src}\n  wire [3:0] zz_new = ir[100:97];\n`).faults).toEqual(['zz_new = ir[100:97]: no field of any op sits there']);
  });
});
