import { NumericalError } from '../../core/errors.js';
import type { Dynamics } from '../digital/dynamics.js';
import type { Layout } from '../digital/layout.js';
import { MicrocircuitDynamics } from '../digital/microcircuit.js';
import type { Workspace } from '../digital/workspace.js';
import type { CarriedArray, TopDownPools } from './pools.js';

type Micro = Layout['micro'][number];

/**
 * The microcircuit (Algorithm 2, emulator/digital/microcircuit.ts) with its top-down arrays B and B^IP
 * reading a carried signal s (pools.ts: ρ(u), or (1 + a x) ρ(u) through depressing pools) instead of the
 * voltage u of the layer above. The microcircuit is linear in its top-down inputs, so this wraps it and adds
 * the difference: with Δs = s − u per array,
 *   Δu^I = β^I B^IP Δs_IP,   Δv = B Δs_B − W^PI Δu^I,   Δf = −ρ' ⊙ Δv;
 * along u̇ the top-down input moves by g ⊙ u̇_a (g = ∂s/∂u, instead of 1), and at fixed u by the pools'
 * own rate a ρ ẋ, which joins ∂v/∂t at fixed u (∂f/∂t, and what errorSignalRate starts from). With learning
 * the interneuron plasticity part of ∂v/∂t is recomputed from the corrected u^I and v. One sample (B = 1).
 */
export class TopDownDynamics implements Dynamics {
  readonly symmetric = false;
  private readonly inner: MicrocircuitDynamics;
  private readonly dvdt: Float64Array;
  private readonly scratch: Float64Array;
  /** The interneuron plasticity part of ∂v/∂t before and after the correction. */
  private readonly before: Float64Array;
  private readonly after: Float64Array;

  constructor(
    private readonly L: Layout,
    private readonly ws: Workspace,
    private readonly pools: TopDownPools,
  ) {
    if (L.B !== 1) throw new Error('internal: top-down carriers are emulated for one sample');
    this.inner = new MicrocircuitDynamics(L, ws);
    this.dvdt = new Float64Array(L.N);
    this.before = new Float64Array(L.N);
    this.after = new Float64Array(L.N);
    this.scratch = new Float64Array(Math.max(1, ...L.micro.map((m) => Math.max(m.b.p.cols, m.wip.p.rows, m.b.p.rows))));
  }

  get rates() {
    return this.inner.rates;
  }

  evaluate(learn: boolean): void {
    const { L, ws: w } = this;
    this.inner.evaluate(learn);
    this.pools.update(w);
    if (learn) this.interneuronPlasticityPart(this.before);
    const dv = this.dvdt;
    dv.fill(0);
    for (const m of L.micro) this.apical(m, (a, j) => a.signal[j]! - w.u[a.preOff + j]!, dv, true);
    for (let i = 0; i < L.N; i++) {
      w.fb[i] = w.fb[i]! + dv[i]!;
      w.f[i] = w.f[i]! - w.drho[i]! * dv[i]!;
    }
    // ∂v/∂t at fixed u (w.tmp[0], as the microcircuit leaves it): the pools' own rate, and the interneuron
    // plasticity part again with the corrected u^I and v
    dv.fill(0);
    for (const m of L.micro) this.apical(m, (a, j) => a.explicitRate[j]!, dv, false);
    if (learn) {
      this.interneuronPlasticityPart(this.after);
      for (let i = 0; i < L.N; i++) dv[i] = dv[i]! + this.after[i]! - this.before[i]!;
    }
    const apicalDt = w.tmp[0]!;
    for (let i = 0; i < L.N; i++) {
      apicalDt[i] = apicalDt[i]! + dv[i]!;
      w.dfdt[i] = w.dfdt[i]! - w.drho[i]! * dv[i]!;
    }
  }

  /**
   * dst (N) += B σ_B − W^PI β^I B^IP σ_IP for one microcircuit, σ(a, j) the top-down quantity of column j
   * of array a (wire arrays: 0); with `moveInterneurons`, u^I += β^I B^IP σ_IP as well.
   */
  private apical(m: Micro, sigma: (a: CarriedArray, j: number) => number, dst: Float64Array, moveInterneurons: boolean): void {
    const { L, ws: w } = this;
    const I = L.graph.interneurons[m.pop]!;
    const nl = m.b.p.rows;
    const dI = this.interneuronShift(m, sigma);
    if (moveInterneurons) for (let i = 0; i < I.size; i++) w.uI[I.offset + i] = w.uI[I.offset + i]! + dI[i]!;
    const B = w.proj[m.b.index]!.W;
    const Wpi = w.proj[m.wpi.index]!.W;
    const aB = this.carried(m.b.index);
    for (let i = 0; i < nl; i++) {
      let s = 0;
      if (aB) for (let j = 0; j < aB.cols; j++) s += B[i * aB.cols + j]! * sigma(aB, j);
      for (let k = 0; k < I.size; k++) s -= Wpi[i * I.size + k]! * dI[k]!;
      dst[m.b.postOff + i] = dst[m.b.postOff + i]! + s;
    }
  }

  /** β^I B^IP σ_IP for one microcircuit (zeros when B^IP is a wire), in this.scratch. */
  private interneuronShift(m: Micro, sigma: (a: CarriedArray, j: number) => number): Float64Array {
    const { L, ws: w } = this;
    const I = L.graph.interneurons[m.pop]!;
    const out = this.scratch.subarray(0, I.size);
    out.fill(0);
    const aI = this.carried(m.bip.index);
    if (!aI) return out;
    const Bip = w.proj[m.bip.index]!.W;
    const bI = L.graph.betaInterneuron;
    for (let k = 0; k < I.size; k++) {
      let s = 0;
      for (let j = 0; j < aI.cols; j++) s += Bip[k * aI.cols + j]! * sigma(aI, j);
      out[k] = bI * s;
    }
    return out;
  }

  private carried(index: number): CarriedArray | undefined {
    return this.pools.arrays.find((a) => a.index === index);
  }

  /**
   * The interneuron plasticity part of ∂v/∂t at fixed u, −Ẇ^PI u^I − (1 − β^I) W^PI Ẇ^IP r̄_l with
   * Ẇ^PI = η v u^Iᵀ, Ẇ^IP = η (u^I − W^IP r̄_l) r̄_lᵀ, from the workspace's current v, u^I and r̄_l, into `part` (N).
   */
  private interneuronPlasticityPart(part: Float64Array): void {
    const { L, ws: w } = this;
    const g = L.graph;
    part.fill(0);
    for (const m of L.micro) {
      const I = g.interneurons[m.pop]!;
      const nl = m.wip.p.cols;
      const Wpi = w.proj[m.wpi.index]!.W;
      let uu = 0;
      for (let k = 0; k < I.size; k++) uu += w.uI[I.offset + k]! ** 2;
      let rr = 0;
      for (let j = 0; j < nl; j++) rr += w.rho[m.wip.preOff + j]! ** 2;
      for (let i = 0; i < nl; i++) {
        const row = m.wpi.postOff + i;
        let s = 0;
        for (let k = 0; k < I.size; k++) s += Wpi[i * I.size + k]! * (w.uI[I.offset + k]! - w.ip[I.offset + k]!);
        part[row] = -m.wpi.p.etaPerMs * w.fb[row]! * uu - (1 - g.betaInterneuron) * m.wip.p.etaPerMs * s * rr;
      }
    }
  }

  jvp(v: Float64Array, out: Float64Array): void {
    this.inner.jvp(v, out);
    const dv = this.alongU(v);
    for (let i = 0; i < this.L.N; i++) out[i] = out[i]! - this.ws.drho[i]! * dv[i]!;
  }

  errorSignalRate(udot: Float64Array, out: Float64Array): void {
    this.inner.errorSignalRate(udot, out);
    const dv = this.alongU(udot);
    for (let i = 0; i < this.L.N; i++) out[i] = out[i]! + this.ws.drho[i]! * dv[i]!;
  }

  /** How much faster v moves along u̇ = v than the microcircuit's wire says: B ((g − 1) ⊙ v_a) − W^PI β^I B^IP ((g − 1) ⊙ v_a). */
  private alongU(v: Float64Array): Float64Array {
    const dv = this.dvdt;
    dv.fill(0);
    for (const m of this.L.micro) this.apical(m, (a, j) => (a.gain[j]! - 1) * v[a.preOff + j]!, dv, false);
    return dv;
  }

  assemble(b: number, out: Float64Array): void {
    this.inner.assemble(b, out);
    const { L, ws: w } = this;
    const N = L.N;
    const e = new Float64Array(N);
    // column by column: J e_j gains −ρ' ⊙ Δv(e_j) for each presynaptic neuron j of a carried array
    const cols = new Set<number>();
    for (const a of this.pools.arrays) for (let j = 0; j < a.cols; j++) cols.add(a.preOff + j);
    for (const j of cols) {
      e.fill(0);
      e[j] = 1;
      const dv = this.alongU(e);
      for (let i = 0; i < N; i++) if (dv[i] !== 0) out[i * N + j] = out[i * N + j]! - w.drho[i]! * dv[i]!;
    }
  }

  errorSignal(out: Float64Array): void {
    this.inner.errorSignal(out);
  }

  leakyError(out: Float64Array): void {
    this.inner.leakyError(out);
  }

  commit(dtMs: number): void {
    this.inner.commit(dtMs);
  }
}

/**
 * The initial equilibrium of a circuit with depressing pools: the pools settled at the voltages, the
 * voltages at the pools (`restore`, a Newton solve with the pools fixed), repeated until the pools move by
 * less than 10⁻¹³; a NumericalError at t0 when they have not after 100 rounds.
 */
export function settleWithPools(sys: { pools: TopDownPools; settlePools(y: Float64Array): void }, y: Float64Array, restore: () => void, t0: number): void {
  const pools = sys.pools;
  if (!pools.size) return;
  const prev = new Float64Array(pools.size);
  for (let round = 0; round < 100; round++) {
    prev.set(pools.x);
    sys.settlePools(y);
    let moved = 0;
    for (let i = 0; i < pools.size; i++) moved = Math.max(moved, Math.abs(pools.x[i]! - prev[i]!));
    if (round > 0 && moved < 1e-13) return;
    restore();
  }
  throw new NumericalError('initial equilibrium: the depressing top-down pools and the voltages did not settle together in 100 rounds', t0, undefined, 'start from rest (--init rest)');
}
