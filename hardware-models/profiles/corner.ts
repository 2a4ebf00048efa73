import { didYouMean } from '../../core/did-you-mean.js';
import { UsageError } from '../../core/errors.js';
import type { Profile } from './profile.js';
import { thermalVoltageV } from '../components/ekv.js';
import * as libm from '../../core/libm.js';

/**
 * An operating corner: where a chip sits in process, supply and temperature, as a shift of every
 * component of the die at once (die-to-die, global variation), on top of which the mismatch pass draws
 * the device-to-device (local) variation.
 *
 * - `process`: `slow` moves every capacitor up and every conductance and gain down by `sigmas` times the
 *   profile's mismatch σ of that class (C, g_L, transfer gain, synapse gain, look-ahead constants); `fast`
 *   the opposite; `typical` not at all. Assumption (docs/hardware.md, "Monte Carlo and corners"): the
 *   global spread of a class is as large as its local σ, and a corner sits at ±3σ of it, as foundry corners do.
 * - `supplyScale`: the supply rails' span scaled about the low rail (0.9 = a supply 10 % low): less headroom.
 * - `temperatureK`: the die temperature. Thermal noise power scales with T (k_B T); the translinear
 *   profile's DPI pairs run at it (U_T = k_B T/q: τ ∝ T with fixed bias currents). `null`: the profile's.
 */
export interface Corner {
  /** Name as the user wrote it, e.g. `slow+low-supply+hot`. */
  name: string;
  process: 'slow' | 'typical' | 'fast';
  /** How many σ of each class the process shift is (default 3). */
  sigmas: number;
  supplyScale: number;
  temperatureK: number | null;
}

/** The corner parts a name is made of (joined with `+`), and what each sets. */
export const CORNER_PARTS: Record<string, Partial<Omit<Corner, 'name' | 'sigmas'>>> = {
  typical: { process: 'typical' },
  slow: { process: 'slow' },
  fast: { process: 'fast' },
  'low-supply': { supplyScale: 0.9 },
  'nominal-supply': { supplyScale: 1 },
  'high-supply': { supplyScale: 1.1 },
  // −40 °C and 125 °C: the industrial/automotive temperature range ends
  cold: { temperatureK: 233.15 },
  room: { temperatureK: 300 },
  hot: { temperatureK: 398.15 },
};

/** Named combinations: the two worst cases of a slow and of a fast die. */
export const CORNER_PRESETS: Record<string, string> = {
  'worst-slow': 'slow+low-supply+hot',
  'worst-fast': 'fast+high-supply+cold',
};

/** The typical corner: no shift at all. */
export const TYPICAL_CORNER: Corner = { name: 'typical', process: 'typical', sigmas: 3, supplyScale: 1, temperatureK: null };

/** Parses `slow+hot`, `worst-slow`, … (option `what` names the flag in errors); `sigmas` is the process shift. */
export function parseCorner(text: string, what = '--corner', sigmas = 3): Corner {
  const name = text.trim();
  const expanded = CORNER_PRESETS[name] ?? name;
  const c: Corner = { ...TYPICAL_CORNER, name, sigmas };
  const seen = new Set<string>();
  for (const part of expanded.split('+').map((s) => s.trim())) {
    const set = CORNER_PARTS[part];
    if (!set) throw new UsageError(`${what}: unknown corner part '${part}' in '${name}'; parts: ${Object.keys(CORNER_PARTS).join(', ')}, joined with '+'; presets: ${Object.keys(CORNER_PRESETS).join(', ')}${didYouMean(part, [...Object.keys(CORNER_PARTS), ...Object.keys(CORNER_PRESETS)])}`);
    for (const k of Object.keys(set)) {
      if (seen.has(k)) throw new UsageError(`${what}: '${name}' sets the ${k === 'process' ? 'process' : k === 'supplyScale' ? 'supply' : 'temperature'} twice`);
      seen.add(k);
    }
    Object.assign(c, set);
  }
  if (!(sigmas >= 0 && Number.isFinite(sigmas))) throw new UsageError(`${what}: the process shift must be a non-negative number of σ, got ${sigmas}`);
  return c;
}

/** A comma-separated corner list (each parsed with parseCorner), names unique. */
export function parseCornerList(text: string, what = '--corner', sigmas = 3): Corner[] {
  const cs = text.split(',').filter((s) => s.trim() !== '').map((s) => parseCorner(s, what, sigmas));
  if (cs.length === 0) throw new UsageError(`${what}: no corner given`);
  const dup = cs.find((c, i) => cs.findIndex((d) => d.name === c.name) !== i);
  if (dup) throw new UsageError(`${what}: corner '${dup.name}' is listed twice`);
  return cs;
}

/**
 * A corner resolved against a profile: the factor each class moves by. Resolved once from the full
 * profile, so a chip compiled without mismatch (the nominal chip, a sensitivity run) still sits at the
 * corner: the shift is the die's, the σ only sizes it.
 */
export interface CornerShift {
  corner: Corner;
  capacitance: number;
  /** Factor on conductances (leak, nudging, input-filter 1/R). */
  conductance: number;
  transferGain: number;
  synapseGain: number;
  rateLookahead: number;
  errorLookahead: number;
  /**
   * Translinear DPI pairs: factors on I_τ, I_th and the input currents, a global threshold-voltage shift
   * of kσ_VT of each device class: I × exp(∓κ kσ_VT/U_T) (slow: less current, so τ = C U_T/(κ I_τ) up);
   * 1 on linear profiles.
   */
  dpiTauCurrent: number;
  dpiThresholdCurrent: number;
  dpiInputCurrent: number;
}

export function cornerShift(c: Corner, p: Profile): CornerShift {
  const s = c.process === 'slow' ? c.sigmas : c.process === 'fast' ? -c.sigmas : 0;
  const up = (sigma: number) => 1 + s * sigma;
  const down = (sigma: number) => 1 - s * sigma;
  const look = (u: Profile['rateUnit'] | Profile['errorUnit']) => up('lookaheadSigma' in u ? u.lookaheadSigma : 0);
  const shift: CornerShift = {
    corner: c,
    capacitance: up(p.membrane.capacitanceSigma),
    conductance: down(p.membrane.leakSigma),
    transferGain: down(p.transfer.gainSigma),
    synapseGain: down(p.synapses.gainSigma),
    rateLookahead: look(p.rateUnit),
    errorLookahead: look(p.errorUnit),
    ...dpiShift(s, p),
  };
  for (const [k, v] of Object.entries(shift)) {
    if (typeof v === 'number' && !(v > 0)) throw new UsageError(`corner '${c.name}': ${c.sigmas}σ of profile '${p.name}' takes the ${k} factor to ${v}; use fewer --corner-sigmas`);
  }
  return shift;
}

/** The DPI currents' factors for a process shift of s σ (the thermal voltage at the profile's temperature). */
function dpiShift(s: number, p: Profile): Pick<CornerShift, 'dpiTauCurrent' | 'dpiThresholdCurrent' | 'dpiInputCurrent'> {
  const c = p.circuit;
  if (c.kind !== 'translinear') return { dpiTauCurrent: 1, dpiThresholdCurrent: 1, dpiInputCurrent: 1 };
  const f = (sigmaV: number) => libm.exp((-s * c.kappa * sigmaV) / thermalVoltageV(c.temperatureK));
  return { dpiTauCurrent: f(c.tauSigmaV), dpiThresholdCurrent: f(c.thresholdSigmaV), dpiInputCurrent: f(c.inputSigmaV) };
}
