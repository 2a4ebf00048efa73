import type { Rng } from '../../../core/rng.js';
import { lognormalCurrentSigma } from '../../../hardware-models/components/ekv.js';
import type { DpiHalfParams } from '../../../hardware-models/components/dpi-neuron.js';
import type { Profile } from '../../../hardware-models/profiles/profile.js';
import type { CircuitIR } from '../ir.js';
import * as libm from '../../../core/libm.js';

/** The device classes of a DPI pair whose currents mismatch: the leak bias I_τ, the threshold I_th, the input stage. */
export const DPI_MISMATCH_CLASSES = ['tau', 'threshold', 'input'] as const;
export type DpiMismatchClass = (typeof DPI_MISMATCH_CLASSES)[number];

const FIELD: Record<DpiMismatchClass, keyof DpiHalfParams> = { tau: 'tauCurrentA', threshold: 'thresholdCurrentA', input: 'inputScale' };

/** The profile's σ_VT of a device class, volt. */
function sigmaVOf(p: Profile, cls: DpiMismatchClass): number {
  const c = p.circuit;
  if (c.kind !== 'translinear') return 0;
  return cls === 'tau' ? c.tauSigmaV : cls === 'threshold' ? c.thresholdSigmaV : c.inputSigmaV;
}

/**
 * Mismatch of translinear neurons (the mismatch pass calls it on its clone, after every other component):
 * each half's I_τ, I_th and input scale times e^{σ_ln ξ}, ξ ~ N(0, 1), σ_ln = κ σ_VT/U_T at the operating
 * temperature (ekv.ts `lognormalCurrentSigma`). One generator per neuron and device class, forked from the
 * circuit's root by `dpi-<class>:<neuron>` and drawing the + half then the − half, so the classes are
 * independent streams: changing one class's σ_VT leaves the others' draws bit for bit. σ_VT = 0 draws
 * nothing. The drawn ln-factors go into `samples` (the pass's report) as `DPI <class> current (ln)`.
 */
export function translinearMismatch(ir: CircuitIR, p: Profile, root: Rng, samples: Record<string, number[]>): void {
  if (p.circuit.kind !== 'translinear') return;
  synapseCurrentMismatch(ir, p.circuit.kappa, p.circuit.synapseSigmaV, p.circuit.temperatureK, root, samples);
  for (const n of ir.neurons) {
    const dpi = n.dpi;
    if (!dpi) continue;
    for (const cls of DPI_MISMATCH_CLASSES) {
      const sigmaLn = lognormalCurrentSigma(dpi.kappa, sigmaVOf(p, cls), dpi.temperatureK);
      if (sigmaLn === 0) continue;
      const rng = root.fork(`dpi-${cls}:${n.realises}`);
      for (const half of [dpi.plus, dpi.minus]) {
        const x = sigmaLn * rng.normal();
        (samples[`DPI ${cls} current (ln)`] ??= []).push(x);
        half[FIELD[cls]] *= libm.exp(x);
      }
    }
  }
}

/**
 * The synapses of a translinear profile: each cell's weight current, so its conductance, times
 * e^{σ_ln ξ}, σ_ln = κ σ_VT/U_T, one stream per array (`dpi-synapse:<array>`), cells in row order, zero
 * cells skipped. Error arrays `T:…` are cells of their own and draw their own.
 */
function synapseCurrentMismatch(ir: CircuitIR, kappa: number, sigmaV: number, temperatureK: number, root: Rng, samples: Record<string, number[]>): void {
  const sigmaLn = lognormalCurrentSigma(kappa, sigmaV, temperatureK);
  if (sigmaLn === 0) return;
  for (const a of ir.arrays) {
    const rng = root.fork(`dpi-synapse:${a.realises}`);
    for (const row of a.conductanceS) {
      for (let j = 0; j < row.length; j++) {
        if (row[j] === 0) continue;
        const x = sigmaLn * rng.normal();
        (samples['synapse weight current (ln)'] ??= []).push(x);
        row[j]! *= libm.exp(x);
      }
    }
  }
}
