/**
 * Membrane (somatic) compartment: a capacitor C to ground with a leak conductance g_L to the rest level
 * E_rest, driven by the input current I:
 *
 *   C dV/dt = −g_L (V − E_rest) + I,   τ_m = C / g_L,
 *
 * limited to the supply rails [V_low, V_high] (the node cannot leave them: dV/dt is cut to 0 when it
 * pushes outward at a rail).
 *
 * Typical values: subthreshold CMOS C ≈ 3 pF with g_L ≈ 300 pS (τ = 10 ms; DYNAP-SE2 style DPI,
 * `synsense/rockpool` defaults); BrainScaleS-2 C up to 2.2 pF, τ 0.1–200 µs (default 10 µs); an op-amp
 * board 100 nF with 100 kΩ (τ = 10 ms).
 */
export interface MembraneParams {
  /** Membrane capacitance C, farad. */
  capacitanceF: number;
  /** Leak conductance g_L, siemens. */
  leakConductanceS: number;
  /** Rest level E_rest, volt (the voltage that represents u = 0 plus any offset). */
  restV: number;
  /** Supply rails, volt. */
  railLowV: number;
  railHighV: number;
}

export function membraneTauS(p: MembraneParams): number {
  return p.capacitanceF / p.leakConductanceS;
}

/** dV/dt (V/s) for a membrane at V with input current I (A), rails included. */
export function membraneRate(p: MembraneParams, V: number, currentA: number): number {
  const d = (-p.leakConductanceS * (V - p.restV) + currentA) / p.capacitanceF;
  if ((V >= p.railHighV && d > 0) || (V <= p.railLowV && d < 0)) return 0;
  return d;
}

/** Closed form: V(t) after a current step I at t = 0 from V(0) = V0 (no rails reached). */
export function membraneStepResponse(p: MembraneParams, V0: number, currentA: number, tS: number): number {
  const vInf = p.restV + currentA / p.leakConductanceS;
  return vInf + (V0 - vInf) * Math.exp(-tS / membraneTauS(p));
}

/**
 * SPICE: node `v` with C to ground and the leak as a resistor to a rest-level source; the input current
 * is injected by whoever drives node `v`. Rails are modelled by the behavioural sources that read the node.
 */
export function membraneSpice(name: string, node: string, p: MembraneParams): string[] {
  return [
    `C${name} ${node} 0 ${p.capacitanceF}`,
    `R${name} ${node} ${node}_rest ${1 / p.leakConductanceS}`,
    `V${name}rest ${node}_rest 0 DC ${p.restV}`,
  ];
}
