import { describe, expect, it } from 'vitest';
import { boardActivation, compileBoardImage } from '../../compiler/board/compile-image.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { Activation } from '../../core/activation.js';
import { Rng } from '../../core/rng.js';
import { crc32 } from '../../core/crc32.js';
import { TABLE_KNOTS, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { decodeVcoreImage, ImageError } from '../../hardware-models/fixed-point/vcore-image.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { VCORE_GENERIC_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { knotProblem, knotProblems, knotWord, unpackKnot } from '../../hardware-models/fixed-point/vcore-knots.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';

// The knot words (vcore-knots.ts): how the vector core holds an activation table, one 32-bit word a knot, T in 18 signed
// bits and the step to the next knot in 14. Proven: every knot of the tables the compiler makes for logistic and tanh
// unpacks to its value and the machine's step (the last knot's step 0); the field boundaries are exact (one past
// either end is refused, naming slot, table and knot); the depression-matched tables do not fit and the image compiler
// and the image check refuse them by name; a port that is handed a knot word with a wrong step refuses to run.

const tablesOf = (a: Activation): Int32Array => {
  const b = boardActivation(a);
  if (b.kind !== 'table') throw new Error(`${a.kind} is not a table`);
  return Int32Array.from([...b.rho, ...b.drho, ...b.ddrho]);
};

describe('knot words', () => {
  for (const kind of ['logistic', 'tanh'] as const) {
    it(`${kind}: every knot unpacks to its value and the step the machine's lerp takes (0 at each table's last knot)`, () => {
      const t = tablesOf({ kind });
      expect(knotProblems(t)).toEqual([]);
      for (let i = 0; i < t.length; i++) {
        const { t: v, dt } = unpackKnot(knotWord(t, i));
        expect(v).toBe(t[i]);
        expect(dt).toBe(i % TABLE_KNOTS === TABLE_KNOTS - 1 ? 0 : t[i + 1]! - t[i]!);
      }
    });
  }

  it('the fields are exact at their ends: T in −2^17..2^17 − 1, ΔT in −2^13..2^13 − 1; one past is refused by name', () => {
    const t = new Int32Array(3 * TABLE_KNOTS);
    const at = TABLE_KNOTS + 10; // ρ′, knot 10
    for (const [v, next, ok] of [
      [131071, 131071 - 8192 + 1, true],
      [-131072, -131072 + 8191, true],
      [131072, 131072, false],
      [0, 8191, true],
      [0, 8192, false],
      [0, -8192, true],
      [0, -8193, false],
    ] as Array<[number, number, boolean]>) {
      t[at] = v;
      t[at + 1] = next;
      const p = knotProblem(t, at);
      if (ok) expect(unpackKnot(knotWord(t, at))).toEqual({ t: v, dt: next - v });
      else {
        expect(p).toMatch(/table slot 0 ρ′ knot 10/);
        expect(() => knotWord(t, at)).toThrow(/knot 10/);
      }
    }
  });

  it('seeded random knots inside the fields round-trip (signs, both fields)', () => {
    const rng = new Rng(17);
    const t = new Int32Array(3 * TABLE_KNOTS);
    for (let n = 0; n < 2000; n++) {
      const i = Math.floor(rng.uniform() * (TABLE_KNOTS - 1));
      t[i] = Math.floor(rng.uniform() * 2 ** 18) - 2 ** 17;
      t[i + 1] = Math.max(-(2 ** 17), Math.min(2 ** 17 - 1, t[i]! + Math.floor(rng.uniform() * 2 ** 14) - 2 ** 13));
      expect(unpackKnot(knotWord(t, i))).toEqual({ t: t[i], dt: t[i + 1]! - t[i]! });
    }
  });

  it('the depression-matched tables do not fit (T reaches 4.7·10^5): named per table', () => {
    const p = knotProblems(tablesOf({ kind: 'depression-matched', a: 1, d: 1 }));
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/table slot 0 ρ knot \d+: value \d+ does not fit 18 signed bits/);
  });
});

describe('the image path refuses tables the knot words cannot hold', () => {
  const depression = (): BoardImage =>
    compileBoardImage(layeredNetwork([3, 4, 2], { activation: { name: 'depression-matched', a: 1, d: 1 }, seed: 2 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;

  it('compileVcoreImage names the table, the knot and the field', () => {
    expect(() => compileVcoreImage(depression())).toThrow(/an activation table the core's knot words hold \(table slot 0 ρ knot \d+: value \d+ does not fit 18 signed bits\)/);
  });

  it("decodeVcoreImage refuses a table word whose value or step does not fit, at that word's byte", () => {
    const good = compileVcoreImage(deeperNetworkImage());
    const img = decodeVcoreImage(good);
    const nTables = img.prog.tables.length;
    const tablesAt = good.length - 4 - tailBytes(img) - 4 * nTables;
    const v = new DataView(good.buffer, good.byteOffset);
    expect(v.getInt32(tablesAt + 4 * 5, true)).toBe(img.prog.tables[5]); // the layout as assumed
    for (const [i, value, what] of [
      [5, 2 ** 17, /value 131072 does not fit 18 signed bits/],
      [6, img.prog.tables[5]! + 8192, /step to the next knot 8192 does not fit 14 signed bits/],
    ] as Array<[number, number, RegExp]>) {
      const bad = Uint8Array.from(good);
      new DataView(bad.buffer).setInt32(tablesAt + 4 * i, value, true);
      new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad, 0, bad.length - 4), true);
      let err: unknown;
      try {
        decodeVcoreImage(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImageError);
      const at = i === 6 ? tablesAt + 4 * 5 : tablesAt + 4 * i; // a step is the earlier knot's field
      expect((err as ImageError).message).toMatch(new RegExp(`byte ${at}\\b`));
      expect((err as ImageError).message).toMatch(what);
    }
  });
});

/** Bytes of the io maps after the tables (r_in, bias, outputs, all_u, clear: 2 bytes an address, clear 4). */
function tailBytes(img: ReturnType<typeof decodeVcoreImage>): number {
  const io = img.prog.io;
  return 2 * (io.rin.length + io.bias.length + 6 * io.out.length + io.allU.length) + 4 * io.clear.length;
}

describe('the port holds the knot words and clip tops as the RTL does', () => {
  it('a knot word whose step is not the next knot less its own is refused at run, naming the knot', () => {
    const img = decodeVcoreImage(compileVcoreImage(deeperNetworkImage()));
    const port = new MachinePort(VCORE_GENERIC_BUILD);
    const drv = new VcoreDriver(img, port, VCORE_GENERIC_BUILD.weightWords);
    drv.install();
    port.knotWrite(3, (knotWord(img.prog.tables, 3) ^ (1 << 18)) >>> 0);
    expect(() => drv.frame(new Int32Array(img.prog.io.rin.length), false)).toThrow(/knot word 3 .*holds the step/);
  });

  it('the K file takes factorBits mantissas only: a clip top written there is refused', () => {
    const port = new MachinePort(VCORE_GENERIC_BUILD);
    expect(() => port.kWrite(0, 65536)).toThrow(/K register 0 mantissa 65536 outside 0..32767/);
    expect(() => port.clipTopWrite(0, 65536)).not.toThrow();
  });
});
