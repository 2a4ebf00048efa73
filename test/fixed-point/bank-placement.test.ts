import { describe, expect, it } from 'vitest';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { ActivationSpec } from '../../compiler/spec/format.js';
import { placeBanks, permuteBanks, type BankShape } from '../../hardware-models/fixed-point/bank-placement.js';
import { ALL_READ_BANKS, roleReads } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import type { Instr } from '../../hardware-models/fixed-point/core-program.js';
import { compileProgram } from '../../hardware-models/fixed-point/core-program.js';
import { ebrTotal } from '../../hardware-models/fixed-point/ebr-cost.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { decodeVcoreImage, VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';

// Bank placement (bank-placement.ts): a program's vector banks go onto a build's banks by width and by the banks each
// operand role's read port reaches, and the program is renumbered to match. Proven: on the UP5K board build (2 wide + 5 narrow banks, 16 EBR) every test network places, its
// image decodes, and the driver over the modelled core of that build is bit-exact with FixedPointCore (a missed
// address in the renumbering would read another bank's words); the build's EBR; refusals name the bank.

const U = VCORE_UP5K_BUILD;

describe('bank placement onto the UP5K board build', () => {
  it("the build's banks cost 16 EBR (ebr-cost.ts): with K's one, within the 18 the rest of the board leaves", () => {
    expect(ebrTotal(U.banks)).toBe(16);
  });

  for (const [name, make] of NETWORKS) {
    it(`${name}: placed (wide banks on wide, narrow on narrow), decoded, bit-exact with FixedPointCore over the modelled core`, () => {
      const prog = compileProgram(make(), UP5K16);
      const placed = placeBanks(prog, U.banks, U.readBanks);
      if (!('perm' in placed)) throw new Error(placed.problems.join('; '));
      prog.banks.forEach((b, k) => {
        expect(U.banks[placed.perm[k]!]!.bits, `bank ${k}`).toBe(b.bits > 32 ? 42 : 32);
        expect(U.banks[placed.perm[k]!]!.words).toBeGreaterThanOrEqual(b.words);
      });
      expect(new Set(placed.perm).size).toBe(prog.banks.length);
      // every read goes through a port that reaches its bank (vcore_board.v's RA..RM)
      const moved = permuteBanks(prog, placed.perm);
      const reads = moved.code.flatMap(roleReads);
      expect(reads.length).toBeGreaterThan(20);
      for (const r of reads) expect((U.readBanks[r.role] >> r.a.bank) & 1, `${r.field} (${r.role}) on bank ${r.a.bank}`).toBe(1);
      const img = decodeVcoreImage(compileVcoreImage(make(), U), U);
      const d = new VcoreDriver(img, new MachinePort(U), U.weightWords);
      d.install();
      driveAgainstReference(name, make(), d);
    });
  }

  it('renumbers every address: the moved program reads the same words as the original, bank for bank', () => {
    const prog = compileProgram(NETWORKS[0]![1](), UP5K16);
    const perm = prog.banks.map((_, k) => prog.banks.length - 1 - k);
    const moved = permuteBanks(prog, perm);
    for (const [n, v] of Object.entries(prog.vectors)) expect(moved.vectors[n]!.bank, n).toBe(perm[v.bank]);
    const banksOf = (x: unknown): number[] => JSON.stringify(x).match(/"bank":\d+/g)!.map((s) => Number(s.slice(7)));
    expect(banksOf(moved.code)).toEqual(banksOf(prog.code).map((b) => perm[b]));
    expect(banksOf(moved.io)).toEqual(banksOf(prog.io).map((b) => perm[b]));
    expect(moved.banks.map((b) => b.words)).toEqual([...prog.banks].reverse().map((b) => b.words));
  });

  it('a program with more wide banks than the build has is refused, naming the bank that found no place', () => {
    const three = { banks: [42, 36, 40, 20].map((bits, k) => ({ words: 50, bits, vectors: [`v${k}`] })), code: [] };
    const r = placeBanks(three, U.banks);
    expect('problems' in r && r.problems).toEqual([expect.stringMatching(/^a bank of 50 words × 36 bits \(v1\), and no free bank of the core holds it \(256×42, 256×42, 256×32/)]);
  });

  it('the read ports: a bank goes where every role that reads it reaches, backtracking past a best fit that blocks a later bank', () => {
    // two 32-bit places; X reaches only place 0. Widest first, the 32-bit bank (read as A) would take place 0 by best
    // fit and leave the X-read bank nowhere: the search moves it to place 1
    const two: BankShape[] = [{ words: 256, bits: 32 }, { words: 256, bits: 32 }];
    const ports = { ...ALL_READ_BANKS, x: 0b01 };
    const v = (bank: number) => ({ m: 'v' as const, a: { bank, word: 0 }, sl: { s: 0, clip: false } });
    const code: Instr[] = [{ op: 'E', n: 1, dst: { bank: 0, word: 1 }, a: { bank: 0, word: 0 }, aNeg: false, x: v(1), y: null, sh: 0, useExp: false, pNeg: false, mask: null, clamp: 'none', count: false }];
    const prog = { banks: [{ words: 10, bits: 32, vectors: ['p'] }, { words: 10, bits: 20, vectors: ['q'] }], code };
    expect(placeBanks(prog, two)).toEqual({ perm: [0, 1] });
    expect(placeBanks(prog, two, ports)).toEqual({ perm: [1, 0] });
    // X reaching no place: refused, naming the banks' readers and the ports' reach
    const r = placeBanks(prog, two, { ...ALL_READ_BANKS, x: 0b100 });
    expect('problems' in r && r.problems).toEqual([
      'a placement of its 2 banks (10×32 read as A, 10×20 read as X) where every operand role reaches the banks it reads, and the core\'s read ports reach: A banks 0, 1; X banks none; Y banks 0, 1; S banks 0, 1; M banks 0, 1',
    ]);
  });

  it('a network whose reads the UP5K build\'s ports cannot serve is refused by compileVcoreImage before anything is encoded', () => {
    const tight: VcoreBuild = { ...U, readBanks: { ...U.readBanks, x: 0b1 } };
    expect(() => compileVcoreImage(NETWORKS[0]![1](), tight)).toThrow(/it needs a placement of its 6 banks \(.*read as AXYS.*\) where every operand role reaches the banks it reads, and the core's read ports reach: A banks 0, 1, 2, 3, 4, 5, 6; X banks 0;/);
  });

  it("a family of layered networks: every one whose banks the UP5K build holds also places with the build's read ports", () => {
    // 11 shapes × 5 activations × with and without plasticity; the read masks were chosen on this family (X reaching
    // banks 2, 3, 5, 6 only, the narrowest for the three test networks, refused six of its four-layer programs)
    const acts: ActivationSpec[] = ['logistic', 'tanh', 'linear', 'hard-sigmoid', { name: 'clipped-relu', max: 2 }];
    const shapes = [[3, 5, 2], [6, 24, 3], [2, 2], [10, 20, 20, 5], [4, 8, 8, 8, 2], [16, 32, 4], [8, 2], [1, 30, 1], [20, 10], [5, 10, 10, 10, 10, 3], [12, 12, 12]];
    const allPorts: VcoreBuild = { ...U, readBanks: ALL_READ_BANKS };
    let held = 0;
    for (const shape of shapes)
      for (const activation of acts)
        for (const plastic of [false, true]) {
          const b = layeredNetwork(shape, { activation, seed: 1 });
          const { image } = compileBoardImage((plastic ? b.plasticity({ enabled: true, etaPerMs: 0.01 }) : b).build(), { dtMs: 0.1, frameMs: 1 });
          try {
            compileVcoreImage(image, allPorts);
          } catch {
            continue; // beyond the build's banks, program or tables whatever its ports
          }
          held++;
          expect(() => compileVcoreImage(image, U), `${shape.join('-')} ${JSON.stringify(activation)} plastic ${plastic}`).not.toThrow();
        }
    // not vacuous: most of the family fits the build (100 of 110 on 2026-12-07; the rest exceed it whatever its ports)
    expect(held).toBeGreaterThan((shapes.length * acts.length * 2) / 2);
  });

  it('best fit: a narrow bank takes a narrow place even when a wide one is free first', () => {
    const r = placeBanks({ banks: [{ words: 10, bits: 20, vectors: [] }], code: [] }, U.banks);
    expect(r).toEqual({ perm: [2] });
  });
});
