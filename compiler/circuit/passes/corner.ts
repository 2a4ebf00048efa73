import type { Corner } from '../../../hardware-models/profiles/corner.js';
import type { CircuitIR, PassReport, UnitCircuit } from '../ir.js';
import type { Pass } from './pass.js';

/**
 * Pass 2½ (optional), corner: the die-to-die shift of an operating corner (hardware-models/profiles/
 * corner.ts), applied to the nominal circuit before the mismatch pass draws device-to-device variation.
 * Process: every capacitance × (1 + s·σ_C), leak conductance and input-filter resistance conductance ×
 * (1 − s·σ_gL) (so τ moves by both), transfer gain × (1 − s·σ_gain), synapse conductance × (1 − s·σ_syn),
 * look-ahead constants × (1 + s·σ_lookahead), with s = +sigmas (slow), −sigmas (fast), 0 (typical).
 * Supply: the rails' span × supplyScale about the low rail. Temperature: thermal-noise PSD × T/T_profile.
 * A corner whose part has no modelled effect in this profile says so in the report's warnings.
 */
export function cornerPass(corner: Corner): Pass {
  return { name: 'corner', run: (ir) => applyCorner(ir, corner) };
}

function applyCorner(ir: CircuitIR, c: Corner): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  const p = out.profile;
  const s = c.process === 'slow' ? c.sigmas : c.process === 'fast' ? -c.sigmas : 0;
  const up = (sigma: number) => 1 + s * sigma;
  const down = (sigma: number) => Math.max(1e-3, 1 - s * sigma);
  const warnings: string[] = [];
  const lookahead = (u: UnitCircuit, sigma: number) => {
    if (u.kind === 'current-sensing') u.lookaheadS *= up(sigma);
    if (u.kind === 'lead') u.leadS *= up(sigma);
  };
  const rateSigma = 'lookaheadSigma' in p.rateUnit ? p.rateUnit.lookaheadSigma : 0;
  const errSigma = 'lookaheadSigma' in p.errorUnit ? p.errorUnit.lookaheadSigma : 0;
  const T0 = p.noise?.temperatureK ?? null;
  const T = c.temperatureK ?? T0;
  for (const n of out.neurons) {
    const m = n.membrane;
    m.capacitanceF *= up(p.membrane.capacitanceSigma);
    m.leakConductanceS *= down(p.membrane.leakSigma);
    n.nudgeConductanceS *= down(p.membrane.leakSigma);
    n.transfer.gain *= down(p.transfer.gainSigma);
    lookahead(n.rateUnit, rateSigma);
    lookahead(n.errorUnit, errSigma);
    m.railHighV = m.railLowV + (m.railHighV - m.railLowV) * c.supplyScale;
    if (T0 !== null && T !== null) n.noisePsdA2PerHz *= T / T0;
  }
  for (const inp of out.inputs) {
    inp.capacitanceF *= up(p.membrane.capacitanceSigma);
    inp.resistanceOhm /= down(p.membrane.leakSigma);
  }
  for (const a of out.arrays) for (const row of a.conductanceS) for (let j = 0; j < row.length; j++) row[j]! *= down(p.synapses.gainSigma);
  if (s !== 0 && [p.membrane.capacitanceSigma, p.membrane.leakSigma, p.transfer.gainSigma, p.synapses.gainSigma].every((x) => x === 0)) warnings.push(`process '${c.process}': profile '${p.name}' has no spread to shift (every σ is 0), so the process corner changes nothing`);
  if (c.temperatureK !== null && T0 === null) warnings.push(`temperature ${c.temperatureK} K: profile '${p.name}' models no temperature effect (no thermal noise, linear circuits)`);
  if (c.supplyScale !== 1 && out.neurons.every((n) => n.membrane.railHighV - n.membrane.railLowV > 1e5)) warnings.push(`supply × ${c.supplyScale}: profile '${p.name}' has no rails within reach, so the supply changes nothing`);
  const report: PassReport = {
    pass: 'corner',
    summary: `corner ${c.name}: process ${c.process}${s ? ` (${c.sigmas}σ die shift)` : ''}, supply × ${c.supplyScale}, ${T === null ? 'no temperature model' : `${T} K`}`,
    details: { corner: c, processShiftSigmas: s },
    warnings,
  };
  out.reports.push(report);
  return out;
}
