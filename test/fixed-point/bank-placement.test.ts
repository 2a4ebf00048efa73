import { describe, expect, it } from 'vitest';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { placeBanks, permuteBanks } from '../../hardware-models/fixed-point/bank-placement.js';
import { compileProgram } from '../../hardware-models/fixed-point/core-program.js';
import { ebrTotal } from '../../hardware-models/fixed-point/ebr-cost.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { decodeVcoreImage, VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';

// Bank placement (bank-placement.ts): a program's vector banks go onto a build's banks by width, and the program is
// renumbered to match. Proven: on the UP5K board build (2 wide + 5 narrow banks, 16 EBR) every test network places, its
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
      const placed = placeBanks(prog, U.banks);
      if (!('perm' in placed)) throw new Error(placed.problems.join('; '));
      prog.banks.forEach((b, k) => {
        expect(U.banks[placed.perm[k]!]!.bits, `bank ${k}`).toBe(b.bits > 32 ? 42 : 32);
        expect(U.banks[placed.perm[k]!]!.words).toBeGreaterThanOrEqual(b.words);
      });
      expect(new Set(placed.perm).size).toBe(prog.banks.length);
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
    const three = { banks: [42, 36, 40, 20].map((bits, k) => ({ words: 50, bits, vectors: [`v${k}`] })) };
    const r = placeBanks(three, U.banks);
    expect('problems' in r && r.problems).toEqual([expect.stringMatching(/^a bank of 50 words × 36 bits \(v1\), and no free bank of the core holds it \(256×42, 256×42, 256×32/)]);
  });

  it('best fit: a narrow bank takes a narrow place even when a wide one is free first', () => {
    const r = placeBanks({ banks: [{ words: 10, bits: 20, vectors: [] }] }, U.banks);
    expect(r).toEqual({ perm: [2] });
  });
});
