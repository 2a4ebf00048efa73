import { clampBits, datapath, datapathOf, factorOf, GUARD, INC_MAX, INC_MIN, ONE, sat, shr, SIGNAL_MIN, STATE_MAX, STATE_MIN, WIDE, type NumberFormat } from './format.js';
import { PROBE, TABLE_SHIFT, type BoardActivation, type BoardImage, type BoardProjection } from './image.js';

const GUARD_SCALE = 2 ** GUARD;
const TABLE_STEP = 2 ** TABLE_SHIFT;

/** Marks an output without a target in a target frame (the protocol's NO_TARGET). */
export const NO_TARGET_Q = -(2 ** 23);

/** A factor register as the multiplier sees it: mant·2^shift (format.ts, factorOf). */
type Factor = { mant: number; shift: number };

/**
 * What entered the multipliers (test and study mode): per operand site, the smallest and largest
 * value; `acc` is the largest |sum| of a multiply-accumulate. Set `core.trace = new OperandTrace()`.
 */
export class OperandTrace {
  readonly sites = new Map<string, { min: number; max: number }>();
  note(site: string, v: number): void {
    const r = this.sites.get(site);
    if (!r) this.sites.set(site, { min: v, max: v });
    else if (v < r.min) r.min = v;
    else if (v > r.max) r.max = v;
  }
}

/** Rounded right shift; a negative shift is an exact left shift. */
function rs(x: number, s: number): number {
  return s >= 0 ? shr(x, s) : x * 2 ** -s;
}

/**
 * The NLA step exactly as a board computes it, in integer arithmetic (format.ts): the bit-exact
 * reference that a real FPGA implementation must match frame by frame. docs/protocol.md ("Fixed-point
 * core") states every operation; this class is that text in code.
 *
 * Method: the implicit (relaxed) iteration of theory §4, K iterations per step, started from the
 * previous step's increment: Δ ← Δ + α(b − HΔ), α = 2^−s, Δ = dt·u̇. It needs only multiply-accumulate
 * passes over one weight memory (forward and transposed) and shifts, which map onto DSP slices; the
 * explicit solve would need a triangular solve with divisions per step, or a dense factorisation for
 * recurrent nets. The float digital engine runs the same iteration (--method implicit --iterations K
 * --relaxation 2^−s), so board and engine differ by quantisation only.
 *
 * One step. Formats: S = Q3.16 signals, U = Q3.24 state, D = Q0.24 increments (format.ts); ⟨·⟩ is the
 * S value of a U or D quantity, shr(x, 8); Σ are multiply-accumulates with the datapath weights (Q3.16);
 * every product is brought back to its format with shr:
 *   d_in = shr((r_in − r̄_in)·k_in, 24)                       D  input-filter increment (0 for the bias)
 *   m = u − shr(Σ W ρ⟨u⟩ ⊕ W_in ⟨r̄_in⟩, 8)                     U  mismatch ē_raw
 *   g = shr(Σ W_in d_in, 16) [+ ΔW r̄ when learning]            D  drive at fixed u
 *   c = shr(Σ W_netᵀ ⟨m⟩, 8) ;  ē = shr(ρ'·c, 16) + shr(β(u* − u), 16) ;  f = m − ē      U
 *   b = −shr(k·f, 24) + g − shr(ρ'·(shr(Σ W_netᵀ g, 16) − wt), 16) + shr(β·Δu*, 16)    D
 *       (wt = ΔW_netᵀ m when learning, else 0; ΔW = ηdt·m r̄ᵀ is rank one, see weightChangeTerms)
 *   κ = shr(ρ''·c, 24)                                        S  curvature term of H
 *   K times: a = Δ − shr(Σ W_net shr(ρ'·Δ, 16), 16) ;  q = shr(Σ W_netᵀ a, 16)
 *            HΔ = a − shr(ρ'·q, 16) − shr(κ·Δ, 16) + shr(β·Δ, 16) ;  Δ += shr(b − HΔ, s)   D
 *   W += shr(shr(⟨m⟩·r̄, 16)·ηdt, 12) on plastic projections (r̄ = ρ⟨u⟩ or ⟨r̄_in⟩)
 *   u += Δ ;  r̄_in += d_in ;  ρ, ρ', ρ'' at ⟨u⟩
 * β terms apply to outputs with a target only. Every stored value saturates to its format; each
 * saturation is counted.
 *
 * The number format (format.ts, NumberFormat) says which slice of each value a multiplier takes: WIDE,
 * the default, is the text above; a narrow format (UP5K16) feeds every multiplier rounded 16-bit
 * slices, op(x, s) = sat(shr(x, s)), and each product's shift above is reduced by its operands' slice
 * shifts (and by a factor's exponent), so every result keeps its format.
 */
export class FixedPointCore {
  /** Voltages (U, Q3.24). */
  readonly u: Float64Array;
  /** Increments Δ = dt·u̇ of the last step (D, Q0.24). */
  readonly delta: Float64Array;
  /** Filtered input rates (U). */
  readonly rbarIn: Float64Array;
  /** Weight registers (Q3.28 integers, int32 range), one array per projection. */
  readonly weights: Float64Array[];
  /** Count of saturated signal values since the last reset (reported in STATUS). */
  saturations = 0;
  /** Frames processed since the last reset. */
  frames = 0;
  /** Datapath weights (integers; Float64Array so that the exact-arithmetic test can run the same code). */
  private readonly wq: Float64Array[];
  private readonly ustar: Float64Array;
  private readonly prevUstar: Float64Array;
  private readonly hasTarget: Uint8Array;
  private readonly isOut: Uint8Array;
  private readonly rho: Float64Array;
  private readonly drho: Float64Array;
  private readonly curv: Float64Array;
  private readonly m: Float64Array;
  private readonly wt: Float64Array;
  private readonly rbarInS: Float64Array;
  private readonly ebar: Float64Array;
  private readonly tmp: Float64Array[];
  private readonly rin: Float64Array;
  private readonly dIn: Float64Array;
  private readonly decay: Float64Array;
  private readonly acts: Array<{ start: number; end: number; act: BoardActivation }> = [];
  /** Operand slices: x_P as signals, the mismatch, and D vectors fed to the passes. */
  private readonly xOp: Float64Array;
  private readonly sInOp: Float64Array;
  private readonly mOp: Float64Array;
  private readonly vOp: Float64Array;
  private readonly inOp: Float64Array;
  /** Fractional bits of the datapath weights. */
  private readonly wf: number;
  /** The datapath weight of a register (format.ts). */
  private readonly dp: (w: number) => number;
  /** Operands are not limited in width (WIDE): no saturation test. */
  private readonly unlimited: boolean;
  /** Factors by register value. */
  private readonly factors = new Map<number, Factor>();
  /** dt/τ of each neuron as a factor. */
  private readonly decayF: Factor[];
  /** When set, every multiplier operand is recorded (OperandTrace). */
  trace: OperandTrace | null = null;

  constructor(
    readonly image: BoardImage,
    readonly format: NumberFormat = WIDE,
  ) {
    const N = image.nNeurons;
    const nIn = image.nInputs;
    this.u = new Float64Array(N);
    this.delta = new Float64Array(N);
    this.rbarIn = new Float64Array(nIn);
    this.rin = new Float64Array(nIn);
    this.dIn = new Float64Array(nIn);
    this.ustar = new Float64Array(N);
    this.prevUstar = new Float64Array(N);
    this.hasTarget = new Uint8Array(N);
    this.isOut = new Uint8Array(N);
    for (const o of image.outputs) this.isOut[o] = 1;
    this.rho = new Float64Array(N);
    this.drho = new Float64Array(N);
    this.curv = new Float64Array(N);
    this.m = new Float64Array(N);
    this.wt = new Float64Array(N);
    this.rbarInS = new Float64Array(nIn);
    this.ebar = new Float64Array(N);
    this.tmp = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(N));
    this.decay = new Float64Array(N);
    this.xOp = new Float64Array(N);
    this.sInOp = new Float64Array(nIn);
    this.mOp = new Float64Array(N);
    this.vOp = new Float64Array(N);
    this.inOp = new Float64Array(nIn);
    for (const p of image.populations) {
      if (p.kind !== 'hidden' && p.kind !== 'output') continue;
      this.decay.fill(p.decayQ24, p.offset, p.offset + p.size);
      this.acts.push({ start: p.offset, end: p.offset + p.size, act: p.activation });
    }
    this.wf = 28 - format.weightShift;
    this.unlimited = format.operandBits === Infinity;
    this.decayF = Array.from(this.decay, (k) => this.factor(k));
    this.dp = format === WIDE ? datapath : (w) => datapathOf(w, format);
    this.weights = image.projections.map((p) => Float64Array.from(p.weights));
    this.wq = this.weights.map((w) => Float64Array.from(w, (x) => this.dp(x)));
    this.reset();
  }

  /** Back to rest: u = Δ = r̄_in = 0 (bias units at 1), no targets, counters at 0; weights are kept. */
  reset(): void {
    this.u.fill(0);
    this.delta.fill(0);
    this.rbarIn.fill(0);
    this.rin.fill(0);
    this.hasTarget.fill(0);
    this.ustar.fill(0);
    this.prevUstar.fill(0);
    this.ebar.fill(0);
    for (const p of this.image.populations) if (p.kind === 'bias') this.rbarIn.fill(ONE * GUARD_SCALE, p.offset, p.offset + p.size);
    this.saturations = 0;
    this.frames = 0;
    this.evalActivations();
  }

  /** The datapath weights Wq the multipliers take (one array per projection; do not modify). */
  datapathWeights(): readonly Float64Array[] {
    return this.wq;
  }

  /** Restores the weights of the image (undoes learning). */
  reloadWeights(): void {
    this.image.projections.forEach((p, k) => {
      this.weights[k]!.set(p.weights);
      for (let i = 0; i < p.weights.length; i++) this.wq[k]![i] = this.dp(p.weights[i]!);
    });
  }

  /** Saturates a state value (U). */
  private st(x: number): number {
    if (x > STATE_MAX) {
      this.saturations++;
      return STATE_MAX;
    }
    if (x < STATE_MIN) {
      this.saturations++;
      return STATE_MIN;
    }
    return x;
  }

  /** Saturates an increment (D). */
  private d(x: number): number {
    if (x > INC_MAX) {
      this.saturations++;
      return INC_MAX;
    }
    if (x < INC_MIN) {
      this.saturations++;
      return INC_MIN;
    }
    return x;
  }

  /** A multiplier operand: the slice shr(x, s) of a stored value, saturated to the format's width (counted). */
  private op(x: number, s: number, site: string): number {
    const y = s === 0 ? x : shr(x, s);
    const v = this.unlimited ? y : clampBits(y, this.format.operandBits);
    if (v !== y) this.saturations++;
    if (this.trace) this.trace.note(site, v);
    return v;
  }

  /** The operands of a vector for a pass: the vector itself when slices are the identity (WIDE). */
  private opVec(x: Float64Array, s: number, out: Float64Array, site: string): Float64Array {
    if (s === 0 && this.unlimited && !this.trace) return x;
    for (let i = 0; i < x.length; i++) out[i] = this.op(x[i]!, s, site);
    return out;
  }

  /** rs(op(a)·op(b), shift − sa − sb): the product of two sliced operands in the format of its shift. */
  private mul(a: number, sa: number, siteA: string, b: number, sb: number, siteB: string, shift: number): number {
    if (sa === 0 && sb === 0 && this.unlimited && !this.trace) return rs(a * b, shift);
    return rs(this.op(a, sa, siteA) * this.op(b, sb, siteB), shift - sa - sb);
  }

  /** A factor register (Q0.24 or Q8.16) as the multiplier takes it (registers may change: SET_PARAM). */
  private factor(x: number): Factor {
    let f = this.factors.get(x);
    if (!f) this.factors.set(x, (f = factorOf(x, this.format.factorBits)));
    return f;
  }

  /** A factor times a sliced operand, in the format of its shift. */
  private fmul(f: Factor, site: string, b: number, sb: number, siteB: string, shift: number): number {
    if (sb === 0 && this.unlimited && !this.trace) return rs(f.mant * b, shift - f.shift);
    if (this.trace) this.trace.note(site, f.mant);
    return rs(f.mant * this.op(b, sb, siteB), shift - f.shift - sb);
  }

  /** A decay product k·x (x in U), rs(k·x, shift): 'whole' multiplies all of x, a number slices it. */
  private decayMul(k: Factor, x: number, site: string, shift: number): number {
    const d = this.format.decay;
    if (d !== 'whole') return this.fmul(k, 'k', x, d, site, shift);
    if (this.trace) this.trace.note('k', k.mant);
    return this.splitMul(k.mant, x, site, shift - k.shift);
  }

  /** rs(a·x, shift) for a 28-bit x: two partial products, a·⌊x/2¹²⌋·2¹² + a·(x mod 2¹²), exact. */
  private splitMul(a: number, x: number, site: string, shift: number): number {
    if (this.trace) {
      const hi = Math.floor(x / 2 ** 12);
      this.trace.note(`${site}.hi`, hi);
      this.trace.note(`${site}.lo`, x - hi * 2 ** 12);
    }
    return rs(a * x, shift);
  }

  /** Records the accumulators of a pass (trace mode). */
  private noteAcc(x: Float64Array): void {
    if (this.trace) for (let i = 0; i < x.length; i++) this.trace.note('acc', Math.abs(x[i]!));
  }

  /**
   * Sets the targets of the outputs (Q3.16 in output order, NO_TARGET_Q = none); they hold until
   * changed. A change of value enters the next step as the increment Δu* (the βPΔu* term of b), so the
   * voltages follow a target step within the step, keeping f continuous. A target that appears (after
   * NO_TARGET) is no step: its nudging β(u* − u) enters f at once and relaxes with τ.
   */
  setTargets(values: ArrayLike<number>): void {
    this.image.outputs.forEach((o, k) => {
      const v = values[k]!;
      if (v === NO_TARGET_Q) this.hasTarget[o] = 0;
      else {
        if (!this.hasTarget[o]) this.prevUstar[o] = sat(v) * GUARD_SCALE;
        this.hasTarget[o] = 1;
        this.ustar[o] = sat(v) * GUARD_SCALE;
      }
    });
  }

  /**
   * Runs one frame: the raw input rates (Q3.16, stimulus inputs in order) are held for stepsPerFrame
   * steps. Returns the probed values at the end of the frame (PROBE bits, in the order of image.ts).
   */
  frame(inputs: ArrayLike<number>, learn: boolean, probes: number = PROBE.OUTPUT_U): Int32Array {
    const img = this.image;
    let k = 0;
    for (const p of img.populations) {
      if (p.kind !== 'input') continue;
      for (let j = 0; j < p.size; j++) this.rin[p.offset + j] = sat(inputs[k++]!);
    }
    for (let s = 0; s < img.stepsPerFrame; s++) this.step(learn);
    this.frames++;
    return this.probe(probes);
  }

  /** The probed values of the current state. */
  probe(probes: number): Int32Array {
    const out: number[] = [];
    const outs = this.image.outputs;
    const S = (x: number) => sat(shr(x, GUARD));
    if (probes & PROBE.OUTPUT_U) for (const o of outs) out.push(S(this.u[o]!));
    if (probes & PROBE.OUTPUT_RATE) for (const o of outs) out.push(this.rho[o]!);
    if (probes & PROBE.OUTPUT_ERROR) for (const o of outs) out.push(S(this.ebar[o]!));
    if (probes & PROBE.ALL_U) for (let i = 0; i < this.u.length; i++) out.push(S(this.u[i]!));
    return Int32Array.from(out);
  }

  /** ρ, ρ' (Q3.16) and ρ'' (Q3.16) of every neuron at the current u. */
  private evalActivations(): void {
    for (const { start, end, act } of this.acts) {
      for (let i = start; i < end; i++) {
        const x = shr(this.u[i]!, GUARD);
        if (act.kind === 'linear') {
          this.rho[i] = sat(x);
          this.drho[i] = ONE;
          this.curv[i] = 0;
        } else if (act.kind === 'clip') {
          this.rho[i] = x < 0 ? 0 : x > act.topQ ? act.topQ : x;
          this.drho[i] = x >= 0 && x <= act.topQ ? ONE : 0;
          this.curv[i] = 0;
        } else {
          // knot index and position within the segment: u = −8 + (k + frac/2¹²)/16
          const rel = x - SIGNAL_MIN;
          const k = Math.floor(rel / TABLE_STEP);
          const frac = rel - k * TABLE_STEP;
          this.rho[i] = lerp(act.rho, k, frac, this.trace);
          this.drho[i] = lerp(act.drho, k, frac, this.trace);
          this.curv[i] = lerp(act.ddrho, k, frac, this.trace);
        }
      }
    }
  }

  private step(learn: boolean): void {
    const img = this.image;
    const N = img.nNeurons;
    const [c, g, b, a, q, p] = this.tmp as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const { signal: sS, mismatch: sM, error: sC, state: sU, inc: sD } = this.format.slice;
    const wf = this.wf;
    const kf = this.format.kappaFrac;
    const beta = this.factor(img.betaQ16);
    // input-filter increments (D) and the filtered rates as signals (S)
    for (const pop of img.populations) {
      if (pop.kind === 'input') {
        const k = this.factor(pop.decayQ24);
        for (let j = pop.offset; j < pop.offset + pop.size; j++) this.dIn[j] = this.d(this.decayMul(k, this.rin[j]! * GUARD_SCALE - this.rbarIn[j]!, 'rin-rbar', 24));
      } else if (pop.kind === 'bias') this.dIn.fill(0, pop.offset, pop.offset + pop.size);
    }
    for (let j = 0; j < this.rbarIn.length; j++) this.rbarInS[j] = shr(this.rbarIn[j]!, GUARD);
    // m = u − W r̄ (U) and g = W_in d_in (D)
    const sIn = this.opVec(this.rbarInS, sS, this.sInOp, 'rate');
    const rho = this.opVec(this.rho, sS, this.xOp, 'rate');
    const dIn = this.opVec(this.dIn, sD, this.inOp, 'inc');
    q.fill(0);
    g.fill(0);
    img.projections.forEach((pr, k) => {
      const post = img.populations[pr.post]!.offset;
      const off = img.populations[pr.pre.pop]!.offset;
      matvec(this.wq[k]!, pr, pr.pre.kind === 'input' ? sIn : rho, off, q, post);
      if (pr.pre.kind === 'input') matvec(this.wq[k]!, pr, dIn, off, g, post);
    });
    this.noteAcc(q);
    this.noteAcc(g);
    for (let i = 0; i < N; i++) {
      this.m[i] = this.st(this.u[i]! - rs(q[i]!, wf - 8 - sS));
      this.mOp[i] = this.op(this.m[i]!, sM, 'm');
      g[i] = rs(g[i]!, wf - sD);
    }
    // with plasticity, the weights' own change this step (ΔW = ηdt·m r̄ᵀ, rank one per projection):
    // g += ΔW r̄ and wt = ΔW_netᵀ m
    this.wt.fill(0);
    if (learn) this.weightChangeTerms(g, sIn, rho);
    for (let i = 0; i < N; i++) g[i] = this.d(g[i]!);
    // ē, f (U) and the right-hand side b (D)
    this.transposed(this.mOp, c, wf - sM, true);
    this.transposed(this.opVec(g, sD, this.vOp, 'inc'), p, wf - sD, false);
    for (let i = 0; i < N; i++) {
      const nudged = this.isOut[i] === 1 && this.hasTarget[i] === 1;
      const eb = this.st(this.mul(this.drho[i]!, sS, 'drho', c[i]!, sC, 'c', 16) + (nudged ? this.fmul(beta, 'beta', this.ustar[i]! - this.u[i]!, sU, 'u*-u', 16) : 0));
      this.ebar[i] = eb;
      const f = this.st(this.m[i]! - eb);
      const jump = nudged ? this.fmul(beta, 'beta', this.ustar[i]! - this.prevUstar[i]!, sU, 'u*-u', 16) : 0;
      b[i] = this.d(-this.decayMul(this.decayF[i]!, f, 'f', 24) + g[i]! - this.mul(this.drho[i]!, sS, 'drho', p[i]! - this.wt[i]!, sD, 'inc', 16) + jump);
      if (nudged) this.prevUstar[i] = this.ustar[i]!;
      c[i] = this.mul(this.curv[i]!, sS, 'ddrho', c[i]!, sC, 'c', 40 - kf); // κ = ρ''⊙(W_netᵀ m), Q.kappaFrac
    }
    // K relaxed iterations for Δ (D)
    for (let it = 0; it < img.iterations; it++) {
      for (let i = 0; i < N; i++) p[i] = this.mul(this.drho[i]!, sS, 'drho', this.delta[i]!, sD, 'inc', 16);
      a.fill(0);
      this.forwardNet(this.opVec(p, sD, this.vOp, 'inc'), a);
      for (let i = 0; i < N; i++) a[i] = this.d(this.delta[i]! - rs(a[i]!, wf - sD));
      this.transposed(this.opVec(a, sD, this.vOp, 'inc'), q, wf - sD, false);
      for (let i = 0; i < N; i++) {
        const nudge = this.isOut[i] === 1 && this.hasTarget[i] === 1 ? this.fmul(beta, 'beta', this.delta[i]!, sD, 'inc', 16) : 0;
        const hd = this.d(a[i]! - this.mul(this.drho[i]!, sS, 'drho', q[i]!, sD, 'inc', 16) - this.mul(c[i]!, 0, 'kappa', this.delta[i]!, sD, 'inc', kf) + nudge);
        this.delta[i] = this.d(this.delta[i]! + shr(b[i]! - hd, img.relaxShift));
      }
    }
    if (learn) this.plasticity(sIn, rho);
    for (let i = 0; i < N; i++) this.u[i] = this.st(this.u[i]! + this.delta[i]!);
    for (let j = 0; j < this.rbarIn.length; j++) this.rbarIn[j] = this.st(this.rbarIn[j]! + this.dIn[j]!);
    this.evalActivations();
  }

  /** out[post] += W_net x (raw accumulators) over neuron-to-neuron projections. */
  private forwardNet(x: Float64Array, out: Float64Array): void {
    const img = this.image;
    img.projections.forEach((p, k) => {
      if (p.pre.kind !== 'neuron') return;
      matvec(this.wq[k]!, p, x, img.populations[p.pre.pop]!.offset, out, img.populations[p.post]!.offset);
    });
    this.noteAcc(out);
  }

  /** out = shr(W_netᵀ x, shift) over neuron-to-neuron projections, saturated to U (state) or D. */
  private transposed(x: Float64Array, out: Float64Array, shift: number, state: boolean): void {
    const img = this.image;
    out.fill(0);
    img.projections.forEach((p, k) => {
      if (p.pre.kind !== 'neuron') return;
      const W = this.wq[k]!;
      const po = img.populations[p.post]!.offset;
      const qo = img.populations[p.pre.pop]!.offset;
      for (let r = 0; r < p.rows; r++) {
        const xr = x[po + r]!;
        if (xr === 0) continue;
        const row = r * p.cols;
        for (let col = 0; col < p.cols; col++) out[qo + col] = out[qo + col]! + W[row + col]! * xr;
      }
    });
    this.noteAcc(out);
    for (let i = 0; i < out.length; i++) out[i] = state ? this.st(rs(out[i]!, shift)) : this.d(rs(out[i]!, shift));
  }

  /**
   * The rank-one terms of a weight change ΔW = e·m r̄ᵀ (e = ηdt) on every plastic projection, as the
   * float engine's ∂f/∂t has them: g_i += shr(⌊shr(m_i·R, 16)⌉·e, 16) with R = shr(Σ_j r̄_j², 16), and for
   * neuron-to-neuron projections wt_j += shr(⌊shr(r̄_j·M, 16)⌉·e, 16) with M = shr(Σ_i m_i², 16);
   * ⌊·⌉ saturates to ±2²⁸ so that the product with e stays exact. (WIDE shifts; m_i, r̄_j are the
   * operands mOp and sIn/rho, and a narrow format slices R, M and the terms, see step.)
   */
  private weightChangeTerms(g: Float64Array, sIn: Float64Array, rho: Float64Array): void {
    const img = this.image;
    const { signal: sS, mismatch: sM, sumSq: sR, rank: sT } = this.format.slice;
    const clampR = (x: number) => (x > 2 ** 28 ? 2 ** 28 : x < -(2 ** 28) ? -(2 ** 28) : x);
    const term = (x: number, Y: number, xFrac: number, e: Factor) => this.fmul(e, 'eta', clampR(rs(x * Y, xFrac - sR)), sT, 'rank', 16);
    img.projections.forEach((p) => {
      if (p.etaDtQ24 === 0) return;
      const e = this.factor(p.etaDtQ24);
      const po = img.populations[p.post]!.offset;
      const src = p.pre.kind === 'input' ? sIn : rho;
      const qo = img.populations[p.pre.pop]!.offset;
      let R = 0;
      for (let c = 0; c < p.cols; c++) R += src[qo + c]! * src[qo + c]!;
      R = this.op(rs(R, 16 - 2 * sS), sR, 'sumsq');
      for (let r = 0; r < p.rows; r++) g[po + r] = g[po + r]! + term(this.mOp[po + r]!, R, 24 - sM, e);
      if (p.pre.kind !== 'neuron') return;
      let M = 0;
      for (let r = 0; r < p.rows; r++) M += this.mOp[po + r]! * this.mOp[po + r]!;
      M = this.op(rs(M, 32 - 2 * sM), sR, 'sumsq');
      for (let c = 0; c < p.cols; c++) this.wt[qo + c] = this.wt[qo + c]! + term(src[qo + c]!, M, 16 - sS, e);
    });
  }

  /** W += shr(shr(m_i r̄_j, 16)·ηdt, 12) with the step's mismatch m and presynaptic rates r̄ (operands as in step). */
  private plasticity(sIn: Float64Array, rho: Float64Array): void {
    const img = this.image;
    const { signal: sS, mismatch: sM, rank: sT } = this.format.slice;
    img.projections.forEach((p, k) => {
      if (p.etaDtQ24 === 0) return;
      const W = this.weights[k]!;
      const Wq = this.wq[k]!;
      const e = this.factor(p.etaDtQ24);
      const po = img.populations[p.post]!.offset;
      const src = p.pre.kind === 'input' ? sIn : rho;
      const qo = img.populations[p.pre.pop]!.offset;
      const rowFactor = this.format.plasticity === 'row';
      if (rowFactor && this.trace) this.trace.note('eta', e.mant);
      for (let r = 0; r < p.rows; r++) {
        // 'row': em = e·m once per row (U in, 28 bits out), then W += em·r̄ per synapse (partial products)
        const mr = rowFactor ? this.splitMul(e.mant, this.m[po + r]!, 'm', 16) : this.mOp[po + r]!;
        if (mr === 0) continue;
        for (let col = 0; col < p.cols; col++) {
          const i = r * p.cols + col;
          let dw: number;
          if (rowFactor) dw = this.splitMul(src[qo + col]!, mr, 'em', 20 - e.shift - sS);
          else {
            const t = rs(mr * src[qo + col]!, 24 - sM - sS);
            if (t === 0) continue;
            dw = this.fmul(e, 'eta', t, sT, 'rank', 12);
          }
          const w = W[i]! + dw;
          W[i] = w > 0x7fffffff ? 0x7fffffff : w < -0x80000000 ? -0x80000000 : w;
          Wq[i] = this.dp(W[i]!);
          if (this.trace) this.trace.note('W', Wq[i]!);
        }
      }
    });
  }
}

/** Linear interpolation in a knot table: T[k] + shr((T[k+1] − T[k])·frac, 12); clamps at the ends. */
function lerp(T: Int32Array, k: number, frac: number, trace: OperandTrace | null): number {
  if (k < 0) return T[0]!;
  if (k >= T.length - 1) return T[T.length - 1]!;
  if (trace) {
    trace.note('lerp.diff', T[k + 1]! - T[k]!);
    trace.note('lerp.frac', frac);
  }
  return T[k]! + shr((T[k + 1]! - T[k]!) * frac, TABLE_SHIFT);
}

/** out[post + r] += Σ_c W[r,c]·x[off + c] (raw Q6.32 accumulators). */
function matvec(W: Float64Array, p: BoardProjection, x: Float64Array, off: number, out: Float64Array, post: number): void {
  for (let r = 0; r < p.rows; r++) {
    let s = 0;
    const row = r * p.cols;
    for (let c = 0; c < p.cols; c++) s += W[row + c]! * x[off + c]!;
    out[post + r] = out[post + r]! + s;
  }
}
