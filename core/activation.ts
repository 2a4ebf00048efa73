import * as libm from './libm.js';
/**
 * Transfer functions ρ (voltage → rate) with their first and second derivatives, evaluated element-wise
 * over a slice of a voltage array. Voltages and rates are dimensionless, as in the paper.
 *
 * The registry is the single list of names that specs may use; the compiler validates against it and the
 * engines evaluate through it.
 */
export type Activation =
  | { kind: 'logistic' }
  | { kind: 'hard-sigmoid' }
  | { kind: 'clipped-relu'; max: number }
  | { kind: 'tanh' }
  | { kind: 'linear' }
  | { kind: 'depression-matched'; a: number; d: number };

export type ActivationKind = Activation['kind'];

/** Parameters each activation accepts, with their defaults (used by validation and docs). */
export const ACTIVATION_PARAMS: Record<ActivationKind, Record<string, number>> = {
  logistic: {},
  'hard-sigmoid': {},
  'clipped-relu': { max: 1 },
  tanh: {},
  linear: {},
  'depression-matched': { a: 1, d: 1 },
};

export const ACTIVATION_KINDS = Object.keys(ACTIVATION_PARAMS) as ActivationKind[];

/**
 * True when ρ' jumps somewhere (hard sigmoid and clipped ReLU at their corners, the depression-matched
 * function at 0): f = ∂L/∂u is then discontinuous where a neuron crosses that point.
 */
export function hasKink(a: Activation): boolean {
  return a.kind === 'hard-sigmoid' || a.kind === 'clipped-relu' || a.kind === 'depression-matched';
}

/** True when ρ'' = 0 wherever it is defined (piecewise-linear ρ): the Hessian then has no ρ'' term. */
export function isPiecewiseLinear(a: Activation): boolean {
  return a.kind === 'hard-sigmoid' || a.kind === 'clipped-relu' || a.kind === 'linear';
}

/**
 * Writes ρ(u), ρ'(u), ρ''(u) for u[start..end) into the same positions of `rho`, `drho`, `ddrho`.
 * Any of the outputs may be null when not needed.
 */
export function evaluateActivation(
  a: Activation,
  u: Float64Array,
  rho: Float64Array | null,
  drho: Float64Array | null,
  ddrho: Float64Array | null,
  start: number,
  end: number,
): void {
  switch (a.kind) {
    case 'logistic':
      for (let i = start; i < end; i++) {
        const s = 1 / (1 + libm.exp(-u[i]!));
        const d1 = s * (1 - s);
        if (rho) rho[i] = s;
        if (drho) drho[i] = d1;
        if (ddrho) ddrho[i] = d1 * (1 - 2 * s);
      }
      return;
    case 'hard-sigmoid':
      clipped(u, rho, drho, ddrho, start, end, 1);
      return;
    case 'clipped-relu':
      clipped(u, rho, drho, ddrho, start, end, a.max);
      return;
    case 'tanh':
      for (let i = start; i < end; i++) {
        const t = libm.tanh(u[i]!);
        const d1 = 1 - t * t;
        if (rho) rho[i] = t;
        if (drho) drho[i] = d1;
        if (ddrho) ddrho[i] = -2 * t * d1;
      }
      return;
    case 'linear':
      for (let i = start; i < end; i++) {
        if (rho) rho[i] = u[i]!;
        if (drho) drho[i] = 1;
        if (ddrho) ddrho[i] = 0;
      }
      return;
    case 'depression-matched':
      depressionMatched(a.a, a.d, u, rho, drho, ddrho, start, end);
      return;
  }
}

function clipped(
  u: Float64Array,
  rho: Float64Array | null,
  drho: Float64Array | null,
  ddrho: Float64Array | null,
  start: number,
  end: number,
  max: number,
): void {
  for (let i = start; i < end; i++) {
    const x = u[i]!;
    if (rho) rho[i] = x <= 0 ? 0 : x >= max ? max : x;
    if (drho) drho[i] = x >= 0 && x <= max ? 1 : 0;
    if (ddrho) ddrho[i] = 0;
  }
}

/**
 * The transfer function for which a depressing synapse with release factor v(r̄) = 1 + a/(1 + d r̄)
 * returns the presynaptic voltage (theory §6): r̄ = ½(u − θ + √((u − θ)² + 4u/d)), θ = (1 + a)/d, for
 * u ≥ 0, and 0 below. With q = (u − θ)² + 4u/d: ρ' = ½(1 + q'/(2√q)), ρ'' = (4q − q'²)/(8 q^{3/2}).
 */
function depressionMatched(
  a: number,
  d: number,
  u: Float64Array,
  rho: Float64Array | null,
  drho: Float64Array | null,
  ddrho: Float64Array | null,
  start: number,
  end: number,
): void {
  const theta = (1 + a) / d;
  for (let i = start; i < end; i++) {
    const x = u[i]!;
    if (x < 0) {
      if (rho) rho[i] = 0;
      if (drho) drho[i] = 0;
      if (ddrho) ddrho[i] = 0;
      continue;
    }
    const q = (x - theta) * (x - theta) + (4 * x) / d;
    const s = Math.sqrt(q);
    const dq = 2 * (x - theta) + 4 / d;
    if (rho) rho[i] = 0.5 * (x - theta + s);
    if (drho) drho[i] = 0.5 * (1 + dq / (2 * s));
    if (ddrho) ddrho[i] = (4 * q - dq * dq) / (8 * q * s);
  }
}

/** Scalar convenience: ρ(u) for one value. */
export function activationValue(a: Activation, u: number): number {
  const buf = new Float64Array([u]);
  const out = new Float64Array(1);
  evaluateActivation(a, buf, out, null, null, 0, 1);
  return out[0]!;
}

/** ρ(u), ρ′(u) and ρ″(u) at one voltage (for analysis code; engines use evaluateActivation on arrays). */
export function activationAt(a: Activation, u: number): { rho: number; d1: number; d2: number } {
  const out = new Float64Array(3);
  evaluateActivation(a, Float64Array.of(u), out.subarray(0, 1), out.subarray(1, 2), out.subarray(2, 3), 0, 1);
  return { rho: out[0]!, d1: out[1]!, d2: out[2]! };
}

/** Human-readable form (`clipped-relu(max=6)`). */
export function describeActivation(a: Activation): string {
  const params = Object.entries(a)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}=${v}`);
  return params.length ? `${a.kind}(${params.join(', ')})` : a.kind;
}

/**
 * The voltages where ρ' jumps (ascending), for mode-locked evaluation: the hard sigmoid's and clipped
 * ReLU's corners 0 and max, the depression-matched function's 0; none for smooth functions. Between and
 * beyond them ρ is one smooth piece each (piece p lies between kink p − 1 and kink p).
 */
export function activationKinks(a: Activation): number[] {
  switch (a.kind) {
    case 'hard-sigmoid':
      return [0, 1];
    case 'clipped-relu':
      return [0, a.max];
    case 'depression-matched':
      return [0];
    default:
      return [];
  }
}

/**
 * ρ, ρ', ρ'' of piece `piece` (0 … kinks.length) of a kinked activation at u[i], the piece extended
 * beyond its kinks (a constant stays constant, the identity stays the identity, the depression-matched
 * branch continues its formula while its square root is real, and is 0 beyond):
 * what a solver sees while a neuron's mode is locked. Writes position i of each non-null output.
 */
export function evaluateActivationPiece(a: Activation, piece: number, u: Float64Array, rho: Float64Array | null, drho: Float64Array | null, ddrho: Float64Array | null, i: number): void {
  const x = u[i]!;
  let r = 0;
  let d1 = 0;
  let d2 = 0;
  if (a.kind === 'hard-sigmoid' || a.kind === 'clipped-relu') {
    const max = a.kind === 'hard-sigmoid' ? 1 : a.max;
    if (piece === 1) {
      r = x;
      d1 = 1;
    } else r = piece === 0 ? 0 : max;
  } else if (a.kind === 'depression-matched') {
    if (piece === 1) {
      const theta = (1 + a.a) / a.d;
      const q = (x - theta) * (x - theta) + (4 * x) / a.d;
      if (q > 0) {
        const s = Math.sqrt(q);
        const dq = 2 * (x - theta) + 4 / a.d;
        r = 0.5 * (x - theta + s);
        d1 = 0.5 * (1 + dq / (2 * s));
        d2 = (4 * q - dq * dq) / (8 * q * s);
      }
    }
  } else {
    evaluateActivation(a, u, rho, drho, ddrho, i, i + 1);
    return;
  }
  if (rho) rho[i] = r;
  if (drho) drho[i] = d1;
  if (ddrho) ddrho[i] = d2;
}
