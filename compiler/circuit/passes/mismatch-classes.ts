import type { Profile } from '../../../hardware-models/profiles/profile.js';

/**
 * A component class whose device-to-device variation the mismatch pass draws: its σ lives in the profile.
 * Each class is an independent random stream (forked by `name`), so the Monte Carlo sensitivity ranking can
 * switch one class off (σ = 0) and keep every other class's draws bit-identical.
 */
export interface MismatchClass {
  /** Stream key and the name the Monte Carlo ranking prints, e.g. `synapse-gain`. */
  name: string;
  /** What the mismatch report calls the drawn samples, with their unit (relative or V). */
  label: string;
  /** The profile field that holds σ (JSON path), for messages and docs. */
  field: string;
  /** σ of this class in the profile (0: not drawn). */
  sigma(p: Profile): number;
  /** A copy of the profile with this class's σ set to `sigma`. */
  withSigma(p: Profile, sigma: number): Profile;
}

function cls(name: string, label: string, field: string, get: (p: Profile) => number, set: (p: Profile, s: number) => void): MismatchClass {
  return {
    name,
    label,
    field,
    sigma: get,
    withSigma(p, s) {
      const q = structuredClone(p);
      set(q, s);
      return q;
    },
  };
}

const lookahead = (u: Profile['rateUnit'] | Profile['errorUnit']): number => ('lookaheadSigma' in u ? u.lookaheadSigma : 0);
const depressing = (p: Profile) => (p.topDown.kind === 'depressing' ? p.topDown : null);
type DpiSigma = 'tauSigmaV' | 'thresholdSigmaV' | 'inputSigmaV' | 'synapseSigmaV';
/** A translinear DPI device class (its draws: passes/mismatch-translinear.ts, lognormal in the current). */
const dpi = (name: string, what: string, key: DpiSigma) =>
  cls(name, `DPI ${what} current (ln)`, `circuit.${key}`, (p) => (p.circuit.kind === 'translinear' ? p.circuit[key] : 0), (p, s) => {
    if (p.circuit.kind === 'translinear') p.circuit[key] = s;
  });

/** Every class the mismatch pass draws, in the order it draws them. */
export const MISMATCH_CLASSES = {
  capacitance: cls('membrane-capacitance', 'membrane capacitance (relative)', 'membrane.capacitanceSigma', (p) => p.membrane.capacitanceSigma, (p, s) => void (p.membrane.capacitanceSigma = s)),
  leak: cls('leak-conductance', 'leak conductance (relative)', 'membrane.leakSigma', (p) => p.membrane.leakSigma, (p, s) => void (p.membrane.leakSigma = s)),
  restOffset: cls('rest-offset', 'rest offset (V)', 'membrane.offsetSigmaV', (p) => p.membrane.offsetSigmaV, (p, s) => void (p.membrane.offsetSigmaV = s)),
  transferGain: cls('transfer-gain', 'transfer gain (relative)', 'transfer.gainSigma', (p) => p.transfer.gainSigma, (p, s) => void (p.transfer.gainSigma = s)),
  transferOffset: cls('transfer-offset', 'transfer offset (V)', 'transfer.offsetSigmaV', (p) => p.transfer.offsetSigmaV, (p, s) => void (p.transfer.offsetSigmaV = s)),
  rateLookahead: cls('rate-lookahead', 'rate look-ahead (relative)', 'rateUnit.lookaheadSigma', (p) => lookahead(p.rateUnit), (p, s) => {
    if ('lookaheadSigma' in p.rateUnit) p.rateUnit.lookaheadSigma = s;
  }),
  errorLookahead: cls('error-lookahead', 'error look-ahead (relative)', 'errorUnit.lookaheadSigma', (p) => lookahead(p.errorUnit), (p, s) => {
    if ('lookaheadSigma' in p.errorUnit) p.errorUnit.lookaheadSigma = s;
  }),
  // the input low-pass is an RC made of the same devices as the membrane: it shares the membrane's σ
  inputC: cls('input-filter-c', 'input filter C (relative)', 'membrane.capacitanceSigma', (p) => p.membrane.capacitanceSigma, (p, s) => void (p.membrane.capacitanceSigma = s)),
  inputR: cls('input-filter-r', 'input filter R (relative)', 'membrane.leakSigma', (p) => p.membrane.leakSigma, (p, s) => void (p.membrane.leakSigma = s)),
  synapseGain: cls('synapse-gain', 'synapse gain (relative)', 'synapses.gainSigma', (p) => p.synapses.gainSigma, (p, s) => void (p.synapses.gainSigma = s)),
  poolRecovery: cls('pool-recovery', 'depressing pool τ_rec (relative)', 'topDown.recoverySigma', (p) => depressing(p)?.recoverySigma ?? 0, (p, s) => {
    if (p.topDown.kind === 'depressing') p.topDown.recoverySigma = s;
  }),
  poolRelease: cls('pool-release', 'depressing release share a (relative)', 'topDown.releaseSigma', (p) => depressing(p)?.releaseSigma ?? 0, (p, s) => {
    if (p.topDown.kind === 'depressing') p.topDown.releaseSigma = s;
  }),
  dpiTau: dpi('dpi-tau', 'leak bias I_τ', 'tauSigmaV'),
  dpiThreshold: dpi('dpi-threshold', 'threshold I_th', 'thresholdSigmaV'),
  dpiInput: dpi('dpi-input', 'input', 'inputSigmaV'),
  dpiSynapse: dpi('dpi-synapse', 'synapse weight', 'synapseSigmaV'),
  poolUse: cls('pool-use', 'depressing use d (relative)', 'topDown.releaseSigma', (p) => depressing(p)?.releaseSigma ?? 0, (p, s) => {
    if (p.topDown.kind === 'depressing') p.topDown.releaseSigma = s;
  }),
} as const;

/**
 * The profile's σ fields as the sensitivity ranking switches them: classes that share a σ field (the
 * input filter's R and C with the membrane's g_L and C; a pool's a and d) are one knob, named by its field.
 */
export interface MismatchKnob {
  /** The profile field, e.g. `synapses.gainSigma`. */
  field: string;
  /** The classes this field drives. */
  classes: string[];
  sigma(p: Profile): number;
  withSigma(p: Profile, sigma: number): Profile;
}

/** The knobs with σ > 0 in this profile, in MISMATCH_CLASSES order. */
export function mismatchKnobs(p: Profile): MismatchKnob[] {
  const byField = new Map<string, MismatchKnob>();
  for (const c of Object.values(MISMATCH_CLASSES)) {
    if (c.sigma(p) === 0) continue;
    const k = byField.get(c.field);
    if (k) k.classes.push(c.name);
    else byField.set(c.field, { field: c.field, classes: [c.name], sigma: c.sigma, withSigma: c.withSigma });
  }
  return [...byField.values()];
}

/** The profile with every mismatch σ set to 0 (the nominal chip), other flaws kept. */
export function withoutMismatch(p: Profile): Profile {
  let q = p;
  for (const c of Object.values(MISMATCH_CLASSES)) if (c.sigma(q) !== 0) q = c.withSigma(q, 0);
  return q;
}
