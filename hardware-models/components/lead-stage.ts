/**
 * Lead stage (differentiating network) that turns a signal x into the prospective x + τ_L dx/dt, with
 * the finite bandwidth of a real circuit: a parasitic pole τ_p,
 *
 *   H(s) = (1 + s τ_L) / (1 + s τ_p).
 *
 * Realised with one internal state z (the pole): τ_p dz/dt = x − z, output y = k x + (1 − k) z with
 * k = τ_L/τ_p, then limited to [yMin, yMax]. As τ_p → 0 the stage becomes the exact look-ahead; a finite
 * τ_p delays the prospective signal by about τ_p.
 *
 * Typical values: a compensated op-amp differentiator has τ_p/τ ≈ √(2/(ω_t τ)) — 0.56 % for τ = 10 ms
 * and a 1 MHz gain-bandwidth (analog-notes.md); on-chip lead networks are limited by their parasitic
 * capacitances to τ_p/τ of 10⁻³–10⁻².
 */
export interface LeadParams {
  /** Look-ahead (lead) time constant τ_L, seconds. */
  leadS: number;
  /** Parasitic pole τ_p, seconds (> 0). */
  poleS: number;
  /** Output limits (same unit as the signal). */
  outMin: number;
  outMax: number;
}

/** Output of the stage for input x and internal state z (before limiting: `clip` = false). */
export function leadOutput(p: LeadParams, x: number, z: number, clip = true): number {
  const k = p.leadS / p.poleS;
  const y = k * x + (1 - k) * z;
  if (!clip) return y;
  return y < p.outMin ? p.outMin : y > p.outMax ? p.outMax : y;
}

/** dz/dt of the internal state, per second. */
export function leadStateRate(p: LeadParams, x: number, z: number): number {
  return (x - z) / p.poleS;
}

/** Transfer function at angular frequency ω: gain |H| and phase arg H (radians). */
export function leadTransfer(p: LeadParams, omega: number): { gain: number; phase: number } {
  const gain = Math.hypot(1, omega * p.leadS) / Math.hypot(1, omega * p.poleS);
  return { gain, phase: Math.atan(omega * p.leadS) - Math.atan(omega * p.poleS) };
}

/**
 * Closed-form output for a ramp x(t) = c·t from rest (z(0) = 0):
 * z = c(t − τ_p(1 − e^{−t/τ_p})), y = k c t + (1 − k) z → c(t + τ_L) − c(τ_L − τ_p) e^{−t/τ_p}.
 */
export function leadRampResponse(p: LeadParams, slope: number, tS: number): number {
  const k = p.leadS / p.poleS;
  const z = slope * (tS - p.poleS * (1 - Math.exp(-tS / p.poleS)));
  return k * slope * tS + (1 - k) * z;
}

/**
 * SPICE: input node `in`, output node `out`, internal node `${out}_z` (a 1 F capacitor with a 1/τ_p
 * conductance makes τ_p dz/dt = x − z); the output is a behavioural voltage source.
 */
export function leadSpice(name: string, inNode: string, outNode: string, p: LeadParams, scale = 1): string[] {
  const k = p.leadS / p.poleS;
  const z = `${outNode}_z`;
  return [
    `B${name}z 0 ${z} I=(v(${inNode})-v(${z}))/${p.poleS}`,
    `C${name}z ${z} 0 1`,
    `B${name} ${outNode} 0 V=min(max(${k}*v(${inNode})+${1 - k}*v(${z}), ${p.outMin * scale}), ${p.outMax * scale})`,
  ];
}
