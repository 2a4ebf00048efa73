import { evaluateActivation } from '../../core/activation.js';
import { gather, scatterAdd, type Layout } from './layout.js';
import type { Workspace } from './workspace.js';

/**
 * Shared first half of every evaluation: ρ, ρ', ρ'' of all neurons, ē_raw = u − W r̄ over all forward
 * projections, and the input part of ∂(W r̄)/∂t (W_in dr̄_in/dt) into w.sDrive. Each projection's pass
 * over W also applies its deferred update, so W is current from here on (with carried input products,
 * input-products.ts, an input projection's update may instead wait in its queue until W is read).
 */
export function forwardPass(L: Layout, w: Workspace): void {
  const { B, N, nIn } = L;
  const np = L.graph.neuronParams;
  // per-neuron transfer mismatch: ρ_i(u) = a_i ρ(u − o_i), evaluated on the shifted voltages
  const v = np ? w.ushift : w.u;
  if (np) for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) v[b * N + i] = w.u[b * N + i]! - np.offset[i]!;
  for (const pop of L.graph.neurons) {
    for (let b = 0; b < B; b++) {
      const s = b * N + pop.offset;
      evaluateActivation(pop.activation, v, w.rho, w.drho, w.ddrho, s, s + pop.size);
    }
  }
  if (w.transferOverride) w.transferOverride(v, w.rho, w.drho, w.ddrho);
  if (np) {
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        const a = np.gain[i]!;
        const k = b * N + i;
        w.rho[k] = w.rho[k]! * a;
        w.drho[k] = w.drho[k]! * a;
        w.ddrho[k] = w.ddrho[k]! * a;
      }
    }
  }
  w.eraw.set(w.u);
  w.sDrive.fill(0);
  for (const ref of L.forward) {
    const { rows, cols, mask } = ref.p;
    const buf = w.proj[ref.index]!;
    const fromInput = ref.p.pre.type === 'input';
    if (fromInput) {
      gather(w.rbarIn, nIn, ref.preOff, cols, B, buf.pre);
      gather(w.rdotIn, nIn, ref.preOff, cols, B, buf.preDot);
    } else {
      gather(w.rho, N, ref.preOff, cols, B, buf.pre);
    }
    const carry = w.inputProducts?.handles(ref) ? w.inputProducts : null;
    if (!carry?.carry(ref, w.stepIndex, w.rIn)) {
      w.kernels.fusedUpdateGemv(buf.W, mask, rows, cols, B, buf.pendCoef, buf.pendPost, buf.pendPre, buf.pre, buf.out, fromInput ? buf.preDot : null, fromInput ? buf.out2 : null);
      buf.pendCoef = 0;
      carry?.recomputed(ref, w.stepIndex, w.rIn);
    }
    scatterAdd(buf.out, rows, B, w.eraw, N, ref.postOff, -1);
    if (fromInput) scatterAdd(buf.out2, rows, B, w.sDrive, N, ref.postOff);
  }
}
