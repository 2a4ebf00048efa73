import type { Layout } from '../digital/layout.js';
import type { Workspace } from '../digital/workspace.js';
import type { AnalogModel } from './model.js';

/**
 * Mirrored plasticity of a separate error array T (`T:<name>`, cols×rows of its forward array W): T takes
 * W's update transposed, dT_cr/dt = η ē_r r̄_c, with the same factors as W's rule Ẇ_rc = η ē_r r̄_c
 * (ē = u − W r̄ of W's postsynaptic neurons, r̄ its presynaptic rates) and W's learning rate, through its
 * own storage realisation (the system integrates it as it integrates W). With ideal storage T − Wᵀ stays
 * what it was at the start (quantisation and mismatch of the initial values), the theory's identity.
 */

/**
 * The postsynaptic (per row of T: W's presynaptic rates r̄) and presynaptic (per column of T: W's ē)
 * factors of T's rule, at the last evaluation; `fwd` is W's projection index.
 */
export function mirroredFactors(L: Layout, w: Workspace, fwd: number): { post: Float64Array; pre: Float64Array } {
  const ref = L.forward.find((r) => r.index === fwd);
  if (!ref) throw new Error(`internal: mirrored array of projection ${fwd}, which is not a forward projection`);
  return { post: w.proj[fwd]!.pre.subarray(0, ref.p.cols), pre: w.eraw.subarray(ref.postOff, ref.postOff + ref.p.rows) };
}

/**
 * The exact form's ∂f/∂t with learning: the feedback F = T changes with Ṫ, so ∂f/∂t gains −ρ' ⊙ Ṫ ē_raw on
 * W's presynaptic neurons, as shared arrays give −ρ' ⊙ Ẇᵀ ē_raw (emulator/digital/somatic.ts). Adds it to
 * w.dfdt for every mirrored array (one sample: the analog system's batch is 1).
 */
export function addMirroredFeedbackRate(L: Layout, w: Workspace, model: AnalogModel): void {
  const g = L.graph;
  for (let k = 0; k < g.projections.length; k++) {
    const fwd = model.mirrorOf[k]!;
    if (fwd < 0) continue;
    const t = g.projections[k]!;
    const ref = L.forward.find((r) => r.index === fwd)!;
    const { post, pre } = mirroredFactors(L, w, fwd);
    const ebarPost = w.eraw.subarray(ref.postOff, ref.postOff + ref.p.rows);
    // (Ṫ ē)_c = η r̄_c Σ_r m_cr ē_r ē_r (m: T's mask, 1 when dense)
    for (let c = 0; c < t.rows; c++) {
      let s = 0;
      for (let r = 0; r < t.cols; r++) if (!t.mask || t.mask[c * t.cols + r]) s += pre[r]! * ebarPost[r]!;
      const i = ref.preOff + c;
      w.dfdt[i] = w.dfdt[i]! - w.drho[i]! * t.etaPerMs * post[c]! * s;
    }
  }
}
