import { E_FIELDS, opFields, WORDS_PER_INSTR } from './core-program-encode.js';
import type { Addr } from './core-program.js';
import { factorOf, GUARD, ONE, sat, shr } from './format.js';
import { PROBE } from './image.js';
import { clipTops, type VcoreImage } from './vcore-image.js';
import { knotWord } from './vcore-knots.js';

/**
 * The vector core's host port as the board's firmware sees it (gateware/vcore/vcore.v's host port; each call is one
 * port access). An implementation is a transport to one core: the program machine (`MachinePort`, for the model and
 * the tests), the Verilator testbench, or the soft processor's memory-mapped registers on the board. Accesses happen
 * only while the core is idle; `run` starts the core at `pc` and returns when it halts.
 */
export interface VcorePort {
  /** Program memory, one halfword: instruction `halfword >> 3`, bits 16·(halfword & 7) up. */
  progWrite(halfword: number, value: number): void;
  /** A constant register's mantissa (the K file: 0 ≤ mant < 2^factorBits). */
  kWrite(k: number, mant: number): void;
  /** The top of the ACT clips that name K register k (a Q3.16 signal, 32 bits: it may exceed the K file's width). */
  clipTopWrite(k: number, top: number): void;
  /** Loop counts: 0 steps per frame, 1 iterations (ITERATIONS). */
  parWrite(sel: 0 | 1, value: number): void;
  bankWrite(bank: number, word: number, value: number): void;
  bankRead(bank: number, word: number): number;
  /** Weight memory: W at 0 .. weightWords − 1, the image's W0 at weightWords + i. */
  wWrite(addr: number, value: number): void;
  wRead(addr: number): number;
  /** Knot memory: knot i of the image's tables (slot s at s·3·257: ρ, ρ′, ρ″) as its knot word (vcore-knots.ts). */
  knotWrite(i: number, word: number): void;
  satWrite(value: number): void;
  satRead(): number;
  /** Runs from `pc` (learn: the JNL flag) until HALT. */
  run(pc: number, learn: boolean): void;
}

/** Port accesses a driver made (the firmware's cost: each is a load or store on the board). */
export interface PortCounts {
  writes: number;
  reads: number;
  runs: number;
}

const NO_TARGET_Q = -(2 ** 23);
const GUARD_SCALE = 2 ** GUARD;
/** PLAS's folded shift u1 and its use_exp1 flag (core-program-encode.ts's field table). */
const PLAS_FIELDS = opFields('PLAS');
const PLAS_U1 = PLAS_FIELDS.u1!;
const PLAS_USE_EXP1 = PLAS_FIELDS.use_exp1![0];

/**
 * What the board's firmware does with a vector core, as a model: it installs a checked vcore image (vcore-image.ts)
 * through the port, then serves the session's requests with the core's interface (reset, reloadWeights, setTargets,
 * setParam, frame, probe: those of FixedPointCore) using only port accesses and the image's maps. The firmware in C
 * does the same accesses in the same order; the tests prove this driver bit-exact with FixedPointCore.
 *
 * Explicit state (what the firmware keeps in RAM): the program words of the β readers (for SET_PARAM BETA's
 * refold), β's current factor, the frame count.
 */
export class VcoreDriver {
  frames = 0;
  readonly counts: PortCounts = { writes: 0, reads: 0, runs: 0 };
  private readonly words: Uint32Array;
  private betaExp: number;

  constructor(
    readonly image: VcoreImage,
    private readonly port: VcorePort,
    /** Weight words of the build (W0 lives above them). */
    private readonly weightWords: number,
  ) {
    this.words = Uint32Array.from(image.words);
    this.betaExp = image.prog.K[image.prog.kBeta]?.exp ?? 0;
  }

  private w(f: () => void): void {
    this.counts.writes++;
    f();
  }
  private rd(a: Addr): number {
    this.counts.reads++;
    return this.port.bankRead(a.bank, a.word);
  }
  private wr(a: Addr, v: number): void {
    this.w(() => this.port.bankWrite(a.bank, a.word, v));
  }

  /** Copies the image into the core (LOAD_IMAGE after the checks), then resets it. */
  install(): void {
    const p = this.image.prog;
    for (let h = 0; h < this.words.length * 2; h++) this.writeHalf(h);
    // every register whose mantissa fits the K file goes there (every factor does: the image check), every clip top
    // to its 32-bit word
    const tops = clipTops(p.code);
    p.K.forEach((k, i) => {
      if (k.mant >= 0 && k.mant < 2 ** p.fmt.factorBits) this.w(() => this.port.kWrite(i, k.mant));
      if (tops.has(i)) this.w(() => this.port.clipTopWrite(i, k.mant));
    });
    this.w(() => this.port.parWrite(0, p.stepsPerFrame));
    this.w(() => this.port.parWrite(1, p.iterations));
    for (let i = 0; i < p.w0; i++) {
      this.w(() => this.port.wWrite(i, p.weights[i]!));
      this.w(() => this.port.wWrite(this.weightWords + i, p.weights[i]!));
    }
    for (let i = 0; i < p.tables.length; i++) this.w(() => this.port.knotWrite(i, knotWord(p.tables, i)));
    this.reset();
  }

  private writeHalf(h: number): void {
    const word = this.words[h >> 1]!;
    this.w(() => this.port.progWrite(h, h & 1 ? word >>> 16 : word & 0xffff));
  }

  /** RESET: every bank word 0, the bias units at 1, the saturation count 0, the frame count 0; then the reset entry. */
  reset(): void {
    const p = this.image.prog;
    p.banks.forEach((b, bank) => {
      for (let word = 0; word < b.words; word++) this.w(() => this.port.bankWrite(bank, word, 0));
    });
    for (const a of p.io.bias) this.wr(a, ONE * GUARD_SCALE);
    this.w(() => this.port.satWrite(0));
    this.frames = 0;
    this.counts.runs++;
    this.port.run(p.entry.reset, false);
  }

  /** RESET with restore: W ← W0, word by word. */
  reloadWeights(): void {
    for (let i = 0; i < this.image.prog.w0; i++) {
      this.counts.reads++;
      const v = this.port.wRead(this.weightWords + i);
      this.w(() => this.port.wWrite(i, v));
    }
  }

  /**
   * SET_PARAM: ITERATIONS (3) writes the loop count; BETA_Q16 (2) writes β's mantissa and refolds the shift of every
   * β reader that takes the exponent (u = 15 + sh − exp for E, u1 = sh1 − exp for PLAS), rewriting the halfwords that
   * change. A refolded shift outside its 6 bits is refused (nothing written).
   */
  setParam(id: number, value: number): void {
    if (id === 3) {
      this.w(() => this.port.parWrite(1, value));
      return;
    }
    if (id !== 2) throw new Error(`SET_PARAM ${id}: the vector core has BETA_Q16 (2) and ITERATIONS (3)`);
    const p = this.image.prog;
    const f = factorOf(value, p.fmt.factorBits);
    const edits: Array<[number, number, number]> = [];
    for (const pc of this.image.betaReaders) {
      const op = this.field(pc, 0, 4);
      const [at, width] = op === 1 ? E_FIELDS.u! : PLAS_U1;
      const useExp = this.field(pc, op === 1 ? E_FIELDS.use_exp![0] : PLAS_USE_EXP1, 1);
      if (!useExp) continue;
      const u = this.field(pc, at, width) + this.betaExp - f.shift;
      if (u < 0 || u >= 2 ** width) throw new Error(`SET_PARAM BETA_Q16 ${value}: instruction ${pc}'s shift would be ${u}, outside 0..${2 ** width - 1}`);
      edits.push([pc, at, u]);
    }
    for (const [pc, at, u] of edits) {
      const before = this.words.slice(pc * WORDS_PER_INSTR, (pc + 1) * WORDS_PER_INSTR);
      this.setField(pc, at, 6, u);
      for (let j = 0; j < WORDS_PER_INSTR; j++) {
        const i = pc * WORDS_PER_INSTR + j;
        if (((before[j]! ^ this.words[i]!) & 0xffff) !== 0) this.writeHalf(2 * i);
        if ((before[j]! ^ this.words[i]!) >>> 16 !== 0) this.writeHalf(2 * i + 1);
      }
    }
    this.w(() => this.port.kWrite(p.kBeta, f.mant));
    this.betaExp = f.shift;
  }

  private field(pc: number, at: number, width: number): number {
    let v = 0;
    for (let b = 0; b < width; b++) {
      const bit = at + b;
      v |= ((this.words[pc * WORDS_PER_INSTR + (bit >> 5)]! >>> (bit & 31)) & 1) << b;
    }
    return v;
  }
  private setField(pc: number, at: number, width: number, v: number): void {
    for (let b = 0; b < width; b++) {
      const bit = at + b;
      const i = pc * WORDS_PER_INSTR + (bit >> 5);
      const m = 1 << (bit & 31);
      this.words[i] = ((v >> b) & 1 ? this.words[i]! | m : this.words[i]! & ~m) >>> 0;
    }
  }

  /** TARGET_FRAME: a target sets u* (and u*prev where the output had none), NO_TARGET clears the has-target flag. */
  setTargets(values: ArrayLike<number>): void {
    this.image.prog.io.out.forEach((o, k) => {
      const v = values[k]!;
      if (v === NO_TARGET_Q) this.wr(o.ht, 0);
      else {
        if (!this.rd(o.ht)) this.wr(o.prev, sat(v) * GUARD_SCALE);
        this.wr(o.ht, 1);
        this.wr(o.ustar, sat(v) * GUARD_SCALE);
      }
    });
  }

  /** INPUT_FRAME: the inputs into r_in, one run of the frame entry, the probes read. */
  frame(inputs: ArrayLike<number>, learn: boolean, probes: number = PROBE.OUTPUT_U): Int32Array {
    this.image.prog.io.rin.forEach((a, k) => this.wr(a, sat(inputs[k]!)));
    this.counts.runs++;
    this.port.run(this.image.prog.entry.frame, learn);
    this.frames++;
    return this.probe(probes);
  }

  /** OUTPUT_FRAME's values, in width order (u, rate, error of the outputs; u of every neuron). */
  probe(probes: number): Int32Array {
    const io = this.image.prog.io;
    const S = (x: number) => sat(shr(x, GUARD));
    const out: number[] = [];
    if (probes & PROBE.OUTPUT_U) for (const o of io.out) out.push(S(this.rd(o.u)));
    if (probes & PROBE.OUTPUT_RATE) for (const o of io.out) out.push(this.rd(o.rho));
    if (probes & PROBE.OUTPUT_ERROR) for (const o of io.out) out.push(S(this.rd(o.ebar)));
    if (probes & PROBE.ALL_U) for (const a of io.allU) out.push(S(this.rd(a)));
    return Int32Array.from(out);
  }

  get saturations(): number {
    this.counts.reads++;
    return this.port.satRead();
  }

  /** The weight registers of projection k, read through the port. */
  weights(k: number): Float64Array {
    const p = this.image.prog;
    return Float64Array.from({ length: p.wlen[k]! }, (_, i) => {
      this.counts.reads++;
      return this.port.wRead(p.wbase[k]! + i);
    });
  }
}
