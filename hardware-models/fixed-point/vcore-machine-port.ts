import type { CoreProgram, Factor } from './core-program.js';
import { CoreProgramMachine } from './core-program-machine.js';
import { decodeProgram, WORDS_PER_INSTR } from './core-program-encode.js';
import { TABLE_KNOTS } from './image.js';
import { clipTops, type VcoreBuild } from './vcore-image.js';
import { knotPlace, knotStep, unpackKnot } from './vcore-knots.js';
import type { VcorePort } from './vcore-driver.js';

/**
 * A vector core behind its host port, modelled: the memories of a build (program halfwords, K mantissas, loop counts,
 * banks, W and W0, tables, the saturation counter) as the port leaves them, and a run that decodes the program memory
 * as the RTL fetches it (so a driver that writes a wrong halfword runs a wrong program) and executes it on the program
 * machine. Like the RTL, the core holds no exponents: shifts are folded into the instructions (a K register's
 * exponent reads as 0), so PLAS's chain mode, which needs one at run time, is refused. As in the RTL, the K file holds
 * mantissas of `factorBits` (a wider one is refused), an ACT clip reads its top from the clip-top words, and an
 * activation table is the knot words: a run refuses a knot word whose step ΔT is not the next knot's value less its
 * own (the RTL would interpolate with it), naming the knot.
 */
export class MachinePort implements VcorePort {
  private readonly progMem: Uint16Array;
  private readonly prog: CoreProgram;
  private readonly m: CoreProgramMachine;
  private readonly kFile: number[];
  private readonly tops: number[];
  private readonly knots: Uint32Array;

  constructor(readonly build: VcoreBuild) {
    this.progMem = new Uint16Array(build.instructions * 2 * WORDS_PER_INSTR);
    this.prog = {
      code: Array.from({ length: build.instructions }, () => ({ op: 'HALT' as const })),
      entry: { reset: 0, frame: 0 },
      banks: build.banks.map((b) => ({ words: b.words, bits: b.bits, vectors: [] })),
      vectors: {},
      weights: new Int32Array(2 * build.weightWords),
      wbase: [],
      wlen: [],
      w0: build.weightWords,
      tables: new Int32Array(build.tableWords),
      K: Array.from({ length: build.kRegs }, (): Factor => ({ mant: 0, exp: 0 })),
      kBeta: -1,
      stepsPerFrame: 0,
      iterations: 0,
      fmt: { weightShift: build.weightShift, weightBits: build.weightBits, operandBits: build.operandBits, factorBits: build.factorBits },
      io: { rin: [], bias: [], allU: [], out: [], clear: [] },
    };
    this.m = new CoreProgramMachine(this.prog);
    this.kFile = new Array<number>(build.kRegs).fill(0);
    this.tops = new Array<number>(build.kRegs).fill(0);
    this.knots = new Uint32Array(build.tableWords);
  }

  progWrite(halfword: number, value: number): void {
    this.check('program halfword', halfword, this.progMem.length);
    this.progMem[halfword] = value;
  }
  kWrite(k: number, mant: number): void {
    this.check('K register', k, this.build.kRegs);
    this.check(`K register ${k} mantissa`, mant, 2 ** this.build.factorBits);
    this.kFile[k] = mant;
  }
  clipTopWrite(k: number, top: number): void {
    this.check('clip top', k, this.build.kRegs);
    if (!Number.isInteger(top) || top < -(2 ** 31) || top >= 2 ** 31) throw new Error(`vcore port: clip top ${k} = ${top} is not a 32-bit word`);
    this.tops[k] = top;
  }
  parWrite(sel: 0 | 1, value: number): void {
    if (sel === 0) this.prog.stepsPerFrame = value;
    else this.m.iterations = value;
  }
  bankWrite(bank: number, word: number, value: number): void {
    this.check(`bank ${bank} word`, word, this.build.banks[bank]?.words ?? 0);
    this.m.mem[bank]![word] = value;
  }
  bankRead(bank: number, word: number): number {
    this.check(`bank ${bank} word`, word, this.build.banks[bank]?.words ?? 0);
    return this.m.mem[bank]![word]!;
  }
  wWrite(addr: number, value: number): void {
    this.check('weight address', addr, this.m.W.length);
    this.m.W[addr] = value;
  }
  wRead(addr: number): number {
    this.check('weight address', addr, this.m.W.length);
    return this.m.W[addr]!;
  }
  knotWrite(i: number, word: number): void {
    this.check('knot word', i, this.knots.length);
    this.knots[i] = word;
    this.prog.tables[i] = unpackKnot(word).t;
  }
  satWrite(value: number): void {
    this.m.saturations = value;
  }
  satRead(): number {
    return this.m.saturations;
  }
  run(pc: number, learn: boolean): void {
    const words = new Uint32Array(this.progMem.buffer, this.progMem.byteOffset, this.progMem.length / 2);
    const code = decodeProgram(words, { K: this.kFile.map((mant) => ({ mant, exp: 0 })), kBeta: -1 });
    code.forEach((ins, pc) => {
      if (ins.op === 'PLAS' && ins.chain) throw new Error(`instruction ${pc}: PLAS in chain mode needs K's exponent at run time; the vector core has none`);
    });
    this.prog.code.splice(0, code.length, ...code);
    this.checkKnots(code);
    const tops = clipTops(code);
    this.kFile.forEach((mant, k) => (this.m.K[k] = { mant: tops.has(k) ? this.tops[k]! : mant, exp: 0 }));
    this.m.runFrom(pc, learn);
  }

  /** The knots the program's tables read: each step must be what the machine's lerp takes (T[k+1] − T[k]). */
  private checkKnots(code: ReturnType<typeof decodeProgram>): void {
    for (const ins of code) {
      if (ins.op !== 'ACT' || ins.kind !== 'table') continue;
      for (let i = ins.tb; i < ins.tb + 3 * TABLE_KNOTS; i++) {
        const { dt } = unpackKnot(this.knots[i]!);
        const want = knotStep(this.prog.tables, i);
        if (dt !== want) throw new Error(`vcore port: knot word ${i} (${JSON.stringify(knotPlace(i))}) holds the step ${dt}, the next knot is ${want} away`);
      }
    }
  }

  private check(what: string, i: number, n: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`vcore port: ${what} ${i} outside 0..${n - 1}`);
  }
}
