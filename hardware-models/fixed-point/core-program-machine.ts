import { clampBits, factorOf, GUARD, INC_MAX, INC_MIN, ONE, sat, shr, SIGNAL_MAX, SIGNAL_MIN, STATE_MAX, STATE_MIN } from './format.js';
import { PROBE, TABLE_KNOTS, TABLE_SHIFT } from './image.js';
import type { Addr, Clamp, CoreProgram, Instr, Slice, Src } from './core-program.js';

const GUARD_SCALE = 2 ** GUARD;
const TABLE_STEP = 2 ** TABLE_SHIFT;
const NO_TARGET_Q = -(2 ** 23);
const R28 = 2 ** 28;

/** Rounded right shift; a negative shift is an exact left shift (core.ts rs). */
function rs(x: number, s: number): number {
  return s >= 0 ? shr(x, s) : x * 2 ** -s;
}

/** One element of an E op as the element pipeline sees it (test hook). */
export interface ElemTrace {
  a: number;
  x: { v: number; sub: number };
  y: { v: number; sub: number };
  mask: boolean;
  k: { mant: number; exp: number };
  out: number;
  inc: number;
}

/** One row (or column) of a weight pass as the MAC sees it (test hook): weights, operands, the partial sum read
 * (null when the pass starts from 0), the epilogue's A, and the result (the sum, or the epilogue's clamped value). */
export interface RowTrace {
  w: number[];
  x: number[];
  partial: number | null;
  a: number;
  out: number;
  inc: number;
}

/** One neuron of an ACT op (test hook): u, x = shr(u, 8), the knot index k and fraction of a table (null otherwise),
 * the knot words each lerp reads ([T[k], T[k+1]] per table, clamped to the last knot), and ρ, ρ', ρ''. */
export interface ActTrace {
  u: number;
  x: number;
  knot: { k: number; frac: number; t: Array<[number, number]> } | null;
  top: number;
  rho: number;
  drho: number;
  curv: number;
}

/** One weight of a PLAS op (test hook): W before, R[r], C[c], the factor, the product term p and W after. */
export interface PlasTrace {
  w0: number;
  r: number;
  c: number;
  k: { mant: number; exp: number };
  /** rs(R·C, sh1 − [useExp1]·exp), before the chain */
  p1: number;
  p: number;
  w: number;
}

/** Cycle counts of a run under the cost model of docs/vcore.md. */
export interface CycleModel {
  /** Pipeline depth: cycles from an instruction's first read to its first write. */
  fill: number;
  /** MAC lanes of the weight passes (rows, or columns when transposed, in parallel). */
  lanes: number;
  /** Elements per cycle of element ops and activations (parity-split banks, one multiplier per lane). */
  elemLanes: number;
  /** Cycles per weight of PLAS (read and write of a single-port weight memory: 2). */
  plasPerWeight: number;
  /** Cycles per neuron of a table activation (two knots: 2). */
  tablePerNeuron: number;
  /**
   * Cycles from pc moving to an instruction until it can decode, where nothing is prefetched (0: the next instruction
   * is ready when pc moves). Every instruction pays it, a data instruction in place of its fill where it is longer.
   */
  fetch: number;
}
export const DEFAULT_MODEL: CycleModel = { fill: 5, lanes: 1, elemLanes: 1, plasPerWeight: 2, tablePerNeuron: 2, fetch: 0 };
/**
 * The UP5K board's vector core (gateware/vcore/vcore.v): no prefetch buffer, so pc moving to an instruction starts the
 * fetch of its 8 halfwords, one a cycle from the program SPRAM, and it decodes the cycle after the last arrives (9).
 */
export const VCORE_UP5K_MODEL: CycleModel = { ...DEFAULT_MODEL, fetch: 9 };

/**
 * Executes a CoreProgram (core-program.ts) element by element on explicit memories: vector banks, the
 * weight memory (W, then the image's W0), the knot tables and the constant registers. It has no access
 * to the image. Its interface is the core's: reset, reloadWeights (restore_weights), setTargets,
 * setParam (BETA_Q16 2, ITERATIONS 3), frame and probe. Every element checks that no two different words
 * of one bank are read in its cycle (one read port per bank).
 */
export class CoreProgramMachine {
  readonly mem: Float64Array[];
  readonly W: Float64Array;
  readonly K: Array<{ mant: number; exp: number }>;
  saturations = 0;
  frames = 0;
  iterations: number;
  /** Executions of each instruction in the last run (frame or reset): cycles under any model, frameCycles. */
  counts: Uint32Array;
  /** Test hook: called for every element of an E op with its raw operands, result and counted saturations. */
  onElem: ((ins: Extract<Instr, { op: 'E' }>, e: ElemTrace) => void) | null = null;
  /** Test hook: called for every row of a weight pass (MV) with its operands and result. */
  onRow: ((ins: Extract<Instr, { op: 'MV' }>, r: RowTrace) => void) | null = null;
  /** Test hook: called for every Σ x·y reduction (DOT) as a row (w = y) with its result. */
  onDot: ((ins: Extract<Instr, { op: 'DOT' }>, r: RowTrace) => void) | null = null;
  /** Test hook: called before every instruction the machine executes (pc), the memories as the one before left them. */
  onInstr: ((pc: number) => void) | null = null;
  /** Test hook: called for every neuron of an ACT op with its input, knot operands and results. */
  onAct: ((ins: Extract<Instr, { op: 'ACT' }>, a: ActTrace) => void) | null = null;
  /** Test hook: called for every weight of a PLAS op with its operands, product term and result. */
  onPlas: ((ins: Extract<Instr, { op: 'PLAS' }>, p: PlasTrace) => void) | null = null;
  private learn = false;
  private readonly ob: number;

  constructor(readonly prog: CoreProgram) {
    this.counts = new Uint32Array(prog.code.length);
    this.mem = prog.banks.map((b) => new Float64Array(b.words));
    this.W = Float64Array.from(prog.weights);
    this.K = prog.K.map((k) => ({ ...k }));
    this.iterations = prog.iterations;
    this.ob = prog.fmt.operandBits;
    this.reset();
  }

  private rd(a: Addr, i = 0): number {
    return this.mem[a.bank]![a.word + i]!;
  }
  private wr(a: Addr, i: number, x: number): void {
    this.mem[a.bank]![a.word + i] = x;
  }

  /** Datapath weight of a register (format.ts datapathOf). */
  private wq(i: number): number {
    return clampBits(shr(this.W[i]!, this.prog.fmt.weightShift), this.prog.fmt.weightBits);
  }

  /** The slice stage of a multiplier port: core.ts op(). */
  private op(x: number, sl: Slice): number {
    const y = sl.s === 0 ? x : shr(x, sl.s);
    if (!sl.clip) return y;
    const v = clampBits(y, this.ob);
    if (v !== y) this.saturations++;
    return v;
  }

  /** The clamp stage: the range of the kind; with `count`, a changed value adds one to saturations. */
  private clamp(x: number, c: Clamp, count: boolean): number {
    let lo: number, hi: number;
    switch (c) {
      case 'none':
        return x;
      case 'U':
        [lo, hi] = [STATE_MIN, STATE_MAX];
        break;
      case 'D':
        [lo, hi] = [INC_MIN, INC_MAX];
        break;
      case 'S':
        [lo, hi] = [SIGNAL_MIN, SIGNAL_MAX];
        break;
      case 'OP':
        if (this.ob === Infinity) return x;
        [lo, hi] = [-(2 ** (this.ob - 1)), 2 ** (this.ob - 1) - 1];
        break;
      case 'R28':
        [lo, hi] = [-R28, R28];
        break;
    }
    const v = x > hi ? hi : x < lo ? lo : x;
    if (count && v !== x) this.saturations++;
    return v;
  }

  /** Port conflict check: the words one element reads, at most one per bank. */
  private ports(reads: Array<Addr | null>, i: number[]): void {
    const seen = new Map<number, number>();
    reads.forEach((a, j) => {
      if (!a) return;
      const w = a.word + i[j]!;
      const o = seen.get(a.bank);
      if (o !== undefined && o !== w) throw new Error(`bank ${a.bank} read twice in one cycle (words ${o}, ${w})`);
      seen.set(a.bank, w);
    });
  }

  private src(s: Src, i: number): { v: number; exp: number } {
    if (s.m === 'k') return { v: this.K[s.k]!.mant, exp: this.K[s.k]!.exp };
    const j = s.m === 'v' ? i : 0;
    const x = s.shl ? this.rd(s.a, j) * 2 ** s.shl : this.rd(s.a, j);
    return { v: this.op(s.sub ? x - this.rd(s.sub, j) : x, s.sl), exp: 0 };
  }

  /** Back to rest: vectors cleared, bias units at 1, counters 0; then the reset entry (activations). */
  reset(): void {
    for (const m of this.mem) m.fill(0);
    for (const a of this.prog.io.bias) this.wr(a, 0, ONE * GUARD_SCALE);
    this.saturations = 0;
    this.frames = 0;
    this.run(this.prog.entry.reset);
  }

  /** restore_weights: W ← W0. */
  reloadWeights(): void {
    this.W.copyWithin(0, this.prog.w0, 2 * this.prog.w0);
  }

  /** SET_PARAM: BETA_Q16 (2) rewrites β's constant register, ITERATIONS (3) the loop register. */
  setParam(id: number, value: number): void {
    if (id === 2) {
      const f = factorOf(value, this.prog.fmt.factorBits);
      this.K[this.prog.kBeta] = { mant: f.mant, exp: f.shift };
    } else if (id === 3) this.iterations = value;
  }

  /** The weight registers of projection k (a copy). */
  weights(k: number): Float64Array {
    return this.W.slice(this.prog.wbase[k]!, this.prog.wbase[k]! + this.prog.wlen[k]!);
  }

  setTargets(values: ArrayLike<number>): void {
    this.prog.io.out.forEach((o, k) => {
      const v = values[k]!;
      if (v === NO_TARGET_Q) this.wr(o.ht, 0, 0);
      else {
        if (!this.rd(o.ht)) this.wr(o.prev, 0, sat(v) * GUARD_SCALE);
        this.wr(o.ht, 0, 1);
        this.wr(o.ustar, 0, sat(v) * GUARD_SCALE);
      }
    });
  }

  frame(inputs: ArrayLike<number>, learn: boolean, probes: number = PROBE.OUTPUT_U): Int32Array {
    this.prog.io.rin.forEach((a, k) => this.wr(a, 0, sat(inputs[k]!)));
    this.learn = learn;
    this.run(this.prog.entry.frame);
    this.frames++;
    return this.probe(probes);
  }

  probe(probes: number): Int32Array {
    const out: number[] = [];
    const S = (x: number) => sat(shr(x, GUARD));
    const o = this.prog.io.out;
    if (probes & PROBE.OUTPUT_U) for (const x of o) out.push(S(this.rd(x.u)));
    if (probes & PROBE.OUTPUT_RATE) for (const x of o) out.push(this.rd(x.rho));
    if (probes & PROBE.OUTPUT_ERROR) for (const x of o) out.push(S(this.rd(x.ebar)));
    if (probes & PROBE.ALL_U) for (const a of this.prog.io.allU) out.push(S(this.rd(a)));
    return Int32Array.from(out);
  }

  /** Runs from pc to HALT with the JNL flag `learn`: a run as a host port starts one (no inputs written, no probes read). */
  runFrom(pc: number, learn: boolean): void {
    this.learn = learn;
    this.run(pc);
  }

  /** Runs from pc to HALT. */
  private run(pc: number): void {
    const code = this.prog.code;
    const stack: Array<{ left: number; top: number }> = [];
    this.counts.fill(0);
    for (;;) {
      const ins = code[pc]!;
      this.counts[pc]!++;
      this.onInstr?.(pc);
      switch (ins.op) {
        case 'HALT':
          return;
        case 'LOOP': {
          const n = ins.count === 'steps' ? this.prog.stepsPerFrame : this.iterations;
          if (n <= 0) pc = ins.end;
          else {
            stack.push({ left: n, top: pc + 1 });
            pc++;
          }
          continue;
        }
        case 'NEXT': {
          const l = stack[stack.length - 1]!;
          if (--l.left > 0) pc = l.top;
          else {
            stack.pop();
            pc++;
          }
          continue;
        }
        case 'JNL':
          pc = this.learn ? pc + 1 : ins.to;
          continue;
        case 'JMP':
          pc = ins.to;
          continue;
        case 'E':
          this.elem(ins);
          break;
        case 'MV':
          this.mv(ins);
          break;
        case 'DOT': {
          let s = 0;
          for (let i = 0; i < ins.n; i++) {
            this.ports([ins.x, ins.y], [i, i]);
            s += this.rd(ins.x, i) * this.rd(ins.y, i);
          }
          this.wr(ins.dst, 0, s);
          if (this.onDot) {
            const xs = Array.from({ length: ins.n }, (_, i) => this.rd(ins.x, i));
            this.onDot(ins, { w: Array.from({ length: ins.n }, (_, i) => this.rd(ins.y, i)), x: xs, partial: null, a: 0, out: s, inc: 0 });
          }
          break;
        }
        case 'PLAS':
          this.plas(ins);
          break;
        case 'ACT':
          this.act(ins);
          break;
      }
      pc++;
    }
  }

  private elem(ins: Extract<Instr, { op: 'E' }>): void {
    const xa = ins.x && ins.x.m !== 'k' ? ins.x.a : null;
    const ya = ins.y && ins.y.m !== 'k' ? ins.y.a : null;
    const xs = ins.x && ins.x.m !== 'k' ? (ins.x.sub ?? null) : null;
    const ys = ins.y && ins.y.m !== 'k' ? (ins.y.sub ?? null) : null;
    const xi = ins.x && ins.x.m === 'b' ? 0 : 1;
    const yi = ins.y && ins.y.m === 'b' ? 0 : 1;
    for (let i = 0; i < ins.n; i++) {
      this.ports([ins.a, xa, xs, ya, ys, ins.mask], [i, i * xi, i * xi, i * yi, i * yi, i]);
      const sat0 = this.saturations;
      let r = 0;
      if (ins.a) r = ins.aNeg ? -this.rd(ins.a, i) : this.rd(ins.a, i);
      if (ins.x && ins.y && (!ins.mask || this.rd(ins.mask, i) !== 0)) {
        const x = this.src(ins.x, i);
        const y = this.src(ins.y, i);
        const p = rs(x.v * y.v, ins.sh - (ins.useExp ? x.exp + y.exp : 0));
        r = ins.pNeg ? r - p : r + p;
      }
      const out = this.clamp(r, ins.clamp, ins.count);
      if (this.onElem) {
        // the operands as read (before the write: dst may be an operand)
        const raw = (s: Src | null, j: number) => (s && s.m !== 'k' ? { v: this.rd(s.a, j), sub: s.sub ? this.rd(s.sub, j) : 0 } : { v: 0, sub: 0 });
        const k = ins.x && ins.x.m === 'k' ? this.K[ins.x.k]! : { mant: 0, exp: 0 };
        this.onElem(ins, { a: ins.a ? this.rd(ins.a, i) : 0, x: raw(ins.x, i * xi), y: raw(ins.y, i * yi), mask: ins.mask ? this.rd(ins.mask, i) !== 0 : true, k, out, inc: this.saturations - sat0 });
      }
      this.wr(ins.dst, i, out);
    }
  }

  private mv(ins: Extract<Instr, { op: 'MV' }>): void {
    const { rows, cols, wb } = ins;
    const outer = ins.t ? cols : rows;
    const inner = ins.t ? rows : cols;
    const e = ins.epi;
    for (let o = 0; o < outer; o++) {
      let s = ins.init ? 0 : this.rd(ins.acc, o);
      const tr: RowTrace | null = this.onRow ? { w: [], x: [], partial: ins.init ? null : s, a: 0, out: 0, inc: 0 } : null;
      const sat0 = this.saturations;
      for (let j = 0; j < inner; j++) {
        const w = ins.t ? wb + j * cols + o : wb + o * cols + j;
        // the partial sum is read with the row's first operand, the epilogue's A with its last
        this.ports([ins.x, j === 0 && !ins.init ? ins.acc : null, j === inner - 1 && e ? e.a : null], [j, o, o]);
        s += this.wq(w) * this.rd(ins.x, j);
        if (tr) tr.w.push(this.wq(w)), tr.x.push(this.rd(ins.x, j));
      }
      if (!e) {
        this.wr(ins.acc, o, s);
        if (tr) (tr.out = s), this.onRow!(ins, tr);
      } else {
        const av = e.a ? this.rd(e.a, o) : 0;
        let r = e.aNeg ? -av : av;
        const p = rs(s, e.sh);
        r = e.pNeg ? r - p : r + p;
        const out = this.clamp(r, e.clamp, e.count);
        this.wr(e.dst, o, out);
        if (tr) (tr.a = av), (tr.out = out), (tr.inc = this.saturations - sat0), this.onRow!(ins, tr);
      }
    }
  }

  private plas(ins: Extract<Instr, { op: 'PLAS' }>): void {
    const k = this.K[ins.k]!;
    for (let r = 0; r < ins.rows; r++) {
      for (let c = 0; c < ins.cols; c++) {
        this.ports([ins.r, ins.c], [r, c]);
        let p = rs(this.rd(ins.r, r) * this.rd(ins.c, c), ins.sh1 - (ins.useExp1 ? k.exp : 0));
        const p1 = p;
        if (ins.chain) p = rs(k.mant * this.op(p, ins.chain.sl), ins.chain.sh2 - k.exp);
        const i = ins.wb + r * ins.cols + c;
        const w0 = this.W[i]!;
        const w = this.W[i]! + p;
        this.W[i] = w > 0x7fffffff ? 0x7fffffff : w < -0x80000000 ? -0x80000000 : w;
        if (this.onPlas) this.onPlas(ins, { w0, r: this.rd(ins.r, r), c: this.rd(ins.c, c), k: { ...k }, p1, p, w: this.W[i]! });
      }
    }
  }

  private act(ins: Extract<Instr, { op: 'ACT' }>): void {
    const T = this.prog.tables;
    const lerp = (base: number, k: number, frac: number) => {
      if (k < 0) return T[base]!;
      if (k >= TABLE_KNOTS - 1) return T[base + TABLE_KNOTS - 1]!;
      return T[base + k]! + shr((T[base + k + 1]! - T[base + k]!) * frac, TABLE_SHIFT);
    };
    for (let i = 0; i < ins.n; i++) {
      const x = shr(this.rd(ins.u, i), GUARD);
      let rho: number, drho: number, curv: number;
      let knot: ActTrace['knot'] = null;
      if (ins.kind === 'linear') [rho, drho, curv] = [sat(x), ONE, 0];
      else if (ins.kind === 'clip') {
        const top = this.K[ins.k]!.mant;
        [rho, drho, curv] = [x < 0 ? 0 : x > top ? top : x, x >= 0 && x <= top ? ONE : 0, 0];
      } else {
        const rel = x - SIGNAL_MIN;
        const k = Math.floor(rel / TABLE_STEP);
        const frac = rel - k * TABLE_STEP;
        [rho, drho, curv] = [lerp(ins.tb, k, frac), lerp(ins.tb + TABLE_KNOTS, k, frac), lerp(ins.tb + 2 * TABLE_KNOTS, k, frac)];
        if (this.onAct) {
          const kk = (b: number, j: number) => T[b + Math.max(0, Math.min(TABLE_KNOTS - 1, j))]!;
          knot = { k, frac, t: [0, 1, 2].map((j) => [kk(ins.tb + j * TABLE_KNOTS, k), kk(ins.tb + j * TABLE_KNOTS, k + 1)] as [number, number]) };
        }
      }
      if (this.onAct) this.onAct(ins, { u: this.rd(ins.u, i), x, knot, top: ins.kind === 'clip' ? this.K[ins.k]!.mant : 0, rho, drho, curv });
      this.wr(ins.rho, i, rho);
      this.wr(ins.drho, i, drho);
      this.wr(ins.curv, i, curv);
    }
  }
}

/** Cycles of one execution of an instruction: fill (or its fetch, where longer) + elements (weight passes: MACs / lanes). */
export function cost(ins: Instr, m: CycleModel): number {
  const fill = Math.max(m.fill, m.fetch + 1);
  switch (ins.op) {
    case 'E':
    case 'DOT':
      return fill + Math.ceil(ins.n / m.elemLanes);
    case 'MV':
      // lanes split the outer loop (rows, or columns when transposed) or the inner one (two partial sums a row), whichever is shorter
      return fill + Math.min(Math.ceil(ins.rows / m.lanes) * ins.cols, ins.rows * Math.ceil(ins.cols / m.lanes));
    case 'PLAS':
      return fill + m.plasPerWeight * ins.rows * ins.cols;
    case 'ACT':
      return fill + (ins.kind === 'table' ? m.tablePerNeuron : 1) * Math.ceil(ins.n / m.elemLanes);
    default:
      return m.fetch + 1;
  }
}

/** Banks an instruction reads and writes (for the hazard model). */
function banksOf(ins: Instr): { r: number[]; w: number[] } {
  const s = (x: Src | null) => (x && x.m !== 'k' ? [x.a.bank, ...(x.sub ? [x.sub.bank] : [])] : []);
  switch (ins.op) {
    case 'E':
      return { r: [...(ins.a ? [ins.a.bank] : []), ...s(ins.x), ...s(ins.y), ...(ins.mask ? [ins.mask.bank] : [])], w: [ins.dst.bank] };
    case 'MV':
      return { r: [ins.x.bank, ...(ins.init ? [] : [ins.acc.bank]), ...(ins.epi?.a ? [ins.epi.a.bank] : [])], w: [ins.epi ? ins.epi.dst.bank : ins.acc.bank] };
    case 'DOT':
      return { r: [ins.x.bank, ins.y.bank], w: [ins.dst.bank] };
    case 'PLAS':
      return { r: [ins.r.bank, ins.c.bank], w: [] };
    case 'ACT':
      return { r: [ins.u.bank], w: [ins.rho.bank, ins.drho.bank, ins.curv.bank] };
    default:
      return { r: [], w: [] };
  }
}

/**
 * Cycles of a run from its execution counts. `overlap`: an instruction pays the fill only when it reads
 * a bank that the instruction before it (in program order, control words skipped) writes (a RAW hazard
 * across the pipeline); otherwise it issues right behind it (one cycle).
 */
export function frameCycles(prog: CoreProgram, counts: Uint32Array, m: CycleModel, overlap = false): number {
  let total = 0;
  let prev: number[] = [];
  prog.code.forEach((ins, i) => {
    const b = banksOf(ins);
    let c = cost(ins, m);
    if (overlap && b.r.length + b.w.length > 0) {
      if (!b.r.some((x) => prev.includes(x))) c = c - Math.max(m.fill, m.fetch + 1) + m.fetch + 1;
      prev = b.w;
    }
    total += counts[i]! * c;
  });
  return total;
}
