import type { ArrayCircuit, CircuitIR } from '../ir.js';
import type { UnitMeter } from './calibrate.js';

/** What per-synapse calibration did to one array (the calibrate pass's report, `details.synapses`). */
export interface SynapseArrayTrim {
  /** The array (`ArrayCircuit.realises`). */
  array: string;
  /** Whether its cells were reprogrammed (DAC arrays only). */
  trimmed: boolean;
  /** Why not, for an array left as it was (resistors, ideal synapses). */
  skipped?: string;
  /** Synapses with a nonzero nominal weight: the ones measured and trimmed. */
  synapses: number;
  /** rms of the measured relative gain G/G_nominal − 1 over those synapses, before and after the code trim. */
  rmsGainErrorBefore: number;
  rmsGainErrorAfter: number;
  /** Cells whose best code lay beyond ±(2^bits − 1), set to the end of the range. */
  clamped: number;
  /** Cells whose gain could not be measured (≤ 0 or not finite): left at their code, named in a warning. */
  unmeasurable: number;
}

/**
 * Per-synapse calibration of DAC arrays (runs on `out` in place, before the neuron trims of the calibrate
 * pass). For each array the meter measures every cell's gain γ_ij = G_ij / G_nominal,ij (a DC measurement of
 * one presynaptic line's current, `UnitMeter.measureSynapses`). A DAC cell realises G = code · g_cell with its
 * own gain g_cell (the mismatch of the cell), so the code that best realises the nominal conductance is
 * round(code / γ), clamped to ±(2^bits − 1); the conductance follows the code, G ← G · code_new / code. The
 * residual relative error is the DAC's quantisation, at most γ / (2 |code_nominal|), or where the clamp
 * bites 1 − (2^bits − 1) γ / |code_nominal|. Resistor and ideal arrays have no code to reprogram: they are
 * reported as skipped, with the measured error left as it is.
 */
export function trimSynapses(out: CircuitIR, nominal: CircuitIR, meter: UnitMeter): { arrays: SynapseArrayTrim[]; warnings: string[] } {
  const warnings: string[] = [];
  const arrays = out.arrays.map((a, k) => {
    const before = meter.measureSynapses(out, nominal, k);
    const nominalCodes = nominal.arrays[k]!.codes;
    const reason = skipReason(a);
    if (reason !== null || !nominalCodes) {
      const e = gainErrorRms(before);
      return { array: a.realises, trimmed: false, skipped: reason ?? 'no DAC codes', synapses: e.n, rmsGainErrorBefore: e.rms, rmsGainErrorAfter: e.rms, clamped: 0, unmeasurable: 0 };
    }
    const { clamped, unmeasurable } = reprogram(a, nominalCodes, before);
    if (unmeasurable.length) warnings.push(`${a.realises}: ${unmeasurable.length} synapse(s) with no measurable gain left at their code (${unmeasurable.slice(0, 5).join(', ')}${unmeasurable.length > 5 ? ', …' : ''})`);
    const e0 = gainErrorRms(before);
    const e1 = gainErrorRms(meter.measureSynapses(out, nominal, k));
    return { array: a.realises, trimmed: true, synapses: e0.n, rmsGainErrorBefore: e0.rms, rmsGainErrorAfter: e1.rms, clamped, unmeasurable: unmeasurable.length };
  });
  return { arrays, warnings };
}

/** Why an array cannot be trimmed per synapse, or null for a DAC array. */
function skipReason(a: ArrayCircuit): string | null {
  if (a.realisation.kind === 'dac') return null;
  if (a.realisation.kind === 'conductance') return 'resistors (conductance realisation): fixed at assembly, no code to reprogram';
  return 'ideal synapses: no code to reprogram';
}

/**
 * Sets each measured cell's code to the one that best realises its nominal code given its gain: the
 * nearest integer to code/γ, clamped to the DAC range. Returns the clamp count and the unmeasurable cells.
 */
function reprogram(a: ArrayCircuit, nominalCodes: number[][], gain: Float64Array): { clamped: number; unmeasurable: string[] } {
  const max = a.realisation.kind === 'dac' ? 2 ** a.realisation.bits - 1 : 0;
  const codes = a.codes!;
  let clamped = 0;
  const unmeasurable: string[] = [];
  for (let r = 0; r < a.rows; r++) {
    const row = a.conductanceS[r]!;
    for (let c = 0; c < a.cols; c++) {
      const g = gain[r * a.cols + c]!;
      if (Number.isNaN(g) || nominalCodes[r]![c] === 0) continue; // nominally 0: nothing to realise
      const code = codes[r]![c]!;
      if (!(g > 0 && Number.isFinite(g)) || code === 0) {
        unmeasurable.push(`[${r}][${c}]`);
        continue;
      }
      const ideal = Math.round(code / g);
      const next = Math.max(-max, Math.min(max, ideal));
      if (next !== ideal) clamped++;
      row[c] = (row[c]! * next) / code;
      codes[r]![c] = next;
    }
  }
  return { clamped, unmeasurable };
}

/** rms of γ − 1 over the measured cells (NaN marks a nominally absent synapse). */
function gainErrorRms(gain: Float64Array): { rms: number; n: number } {
  let s = 0;
  let n = 0;
  for (const g of gain) {
    if (Number.isNaN(g)) continue;
    s += (g - 1) ** 2;
    n++;
  }
  return { rms: n ? Math.sqrt(s / n) : 0, n };
}

/** One line of the calibrate report: each array's rms gain error before → after, clamps, and skips. */
export function synapseTrimSummary(arrays: SynapseArrayTrim[]): string {
  const pct = (x: number) => `${(x * 100).toPrecision(3)} %`;
  const trimmed = arrays.filter((a) => a.trimmed);
  const skipped = arrays.filter((a) => !a.trimmed);
  const parts = trimmed.map((a) => `${a.array} ${pct(a.rmsGainErrorBefore)} → ${pct(a.rmsGainErrorAfter)} (${a.clamped} clamped)`);
  const head = trimmed.length ? `per-synapse DAC codes, rms gain error ${parts.join(', ')}` : 'per-synapse DAC codes: no DAC array to trim';
  const tail = skipped.length ? `; not trimmable per synapse: ${skipped.map((a) => `${a.array} (${a.skipped}; rms gain error ${pct(a.rmsGainErrorBefore)})`).join(', ')}` : '';
  return head + tail;
}
