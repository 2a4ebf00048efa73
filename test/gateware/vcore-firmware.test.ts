import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { crc32 } from '../../core/crc32.js';
import { NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { decodeVcoreImage, VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { repoRoot } from '../../host/board/verilate.js';
import { NETWORKS } from '../fixed-point/vcore-drive.js';
import { readPortBuildCases, rtlImageCases } from '../fixed-point/vcore-rtl-image-cases.js';
import { corruptions, hasTool, prng } from './core-install-tb.js';
import { buildLine, cCheck, disagreement, driverInput, fieldName, fieldTable, LoggingPort, runTb, RV_FLAGS, tsCheck, vcoreIssTb, vcoreTb, type CheckAnswer } from './vcore-firmware-tb.js';
import { csv } from './verilated-core.js';

// The firmware side of the vector core in C (gateware/firmware/vcore_image.c, vcore_prog_check.c, vcore_driver.c)
// against the TypeScript it mirrors: (1) the image check accepts and refuses exactly what decodeVcoreImage accepts and
// refuses, at the same first byte and naming the same field (VCORE_FIELDS, the table the C header and this test
// share), on hand-made refusals (one per field and kind), seeded random corruptions of three networks' images and a
// bit flip at every bit of the example's header and program and a sample of the rest; (2) the C driver makes the same
// port accesses with the same values as VcoreDriver on the modelled core (MachinePort), compared as whole access logs
// (the C harness answers its reads with the values the modelled core gave the TypeScript driver); (3) the check as
// rv32i -Os machine code on the instruction-set simulator agrees too and accepts the example (instructions counted).

const hasCc = hasTool('cc');
const hasRv = hasCc && hasTool('riscv64-unknown-elf-gcc');
const TIMEOUT = 600_000;
const B = VCORE_GENERIC_BUILD;

const imageOf = (make: () => BoardImage) => compileVcoreImage(make());
const reseal = (b: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(b);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
};

/** Byte offsets of the sections (the layout of vcore-image.ts's doc comment). */
function layout(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const [nInstr, nW, nProj, nTables, nRin, nBias, nOut, nAllU, nClear, nReaders] = [22, 34, 36, 38, 40, 42, 44, 46, 48, 50].map((o) => v.getUint16(o, true)) as number[];
  const nBanks = v.getUint8(21);
  const nK = v.getUint8(32);
  const banks = 53 + v.getUint8(52);
  const prog = banks + 3 * nBanks;
  const K = prog + 16 * nInstr!;
  const readers = K + 5 * nK;
  const proj = readers + 2 * nReaders!;
  const weights = proj + 4 * nProj!;
  const tables = weights + 4 * nW!;
  const io = tables + 4 * nTables!;
  const out = io + 2 * (nRin! + nBias!);
  const allU = out + 12 * nOut!;
  const clear = allU + 2 * nAllU!;
  return { nBanks, nInstr: nInstr!, nK, nW: nW!, nTables: nTables!, nReaders: nReaders!, nClear: nClear!, banks, prog, K, readers, proj, weights, tables, io, out, allU, clear };
}

/** One C answer per image, compared with decodeVcoreImage: the disagreements (empty when C and TS agree on all). */
function compare(bin: string, build: VcoreBuild, named: Array<[string, Uint8Array]>): { bad: string[]; answers: CheckAnswer[] } {
  const table = fieldTable();
  const answers = cCheck(bin, build, named.map(([, b]) => b));
  const bad: string[] = [];
  named.forEach(([name, b], k) => {
    const d = disagreement(table, answers[k]!, b, build);
    if (d) bad.push(`${name}: ${d}`);
  });
  return { bad, answers };
}

/** Hand-made refusals: [name, image, build, the field the refusal must name]. */
function handMade(): Array<[string, Uint8Array, VcoreBuild, RegExp]> {
  const good = imageOf(NETWORKS[0]![1]);
  const clip = imageOf(NETWORKS[2]![1]);
  const L = layout(good);
  const vi = decodeVcoreImage(good);
  const code = vi.prog.code;
  const edit = (f: (v: DataView, b: Uint8Array) => void, src = good) => {
    const b = Uint8Array.from(src);
    f(new DataView(b.buffer), b);
    return reseal(b);
  };
  const w0 = (pc: number, L2 = L) => L2.prog + 16 * pc;
  const orWord = (pc: number, j: number, bits: number, mask = 0) => edit((v) => v.setUint32(w0(pc) + 4 * j, ((v.getUint32(w0(pc) + 4 * j, true) & ~mask) | bits) >>> 0, true));
  const cut = (at: number) => {
    const b = new Uint8Array(at + 4);
    b.set(good.subarray(0, at));
    new DataView(b.buffer).setUint32(8, b.length, true);
    return reseal(b);
  };
  const pc = (op: string, f: (i: (typeof code)[number]) => boolean = () => true) => code.findIndex((i) => i.op === op && f(i));
  const e = pc('E', (i) => i.op === 'E' && i.n > 1);
  const eK = pc('E', (i) => i.op === 'E' && i.x?.m === 'k');
  const ins = code[e] as Extract<(typeof code)[number], { op: 'E' }>;
  const halt = pc('HALT');
  const mv = pc('MV');
  const pl = pc('PLAS');
  const actT = pc('ACT', (i) => i.op === 'ACT' && i.kind === 'table');
  const jmp = code.findIndex((i) => i.op === 'JMP' || i.op === 'JNL');
  const longer = new Uint8Array(good.length + 1);
  longer.set(good.subarray(0, good.length - 4));
  new DataView(longer.buffer).setUint32(8, longer.length, true);
  const crc = Uint8Array.from(good);
  crc[100]! ^= 0x10;
  const LC = layout(clip);
  const clipVi = decodeVcoreImage(clip);
  const clipAct = clipVi.prog.code.find((i) => i.op === 'ACT' && i.kind === 'clip') as Extract<(typeof code)[number], { op: 'ACT' }>;
  const tiny = { ...B, banks: B.banks.slice(0, 3) };
  return [
    ['too short', good.slice(0, 40), B, /^image length$/],
    ['magic', edit((v) => v.setUint8(0, 0x41)), B, /^magic$/],
    ['version', edit((v) => v.setUint16(4, 2, true)), B, /^version$/],
    ['totalBytes', edit((v) => v.setUint32(8, good.length + 1, true)), B, /^totalBytes$/],
    ['crc', crc, B, /^crc32$/],
    ['a trailing byte', reseal(longer), B, /^end$/],
    ['numberFormat', edit((v) => v.setUint8(16, 2)), B, /^numberFormat$/],
    ['weightShift', edit((v) => v.setUint8(17, 14)), B, /^weightShift$/],
    ['weightBits', edit((v) => v.setUint8(18, 15)), B, /^weightBits$/],
    ['operandBits', edit((v) => v.setUint8(19, 17)), B, /^operandBits$/],
    ['factorBits', edit((v) => v.setUint8(20, 16)), B, /^factorBits$/],
    ['nBanks past the build', good, tiny, /^nBanks$/],
    ['nInstructions past the build', good, { ...B, instructions: L.nInstr - 1 }, /^nInstructions$/],
    ['entryReset', edit((v) => v.setUint16(24, L.nInstr, true)), B, /^entryReset$/],
    ['entryFrame', edit((v) => v.setUint16(26, L.nInstr, true)), B, /^entryFrame$/],
    ['stepsPerFrame 0', edit((v) => v.setUint16(28, 0, true)), B, /^stepsPerFrame$/],
    ['iterations 0', edit((v) => v.setUint16(30, 0, true)), B, /^iterations$/],
    ['nK past the build', good, { ...B, kRegs: L.nK - 1 }, /^nK$/],
    ['kBeta past nK', edit((v) => v.setUint8(33, L.nK)), B, /^kBeta$/],
    ['nWeights past the build', good, { ...B, weightWords: L.nW - 1 }, /^nWeights$/],
    ['nTableWords not whole slots', edit((v) => v.setUint16(38, L.nTables - 1, true)), B, /^nTableWords$/],
    ['nTableWords past the build', good, { ...B, tableWords: L.nTables - 771 }, /^nTableWords$/],
    ['nOutputs 0', edit((v) => v.setUint16(44, 0, true)), B, /^nOutputs$/],
    ['nBetaReaders past nInstructions', edit((v) => v.setUint16(50, L.nInstr + 1, true)), B, /^nBetaReaders$/],
    ['name not UTF-8', edit((_, b) => (b[53] = 0xc0)), B, /^name$/],
    ['bank words 0', edit((v) => v.setUint16(L.banks, 0, true)), B, /^bank 0 words$/],
    ['bank bits past the build', good, { ...B, banks: B.banks.map((b) => ({ ...b, bits: 20 })) }, /^bank \d bits$/],
    ['cut in the program', cut(L.prog + 22), B, /^instruction 1 word 1$/],
    ['cut in K', cut(L.K + 7), B, /^K 1 mantissa$/],
    ['cut at a K exponent', cut(L.K + 4), B, /^K 0 exponent$/],
    ['cut in the readers', cut(L.readers + 1), B, /^beta reader 0$/],
    ['cut in the projections', cut(L.proj + 2), B, /^projection 0 wlen$/],
    ['cut in the weights', cut(L.weights + 9), B, /^weight 2$/],
    ['cut in the tables', cut(L.tables + 4), B, /^table word 1$/],
    ['cut in the maps', cut(L.io + 1), B, /^r_in 0$/],
    ['a β reader past the program', edit((v) => v.setUint16(L.readers, L.nInstr, true)), B, /^beta reader 0$/],
    ['projection wbase past the weights', edit((v) => v.setUint16(L.proj, L.nW + 1, true)), B, /^projection 0 wbase$/],
    ['projection wlen past the weights', edit((v) => v.setUint16(L.proj + 2, L.nW + 1, true)), B, /^projection 0 wlen$/],
    ['a table value past 18 bits', edit((v) => v.setInt32(L.tables + 4 * 5, 1 << 17, true)), B, /^table word 5$/],
    ['a table step past 14 bits', edit((v) => v.setInt32(L.tables + 4 * 5, v.getInt32(L.tables + 4 * 4, true) + 9000, true)), B, /^table word 4$/],
    ['r_in in bank 7', edit((v) => v.setUint16(L.io, 7 << 8, true)), B, /^r_in 0$/],
    ['bias past its bank', edit((v) => v.setUint16(L.io + 2 * vi.prog.io.rin.length, 255, true)), B, /^bias 0$/],
    ...(['u', 'rho', 'ebar', 'ustar', 'prev', 'ht'] as const).map((n, f): [string, Uint8Array, VcoreBuild, RegExp] => [`output ${n}`, edit((v) => v.setUint16(L.out + 2 * f, 7 << 8, true)), B, new RegExp(`^output 0 ${n}$`)]),
    ['all_u', edit((v) => v.setUint16(L.allU, 7 << 8, true)), B, /^all_u 0$/],
    ['clear length', edit((v) => v.setUint16(L.clear + 2, 300, true)), B, /^clear 0$/],
    ['unknown op', orWord(0, 0, 15, 15), B, /^instruction 0$/],
    ['a jump past the program', orWord(jmp, 0, L.nInstr << 4, 1023 << 4), B, /^instruction \d+ \(J..\)$/],
    ['an E dst past its bank', orWord(e, 0, (vi.prog.banks[ins.dst.bank]!.words - 1) << 13, 255 << 13), B, /^instruction \d+ \(E\)$/],
    ['MV weights past the image', edit((v) => v.setUint8(w0(mv) + 4, 0xff)), B, /^instruction \d+ \(MV\)$/],
    ['PLAS K register past the image', orWord(pl, 2, 31 << 3), B, /^instruction \d+ \(PLAS\)$/],
    ['ACT table past the tables', orWord(actT, 2, 0x1fff << 4), B, /^instruction \d+ \(ACT\)$/],
    ['ACT kind 3 (no code)', orWord(actT, 0, 3 << 4, 3 << 4), B, /^instruction \d+$/],
    ['E clamp 7 (no code)', orWord(e, 0, 7 << 24, 7 << 24), B, /^instruction \d+$/],
    ['E constant on Y', edit((v) => v.setUint32(w0(eK) + 8, (v.getUint32(w0(eK) + 8, true) & ~(3 << 8)) | (3 << 8), true)), B, /^instruction \d+/],
    ['E ONE flag set', orWord(eK, 3, 1 << 27), B, /^instruction \d+/],
    ['a reserved bit (HALT word 3)', orWord(halt, 3, 1 << 30), B, /^instruction \d+ \(HALT\) word 3$/],
    ['β readers changed', edit((v) => v.setUint16(L.readers, (vi.betaReaders[0]! + 1) % L.nInstr, true)), B, /^beta readers$/],
    ['β outside the K file', edit((v) => v.setInt32(L.K + 5 * vi.prog.kBeta, 1 << 15, true)), B, /^K \d+ mantissa$/],
    ['a clip top outside Q3.16', edit((v) => v.setInt32(LC.K + 5 * clipAct.k, 1 << 19, true), clip), B, /^K \d+ mantissa$/],
    ['a negative clip top (the core holds it unsigned)', edit((v) => v.setInt32(LC.K + 5 * clipAct.k, -1, true), clip), B, /^K \d+ mantissa$/],
  ];
}

/**
 * Images whose only fault is an RTL limit (vcore-rtl-image-cases.ts: the field checkRtlProgram, the reference, names)
 * on each network and build, plus the read-ahead image both must accept, and two RTL limits the image check refuses
 * earlier (a K index past the image's K registers: the instruction's memories; a constant on Y: it does not
 * re-encode): [name, image, build, the byte, the field; null: accepted].
 */
function rtlMade(): Array<[string, Uint8Array, VcoreBuild, number | null, string | null]> {
  const out: Array<[string, Uint8Array, VcoreBuild, number | null, string | null]> = [];
  for (const [net, make] of NETWORKS)
    for (const build of [B, VCORE_UP5K_BUILD]) {
      const good = compileVcoreImage(make(), build);
      const P = layout(good).prog;
      for (const c of rtlImageCases(good, build))
        out.push([`${net}: ${c.name}`, c.bytes, build, c.field === null ? null : P + 16 * c.pc, c.field === null ? null : `instruction ${c.pc} (${c.op}) ${c.field}`]);
      // the read ports: the image on builds whose one port lacks one bank it reads (each build its own C run)
      if (build === VCORE_UP5K_BUILD)
        for (const c of readPortBuildCases(good, build)) out.push([`${net}: ${c.name}`, c.bytes, c.build, P + 16 * c.pc, `instruction ${c.pc} (${c.op}) ${c.field}`]);
    }
  const good = imageOf(NETWORKS[0]![1]);
  const L = layout(good);
  const code = decodeVcoreImage(good).prog.code;
  const eK = code.findIndex((i) => i.op === 'E' && i.x?.m === 'k');
  const at = L.prog + 16 * eK;
  const b = Uint8Array.from(good);
  const v = new DataView(b.buffer);
  // X's addr-or-k: bits 43..53 (word 1 bits 11..21)
  v.setUint32(at + 4, (v.getUint32(at + 4, true) & ~(0x7ff << 11)) | (L.nK << 11), true);
  out.push(['a K index past the K file (the image\'s K registers)', reseal(b), { ...B, kRegs: L.nK }, at, `instruction ${eK} (E)`]);
  // Y's mode 3 (k) with addr-or-k 0 (bits 74..84: word 2 bits 10..20), a K register the image has
  const y = Uint8Array.from(good);
  const yv = new DataView(y.buffer);
  yv.setUint32(at + 8, (yv.getUint32(at + 8, true) & ~(0x7ff << 10)) | (3 << 8), true);
  out.push(['a constant on Y (does not re-encode)', reseal(y), B, at, `instruction ${eK}`]);
  return out;
}

/** Program-focused corruptions: 1–3 bits of the program flipped, or a byte of K, the readers or the maps set; resealed. */
function programCorruptions(good: Uint8Array, n: number, seed: number): Uint8Array[] {
  const L = layout(good);
  const rnd = prng(seed);
  const pick = (k: number) => Math.floor(rnd() * k);
  return Array.from({ length: n }, () => {
    const b = Uint8Array.from(good);
    if (rnd() < 0.7) {
      for (let k = 1 + pick(3); k > 0; k--) {
        const bit = pick(16 * L.nInstr * 8);
        b[L.prog + (bit >> 3)]! ^= 1 << (bit & 7);
      }
    } else {
      const span = rnd() < 0.5 ? [L.K, L.proj] : [L.io, good.length - 4];
      b[span[0]! + pick(span[1]! - span[0]!)] = pick(256);
    }
    return reseal(b);
  });
}

/** A bit flip at every bit of the header, banks and program, and of every 13th byte after them (resealed), and at every bit of the container's first 12 bytes unsealed. */
function bitFlips(good: Uint8Array): Array<[string, Uint8Array]> {
  const L = layout(good);
  const out: Array<[string, Uint8Array]> = [];
  const flip = (at: number, bit: number, seal: boolean) => {
    const b = Uint8Array.from(good);
    b[at]! ^= 1 << bit;
    out.push([`byte ${at} bit ${bit}${seal ? '' : ' (unsealed)'}`, seal ? reseal(b) : b]);
  };
  for (let at = 0; at < good.length - 4; at++) if (at < L.K || at % 13 === 0) for (let bit = 0; bit < 8; bit++) flip(at, bit, true);
  for (let at = 0; at < 12; at++) for (let bit = 0; bit < 8; bit++) flip(at, bit, false);
  return out;
}

describe.skipIf(!hasCc)('the firmware vcore image check (vcore_image.c) refuses exactly what decodeVcoreImage refuses, at the same byte and field', () => {
  it('hand-made refusals, one per field and kind (each named as the TypeScript names it); the three networks accepted', () => {
    const cases = handMade();
    expect(cases.length).toBeGreaterThanOrEqual(25);
    const table = fieldTable();
    const byBuild = new Map<VcoreBuild, Array<[string, Uint8Array, RegExp]>>();
    for (const [n, b, build, re] of cases) byBuild.set(build, [...(byBuild.get(build) ?? []), [n, b, re]]);
    const kinds = new Set<number>();
    for (const [build, list] of byBuild) {
      const { bad, answers } = compare(vcoreTb(), build, list.map(([n, b]) => [n, b]));
      expect(bad).toEqual([]);
      list.forEach(([n, , re], k) => {
        const a = answers[k]!;
        expect(a.code, n).not.toBe(0);
        expect(fieldName(table, a), n).toMatch(re);
        kinds.add(a.code);
      });
    }
    expect(kinds.size).toBeGreaterThanOrEqual(25);
    const good = NETWORKS.map(([n, make]): [string, Uint8Array] => [n, imageOf(make)]);
    const { bad, answers } = compare(vcoreTb(), B, good);
    expect(bad).toEqual([]);
    expect(answers.map((a) => a.code)).toEqual([0, 0, 0]);
  }, TIMEOUT);

  it('RTL limits: one image per limit an image can break (each network on both builds), refused by C and TS at the instruction\'s first byte with the field checkRtlProgram names; reading ahead accepted', () => {
    const cases = rtlMade();
    const table = fieldTable();
    const names = new Set<string>();
    for (const build of new Set(cases.map(([, , b]) => b))) {
      const list = cases.filter(([, , b]) => b === build);
      const { bad, answers } = compare(vcoreTb(), build, list.map(([n, b]) => [n, b]));
      expect(bad).toEqual([]);
      list.forEach(([n, bytes, , at, field], k) => {
        const a = answers[k]!;
        const t = tsCheck(bytes, build);
        if (field === null) {
          expect(a.code, n).toBe(0);
          expect(t.ok, n).toBe(true);
          return;
        }
        expect(a.code, n).not.toBe(0);
        expect(a.offset, n).toBe(at);
        expect(fieldName(table, a), n).toBe(field);
        expect((t.ok ? 'accepted' : t.message).startsWith(`vcore image: byte ${at} (${field}): `), `${n}: ${t.ok ? 'accepted' : t.message}`).toBe(true);
        const rtl = /^instruction \d+ \(\w+\) (\S+)$/.exec(field);
        if (rtl) names.add(rtl[1]!);
      });
    }
    const want = ['a_neg', 'epi.a_neg', 'x.slice', 'x.sub', 'x.shl8', 'y.slice', 'y.sub', 'y.shl8', 'u', 'chain_en', 'end', 'x.a.bank', 'y.a.bank', 'y.sub.bank', 'mask.bank', 'y.bank', 'acc.bank', 'c.bank', 'dst.word', 'epi.dst.word', 'acc.word', 'x.bank', 'a.bank', 'epi.a.bank', 'u.bank'];
    expect([...names].sort()).toEqual([...want].sort());
    // the read ports: every op's every read but PLAS's r (earlier instructions read its bank through Y too, and no move
    // of r to the one bank Y does not reach passes the other checks), refused by C and TS alike
    const ports = new Set(cases.filter(([n]) => /read port|port without/.test(n)).map(([, , , , f]) => f!.replace(/^instruction \d+ \((\w+)\) (\S+)$/, '$1 $2')));
    expect([...ports].sort()).toEqual(['ACT u.bank', 'DOT x.bank', 'DOT y.bank', 'E a.bank', 'E mask.bank', 'E x.a.bank', 'E y.a.bank', 'E y.sub.bank', 'MV acc.bank', 'MV epi.a.bank', 'MV x.bank', 'PLAS c.bank']);
    expect(cases.filter(([n]) => /two LOOPs nested three deep/.test(n)).length).toBe(NETWORKS.length * 2); // every network on both builds
    console.log(`RTL limits: ${cases.length} images, ${names.size} fields, C and TS agree on all`);
  }, TIMEOUT);

  for (const [k, [name, make]] of NETWORKS.entries())
    it(`${name}: 1,000 seeded corruptions of the container and header, 1,000 of the program, K, readers and maps`, () => {
      const good = imageOf(make);
      const images = [...corruptions(good, 1000, 500 + k), ...programCorruptions(good, 1000, 700 + k)].map((b, i): [string, Uint8Array] => [`${name} corruption ${i}`, b]);
      const { bad, answers } = compare(vcoreTb(), B, images);
      expect(bad.slice(0, 5)).toEqual([]);
      const refused = answers.filter((a) => a.code !== 0).length;
      const rtl = answers.filter((a) => /^RTL/.test(fieldTable().get(a.code)?.id ?? '')).length;
      console.log(`${name}: ${images.length} corruptions, ${refused} refused (${new Set(answers.map((a) => a.code)).size - 1} fields, ${rtl} by an RTL limit), C and TS agree on all`);
      expect(refused).toBeGreaterThan(1200);
      expect(refused).toBeLessThan(2000);
    }, TIMEOUT);

  it('a bit flip at every bit of the example image\'s header, banks and program and of a sample of the rest', () => {
    const good = imageOf(NETWORKS[0]![1]);
    const images = bitFlips(good);
    expect(images.length).toBeGreaterThan(8 * layout(good).K);
    const { bad, answers } = compare(vcoreTb(), B, images);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(new Set(answers.map((a) => a.code)).size).toBeGreaterThan(20);
    const rtl = answers.filter((a) => /^RTL/.test(fieldTable().get(a.code)?.id ?? '')).length;
    console.log(`example bit flips: ${images.length} images, ${answers.filter((a) => a.code !== 0).length} refused (${new Set(answers.map((a) => a.code)).size - 1} fields, ${rtl} by an RTL limit), C and TS agree on all`);
  }, TIMEOUT);
});

/** The script the drivers run: frames with inputs and targets (learning and inference), SET_PARAM BETA (three exponents, one refused shift) and ITERATIONS, a parameter the core lacks, RESET with and without restore, probes, saturations, weights. */
function script(name: string, img: BoardImage): string[] {
  const nIn = img.nStimulusInputs;
  const nOut = img.outputs.length;
  const nProj = img.projections.length;
  const inputs = name === 'example' ? csv('examples/teacher/input.csv') : null;
  const out: string[] = [];
  const betas: Record<number, number> = { 20: img.betaQ16 * 3 + 7, 30: Math.floor(img.betaQ16 / 37) + 1, 40: 2 ** 20, 41: 4_000_000_000 };
  for (let k = 0; k < 90; k++) {
    if (betas[k] !== undefined) out.push(`P 2 ${betas[k]}`);
    if (k === 45) out.push('P 3 2', 'P 7 1');
    if (k === 60 || k === 75) out.push('G', ...Array.from({ length: nProj }, (_, j) => `J ${j}`), 'S', ...(k === 75 ? ['W'] : []), 'Q 15');
    if (k % 7 === 0) out.push(`T ${Array.from({ length: nOut }, (_, c) => (c === 0 && k > 35 && k < 55 ? NO_TARGET_Q : toSignal(0.3 * Math.sin(k / 17 + c)))).join(' ')}`);
    const x = inputs ? inputs[k % inputs.length]! : Array.from({ length: nIn }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 13 + 2 * c)));
    out.push(`F ${k % 50 < 40 ? 1 : 0} ${[15, 1, 3, 8, 6][k % 5]} ${x.join(' ')}`);
  }
  out.push('G', ...Array.from({ length: nProj }, (_, j) => `J ${j}`));
  return out;
}

/** Runs the script on VcoreDriver over a logging MachinePort: the port accesses and results, as the C harness prints them. */
function tsDriverLog(image: Uint8Array, lines: string[]): string[] {
  const port = new LoggingPort(new MachinePort(B));
  const d = new VcoreDriver(decodeVcoreImage(image, B), port, B.weightWords);
  const log = port.log;
  d.install();
  for (const line of lines) {
    const [cmd, ...rest] = line.split(' ');
    const a = rest.map(Number);
    const vals = (v: ArrayLike<number>) => [v.length, ...Array.from(v)].join(' ');
    if (cmd === 'S') d.reset();
    else if (cmd === 'W') d.reloadWeights();
    else if (cmd === 'P') {
      try {
        d.setParam(a[0]!, a[1]!);
        log.push('p 0');
      } catch (e) {
        log.push(/shift would be/.test((e as Error).message) ? 'p 2' : 'p 1');
      }
    } else if (cmd === 'T') d.setTargets(a);
    else if (cmd === 'F') log.push(`o ${vals(d.frame(a.slice(2), a[0] === 1, a[1]))}`);
    else if (cmd === 'Q') log.push(`o ${vals(d.probe(a[0]!))}`);
    else if (cmd === 'G') log.push(`g ${d.saturations}`);
    else if (cmd === 'J') log.push(`j ${vals(d.weights(a[0]!))}`);
  }
  return log;
}

function firstDiff(a: string[], b: string[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `access ${i}: C '${a[i]}', TS '${b[i]}'`;
  return null;
}

describe.skipIf(!hasCc)('the firmware vcore driver (vcore_driver.c) makes VcoreDriver\'s port accesses, in order, with its values', () => {
  for (const [name, make] of NETWORKS)
    it(`${name}: install, frames with targets (learning and inference), SET_PARAM BETA and ITERATIONS, both RESETs, probes: whole access logs equal`, () => {
      const img = make();
      const image = compileVcoreImage(img);
      const lines = script(name, img);
      const want = tsDriverLog(image, lines);
      const got = runTb(vcoreTb(), driverInput(B, want, image, lines));
      expect(firstDiff(got, want)).toBeNull();
      expect(got.length).toBe(want.length);
      const kinds = new Set(want.map((l) => l.split(' ')[0]));
      for (const k of ['pw', 'kw', 'par', 'bw', 'br', 'ww', 'wr', 'sw', 'sr', 'run', 'o', 'p', 'g', 'j']) expect(kinds.has(k), `${name}: ${k}`).toBe(true);
      if (name !== '64-neuron clip') expect(kinds.has('kn'), `${name}: knot words`).toBe(true);
      else expect(kinds.has('ct'), `${name}: clip tops`).toBe(true);
      expect(want).toContain('p 1');
      console.log(`vcore driver ${name}: ${want.length} log lines, ${want.filter((l) => /^(pw|kw|ct|par|bw|ww|kn|sw) /.test(l)).length} port writes, ${want.filter((l) => /^(br|wr|sr) /.test(l)).length} reads`);
    }, TIMEOUT);
});

/** The example with its first β reader that takes the exponent (an E op) folded to shift 0: a valid image on which SET_PARAM BETA with a larger exponent must be refused. */
function shiftZeroReader(): Uint8Array {
  const good = imageOf(NETWORKS[0]![1]);
  const vi = decodeVcoreImage(good);
  const pc = vi.betaReaders.find((p) => {
    const i = vi.prog.code[p]!;
    return i.op === 'E' && i.useExp;
  })!;
  const at = layout(good).prog + 16 * pc + 12; // word 3: u at bits 103..108 = word 3 bits 7..12
  const b = Uint8Array.from(good);
  const v = new DataView(b.buffer);
  v.setUint32(at, v.getUint32(at, true) & ~(63 << 7), true);
  return reseal(b);
}

describe.skipIf(!hasCc)('the firmware vcore driver refuses a SET_PARAM BETA whose refold leaves a shift field', () => {
  it('a β reader at shift 0: BETA 4e9 refused (nothing written), then a smaller β accepted: logs equal', () => {
    const image = shiftZeroReader();
    const img = NETWORKS[0]![1]();
    const x = `F 1 15 ${Array.from({ length: img.nStimulusInputs }, (_, c) => 1000 * c).join(' ')}`;
    const lines = [x, 'P 2 4000000000', x, `P 2 ${img.betaQ16 + 1}`, x];
    const want = tsDriverLog(image, lines);
    expect(want.filter((l) => /^p /.test(l))).toEqual(['p 2', 'p 0']);
    const got = runTb(vcoreTb(), driverInput(B, want, image, lines));
    expect(firstDiff(got, want)).toBeNull();
    expect(got.length).toBe(want.length);
  }, TIMEOUT);
});

describe.skipIf(!hasRv)('the check as rv32i -Os machine code (vcore_iss.c)', () => {
  it('the rv32i -Os objects need only the HAL and libgcc (no libc, no malloc); sizes printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcore-rv-'));
    const fw = join(repoRoot(), 'gateware', 'firmware');
    const need = new Set<string>();
    for (const f of ['vcore_image.c', 'vcore_prog_check.c', 'vcore_driver.c']) {
      const o = join(dir, f.replace(/\.c$/, '.o'));
      execFileSync('riscv64-unknown-elf-gcc', [...RV_FLAGS, '-fstack-usage', '-c', join(fw, f), '-o', o], { cwd: dir });
      for (const l of execFileSync('riscv64-unknown-elf-nm', ['-u', o]).toString().split('\n')) if (l.trim()) need.add(l.trim().split(/\s+/).at(-1)!);
      console.log(`rv32i -Os ${f}: ${execFileSync('riscv64-unknown-elf-size', [o]).toString().trim().split('\n')[1]!.trim()}`);
    }
    const other = [...need].filter((n) => !/^hal_vcore_/.test(n) && n !== 'vcore_prog_check' && !/^__(mul|div|udiv|mod|umod|ashl|ashr|lshr)[sd]i3$/.test(n));
    expect(other).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, TIMEOUT);

  it('accepts the three networks (instructions and stack counted) and agrees on the hand-made refusals and 600 corruptions', () => {
    const bin = vcoreIssTb();
    const good = NETWORKS.map(([n, make]): [string, Uint8Array] => [n, imageOf(make)]);
    const r = spawnSync(bin, [], { input: [buildLine(B), ...good.map(([, b]) => `C ${Buffer.from(b).toString('hex')}`)].join('\n') + '\n', env: { ...process.env, VI_STATS: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout.toString().trim().split('\n').map((l) => l.split(' ')[1])).toEqual(['0', '0', '0']);
    const stats = r.stderr.toString().trim().split('\n');
    expect(stats.length).toBe(3);
    good.forEach(([n, b], k) => console.log(`vcore check on rv32i (ISS): ${n} (${b.length} bytes): ${stats[k]}`));
    const hm = handMade();
    const builds = [...new Set(hm.map(([, , b]) => b))];
    for (const build of builds) expect(compare(bin, build, hm.filter(([, , b]) => b === build).map(([n, b]) => [n, b])).bad).toEqual([]);
    const rm = rtlMade();
    for (const build of new Set(rm.map(([, , b]) => b))) expect(compare(bin, build, rm.filter(([, , b]) => b === build).map(([n, b]) => [n, b])).bad).toEqual([]);
    const mixed = NETWORKS.flatMap(([name, make], k) => {
      const g = imageOf(make);
      return [...corruptions(g, 100, 900 + k), ...programCorruptions(g, 100, 950 + k)].map((b, i): [string, Uint8Array] => [`${name} ${i}`, b]);
    });
    expect(compare(bin, B, mixed).bad.slice(0, 5)).toEqual([]);
  }, TIMEOUT);
});
