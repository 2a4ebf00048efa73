import { factorOf, GUARD, SIGNAL_FRAC, WIDE, type NumberFormat } from './format.js';
import { TABLE_KNOTS, type BoardImage } from './image.js';

/**
 * The fixed-point core as a programmable vector engine (stage 1: the program model). The image is fixed
 * between LOAD_IMAGEs, so everything FixedPointCore (core.ts) derives from population and projection
 * records at run time is compiled here ONCE into a straight program of vector instructions with
 * absolute addresses and lengths; core-program-machine.ts executes it element by element on explicit
 * memories, as a pipelined datapath doing one element operation (or one MAC) per cycle would.
 *
 * Instructions (fields as in the types below; docs/vcore.md has the encoding and the cost model):
 *
 * - `E` element op, for i < n:
 *     r = ±A[a+i] ± rs(opX · opY, sh − [useExp] K.exp)      (a term absent = 0)
 *     dst[d+i] = clamp_kind(r)                               (with `count`, +1 per changed value)
 *   An operand is a vector element (`v`: base + i), a broadcast word (`b`: base), or a constant
 *   register (`k`: K[k].mant, a factor's mantissa; its exponent is subtracted from sh when useExp).
 *   A vector/broadcast operand passes the slice stage op(x, s) = clampBits(shr(x, s), operandBits)
 *   (counted) when its slice says so: exactly core.ts's op(). `mask` (the has-target flag vector) gates
 *   the product term: where the flag is 0 the term is 0 and its operands are not evaluated (no count).
 *   rs(x, s) is shr for s ≥ 0 and an exact left shift for s < 0 (core.ts rs).
 * - `MV` weight pass, one MAC per cycle: forward acc[o+r] (=0 if init) += Σ_c Wq[wb+r·cols+c]·x[xa+c];
 *   transposed (t) acc[o+c] (=0 if init) += Σ_r Wq[wb+r·cols+c]·x[xa+r]. Wq = clampBits(shr(W, ws), wb)
 *   is formed from the weight register on every read (format.ts datapathOf). Sums are exact.
 * - `DOT` dst[0] = Σ_i x[i]·y[i] (exact; x may equal y: one read).
 * - `PLAS` outer-product weight update, for r < rows, c < cols (W at wb + r·cols + c):
 *     p = rs(R[r]·C[c], sh1 − [useExp1] K.exp);  chain: p = rs(K.mant·op(p, slice), sh2 − K.exp)
 *     W = int32(W + p)
 * - `ACT` activation of n neurons from u: x = shr(u, 8); linear, clip (top = K[k].mant) or table (three
 *   lerps of the knot tables at tb) into ρ, ρ', ρ''.
 * - `LOOP` count (steps: the image's stepsPerFrame; iters: the ITERATIONS register) … `NEXT`; `JNL` jump
 *   if the frame does not learn; `HALT`.
 *
 * Operand addresses are (bank, word): each bank is one memory with one read and one write port. The
 * compiler assigns vectors to banks so that no instruction reads two different words of one bank in a
 * cycle (the machine checks this on every element); accumulators and unclamped intermediates live in
 * wide banks. The order of operations, every rounding and every counted saturation are those of
 * core.ts (docs/protocol.md section 11), which the tests prove bit for bit.
 */

export type Clamp = 'none' | 'U' | 'D' | 'S' | 'OP' | 'R28';
export interface Addr {
  bank: number;
  word: number;
}
export interface Slice {
  s: number;
  clip: boolean;
}
/**
 * A multiplier port's operand: vector element, broadcast word or constant. A vector operand may pass the
 * pre-adder first: x·2^shl − sub[i] (r_in·2⁸ − r̄_in, u* − u, u* − u*prev, p − wt, b − HΔ), then the slice.
 */
export type Src = { m: 'v' | 'b'; a: Addr; sl: Slice; shl?: number; sub?: Addr } | { m: 'k'; k: number };
/** The element stage after a weight pass's row (or column) sum: dst = clamp(±A ± rs(sum, sh)). */
export interface Epilogue {
  dst: Addr;
  clamp: Clamp;
  count: boolean;
  a: Addr | null;
  aNeg: boolean;
  sh: number;
  pNeg: boolean;
}

export interface EInstr {
  op: 'E';
  n: number;
  dst: Addr;
  clamp: Clamp;
  /** Each value the clamp changes adds one to the saturation counter. */
  count: boolean;
  a: Addr | null;
  aNeg: boolean;
  x: Src | null;
  y: Src | null;
  sh: number;
  useExp: boolean;
  pNeg: boolean;
  mask: Addr | null;
  /** A name for profiles and tests (not part of the encoding). */
  tag?: string;
}
export interface MVInstr {
  op: 'MV';
  t: boolean;
  rows: number;
  cols: number;
  wb: number;
  x: Addr;
  /** Partial sums: read at a row's start unless init, written at its end unless the epilogue takes the sum. */
  acc: Addr;
  init: boolean;
  epi: Epilogue | null;
  tag?: string;
}
export interface DotInstr {
  op: 'DOT';
  n: number;
  dst: Addr;
  x: Addr;
  y: Addr;
}
export interface PlasInstr {
  op: 'PLAS';
  rows: number;
  cols: number;
  wb: number;
  r: Addr;
  c: Addr;
  sh1: number;
  useExp1: boolean;
  k: number;
  chain: { sl: Slice; sh2: number } | null;
}
export interface ActInstr {
  op: 'ACT';
  n: number;
  u: Addr;
  rho: Addr;
  drho: Addr;
  curv: Addr;
  kind: 'linear' | 'clip' | 'table';
  k: number;
  tb: number;
}
export type Instr =
  | EInstr
  | MVInstr
  | DotInstr
  | PlasInstr
  | ActInstr
  | { op: 'LOOP'; count: 'steps' | 'iters'; end: number }
  | { op: 'NEXT' }
  | { op: 'JNL'; to: number }
  | { op: 'JMP'; to: number }
  | { op: 'HALT' };

export interface Factor {
  mant: number;
  exp: number;
}

/** Everything the machine needs: the program, the initial memories and the interface's address maps. */
export interface CoreProgram {
  code: Instr[];
  /** Entry points: after a reset (activations at rest) and a frame. */
  entry: { reset: number; frame: number };
  /** Bank sizes (words) and widths (bits, the widest value the bank holds). */
  banks: Array<{ words: number; bits: number; vectors: string[] }>;
  /** Where each named vector lives (for tests and the notes). */
  vectors: Record<string, Addr & { len: number }>;
  /** Weight registers, W0 (the image's) at `w0`; projection k at wbase[k]. */
  weights: Int32Array;
  wbase: number[];
  wlen: number[];
  w0: number;
  /** Knot tables: slot s at s·3·257 (ρ, ρ', ρ''). */
  tables: Int32Array;
  /** Constant registers; `beta` is the one SET_PARAM BETA_Q16 rewrites. */
  K: Factor[];
  kBeta: number;
  stepsPerFrame: number;
  iterations: number;
  /** Format parameters the datapath is built for. */
  fmt: { weightShift: number; weightBits: number; operandBits: number; factorBits: number };
  /** Interface maps: stimulus inputs → r_in words, bias inputs → r̄_in words, outputs → their u, ρ, ē, u*, u*prev and flag words. */
  io: {
    rin: Addr[];
    bias: Addr[];
    allU: Addr[];
    out: Array<{ u: Addr; rho: Addr; ebar: Addr; ustar: Addr; prev: Addr; ht: Addr }>;
    /** Vectors the reset clears (bank, first word, length). */
    clear: Array<Addr & { len: number }>;
  };
}

/** A vector as the compiler sees it before bank assignment. */
interface VRef {
  name: string;
  off: number;
}
type PSrc = { m: 'v' | 'b'; v: VRef; sl: Slice; shl?: number; sub?: VRef } | { m: 'k'; k: number };
type PEpi = Omit<Epilogue, 'dst' | 'a'> & { dst: VRef; a: VRef | null };
type PInstr =
  | (Omit<EInstr, 'dst' | 'a' | 'x' | 'y' | 'mask'> & { dst: VRef; a: VRef | null; x: PSrc | null; y: PSrc | null; mask: VRef | null })
  | (Omit<MVInstr, 'x' | 'acc' | 'epi'> & { x: VRef; acc: VRef; epi: PEpi | null })
  | (Omit<DotInstr, 'dst' | 'x' | 'y'> & { dst: VRef; x: VRef; y: VRef })
  | (Omit<PlasInstr, 'r' | 'c'> & { r: VRef; c: VRef })
  | (Omit<ActInstr, 'u' | 'rho' | 'drho' | 'curv'> & { u: VRef; rho: VRef; drho: VRef; curv: VRef })
  | { op: 'LOOP'; count: 'steps' | 'iters'; end: number }
  | { op: 'NEXT' }
  | { op: 'JNL'; to: number }
  | { op: 'JMP'; to: number }
  | { op: 'HALT' };

/** Words per bank (one EBR is 256 × 16). */
export const BANK_WORDS = 256;
const WIDTH: Record<Clamp, number> = { none: 56, U: 28, D: 24, S: 20, OP: 28, R28: 30 };

/** Compiles an installed image into its program (the firmware's job at LOAD_IMAGE time). */
export function compileProgram(img: BoardImage, fmt: NumberFormat = WIDE): CoreProgram {
  const N = img.nNeurons;
  const I = img.nInputs;
  const limited = fmt.operandBits !== Infinity;
  const { signal: sS, mismatch: sM, error: sC, state: sU, inc: sD, sumSq: sR, rank: sT } = fmt.slice;
  const wf = 28 - fmt.weightShift;
  const kf = fmt.kappaFrac;

  // vectors
  const lens = new Map<string, number>();
  const width = new Map<string, number>();
  const alias = new Map<string, string>();
  const vec = (name: string, len: number): string => {
    lens.set(name, len);
    return name;
  };
  const at = (name: string, off = 0): VRef => ({ name: alias.get(name) ?? name, off });
  for (const n of ['U', 'DELTA', 'USTAR', 'PREV', 'HT', 'EBAR', 'RHO', 'DRHO', 'CURV', 'M', 'MOP', 'WT', 'G', 'C', 'KAP', 'PG', 'B', 'P', 'A', 'Q', 'HD', 'F', 'GOP', 'VOP', 'AOP', 'XOP', 'EM', 'TT', 'E1', 'ACCQ', 'ACCG', 'ACCC', 'ACCP', 'ACCA', 'ACCT']) vec(n, N);
  for (const n of ['RBARIN', 'RIN', 'DIN', 'RBS', 'SIN', 'DINOP']) vec(n, I);
  vec('SC', 4); // scalars: raw sums, sliced R and M
  // WIDE: operand slices that are the identity are the vector itself (core.ts opVec returns x)
  const identity = (s: number) => s === 0 && !limited;
  if (identity(sS)) alias.set('SIN', 'RBS').set('XOP', 'RHO');
  if (identity(sD)) alias.set('DINOP', 'DIN').set('GOP', 'G').set('VOP', 'P').set('AOP', 'A');
  for (const [a] of alias) lens.delete(a);

  // constants
  const K: Factor[] = [];
  const konst = (mant: number, exp = 0): number => K.push({ mant, exp }) - 1;
  const factor = (x: number): number => {
    const f = factorOf(x, fmt.factorBits);
    return konst(f.mant, f.shift);
  };
  const ONE_K = konst(1);
  const kBeta = factor(img.betaQ16);

  const code: PInstr[] = [];
  const sl = (s: number, clip = limited): Slice => ({ s, clip });
  const v = (name: string, s = 0, off = 0, clip = limited): PSrc => ({ m: 'v', v: at(name, off), sl: sl(s, clip) });
  const raw = (name: string, off = 0): PSrc => ({ m: 'v', v: at(name, off), sl: sl(0, false) });
  const k = (idx: number): PSrc => ({ m: 'k', k: idx });
  const clampOf = (c: Clamp): Clamp => (c === 'OP' && !limited ? 'none' : c);
  const E = (o: { n: number; dst: VRef; clamp: Clamp; a?: VRef | null; aNeg?: boolean; x?: PSrc | null; y?: PSrc | null; sh?: number; useExp?: boolean; pNeg?: boolean; mask?: boolean; tag?: string }) => {
    const clamp = clampOf(o.clamp);
    const w = width.get(o.dst.name) ?? 0;
    width.set(o.dst.name, Math.max(w, clamp === 'OP' ? fmt.operandBits : WIDTH[clamp]));
    code.push({ op: 'E', n: o.n, dst: o.dst, clamp, count: clamp === 'U' || clamp === 'D' || clamp === 'OP', a: o.a ?? null, aNeg: o.aNeg ?? false, x: o.x ?? null, y: o.y ?? null, sh: o.sh ?? 0, useExp: o.useExp ?? false, pNeg: o.pNeg ?? false, mask: o.mask ? at('HT') : null, ...(o.tag ? { tag: o.tag } : {}) });
  };
  /** dst = clamp(rs(src, sh)) over n: the "product" src·1. */
  const shift = (n: number, dst: VRef, clamp: Clamp, src: PSrc, sh: number, a: VRef | null = null, aNeg = false, pNeg = false, tag?: string) => E({ n, dst, clamp, a, aNeg, x: k(ONE_K), y: src, sh, pNeg, ...(tag ? { tag } : {}) });
  /** core.ts opVec: a sliced copy (skipped when it is the identity). */
  const opVec = (n: number, dst: string, src: string, s: number) => {
    if (alias.has(dst)) return;
    shift(n, at(dst), 'OP', raw(src), s);
  };

  const pops = img.populations;
  const proj = img.projections.map((p, idx) => ({ ...p, idx, postOff: pops[p.post]!.offset, preOff: pops[p.pre.pop]!.offset, bias: pops[p.pre.pop]!.kind === 'bias' }));
  // weights
  const wbase: number[] = [];
  const wlen: number[] = [];
  let wsize = 0;
  for (const p of img.projections) {
    wbase.push(wsize);
    wlen.push(p.rows * p.cols);
    wsize += p.rows * p.cols;
  }
  const weights = new Int32Array(2 * wsize);
  img.projections.forEach((p, i) => {
    weights.set(p.weights, wbase[i]!);
    weights.set(p.weights, wsize + wbase[i]!);
  });
  // tables and activations
  const tables: number[] = [];
  const acts: Array<{ off: number; size: number; kind: 'linear' | 'clip' | 'table'; k: number; tb: number }> = [];
  for (const p of pops) {
    if (p.kind !== 'hidden' && p.kind !== 'output') continue;
    const a = p.activation;
    if (a.kind === 'table') {
      const tb = tables.length;
      for (const t of [a.rho, a.drho, a.ddrho]) {
        if (t.length !== TABLE_KNOTS) throw new Error('table length');
        tables.push(...t);
      }
      acts.push({ off: p.offset, size: p.size, kind: 'table', k: 0, tb });
    } else acts.push({ off: p.offset, size: p.size, kind: a.kind, k: a.kind === 'clip' ? konst(a.topQ) : 0, tb: 0 });
  }
  const evalActs = () => {
    for (const a of acts) code.push({ op: 'ACT', n: a.size, u: at('U', a.off), rho: at('RHO', a.off), drho: at('DRHO', a.off), curv: at('CURV', a.off), kind: a.kind, k: a.k, tb: a.tb });
  };
  /**
   * A weight pass over projections: partial sums in acc, and the epilogue on the last projection of each
   * row range: dst = clamp(±A ± rs(sum, sh)). Ranges no projection covers get the epilogue of a zero sum.
   */
  const pass = (list: typeof proj, t: boolean, x: (p: (typeof proj)[number]) => string, acc: string, len: number, e: { dst: string; clamp: Clamp; a?: string; aNeg?: boolean; sh: number; pNeg?: boolean; tag?: string }) => {
    const covered = new Uint8Array(len);
    const outOf = (p: (typeof proj)[number]) => (t ? p.preOff : p.postOff);
    const clamp = clampOf(e.clamp);
    const count = clamp === 'U' || clamp === 'D' || clamp === 'OP';
    const w = width.get(e.dst) ?? 0;
    width.set(e.dst, Math.max(w, WIDTH[clamp]));
    list.forEach((p, j) => {
      const o = outOf(p);
      const n = t ? p.cols : p.rows;
      const init = covered[o] === 0;
      covered.fill(1, o, o + n);
      const last = !list.slice(j + 1).some((q) => outOf(q) === o);
      const epi: PEpi | null = last ? { dst: at(e.dst, o), clamp, count, a: e.a ? at(e.a, o) : null, aNeg: e.aNeg ?? false, sh: e.sh, pNeg: e.pNeg ?? false } : null;
      code.push({ op: 'MV', t, rows: p.rows, cols: p.cols, wb: wbase[p.idx]!, x: at(x(p), t ? p.postOff : p.preOff), acc: at(acc, o), init, epi, ...(e.tag ? { tag: e.tag } : {}) });
    });
    for (let i = 0; i < len; ) {
      if (covered[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < len && !covered[j]) j++;
      E({ n: j - i, dst: at(e.dst, i), clamp: e.clamp, a: e.a ? at(e.a, i) : null, aNeg: e.aNeg ?? false });
      i = j;
    }
  };
  const netProj = proj.filter((p) => p.pre.kind === 'neuron');

  // ---- reset entry: bias d_in = 0 (never written otherwise), activations at rest
  const entryReset = code.length;
  for (const p of pops) if (p.kind === 'bias') E({ n: p.size, dst: at('DIN', p.offset), clamp: 'none' });
  evalActs();
  code.push({ op: 'HALT' });

  // ---- frame entry
  const entryFrame = code.length;
  const stepLoop = code.length;
  code.push({ op: 'LOOP', count: 'steps', end: -1 });
  // input filter: d_in = d(k·(r_in·2^8 − r̄_in) >> 24); r̄_in as signals
  for (const p of pops) {
    if (p.kind !== 'input') continue;
    const kd = factor(p.decayQ24);
    const ds = fmt.decay === 'whole' ? 0 : fmt.decay;
    const y: PSrc = { m: 'v', v: at('RIN', p.offset), sl: sl(ds, fmt.decay !== 'whole' && limited), shl: GUARD, sub: at('RBARIN', p.offset) };
    E({ n: p.size, dst: at('DIN', p.offset), clamp: 'D', x: k(kd), y, sh: 24 - ds, useExp: true });
  }
  shift(I, at('RBS'), 'none', raw('RBARIN'), GUARD);
  opVec(I, 'SIN', 'RBS', sS);
  opVec(N, 'XOP', 'RHO', sS);
  opVec(I, 'DINOP', 'DIN', sD);
  // m = u − W r̄ (U), g = W_in d_in (D)
  pass(proj, false, (p) => (p.pre.kind === 'input' ? 'SIN' : 'XOP'), 'ACCQ', N, { dst: 'M', clamp: 'U', a: 'U', sh: wf - 8 - sS, pNeg: true, tag: 'm' });
  pass(proj.filter((p) => p.pre.kind === 'input' && !p.bias), false, () => 'DINOP', 'ACCG', N, { dst: 'G', clamp: 'none', sh: wf - sD });
  shift(N, at('MOP'), 'OP', raw('M'), sM);
  // learning: g += ΔW r̄ and wt = ΔW_netᵀ m (rank-one terms), p − wt later
  const jnl1 = code.length;
  code.push({ op: 'JNL', to: -1 });
  E({ n: N, dst: at('WT'), clamp: 'none' });
  const plastic = proj.map((p, i) => ({ p, i })).filter(({ p }) => p.etaDtQ24 !== 0);
  const eK = new Map<number, number>();
  for (const { p, i } of plastic) eK.set(i, factor(p.etaDtQ24));
  for (const { p, i } of plastic) {
    const e = eK.get(i)!;
    const src = p.pre.kind === 'input' ? 'SIN' : 'XOP';
    code.push({ op: 'DOT', n: p.cols, dst: at('SC', 0), x: at(src, p.preOff), y: at(src, p.preOff) });
    shift(1, at('SC', 1), 'none', raw('SC', 0), 16 - 2 * sS);
    shift(1, at('SC', 1), 'OP', raw('SC', 1), sR);
    E({ n: p.rows, dst: at('TT', p.postOff), clamp: 'R28', x: raw('MOP', p.postOff), y: { m: 'b', v: at('SC', 1), sl: sl(0, false) }, sh: 24 - sM - sR });
    E({ n: p.rows, dst: at('G', p.postOff), clamp: 'none', a: at('G', p.postOff), x: k(e), y: v('TT', sT, p.postOff), sh: 16 - sT, useExp: true });
    if (p.pre.kind !== 'neuron') continue;
    code.push({ op: 'DOT', n: p.rows, dst: at('SC', 2), x: at('MOP', p.postOff), y: at('MOP', p.postOff) });
    shift(1, at('SC', 3), 'none', raw('SC', 2), 32 - 2 * sM);
    shift(1, at('SC', 3), 'OP', raw('SC', 3), sR);
    E({ n: p.cols, dst: at('TT', p.preOff), clamp: 'R28', x: raw(src, p.preOff), y: { m: 'b', v: at('SC', 3), sl: sl(0, false) }, sh: 16 - sS - sR });
    E({ n: p.cols, dst: at('WT', p.preOff), clamp: 'none', a: at('WT', p.preOff), x: k(e), y: v('TT', sT, p.preOff), sh: 16 - sT, useExp: true });
  }
  const afterTerms = code.length;
  shift(N, at('G'), 'D', raw('G'), 0);
  // c = W_netᵀ m̂ (U), p = W_netᵀ g (D)
  pass(netProj, true, () => 'MOP', 'ACCC', N, { dst: 'C', clamp: 'U', sh: wf - sM });
  opVec(N, 'GOP', 'G', sD);
  pass(netProj, true, () => 'GOP', 'ACCP', N, { dst: 'PG', clamp: 'D', sh: wf - sD });
  // ē, f, b, κ (u* − u, u* − u*prev and p − wt through the pre-adder)
  const diff = (name: string, sub: string, s: number): PSrc => ({ m: 'v', v: at(name), sl: sl(s), sub: at(sub) });
  E({ n: N, dst: at('E1'), clamp: 'none', x: v('DRHO', sS), y: v('C', sC), sh: 16 - sS - sC });
  E({ n: N, dst: at('EBAR'), clamp: 'U', a: at('E1'), x: k(kBeta), y: diff('USTAR', 'U', sU), sh: 16 - sU, useExp: true, mask: true, tag: 'ebar' });
  E({ n: N, dst: at('F'), clamp: 'U', a: at('M'), x: k(ONE_K), y: raw('EBAR'), pNeg: true });
  E({ n: N, dst: at('B'), clamp: 'none', a: at('G'), x: k(kBeta), y: diff('USTAR', 'PREV', sU), sh: 16 - sU, useExp: true, mask: true });
  const jnl2 = code.length;
  code.push({ op: 'JNL', to: -1 });
  E({ n: N, dst: at('B'), clamp: 'none', a: at('B'), x: v('DRHO', sS), y: diff('PG', 'WT', sD), sh: 16 - sS - sD, pNeg: true });
  const jmp2 = code.length;
  code.push({ op: 'JMP', to: -1 });
  const noWt = code.length;
  E({ n: N, dst: at('B'), clamp: 'none', a: at('B'), x: v('DRHO', sS), y: v('PG', sD), sh: 16 - sS - sD, pNeg: true });
  const afterWt = code.length;
  for (const p of pops) {
    if (p.kind !== 'hidden' && p.kind !== 'output') continue;
    const kd = factor(p.decayQ24);
    const ds = fmt.decay === 'whole' ? 0 : fmt.decay;
    E({ n: p.size, dst: at('B', p.offset), clamp: 'D', a: at('B', p.offset), x: k(kd), y: fmt.decay === 'whole' ? raw('F', p.offset) : v('F', ds, p.offset), sh: 24 - ds, useExp: true, pNeg: true });
  }
  E({ n: N, dst: at('PREV'), clamp: 'none', a: at('PREV'), x: k(ONE_K), y: { m: 'v', v: at('USTAR'), sl: sl(0, false), sub: at('PREV') }, mask: true });
  E({ n: N, dst: at('KAP'), clamp: 'none', x: v('CURV', sS), y: v('C', sC), sh: 40 - kf - sS - sC });
  // K relaxed iterations
  const itLoop = code.length;
  code.push({ op: 'LOOP', count: 'iters', end: -1 });
  E({ n: N, dst: at('P'), clamp: 'none', x: v('DRHO', sS), y: v('DELTA', sD), sh: 16 - sS - sD });
  opVec(N, 'VOP', 'P', sD);
  pass(netProj, false, () => 'VOP', 'ACCA', N, { dst: 'A', clamp: 'D', a: 'DELTA', sh: wf - sD, pNeg: true });
  opVec(N, 'AOP', 'A', sD);
  pass(netProj, true, () => 'AOP', 'ACCT', N, { dst: 'Q', clamp: 'D', sh: wf - sD });
  E({ n: N, dst: at('HD'), clamp: 'none', a: at('A'), x: v('DRHO', sS), y: v('Q', sD), sh: 16 - sS - sD, pNeg: true });
  E({ n: N, dst: at('HD'), clamp: 'none', a: at('HD'), x: v('KAP', 0), y: v('DELTA', sD), sh: kf - sD, pNeg: true, tag: 'hd-kappa' });
  E({ n: N, dst: at('HD'), clamp: 'D', a: at('HD'), x: k(kBeta), y: v('DELTA', sD), sh: 16 - sD, useExp: true, mask: true });
  shift(N, at('DELTA'), 'D', { m: 'v', v: at('B'), sl: sl(0, false), sub: at('HD') }, img.relaxShift, at('DELTA'), false, false, 'relax');
  code.push({ op: 'NEXT' });
  (code[itLoop] as { end: number }).end = code.length;
  // plasticity
  const jnl3 = code.length;
  code.push({ op: 'JNL', to: -1 });
  for (const { p, i } of plastic) {
    const e = eK.get(i)!;
    const src = p.pre.kind === 'input' ? 'SIN' : 'XOP';
    if (fmt.plasticity === 'row') {
      E({ n: p.rows, dst: at('EM', p.postOff), clamp: 'none', x: k(e), y: raw('M', p.postOff), sh: 16 });
      code.push({ op: 'PLAS', rows: p.rows, cols: p.cols, wb: wbase[i]!, r: at('EM', p.postOff), c: at(src, p.preOff), sh1: 20 - sS, useExp1: true, k: e, chain: null });
    } else code.push({ op: 'PLAS', rows: p.rows, cols: p.cols, wb: wbase[i]!, r: at('MOP', p.postOff), c: at(src, p.preOff), sh1: 24 - sM - sS, useExp1: false, k: e, chain: { sl: sl(sT), sh2: 12 - sT } });
  }
  const afterPlas = code.length;
  // u, r̄_in, activations
  shift(N, at('U'), 'U', raw('DELTA'), 0, at('U'), false, false, 'u');
  shift(I, at('RBARIN'), 'U', raw('DIN'), 0, at('RBARIN'));
  evalActs();
  code.push({ op: 'NEXT' });
  (code[stepLoop] as { end: number }).end = code.length;
  code.push({ op: 'HALT' });
  (code[jnl1] as { to: number }).to = afterTerms;
  (code[jnl2] as { to: number }).to = noWt;
  (code[jmp2] as { to: number }).to = afterWt;
  (code[jnl3] as { to: number }).to = afterPlas;

  // ---- banks: vectors read by one instruction go to different banks (one read port each)
  const reads = (ins: PInstr): string[] => {
    const r: VRef[] = [];
    const src = (s: PSrc | null) => {
      if (s && s.m !== 'k') r.push(s.v, ...(s.sub ? [s.sub] : []));
    };
    switch (ins.op) {
      case 'E':
        if (ins.a) r.push(ins.a);
        src(ins.x);
        src(ins.y);
        if (ins.mask) r.push(ins.mask);
        break;
      case 'MV':
        r.push(ins.x, ...(ins.init ? [] : [ins.acc]), ...(ins.epi?.a ? [ins.epi.a] : []));
        break;
      case 'DOT':
        r.push(ins.x, ins.y);
        break;
      case 'PLAS':
        r.push(ins.r, ins.c);
        break;
      case 'ACT':
        r.push(ins.u);
        break;
    }
    return [...new Set(r.map((x) => x.name))];
  };
  // vectors no instruction touches take no memory (WIDE's slices, accumulators of single-projection passes)
  const used = new Set<string>();
  const touch = (r: VRef | null | undefined) => r && used.add(r.name);
  for (const ins of code) {
    const o = ins as unknown as Record<string, unknown>;
    for (const key of ['dst', 'a', 'mask', 'u', 'rho', 'drho', 'curv', 'r', 'c']) touch(o[key] as VRef | null);
    for (const key of ['x', 'y']) {
      const q = o[key] as { v?: VRef; sub?: VRef; name?: string } | null;
      if (q && 'name' in q) touch(q as unknown as VRef);
      else if (q) {
        touch(q.v);
        touch(q.sub);
      }
    }
    if (ins.op === 'MV') {
      if (!ins.init || !ins.epi) touch(ins.acc);
      if (ins.epi) {
        touch(ins.epi.dst);
        touch(ins.epi.a);
      }
    }
  }
  for (const n of [...lens.keys()]) if (!used.has(n) && n !== 'HT' && n !== 'USTAR') lens.delete(n);
  const conflicts = new Map<string, Set<string>>();
  for (const n of lens.keys()) conflicts.set(n, new Set());
  for (const ins of code) {
    const r = reads(ins);
    for (const a of r) for (const b of r) if (a !== b) conflicts.get(a)!.add(b);
  }
  for (const n of lens.keys()) if (!width.has(n)) width.set(n, n === 'HT' ? 1 : n.startsWith('ACC') || n === 'SC' ? 56 : 28);
  width.set('RIN', 20);
  width.set('USTAR', 28);
  width.set('PREV', 28);
  // unclamped temporaries: their widths from the format's bounds (estimates for the bank widths; the machine
  // stores every value whole): shr(U, 8) and r̄_in/2⁸ are S; κ, ρ'Δ and ρ'c are single products brought back to
  // their format; g, b, HΔ and wt are sums of D-sized terms; the partial sums are the accumulators
  const est: Record<string, number> = limited
    ? { MOP: fmt.operandBits, RBS: 20, KAP: 26, P: 26, E1: 32, EM: 28, G: 36, B: 36, HD: 36, WT: 36, SC: 42 }
    : { MOP: 20, RBS: 20, KAP: 26, P: 28, E1: 32, G: 40, B: 40, HD: 40, WT: 40, SC: 53 };
  est.DIN = 24;
  for (const n of ['ACCQ', 'ACCG', 'ACCC', 'ACCP', 'ACCA', 'ACCT']) est[n] = limited ? 41 : 53;
  for (const [n, b] of Object.entries(est)) if (lens.has(n)) width.set(n, b);
  // lifetimes: the state kept across steps and frames lives always; a temporary from its first to its last access
  // in program order (closed: a vector whose life starts where another's ends does not share its words, so no
  // instruction reads and writes one word), the whole iteration loop if it is touched inside it. Temporaries with
  // disjoint lifetimes share words.
  const PERSISTENT = new Set(['U', 'DELTA', 'RBARIN', 'RIN', 'DIN', 'USTAR', 'PREV', 'HT', 'EBAR', 'RHO', 'DRHO', 'CURV']);
  const writes = (ins: PInstr): string[] => {
    switch (ins.op) {
      case 'E':
      case 'DOT':
        return [ins.dst.name];
      case 'MV':
        return [ins.epi ? ins.epi.dst.name : ins.acc.name];
      case 'ACT':
        return [ins.rho.name, ins.drho.name, ins.curv.name];
      default:
        return [];
    }
  };
  const life = new Map<string, [number, number]>();
  const itEnd = (code[itLoop] as { end: number }).end;
  code.forEach((ins, i) => {
    if (i < entryFrame) return;
    for (const n of writes(ins)) {
      if (PERSISTENT.has(n)) continue;
      const l = life.get(n);
      life.set(n, l ? [l[0], i] : [i, i]);
    }
    for (const n of reads(ins)) {
      if (PERSISTENT.has(n)) continue;
      const l = life.get(n);
      if (!l) throw new Error(`vector ${n} is read before it is written in a step: it must be persistent`);
      l[1] = i;
    }
  });
  for (const l of life.values()) if (l[1] >= itLoop && l[0] <= itEnd) [l[0], l[1]] = [Math.min(l[0], itLoop), Math.max(l[1], itEnd)];
  const overlaps = (a: string, b: string) => {
    const x = life.get(a);
    const y = life.get(b);
    return !x || !y || (x[0] <= y[1] && y[0] <= x[1]);
  };
  const order = [...lens.keys()].sort((a, b) => conflicts.get(b)!.size - conflicts.get(a)!.size || a.localeCompare(b));
  const banks: Array<{ words: number; bits: number; vectors: string[] }> = [];
  const place = new Map<string, Addr>();
  /** The lowest word of bank b where n fits beside the vectors whose lifetimes overlap its own, or −1. */
  const slot = (b: number, n: string): number => {
    const len = lens.get(n)!;
    const busy = banks[b]!.vectors.filter((o) => overlaps(n, o)).map((o) => [place.get(o)!.word, place.get(o)!.word + lens.get(o)!] as const);
    for (const start of [0, ...busy.map(([, e]) => e)].sort((x, y) => x - y)) {
      if (start + len > BANK_WORDS) break;
      if (busy.every(([s0, e0]) => start + len <= s0 || start >= e0)) return start;
    }
    return -1;
  };
  for (const n of order) {
    const len = lens.get(n)!;
    const wide = width.get(n)! > 32;
    let b = banks.findIndex((bk, j) => bk.bits > 32 === wide && bk.vectors.every((o) => !conflicts.get(n)!.has(o)) && slot(j, n) >= 0);
    if (b < 0) b = banks.push({ words: 0, bits: wide ? 33 : 0, vectors: [] }) - 1;
    const bk = banks[b]!;
    const w = slot(b, n);
    place.set(n, { bank: b, word: w });
    bk.words = Math.max(bk.words, w + len);
    bk.bits = Math.max(bk.bits, width.get(n)!);
    bk.vectors.push(n);
  }
  const ad = (r: VRef): Addr => {
    const p = place.get(r.name);
    if (!p) throw new Error(`no vector ${r.name}`);
    return { bank: p.bank, word: p.word + r.off };
  };
  const rs = (s: PSrc | null): Src | null => (s === null ? null : s.m === 'k' ? s : { m: s.m, a: ad(s.v), sl: s.sl, ...(s.shl ? { shl: s.shl } : {}), ...(s.sub ? { sub: ad(s.sub) } : {}) });
  const out: Instr[] = code.map((ins): Instr => {
    switch (ins.op) {
      case 'E':
        return { ...ins, dst: ad(ins.dst), a: ins.a && ad(ins.a), x: rs(ins.x), y: rs(ins.y), mask: ins.mask && ad(ins.mask) };
      case 'MV':
        return { ...ins, x: ad(ins.x), acc: place.has(ins.acc.name) ? ad(ins.acc) : { bank: 0, word: 0 }, epi: ins.epi && { ...ins.epi, dst: ad(ins.epi.dst), a: ins.epi.a && ad(ins.epi.a) } };
      case 'DOT':
        return { ...ins, dst: ad(ins.dst), x: ad(ins.x), y: ad(ins.y) };
      case 'PLAS':
        return { ...ins, r: ad(ins.r), c: ad(ins.c) };
      case 'ACT':
        return { ...ins, u: ad(ins.u), rho: ad(ins.rho), drho: ad(ins.drho), curv: ad(ins.curv) };
      default:
        return ins;
    }
  });
  const vectors: Record<string, Addr & { len: number }> = {};
  for (const [n, p] of place) vectors[n] = { ...p, len: lens.get(n)! };
  const A = (name: string, i: number) => ad(at(name, i));
  const stim: Addr[] = [];
  const bias: Addr[] = [];
  for (const p of pops) for (let j = 0; j < p.size; j++) if (p.kind === 'input') stim.push(A('RIN', p.offset + j));
  for (const p of pops) for (let j = 0; j < p.size; j++) if (p.kind === 'bias') bias.push(A('RBARIN', p.offset + j));
  return {
    code: out,
    entry: { reset: entryReset, frame: entryFrame },
    banks,
    vectors,
    weights,
    wbase,
    wlen,
    w0: wsize,
    tables: Int32Array.from(tables),
    K,
    kBeta,
    stepsPerFrame: img.stepsPerFrame,
    iterations: img.iterations,
    fmt: { weightShift: fmt.weightShift, weightBits: fmt.weightBits, operandBits: fmt.operandBits, factorBits: fmt.factorBits },
    io: {
      rin: stim,
      bias,
      allU: Array.from({ length: N }, (_, i) => A('U', i)),
      out: img.outputs.map((o) => ({ u: A('U', o), rho: A('RHO', o), ebar: A('EBAR', o), ustar: A('USTAR', o), prev: A('PREV', o), ht: A('HT', o) })),
      clear: [...place].map(([n, p]) => ({ ...p, len: lens.get(n)! })),
    },
  };
}

export { SIGNAL_FRAC };

/** A readable listing of a program (one line per instruction; vectors by name + offset). */
export function disassemble(prog: CoreProgram): string[] {
  const names = Object.entries(prog.vectors).map(([n, v]) => ({ n, ...v }));
  const nm = (a: Addr | null | undefined): string => {
    if (!a) return '-';
    const v = names.find((x) => x.bank === a.bank && a.word >= x.word && a.word < x.word + x.len);
    return v ? `${v.n}${a.word > v.word ? `+${a.word - v.word}` : ''}` : `b${a.bank}:${a.word}`;
  };
  const sl = (s: Slice) => (s.s || s.clip ? `>>${s.s}${s.clip ? 'c' : ''}` : '');
  const src = (s: Src | null) => (s === null ? '-' : s.m === 'k' ? `K${s.k}` : `${s.m === 'b' ? '@' : ''}${s.shl ? `(${nm(s.a)}<<${s.shl}` : nm(s.a)}${s.sub ? `${s.shl ? '' : '('}-${nm(s.sub)})` : s.shl ? ')' : ''}${sl(s.sl)}`);
  return prog.code.map((ins, pc) => {
    const h = `${String(pc).padStart(3)} `;
    switch (ins.op) {
      case 'E':
        return `${h}E    ${nm(ins.dst)}[${ins.n}] = ${ins.clamp}${ins.count ? '#' : ''}(${ins.a ? `${ins.aNeg ? '-' : ''}${nm(ins.a)}` : '0'}${ins.x && ins.y ? ` ${ins.pNeg ? '-' : '+'} ${ins.mask ? 'ht?' : ''}rs(${src(ins.x)}*${src(ins.y)}, ${ins.sh}${ins.useExp ? '-e' : ''})` : ''})`;
      case 'MV': {
        const e = ins.epi;
        const tail = e ? `${nm(e.dst)} = ${e.clamp}${e.count ? '#' : ''}(${e.a ? `${e.aNeg ? '-' : ''}${nm(e.a)}` : '0'} ${e.pNeg ? '-' : '+'} rs(sum, ${e.sh}))` : `${nm(ins.acc)} = sum`;
        return `${h}MV${ins.t ? 'T' : ' '}  ${ins.rows}x${ins.cols} W@${ins.wb} x=${nm(ins.x)} sum=${ins.init ? '0' : nm(ins.acc)}+...; ${tail}`;
      }
      case 'DOT':
        return `${h}DOT  ${nm(ins.dst)} = sum ${nm(ins.x)}*${nm(ins.y)} [${ins.n}]`;
      case 'PLAS':
        return `${h}PLAS ${ins.rows}x${ins.cols} W@${ins.wb} += ${ins.chain ? `rs(K${ins.k}*op(rs(${nm(ins.r)}*${nm(ins.c)}, ${ins.sh1})${sl(ins.chain.sl)}), ${ins.chain.sh2}-e)` : `rs(${nm(ins.r)}*${nm(ins.c)}, ${ins.sh1}${ins.useExp1 ? '-e' : ''})`}`;
      case 'ACT':
        return `${h}ACT  ${ins.kind} ${nm(ins.u)}[${ins.n}] -> ${nm(ins.rho)}, ${nm(ins.drho)}, ${nm(ins.curv)}${ins.kind === 'table' ? ` T@${ins.tb}` : ins.kind === 'clip' ? ` top K${ins.k}` : ''}`;
      case 'LOOP':
        return `${h}LOOP ${ins.count} (end ${ins.end})`;
      case 'JNL':
      case 'JMP':
        return `${h}${ins.op}  ${ins.to}`;
      default:
        return `${h}${ins.op}`;
    }
  });
}
