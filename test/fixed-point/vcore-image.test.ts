import { describe, expect, it } from 'vitest';
import { compileProgram, type CoreProgram } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine } from '../../hardware-models/fixed-point/core-program-machine.js';
import { encodeProgram } from '../../hardware-models/fixed-point/core-program-encode.js';
import { UP5K16, WIDE } from '../../hardware-models/fixed-point/format.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { crc32 } from '../../core/crc32.js';
import { decodeVcoreImage, encodeVcoreImage, ImageError, VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { readPortBuildCases, rtlImageCases } from './vcore-rtl-image-cases.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { teacherImage } from '../gateware/verilated-core.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';
import { Rng } from '../../core/rng.js';

// The vector core's image (vcore-image.ts): the host compiles a board image into it; a board with the vector core
// checks and copies. Proven here: (1) the decoded image runs bit-exact with FixedPointCore(image, UP5K16) (the
// independent reference) on the example, the deeper network and the 64-neuron clip network, with learning, targets,
// SET_PARAM and both resets; (2) decode(encode) re-encodes to the same bytes; (3) every refusal names the byte and
// the field, for one hand-made fault per check; (4) seeded single-byte corruptions (re-sealed with a valid CRC) are
// either refused with a byte offset or decode to an image that re-encodes to exactly the corrupted bytes (nothing is
// normalised away in silence).

const example = () => teacherImage();

/** Re-seals bytes after a change (totalBytes kept, the CRC recomputed), as a careful but wrong host would send them. */
function reseal(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

function refusal(bytes: Uint8Array, build: VcoreBuild = VCORE_GENERIC_BUILD): ImageError {
  try {
    decodeVcoreImage(bytes, build);
  } catch (e) {
    if (e instanceof ImageError) return e;
    throw e;
  }
  throw new Error('the image was accepted');
}

/** Byte offsets of the sections, computed from the header (the layout of the file's doc comment). */
function layout(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const nBanks = v.getUint8(21);
  const nInstr = v.getUint16(22, true);
  const nK = v.getUint8(32);
  const nW = v.getUint16(34, true);
  const nProj = v.getUint16(36, true);
  const nTables = v.getUint16(38, true);
  const [nRin, nBias, nOut, nAllU, , nReaders] = [40, 42, 44, 46, 48, 50].map((o) => v.getUint16(o, true)) as number[];
  const name = 52;
  const banks = name + 1 + v.getUint8(name);
  const prog = banks + 3 * nBanks;
  const K = prog + 16 * nInstr;
  const readers = K + 5 * nK;
  const proj = readers + 2 * nReaders!;
  const weights = proj + 4 * nProj;
  const tables = weights + 4 * nW;
  const io = tables + 4 * nTables;
  return { banks, prog, K, readers, proj, weights, tables, io, nInstr, nRin: nRin!, nBias: nBias!, nOut: nOut!, nAllU: nAllU! };
}

describe('vcore image: the decoded image runs bit-exact with FixedPointCore (UP5K16)', () => {
  for (const [name, make] of NETWORKS) {
    it(`${name}: learning with targets, SET_PARAM BETA and ITERATIONS, RESET with and without restore, every probe`, () => {
      const img = make();
      const vi = decodeVcoreImage(compileVcoreImage(img));
      expect(vi.sourceImageId).toBe(imageId(encodeImage(img)));
      expect(vi.network).toBe(img.network);
      const m = new CoreProgramMachine(vi.prog);
      driveAgainstReference(name, img, m);
    });
  }

  it('decode(encode) re-encodes to the same bytes, and the decoded program to the same words', () => {
    for (const [name, make] of NETWORKS) {
      const img = make();
      const prog = compileProgram(img, UP5K16);
      const bytes = encodeVcoreImage(prog, 0x1234abcd, img.network);
      const vi = decodeVcoreImage(bytes);
      expect(Array.from(vi.words), name).toEqual(Array.from(encodeProgram(prog)));
      expect(Array.from(encodeVcoreImage(vi.prog, vi.sourceImageId, vi.network)), name).toEqual(Array.from(bytes));
    }
  });

  it('a WIDE program has no vcore image (the vector core computes UP5K16)', () => {
    expect(() => encodeVcoreImage(compileProgram(example(), WIDE), 0, 'x')).toThrow(/UP5K16/);
  });
});

describe('vcore image: refusals name the byte and the field', () => {
  const img = example();
  const good = compileVcoreImage(img);
  const L = layout(good);
  const vi = decodeVcoreImage(good);
  const edit = (f: (v: DataView, b: Uint8Array) => void) => {
    const b = Uint8Array.from(good);
    f(new DataView(b.buffer), b);
    return reseal(b);
  };
  const expectRefused = (b: Uint8Array, at: number, field: RegExp, build?: VcoreBuild) => {
    const e = refusal(b, build);
    expect(e.message).toMatch(field);
    expect(e.byteOffset, e.message).toBe(at);
  };
  const pcOf = (op: string) => vi.prog.code.findIndex((i) => i.op === op);

  it('the container: magic, version, length, CRC, a trailing byte', () => {
    expectRefused(edit((v) => v.setUint8(0, 0x41)), 0, /magic/);
    expectRefused(edit((v) => v.setUint16(4, 2, true)), 4, /version/);
    expectRefused(edit((v) => v.setUint32(8, good.length + 1, true)), 8, /totalBytes/);
    const crc = Uint8Array.from(good);
    crc[100]! ^= 0x10;
    expectRefused(crc, good.length - 4, /crc32/);
    const longer = new Uint8Array(good.length + 1);
    longer.set(good.subarray(0, good.length - 4));
    new DataView(longer.buffer).setUint32(8, longer.length, true);
    expectRefused(reseal(longer), good.length - 4, /\(end\).*1 more byte/);
  });

  it('the build: format parameters, banks, instructions, K registers, weights and tables past what the board holds', () => {
    expectRefused(edit((v) => v.setUint8(16, 2)), 16, /numberFormat/);
    expectRefused(edit((v) => v.setUint8(17, 14)), 17, /weightShift/);
    const small: VcoreBuild = { ...VCORE_GENERIC_BUILD, banks: VCORE_GENERIC_BUILD.banks.slice(0, 3) };
    expectRefused(good, 21, /nBanks\): expected 1\.\.3/, small);
    expectRefused(good, 22, /nInstructions\): expected 1\.\.64/, { ...VCORE_GENERIC_BUILD, instructions: 64 });
    expectRefused(good, 34, /nWeights/, { ...VCORE_GENERIC_BUILD, weightWords: 16 });
    expectRefused(good, 38, /nTableWords/, { ...VCORE_GENERIC_BUILD, tableWords: 100 });
    const narrow = { ...VCORE_GENERIC_BUILD, banks: VCORE_GENERIC_BUILD.banks.map((b) => ({ ...b, bits: 20 })) };
    const wide = vi.prog.banks.findIndex((b) => b.bits > 20);
    expectRefused(good, L.banks + 3 * wide + 2, new RegExp(`bank ${wide} bits`), narrow);
  });

  it('the program: an unknown op, a jump past the end, an address past its bank, a K register, weights and tables past the image', () => {
    const word0 = (pc: number) => L.prog + 16 * pc;
    expectRefused(edit((v) => v.setUint32(word0(0), (v.getUint32(word0(0), true) & ~15) | 15, true)), word0(0), /instruction 0.*unknown op 15/);
    const jmp = vi.prog.code.findIndex((i) => i.op === 'JMP' || i.op === 'JNL');
    expect(jmp).toBeGreaterThanOrEqual(0);
    // JMP/JNL: to in bits 13:4
    expectRefused(edit((v) => v.setUint32(word0(jmp), (v.getUint32(word0(jmp), true) & ~(1023 << 4)) | (L.nInstr << 4), true)), word0(jmp), new RegExp(`instruction ${jmp} \\(J..\\).*target ${L.nInstr}`));
    // an E op's dst word (bits 20:13) moved to the end of its bank
    const e = vi.prog.code.findIndex((i) => i.op === 'E' && i.n > 1);
    const ins = vi.prog.code[e] as Extract<CoreProgram['code'][number], { op: 'E' }>;
    const bankWords = vi.prog.banks[ins.dst.bank]!.words;
    expectRefused(edit((v) => v.setUint32(word0(e), (v.getUint32(word0(e), true) & ~(255 << 13)) | ((bankWords - 1) << 13), true)), word0(e), new RegExp(`instruction ${e} \\(E\\).*dst`));
    // an MV's weight base (bits 39:24: word 0 bits 31:24, word 1 bits 7:0) past the weights
    const mv = pcOf('MV');
    expectRefused(edit((v) => v.setUint8(word0(mv) + 4, 0xff)), word0(mv), new RegExp(`instruction ${mv} \\(MV\\).*weights`));
    // a PLAS's K index (after rows 9, cols 9, wb 16, r 11, c 11, u1 6, use_exp1 1: bit 67) past the image's K
    const pl = pcOf('PLAS');
    expectRefused(edit((v) => v.setUint32(word0(pl) + 8, v.getUint32(word0(pl) + 8, true) | (31 << 3), true)), word0(pl), new RegExp(`instruction ${pl} \\(PLAS\\).*K register 31`));
    // an ACT's table base (its last 13 bits: after kind 2, n 9, 4 addresses 44, k 5 → bits 68..80) past the tables
    const act = vi.prog.code.findIndex((i) => i.op === 'ACT' && i.kind === 'table');
    expectRefused(edit((v) => v.setUint32(word0(act) + 8, v.getUint32(word0(act) + 8, true) | (0x1fff << 4), true)), word0(act), new RegExp(`instruction ${act} \\(ACT\\).*table words`));
  });

  it('bits that do not decode (a reserved bit set) and a changed β reader list', () => {
    const halt = pcOf('HALT');
    expectRefused(edit((v) => v.setUint32(L.prog + 16 * halt + 12, 1 << 30, true)), L.prog + 16 * halt + 12, new RegExp(`instruction ${halt} \\(HALT\\) word 3.*do not decode`));
    expect(vi.betaReaders.length).toBeGreaterThan(0);
    expectRefused(edit((v) => v.setUint16(L.readers, (vi.betaReaders[0]! + 1) % L.nInstr, true)), L.readers, /beta readers\): expected the instructions that read K/);
  });

  it("the RTL limits (checkRtlProgram, the reference): each refused at the instruction's first byte naming its field; reading ahead accepted; the compiled images decode on both builds", () => {
    let refused = 0;
    for (const [name, make] of NETWORKS)
      for (const build of [VCORE_GENERIC_BUILD, VCORE_UP5K_BUILD]) {
        const bytes = compileVcoreImage(make(), build);
        expect(decodeVcoreImage(bytes, build).prog.code.length, `${name} on ${build.banks.length} banks`).toBeGreaterThan(0);
        const P = layout(bytes).prog;
        const cases = rtlImageCases(bytes, build);
        expect(cases.length, name).toBeGreaterThanOrEqual(20);
        // the read ports (readBanks): on the UP5K build a read moved outside its port's banks is refused (the generic
        // build's ports reach every bank); and the image itself on builds whose one port lacks one bank it reads
        if (build === VCORE_UP5K_BUILD) expect(cases.filter((c) => /read port/.test(c.name)).length, name).toBeGreaterThanOrEqual(4);
        const narrowed = readPortBuildCases(bytes, build);
        expect(narrowed.length, name).toBeGreaterThanOrEqual(9);
        // each refused by the read-port check itself (its message), not by another check that names the same field
        for (const c of [...cases.filter((k) => /read port/.test(k.name)), ...narrowed]) expect(refusal(c.bytes, 'build' in c ? (c as { build: VcoreBuild }).build : build).message, c.name).toMatch(/read port reaches banks/);
        for (const c of [...cases, ...narrowed]) {
          const on = 'build' in c ? (c as { build: VcoreBuild }).build : build;
          if (c.field === null) {
            expect(() => decodeVcoreImage(c.bytes, on), `${name}: ${c.name}`).not.toThrow();
            continue;
          }
          const e = refusal(c.bytes, on);
          expect(e.byteOffset, `${name}: ${c.name}`).toBe(P + 16 * c.pc);
          expect(e.message.startsWith(`vcore image: byte ${P + 16 * c.pc} (instruction ${c.pc} (${c.op}) ${c.field}): expected what the build's RTL runs`), e.message).toBe(true);
          refused++;
        }
      }
    expect(refused).toBeGreaterThan(100);
  });

  it('the interface maps: an input word, an output flag and a clear range outside the banks', () => {
    expectRefused(edit((v) => v.setUint16(L.io, 7 << 8, true)), L.io, /r_in 0\): bank 7/);
    const ht = L.io + 2 * (L.nRin + L.nBias) + 2 * 5;
    expectRefused(edit((v) => v.setUint16(ht, (0 << 8) | 255, true)), ht, /output 0 ht\): bank 0 word 255/);
    const clear = L.io + 2 * (L.nRin + L.nBias + 6 * L.nOut + L.nAllU);
    expectRefused(edit((v) => v.setUint16(clear + 2, 300, true)), clear, /clear 0\): .*\(\+300\)/);
  });

  it('1,000 seeded single-byte corruptions, re-sealed: refused with a byte offset, or decoded faithfully', () => {
    const rng = new Rng(16);
    const rnd = () => rng.uniform();
    let refused = 0;
    for (let t = 0; t < 1000; t++) {
      const b = Uint8Array.from(good);
      const at = 12 + Math.floor(rnd() * (good.length - 16));
      b[at] = (b[at]! + 1 + Math.floor(rnd() * 255)) & 0xff;
      const s = reseal(b);
      let vi2;
      try {
        vi2 = decodeVcoreImage(s);
      } catch (e) {
        if (!(e instanceof ImageError)) throw new Error(`byte ${at}: ${(e as Error).stack}`);
        expect(e.byteOffset, e.message).not.toBeNull();
        refused++;
        continue;
      }
      expect(Array.from(encodeVcoreImage(vi2.prog, vi2.sourceImageId, vi2.network)), `byte ${at}`).toEqual(Array.from(s));
    }
    // most bytes are weights and tables (any value is an image); the header, program and maps refuse most changes
    expect(refused).toBeGreaterThan(50);
  });
});
