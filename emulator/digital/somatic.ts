import { gather, scatterAdd, type Layout } from './layout.js';
import type { Dynamics } from './dynamics.js';
import { forwardPass } from './forward-pass.js';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { backProject, backProjectPair, forwardNet, solveUpper } from './operators.js';
import { applyWdot, applyWdotT, deferUpdate, type WeightRate } from './plasticity.js';
import type { Workspace } from './workspace.js';

/**
 * Algorithm 1 (rt-DeEP): errors carried in the somatic compartment, theory §2–§4.
 *   f = ē_raw − ρ' ⊙ F ē_raw − β P (u* − u),   ē_raw = u − W r̄
 * with F = W_netᵀ (`transpose`: exact NLA, J is the energy's Hessian H) or a fixed random B
 * (`random`: feedback alignment, J not symmetric). J = (I − D F)(I − W_net D) − diag(ρ'' ⊙ F ē_raw) + βP.
 */
export class SomaticDynamics implements Dynamics {
  readonly rates: WeightRate[] = [];
  readonly symmetric: boolean;

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
  ) {
    this.symmetric = L.graph.feedback === 'transpose';
  }

  evaluate(learn: boolean): void {
    const { L, w } = this;
    const { B, N } = L;
    const beta = L.graph.beta;
    forwardPass(L, w);
    this.rates.length = 0;
    if (learn) {
      for (const ref of L.forward) {
        if (!ref.p.plastic || ref.p.etaPerMs === 0) continue;
        const buf = w.proj[ref.index]!;
        gather(w.eraw, N, ref.postOff, ref.p.rows, B, buf.pendPost);
        const rate: WeightRate = { ref, buf, scale: ref.p.etaPerMs / B, post: buf.pendPost, pre: buf.pre };
        this.rates.push(rate);
        applyWdot(w, L, rate, rate.pre, buf.out);
        scatterAdd(buf.out, ref.p.rows, B, w.sDrive, N, ref.postOff);
      }
    }
    // F ē_raw and F s in one pass over the feedback weights (s = ∂(W r̄)/∂t at fixed u, complete now)
    const g = w.tmp[0]!;
    backProjectPair(L, w, w.eraw, w.fb, w.sDrive, g);
    for (let i = 0; i < B * N; i++) w.f[i] = w.eraw[i]! - w.drho[i]! * w.fb[i]! - beta * w.nudge[i]! * (w.ustar[i]! - w.u[i]!);
    // ∂f/∂t = −s + D F s − D Ḟ ē_raw − β P du*/dt
    if (learn && this.symmetric) this.addWdotTransposed(g, -1);
    for (let i = 0; i < B * N; i++) w.dfdt[i] = -w.sDrive[i]! + w.drho[i]! * g[i]! - beta * w.nudge[i]! * w.ustarDot[i]!;
    w.epoch++;
  }

  /** g += scale · Ẇ_netᵀ ē_raw (the feedback of exact NLA, F = W_netᵀ, changes with W). */
  private addWdotTransposed(g: Float64Array, scale: number): void {
    const { L, w } = this;
    for (const rate of this.rates) {
      if (rate.ref.p.pre.type !== 'neuron') continue;
      applyWdotT(w, L, rate, rate.post, rate.buf.colBuf);
      scatterAdd(rate.buf.colBuf, rate.ref.p.cols, L.B, g, L.N, rate.ref.preOff, scale);
    }
  }

  jvp(v: Float64Array, out: Float64Array): void {
    const { L, w } = this;
    const [rdot, edot, fbdot] = [w.tmp[1]!, w.tmp[2]!, w.tmp[3]!];
    const n = L.B * L.N;
    const beta = L.graph.beta;
    for (let i = 0; i < n; i++) rdot[i] = w.drho[i]! * v[i]!;
    edot.set(v);
    forwardNet(L, w, rdot, edot, -1);
    backProject(L, w, edot, fbdot);
    for (let i = 0; i < n; i++) out[i] = edot[i]! - w.ddrho[i]! * v[i]! * w.fb[i]! - w.drho[i]! * fbdot[i]! + beta * w.nudge[i]! * v[i]!;
  }

  assemble(b: number, out: Float64Array): void {
    const { L, w } = this;
    const N = L.N;
    // A = I − W_net D and At = I − D F, then J = At·A − diag(ρ''⊙fb) + βP.
    const A = new Float64Array(N * N);
    const At = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      A[i * N + i] = 1;
      At[i * N + i] = 1;
    }
    L.net.forEach((ref, k) => {
      const { rows, cols } = ref.p;
      const W = w.proj[ref.index]!.W;
      const fb = L.feedbackOf[k];
      const F = fb ? w.proj[fb.index]!.W : null; // cols×rows
      for (let r = 0; r < rows; r++) {
        const i = ref.postOff + r;
        for (let c = 0; c < cols; c++) {
          const j = ref.preOff + c;
          const dj = w.drho[b * N + j]!;
          A[i * N + j] = A[i * N + j]! - (W[r * cols + c]! * dj);
          At[j * N + i] = At[j * N + i]! - (dj * (F ? F[c * rows + r]! : W[r * cols + c]!));
        }
      }
    });
    out.fill(0);
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < N; k++) {
        const a = At[i * N + k]!;
        if (a === 0) continue;
        for (let j = 0; j < N; j++) out[i * N + j] = out[i * N + j]! + a * A[k * N + j]!;
      }
    }
    for (let i = 0; i < N; i++) {
      const q = b * N + i;
      out[i * N + i] = out[i * N + i]! + (-w.ddrho[q]! * w.fb[q]! + L.graph.beta * w.nudge[q]!);
    }
  }

  leakyError(out: Float64Array): void {
    const { L, w } = this;
    const { B, N } = L;
    const src = w.tmp[7]!;
    const beta = L.graph.beta;
    for (let i = 0; i < B * N; i++) src[i] = beta * w.nudge[i]! * (w.ustar[i]! - w.u[i]!);
    if (L.order.length) {
      solveUpper(L, w, src, out, w.tmp[8]!);
      return;
    }
    // recurrent graph: (I − D F) ē = src, dense per sample
    for (let b = 0; b < B; b++) {
      const M = Matrix.eye(N, N);
      L.net.forEach((ref, k) => {
        const { rows, cols } = ref.p;
        const fb = L.feedbackOf[k];
        const F = fb ? w.proj[fb.index]!.W : null;
        const W = w.proj[ref.index]!.W;
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const j = ref.preOff + c;
            M.set(j, ref.postOff + r, M.get(j, ref.postOff + r) - w.drho[b * N + j]! * (F ? F[c * rows + r]! : W[r * cols + c]!));
          }
        }
      });
      const x = new LuDecomposition(M).solve(Matrix.columnVector(Array.from(src.subarray(b * N, b * N + N))));
      for (let i = 0; i < N; i++) out[b * N + i] = x.get(i, 0);
    }
  }

  errorSignal(out: Float64Array): void {
    const { w } = this;
    const beta = this.L.graph.beta;
    for (let i = 0; i < out.length; i++) out[i] = w.drho[i]! * w.fb[i]! + beta * w.nudge[i]! * (w.ustar[i]! - w.u[i]!);
  }

  errorSignalRate(udot: Float64Array, out: Float64Array): void {
    const { L, w } = this;
    const [rdot, edot, fbdot] = [w.tmp[1]!, w.tmp[2]!, w.tmp[3]!];
    const n = L.B * L.N;
    for (let i = 0; i < n; i++) rdot[i] = w.drho[i]! * udot[i]!;
    for (let i = 0; i < n; i++) edot[i] = udot[i]! - w.sDrive[i]!;
    forwardNet(L, w, rdot, edot, -1);
    backProject(L, w, edot, fbdot);
    if (this.symmetric) this.addWdotTransposed(fbdot, 1);
    const beta = L.graph.beta;
    for (let i = 0; i < n; i++) {
      out[i] = w.ddrho[i]! * udot[i]! * w.fb[i]! + w.drho[i]! * fbdot[i]! + beta * w.nudge[i]! * (w.ustarDot[i]! - udot[i]!);
    }
  }

  commit(dtMs: number): void {
    for (const rate of this.rates) deferUpdate(rate, dtMs, this.L.B);
  }
}
