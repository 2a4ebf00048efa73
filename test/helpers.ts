import { evaluateActivation, type Activation } from '../core/activation.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import type { Profile } from '../hardware-models/profiles/profile.js';
import { validateProfile } from '../hardware-models/profiles/validate.js';
import type { DigitalSimulator } from '../emulator/digital/simulator.js';
import type { Drive } from '../emulator/drive.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../emulator/stimulus/signal.js';

/** Smooth, continuously changing rates in (0.1, 0.9): sums of two sinusoids per channel. */
export function sines(channels: number, seed = 1, periodMs = 60): FunctionSignal {
  const f = (t: number, c: number) =>
    0.5 + 0.25 * Math.sin((2 * Math.PI * t) / (periodMs * (1 + 0.37 * c)) + seed + c) + 0.15 * Math.sin((2 * Math.PI * t) / (periodMs * 2.3 * (1 + 0.11 * c)) + 2 * seed);
  const df = (t: number, c: number) => {
    const w1 = (2 * Math.PI) / (periodMs * (1 + 0.37 * c));
    const w2 = (2 * Math.PI) / (periodMs * 2.3 * (1 + 0.11 * c));
    return 0.25 * w1 * Math.cos(w1 * t + seed + c) + 0.15 * w2 * Math.cos(w2 * t + 2 * seed);
  };
  return new FunctionSignal(channels, f, df);
}

/** Smooth targets in a voltage range around `mid`. */
export function targetSines(channels: number, mid = 0.4, amp = 0.3, periodMs = 90): FunctionSignal {
  return new FunctionSignal(
    channels,
    (t, c) => mid + amp * Math.sin((2 * Math.PI * t) / periodMs + 1.3 * c),
    (t, c) => amp * ((2 * Math.PI) / periodMs) * Math.cos((2 * Math.PI * t) / periodMs + 1.3 * c),
  );
}

export function drive(g: NlaGraph, target = false, seed = 1): Drive {
  return new SignalDrive(sines(g.nStimulusInputs, seed), target ? targetSines(g.outputs.length) : null);
}

/** Runs `steps` steps, calling `each` in every step's observer. */
export function run(sim: DigitalSimulator, d: Drive, steps: number, each?: (s: DigitalSimulator, k: number) => void): void {
  for (let k = 0; k < steps; k++) sim.step(d, each ? (s) => each(s, k) : undefined);
}

/** Independent ρ, ρ' of one activation (test-side, straight from the formulas). */
export function rho(a: Activation, u: number): [number, number] {
  const x = new Float64Array([u]);
  const r = new Float64Array(1);
  const d = new Float64Array(1);
  switch (a.kind) {
    case 'logistic': {
      const s = 1 / (1 + Math.exp(-u));
      return [s, s * (1 - s)];
    }
    case 'tanh':
      return [Math.tanh(u), 1 - Math.tanh(u) ** 2];
    case 'hard-sigmoid':
      return [Math.min(1, Math.max(0, u)), u >= 0 && u <= 1 ? 1 : 0];
    case 'linear':
      return [u, 1];
    default:
      evaluateActivation(a, x, r, d, null, 0, 1);
      return [r[0]!, d[0]!];
  }
}

/** Population index → ordered layers of a layered graph built by layeredNetwork (in, h1…, out). */
export function layerOffsets(g: NlaGraph): Array<{ offset: number; size: number }> {
  return g.neurons.map((p) => ({ offset: p.offset, size: p.size }));
}

/** y = W x for a row-major rows×cols matrix (plain loops, test-side). */
export function matVec(W: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): number[] {
  const y = new Array<number>(rows).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r]! += W[r * cols + c]! * x[c]!;
  return y;
}

export function matTVec(W: ArrayLike<number>, rows: number, cols: number, y: ArrayLike<number>): number[] {
  const x = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x[c]! += W[r * cols + c]! * y[r]!;
  return x;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The accelerated profile (1 model ms = 1 µs) without mismatch: nominal membranes, transfer and synapses,
 * lead stages with no look-ahead spread; `noise: false` also switches its thermal noise off.
 */
export function acceleratedNominal(o: { noise: boolean }): Profile {
  return validateProfile({
    format: 'nla-profile/1',
    name: o.noise ? 'accelerated-no-mismatch' : 'accelerated-nominal',
    extends: 'accelerated',
    membrane: { capacitanceSigma: 0, leakSigma: 0, offsetSigmaV: 0 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { realisation: { kind: 'dac', bits: 6, fullScale: 'auto' }, gainSigma: 0 },
    rateUnit: { kind: 'lead', poleRatio: 0.02, lookaheadSigma: 0, maxRate: 2 },
    errorUnit: { kind: 'lead', poleRatio: 0.02, lookaheadSigma: 0 },
    ...(o.noise ? {} : { noise: null }),
  });
}

/** Pearson correlation of two equally long samples. */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((x, i) => {
    sab += (x - ma) * (b[i]! - mb);
    saa += (x - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}
