import type { CircuitIR } from '../circuit/ir.js';

/** A number as SPICE reads it (JavaScript's shortest exact form; no SPICE suffixes). */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`SPICE: a non-finite value (${x}) reached the netlist`);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential() : String(x);
}

/** `name*factor` as a brace expression, the factor exact (a relative value against a named parameter). */
export function times(param: string, factor: number): string {
  return factor === 1 ? `{${param}}` : `{${param}*${num(factor)}}`;
}

/** `{name+offset}`, the offset exact and signed. */
export function plus(param: string, offset: number): string {
  return offset === 0 ? `{${param}}` : offset > 0 ? `{${param}+${num(offset)}}` : `{${param}-${num(-offset)}}`;
}

/** A time in seconds as `{<model ms>*tscale}`: the value in model time, scaled by the profile's time scale. */
export function seconds(ir: CircuitIR, s: number): string {
  return `{${num(s / ir.timeScale)}*tscale}`;
}

/**
 * The profile's values as named parameters every instance refers to: time scale, volts per unit, rest
 * level and rails, the membrane capacitance (also the capacitor of lead stages, differentiators and
 * pools: one capacitor size for the whole chip), the lead stages' pole ratios and swing, β and β^I.
 */
export function paramLines(ir: CircuitIR): string[] {
  const p = ir.profile;
  const lines = [
    '* profile values (SI units); instances give their own value as a multiple or offset of these',
    '* s of circuit time per ms of model time', `.param tscale=${num(ir.timeScale)}`,
    '* V per unit of u, rates and errors', `.param vunit=${num(ir.voltsPerUnit)}`,
    '* V that represents u = 0 (nominal rest level)', `.param erest=${num(p.membrane.restV)}`,
    '* supply rails, V', `.param vlow=${num(p.membrane.railLowV)} vhigh=${num(p.membrane.railHighV)}`,
    '* membrane capacitance (nominal), F', `.param cm=${num(p.membrane.capacitanceF)}`,
    '* capacitor of lead stages, differentiators, low-passes and pools, F', `.param cstage=${num(p.membrane.capacitanceF)}`,
    '* nudging strength β', `.param beta=${num(ir.structure.beta)}`,
  ];
  if (ir.interneurons.length) lines.push('* interneurons: nudging strength β^I', `.param beta_i=${num(ir.structure.betaInterneuron)}`);
  if (p.rateUnit.kind === 'lead') lines.push('* rate lead stage: τ_p/τ, swing (units)', `.param pole_rate=${num(p.rateUnit.poleRatio)} rmax=${num(p.rateUnit.maxRate)}`);
  if (p.errorUnit.kind === 'lead') lines.push('* error lead stage: τ_p/τ', `.param pole_err=${num(p.errorUnit.poleRatio)}`);
  return lines;
}
