import { describe, expect, it } from 'vitest';
import { compileProgram, disassemble, type CoreProgram } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine, DEFAULT_MODEL, frameCycles, cost, type CycleModel } from '../../hardware-models/fixed-point/core-program-machine.js';
import { UP5K16, WIDE } from '../../hardware-models/fixed-point/format.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';
import type { Instr } from '../../hardware-models/fixed-point/core-program.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { ebrCost, ebrTotal } from '../../hardware-models/fixed-point/ebr-cost.js';

// Cycles per frame of the example (examples/teacher, K = 4, 10 steps) if each instruction costs fill +
// elements (core-program-machine.ts, cost), counted from the machine's executions, and the program length.
// The numbers are in docs/vcore.md and docs/fpga.md; the bounds hold the model against regressions.

function counts(prog: CoreProgram, learn: boolean): Uint32Array {
  const m = new CoreProgramMachine(prog);
  const x = csv('examples/teacher/input.csv');
  const t = csv('examples/teacher/target.csv');
  m.setTargets(t[0]!);
  m.frame(x[0]!, learn, 15);
  return m.counts.slice();
}

describe('EBR cost (UP5K aspects 256x16 / 512x8 / 1024x4 / 2048x2)', () => {
  it('takes the best aspect, parallel for width and series for depth', () => {
    expect(ebrCost(0, 16)).toBe(0);
    expect(ebrCost(256, 16)).toBe(1);
    expect(ebrCost(512, 8)).toBe(1);
    expect(ebrCost(1024, 4)).toBe(1);
    expect(ebrCost(2048, 2)).toBe(1);
    expect(ebrCost(100, 30)).toBe(2);
    expect(ebrCost(300, 30)).toBe(4);
    expect(ebrCost(600, 8)).toBe(2);
    expect(ebrCost(257, 16)).toBe(2);
    expect(ebrCost(300, 7)).toBe(1);
  });
});

describe('cycles per frame of the vector program (cost model)', () => {
  for (const fmt of [WIDE, UP5K16]) {
    it(`${fmt.name}: the example`, () => {
      const prog = compileProgram(teacherImage(), fmt);
      const lines: string[] = [];
      const res: Record<string, number> = {};
      for (const learn of [false, true]) {
        const c = counts(prog, learn);
        for (const lanes of [1, 2]) {
          for (const overlap of [false, true]) {
            const model: CycleModel = { ...DEFAULT_MODEL, lanes };
            const n = frameCycles(prog, c, model, overlap);
            const n2 = frameCycles(prog, c, { ...model, elemLanes: lanes }, overlap);
            res[`${learn ? 'learn' : 'infer'}/${lanes}/${overlap ? 'ov' : 'seq'}`] = n;
            lines.push(`${learn ? 'learning ' : 'inference'} MAC lanes ${lanes} ${overlap ? 'overlapped' : 'fill+n    '}: ${n}${lanes > 1 ? ` (element ops ${lanes} lanes too: ${n2})` : ''}`);
          }
        }
        // where the cycles go (lanes 1, fill + n)
        const by = new Map<string, number>();
        prog.code.forEach((ins, i) => {
          const k = ins.op === 'E' ? `E${ins.n === 1 ? '(scalar)' : ''}` : ins.op === 'MV' ? `MV${ins.t ? 'ᵀ' : ''}` : ins.op;
          by.set(k, (by.get(k) ?? 0) + c[i]! * cost(ins, DEFAULT_MODEL));
        });
        lines.push(`  by kind: ${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}; executed instructions ${c.reduce((a, b) => a + b, 0)}`);
      }
      const e = prog.code.filter((i) => i.op === 'E').length;
      process.stderr.write(`NOTE: vector program ${fmt.name}: ${prog.code.length} instructions (${e} element ops), ${prog.banks.length} banks (${prog.banks.map((b) => `${b.words}x${b.bits}`).join(' ')}), ${ebrTotal(prog.banks)} EBR (best aspect)\n${lines.map((l) => `NOTE:   ${l}`).join('\n')}\n`);
      if (process.env.VCORE_LISTING) process.stderr.write(`${disassemble(prog).join('\n')}\n${prog.banks.map((b, i) => `bank ${i} (${b.words} x ${b.bits}): ${b.vectors.join(' ')}`).join('\n')}\n`);
      expect(res['infer/1/seq']).toBeLessThan(40_000);
      expect(res['learn/2/ov']).toBeLessThan(res['learn/1/seq']!);
    });
  }

  it('every field fits the 128-bit encoding of docs/vcore.md: n 7 bits, bank 3 + word 8, shifts 7 bits signed, K index 5, slices 4', () => {
    const max: Record<string, number> = { n: 0, bank: 0, word: 0, shMin: 0, shMax: 0, k: 0, slice: 0, rows: 0, cols: 0, wb: 0, tb: 0 };
    const note = (f: string, v: number) => (max[f] = Math.max(max[f]!, v));
    const addr = (a: { bank: number; word: number } | null | undefined) => {
      if (!a) return;
      note('bank', a.bank);
      note('word', a.word);
    };
    const sh = (v: number) => {
      max.shMin = Math.min(max.shMin!, v);
      note('shMax', v);
    };
    const src = (x: Extract<Instr, { op: 'E' }>['x']) => {
      if (!x) return;
      if (x.m === 'k') return note('k', x.k);
      addr(x.a);
      addr(x.sub);
      note('slice', x.sl.s);
    };
    for (const fmt of [WIDE, UP5K16])
      for (const img of [teacherImage(), deeperNetworkImage()]) {
        const prog = compileProgram(img, fmt);
        note('k', prog.K.length - 1);
        for (const ins of prog.code) {
          if (ins.op === 'E') {
            note('n', ins.n);
            [ins.dst, ins.a, ins.mask].forEach(addr);
            src(ins.x);
            src(ins.y);
            sh(ins.sh);
          } else if (ins.op === 'MV' || ins.op === 'PLAS') {
            note('rows', ins.rows);
            note('cols', ins.cols);
            note('wb', ins.wb);
            if (ins.op === 'MV') {
              addr(ins.x);
              addr(ins.acc);
              if (ins.epi) {
                addr(ins.epi.dst);
                addr(ins.epi.a);
                sh(ins.epi.sh);
              }
            } else {
              addr(ins.r);
              addr(ins.c);
              sh(ins.sh1);
              if (ins.chain) sh(ins.chain.sh2);
            }
          } else if (ins.op === 'ACT') note('tb', ins.tb);
        }
      }
    for (const fmt of [WIDE, UP5K16]) {
      const big = compileProgram(compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image, fmt);
      const words = big.banks.reduce((a, b) => a + b.words, 0);
      const ebr = big.banks.reduce((a, b) => a + Math.ceil(b.words / 256) * Math.ceil(b.bits / 16), 0);
      process.stderr.write(`NOTE: vector program ${fmt.name}, 64 neurons (6-40-18-6): ${big.code.length} instructions, ${big.banks.length} banks (${big.banks.map((b) => `${b.words}x${b.bits}`).join(' ')}), ${words} words, ${ebr} EBR (256 x 16), ${ebrTotal(big.banks)} EBR (best aspect)\n`);
      expect(ebrTotal(big.banks)).toBeLessThanOrEqual(ebr);
    }
    process.stderr.write(`NOTE: vector program field maxima (example and deeper network, WIDE and UP5K16): ${JSON.stringify(max)}\n`);
    expect(max.n).toBeLessThan(128);
    expect(max.bank).toBeLessThan(8);
    expect(max.word).toBeLessThan(256);
    expect(max.shMin).toBeGreaterThanOrEqual(-64);
    expect(max.shMax).toBeLessThan(64);
    expect(max.k).toBeLessThan(32);
    expect(max.slice).toBeLessThan(16);
  });
});
