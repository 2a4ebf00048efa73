import type { CoreProgram, Factor } from './core-program.js';
import { CoreProgramMachine } from './core-program-machine.js';
import { decodeProgram, WORDS_PER_INSTR } from './core-program-encode.js';
import type { VcoreBuild } from './vcore-image.js';
import type { VcorePort } from './vcore-driver.js';

/**
 * A vector core behind its host port, modelled: the memories of a build (program halfwords, K mantissas, loop counts,
 * banks, W and W0, tables, the saturation counter) as the port leaves them, and a run that decodes the program memory
 * as the RTL fetches it (so a driver that writes a wrong halfword runs a wrong program) and executes it on the program
 * machine. Like the RTL, the core holds no exponents: shifts are folded into the instructions (a K register's
 * exponent reads as 0), so PLAS's chain mode, which needs one at run time, is refused.
 */
export class MachinePort implements VcorePort {
  private readonly progMem: Uint16Array;
  private readonly prog: CoreProgram;
  private readonly m: CoreProgramMachine;

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
  }

  progWrite(halfword: number, value: number): void {
    this.check('program halfword', halfword, this.progMem.length);
    this.progMem[halfword] = value;
  }
  kWrite(k: number, mant: number): void {
    this.check('K register', k, this.build.kRegs);
    this.m.K[k] = { mant, exp: 0 };
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
  tableWrite(i: number, value: number): void {
    this.check('table word', i, this.prog.tables.length);
    this.prog.tables[i] = value;
  }
  satWrite(value: number): void {
    this.m.saturations = value;
  }
  satRead(): number {
    return this.m.saturations;
  }
  run(pc: number, learn: boolean): void {
    const words = new Uint32Array(this.progMem.buffer, this.progMem.byteOffset, this.progMem.length / 2);
    const code = decodeProgram(words, { K: this.m.K.map((k) => ({ mant: k.mant, exp: 0 })), kBeta: -1 });
    code.forEach((ins, pc) => {
      if (ins.op === 'PLAS' && ins.chain) throw new Error(`instruction ${pc}: PLAS in chain mode needs K's exponent at run time; the vector core has none`);
    });
    this.prog.code.splice(0, code.length, ...code);
    this.m.runFrom(pc, learn);
  }

  private check(what: string, i: number, n: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`vcore port: ${what} ${i} outside 0..${n - 1}`);
  }
}
