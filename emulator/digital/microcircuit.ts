import { gather, scatterAdd, type Layout } from './layout.js';
import type { Dynamics } from './dynamics.js';
import { forwardPass } from './forward-pass.js';
import { forwardNet } from './operators.js';
import { applyWdot, deferUpdate, type WeightRate } from './plasticity.js';
import type { Workspace } from './workspace.js';

/**
 * Algorithm 2 (rt-DeEL), the cortical microcircuit of theory §5. For hidden layer l with interneurons I
 * and the layer a above it:
 *   u^I = (1 − β^I) W^IP r̄_l + β^I B^IP u_a,   v_l = B_l u_a − W^PI u^I,   ē_l = ρ'(u_l) ⊙ v_l
 *   f = ē_raw − ρ' ⊙ v − β P (u* − u)   (v = 0 on output layers)
 * Plasticity: Ẇ = η ē_raw r̄ᵀ, Ẇ^IP = η (u^I − W^IP r̄_l) r̄_lᵀ, Ẇ^PI = η v_l u^Iᵀ; B and B^IP are fixed.
 * w.fb holds the apical voltage v; w.uI the interneuron voltages; w.ip = W^IP r̄_l.
 */
export class MicrocircuitDynamics implements Dynamics {
  readonly rates: WeightRate[] = [];
  readonly symmetric = false;
  private microRates: Array<{ ip: WeightRate; pi: WeightRate }> = [];

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
  ) {}

  evaluate(learn: boolean): void {
    const { L, w } = this;
    const { B, N, nI } = L;
    const g = L.graph;
    const bI = g.betaInterneuron;
    forwardPass(L, w);
    w.fb.fill(0);
    for (const m of L.micro) {
      const I = g.interneurons[m.pop]!;
      const { wip, wpi, b: bl, bip } = m;
      const nl = wip.p.cols;
      const na = bl.p.cols;
      const [Bw, Bip, Bb, Bpi] = [w.proj[wip.index]!, w.proj[bip.index]!, w.proj[bl.index]!, w.proj[wpi.index]!];
      gather(w.rho, N, wip.preOff, nl, B, Bw.pre);
      w.kernels.gemv(Bw.W, I.size, nl, B, Bw.pre, Bw.out);
      gather(w.u, N, bip.preOff, na, B, Bip.pre);
      w.kernels.gemv(Bip.W, I.size, na, B, Bip.pre, Bip.out);
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < I.size; i++) {
          const ipv = Bw.out[b * I.size + i]!;
          w.ip[b * nI + I.offset + i] = ipv;
          w.uI[b * nI + I.offset + i] = (1 - bI) * ipv + bI * Bip.out[b * I.size + i]!;
        }
      }
      gather(w.u, N, bl.preOff, na, B, Bb.pre);
      w.kernels.gemv(Bb.W, nl, na, B, Bb.pre, Bb.out);
      scatterAdd(Bb.out, nl, B, w.fb, N, bl.postOff);
      gather(w.uI, nI, I.offset, I.size, B, Bpi.pre);
      w.kernels.gemv(Bpi.W, nl, I.size, B, Bpi.pre, Bpi.out);
      scatterAdd(Bpi.out, nl, B, w.fb, N, wpi.postOff, -1);
    }
    const beta = g.beta;
    for (let i = 0; i < B * N; i++) w.f[i] = w.eraw[i]! - w.drho[i]! * w.fb[i]! - beta * w.nudge[i]! * (w.ustar[i]! - w.u[i]!);

    this.rates.length = 0;
    this.microRates = [];
    const apicalDt = w.tmp[0]!; // ∂v/∂t at fixed u
    apicalDt.fill(0);
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
      for (const m of L.micro) this.microRates.push(this.interneuronRates(m, apicalDt));
    }
    for (let i = 0; i < B * N; i++) w.dfdt[i] = -w.sDrive[i]! - w.drho[i]! * apicalDt[i]! - beta * w.nudge[i]! * w.ustarDot[i]!;
    w.epoch++;
  }

  /** Rates of W^IP and W^PI, and their effect on the apical voltage: apicalDt += ∂v/∂t at fixed u. */
  private interneuronRates(m: Layout['micro'][number], apicalDt: Float64Array): { ip: WeightRate; pi: WeightRate } {
    const { L, w } = this;
    const { B, N, nI } = L;
    const I = L.graph.interneurons[m.pop]!;
    const [Bw, Bpi] = [w.proj[m.wip.index]!, w.proj[m.wpi.index]!];
    const nl = m.wip.p.cols;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < I.size; i++) Bw.pendPost[b * I.size + i] = w.uI[b * nI + I.offset + i]! - w.ip[b * nI + I.offset + i]!;
    }
    gather(w.fb, N, m.wpi.postOff, nl, B, Bpi.pendPost);
    const ip: WeightRate = { ref: m.wip, buf: Bw, scale: m.wip.p.etaPerMs / B, post: Bw.pendPost, pre: Bw.pre };
    const pi: WeightRate = { ref: m.wpi, buf: Bpi, scale: m.wpi.p.etaPerMs / B, post: Bpi.pendPost, pre: Bpi.pre };
    // ∂v/∂t = −Ẇ^PI u^I − W^PI (1 − β^I) Ẇ^IP r̄_l
    const dIP = w.uIdot.subarray(0, B * I.size);
    applyWdot(w, L, ip, Bw.pre, dIP);
    for (let i = 0; i < dIP.length; i++) dIP[i] = dIP[i]! * (1 - L.graph.betaInterneuron);
    w.kernels.gemv(Bpi.W, nl, I.size, B, dIP, Bpi.out);
    scatterAdd(Bpi.out, nl, B, apicalDt, N, m.wpi.postOff, -1);
    applyWdot(w, L, pi, Bpi.pre, Bpi.out);
    scatterAdd(Bpi.out, nl, B, apicalDt, N, m.wpi.postOff, -1);
    return { ip, pi };
  }

  /** out (B×N) += dv/dt along u̇ = v (the part of the apical rate that depends on u̇). */
  private apicalRate(v: Float64Array, out: Float64Array): void {
    const { L, w } = this;
    const { B, N, nI } = L;
    const bI = L.graph.betaInterneuron;
    for (const m of L.micro) {
      const I = L.graph.interneurons[m.pop]!;
      const [Bw, Bip, Bb, Bpi] = [w.proj[m.wip.index]!, w.proj[m.bip.index]!, w.proj[m.b.index]!, w.proj[m.wpi.index]!];
      const nl = m.wip.p.cols;
      const na = m.b.p.cols;
      // u̇^I = (1 − β^I) W^IP (ρ'_l ⊙ v_l) + β^I B^IP v_a
      for (let b = 0; b < B; b++) for (let i = 0; i < nl; i++) Bw.colBuf[b * nl + i] = w.drho[b * N + m.wip.preOff + i]! * v[b * N + m.wip.preOff + i]!;
      w.kernels.gemv(Bw.W, I.size, nl, B, Bw.colBuf, Bw.out);
      gather(v, N, m.bip.preOff, na, B, Bip.colBuf);
      w.kernels.gemv(Bip.W, I.size, na, B, Bip.colBuf, Bip.out);
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < I.size; i++) w.uIdot[b * nI + I.offset + i] = (1 - bI) * Bw.out[b * I.size + i]! + bI * Bip.out[b * I.size + i]!;
      }
      // v̇_l = B_l v_a − W^PI u̇^I
      gather(v, N, m.b.preOff, na, B, Bb.colBuf);
      w.kernels.gemv(Bb.W, nl, na, B, Bb.colBuf, Bb.out);
      scatterAdd(Bb.out, nl, B, out, N, m.b.postOff);
      gather(w.uIdot, nI, I.offset, I.size, B, Bpi.colBuf);
      w.kernels.gemv(Bpi.W, nl, I.size, B, Bpi.colBuf, Bpi.out);
      scatterAdd(Bpi.out, nl, B, out, N, m.wpi.postOff, -1);
    }
  }

  jvp(v: Float64Array, out: Float64Array): void {
    const { L, w } = this;
    const [rdot, edot, vdot] = [w.tmp[1]!, w.tmp[2]!, w.tmp[3]!];
    const n = L.B * L.N;
    for (let i = 0; i < n; i++) rdot[i] = w.drho[i]! * v[i]!;
    edot.set(v);
    forwardNet(L, w, rdot, edot, -1);
    vdot.fill(0);
    this.apicalRate(v, vdot);
    const beta = L.graph.beta;
    for (let i = 0; i < n; i++) out[i] = edot[i]! - w.ddrho[i]! * v[i]! * w.fb[i]! - w.drho[i]! * vdot[i]! + beta * w.nudge[i]! * v[i]!;
  }

  assemble(b: number, out: Float64Array): void {
    const { L, w } = this;
    const N = L.N;
    const bI = L.graph.betaInterneuron;
    out.fill(0);
    for (let i = 0; i < N; i++) {
      const q = b * N + i;
      out[i * N + i] = 1 - w.ddrho[q]! * w.fb[q]! + L.graph.beta * w.nudge[q]!;
    }
    for (const ref of L.net) {
      const { rows, cols } = ref.p;
      const W = w.proj[ref.index]!.W;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) out[(ref.postOff + r) * N + ref.preOff + c] = out[(ref.postOff + r) * N + ref.preOff + c]! - (W[r * cols + c]! * w.drho[b * N + ref.preOff + c]!);
      }
    }
    for (const m of L.micro) {
      const nI = m.wip.p.rows;
      const nl = m.wip.p.cols;
      const na = m.b.p.cols;
      const [Wip, Wpi, Bl, Bip] = [w.proj[m.wip.index]!.W, w.proj[m.wpi.index]!.W, w.proj[m.b.index]!.W, w.proj[m.bip.index]!.W];
      for (let i = 0; i < nl; i++) {
        const row = m.wpi.postOff + i;
        const di = w.drho[b * N + row]!;
        // ∂v_i/∂u_a = B_l − β^I W^PI B^IP
        for (let j = 0; j < na; j++) {
          let s = Bl[i * na + j]!;
          for (let k = 0; k < nI; k++) s -= bI * Wpi[i * nI + k]! * Bip[k * na + j]!;
          out[row * N + m.b.preOff + j] = out[row * N + m.b.preOff + j]! - (di * s);
        }
        // ∂v_i/∂u_l = −(1 − β^I) W^PI W^IP D_l
        for (let j = 0; j < nl; j++) {
          let s = 0;
          for (let k = 0; k < nI; k++) s += Wpi[i * nI + k]! * Wip[k * nl + j]!;
          out[row * N + m.wip.preOff + j] = out[row * N + m.wip.preOff + j]! + di * (1 - bI) * s * w.drho[b * N + m.wip.preOff + j]!;
        }
      }
    }
  }

  leakyError(out: Float64Array): void {
    this.errorSignal(out);
  }

  errorSignal(out: Float64Array): void {
    const { w } = this;
    const beta = this.L.graph.beta;
    for (let i = 0; i < out.length; i++) out[i] = w.drho[i]! * w.fb[i]! + beta * w.nudge[i]! * (w.ustar[i]! - w.u[i]!);
  }

  errorSignalRate(udot: Float64Array, out: Float64Array): void {
    const { L, w } = this;
    const vdot = w.tmp[3]!;
    vdot.set(w.tmp[0]!); // ∂v/∂t at fixed u, from the last evaluation
    this.apicalRate(udot, vdot);
    const beta = L.graph.beta;
    for (let i = 0; i < out.length; i++) {
      out[i] = w.ddrho[i]! * udot[i]! * w.fb[i]! + w.drho[i]! * vdot[i]! + beta * w.nudge[i]! * (w.ustarDot[i]! - udot[i]!);
    }
  }

  commit(dtMs: number): void {
    const { L, w } = this;
    for (const rate of this.rates) deferUpdate(rate, dtMs, L.B);
    for (const { ip, pi } of this.microRates) {
      for (const r of [ip, pi]) w.kernels.rankUpdate(r.buf.W, r.ref.p.mask, r.ref.p.rows, r.ref.p.cols, L.B, dtMs * r.scale, r.post, r.pre);
    }
  }
}
