import type { Activation } from '../../core/activation.js';

/**
 * The network spec, format `nla-network/1`: what users write (JSON) or build (TypeScript builder).
 * Every field is documented in docs/spec.md with its unit and default. Times are in milliseconds,
 * voltages and rates dimensionless, learning rates per millisecond.
 */
export const SPEC_FORMAT = 'nla-network/1';

/** Defaults applied by validation when a field is absent. */
export const SPEC_DEFAULTS = {
  seed: 0,
  tauMs: 10,
  tauInMs: 10,
  beta: 0.1,
  activation: 'hard-sigmoid',
  etaPerMs: 1e-3,
  init: { distribution: 'normal', mean: 0, std: 0.1, cutoff: 0.3 } as InitSpec,
  betaInterneuron: 0.1 / 1.1,
  /** Paper (Fig. 5): B and B^IP drawn as 5·N(0, 0.01²) cut at ±0.15, i.e. N(0, 0.05²) cut at ±0.15. */
  feedbackInit: { distribution: 'normal', mean: 0, std: 0.05, cutoff: 0.15 } as InitSpec,
} as const;

export type InitSpec =
  | { distribution: 'normal'; mean?: number; std: number; cutoff?: number }
  | { distribution: 'uniform'; low: number; high: number }
  | { distribution: 'constant'; value: number }
  | { distribution: 'zeros' };

/** A matrix given inline (rows of numbers) or in a side file (CSV without header, or JSON rows). */
export type MatrixSpec = number[][] | { file: string };

export type ActivationSpec = string | ({ name: string } & Record<string, unknown>);

export interface InputPopulationSpec {
  name: string;
  kind: 'input';
  size: number;
  /** Low-pass time constant τ_in of the input rates, ms. */
  tauInMs?: number;
}

export interface BiasSpec {
  init?: InitSpec;
  values?: number[];
  plastic?: boolean;
}

export interface NeuronPopulationSpec {
  name: string;
  kind: 'hidden' | 'output';
  size: number;
  tauMs?: number;
  activation?: ActivationSpec;
  bias?: boolean | BiasSpec;
}

export interface InterneuronPopulationSpec {
  name: string;
  kind: 'interneuron';
  size: number;
  /** The hidden (pyramidal) population whose apical error these interneurons predict. */
  serves: string;
}

export type PopulationSpec = InputPopulationSpec | NeuronPopulationSpec | InterneuronPopulationSpec;

export interface ProjectionSpec {
  name?: string;
  from: string;
  to: string;
  init?: InitSpec;
  weights?: MatrixSpec;
  mask?: MatrixSpec | { density: number };
  plastic?: boolean;
  etaPerMs?: number;
}

export type FeedbackSpec =
  | { mode: 'transpose' }
  | { mode: 'random'; init?: InitSpec }
  | {
      mode: 'microcircuit';
      betaInterneuron?: number;
      interneuronInit?: InitSpec;
      feedbackInit?: InitSpec;
      etaPerMs?: number;
    };

/** A network spec as written (`nla-network/1` JSON or the builder's output), before defaults and validation (docs/spec.md). */
export interface NetworkSpec {
  format: typeof SPEC_FORMAT;
  name?: string;
  description?: string;
  seed?: number;
  structure?: 'auto' | 'layered' | 'recurrent';
  tauMs?: number;
  tauInMs?: number;
  activation?: ActivationSpec;
  init?: InitSpec;
  beta?: number;
  feedback?: FeedbackSpec;
  plasticity?: { enabled?: boolean; etaPerMs?: number };
  populations: PopulationSpec[];
  projections: ProjectionSpec[];
}

/* ---------- The validated, normalised spec: every default filled, every matrix loaded. ---------- */

export interface ResolvedInput {
  name: string;
  size: number;
  tauInMs: number;
}

export interface ResolvedNeuron {
  name: string;
  kind: 'hidden' | 'output';
  size: number;
  tauMs: number;
  activation: Activation;
  bias: { init: InitSpec; values: number[] | null; plastic: boolean } | null;
}

export interface ResolvedInterneuron {
  name: string;
  size: number;
  serves: string;
}

export interface ResolvedProjection {
  name: string;
  from: string;
  to: string;
  init: InitSpec;
  weights: number[][] | null;
  mask: number[][] | { density: number } | null;
  plastic: boolean;
  etaPerMs: number;
}

/** A validated network spec with every default filled (what `validateSpec` and `loadSpecFile` return, and `buildGraph` takes). */
export interface ResolvedSpec {
  format: typeof SPEC_FORMAT;
  name: string;
  seed: number;
  structure: 'auto' | 'layered' | 'recurrent';
  beta: number;
  feedback:
    | { mode: 'transpose' }
    | { mode: 'random'; init: InitSpec }
    | { mode: 'microcircuit'; betaInterneuron: number; interneuronInit: InitSpec; feedbackInit: InitSpec; etaPerMs: number };
  plasticity: { enabled: boolean; etaPerMs: number };
  inputs: ResolvedInput[];
  neurons: ResolvedNeuron[];
  interneurons: ResolvedInterneuron[];
  projections: ResolvedProjection[];
}
