import type { CornerShift } from '../../../hardware-models/profiles/corner.js';
import type { CircuitIR, PassReport, UnitCircuit } from '../ir.js';
import type { Pass } from './pass.js';

/**
 * Pass 2½ (optional), corner: the die-to-die shift of an operating corner (hardware-models/profiles/
 * corner.ts), applied to the nominal circuit before the mismatch pass draws device-to-device variation.
 * Process (factors resolved from the full profile by `cornerShift`): every capacitance × (1 + s·σ_C), leak
 * and nudging conductance and input-filter 1/R × (1 − s·σ_gL) (so τ moves by both), transfer gain ×
 * (1 − s·σ_gain), synapse conductance × (1 − s·σ_syn), look-ahead constants × (1 + s·σ_lookahead), with
 * s = +sigmas (slow), −sigmas (fast), 0 (typical).
 * Translinear DPI pairs: I_τ, I_th and the input currents × the shift's factors. Supply: the rails' span ×
 * supplyScale about the low rail. Temperature: thermal-noise PSD × T/T_profile, and DPI pairs run at T.
 * A corner whose part has no modelled effect in this profile says so in the report's warnings.
 */
export function cornerPass(shift: CornerShift): Pass {
  return { name: 'corner', run: (ir) => applyCorner(ir, shift) };
}

function applyCorner(ir: CircuitIR, k: CornerShift): CircuitIR {
  const out: CircuitIR = structuredClone(ir);
  const p = out.profile;
  const c = k.corner;
  const warnings: string[] = [];
  const lookahead = (u: UnitCircuit, f: number) => {
    if (u.kind === 'current-sensing') u.lookaheadS *= f;
    if (u.kind === 'lead') u.leadS *= f;
  };
  const T0 = p.noise?.temperatureK ?? (p.circuit.kind === 'translinear' ? p.circuit.temperatureK : null);
  const T = c.temperatureK ?? T0;
  for (const n of out.neurons) {
    const m = n.membrane;
    m.capacitanceF *= k.capacitance;
    m.leakConductanceS *= k.conductance;
    n.nudgeConductanceS *= k.conductance;
    n.transfer.gain *= k.transferGain;
    lookahead(n.rateUnit, k.rateLookahead);
    lookahead(n.errorUnit, k.errorLookahead);
    m.railHighV = m.railLowV + (m.railHighV - m.railLowV) * c.supplyScale;
    if (p.noise && T !== null) n.noisePsdA2PerHz *= T / p.noise.temperatureK;
    if (n.dpi) {
      if (c.temperatureK !== null) n.dpi.temperatureK = c.temperatureK;
      for (const half of [n.dpi.plus, n.dpi.minus]) {
        half.tauCurrentA *= k.dpiTauCurrent;
        half.thresholdCurrentA *= k.dpiThresholdCurrent;
        half.inputScale *= k.dpiInputCurrent;
      }
    }
  }
  for (const inp of out.inputs) {
    inp.capacitanceF *= k.capacitance;
    inp.resistanceOhm /= k.conductance;
  }
  for (const a of out.arrays) for (const row of a.conductanceS) for (let j = 0; j < row.length; j++) row[j]! *= k.synapseGain;
  const moved = [k.capacitance, k.conductance, k.transferGain, k.synapseGain].some((f) => f !== 1);
  if (c.process !== 'typical' && !moved) warnings.push(`process '${c.process}': profile '${p.name}' has no spread to shift (every σ is 0), so the process corner changes nothing`);
  if (c.temperatureK !== null && T0 === null) warnings.push(`temperature ${c.temperatureK} K: profile '${p.name}' models no temperature effect (no thermal noise, linear circuits)`);
  if (c.supplyScale !== 1 && out.neurons.every((n) => n.membrane.railHighV - n.membrane.railLowV > 1e5)) warnings.push(`supply × ${c.supplyScale}: profile '${p.name}' has no rails within reach, so the supply changes nothing`);
  const report: PassReport = {
    pass: 'corner',
    summary: `corner ${c.name}: process ${c.process}${c.process !== 'typical' ? ` (${c.sigmas}σ die shift: C × ${k.capacitance.toFixed(3)}, g × ${k.conductance.toFixed(3)})` : ''}, supply × ${c.supplyScale}, ${T === null ? 'no temperature model' : `${T} K`}`,
    details: { ...k },
    warnings,
  };
  out.reports.push(report);
  return out;
}
