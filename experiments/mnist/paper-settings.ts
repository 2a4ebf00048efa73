import { UsageError } from '../../core/errors.js';
import { integerParam, positiveParam } from '../params.js';
import { inputProductsParam, paperDtMs, PRESENTATIONS_MS, type InputProductsMode } from './settings.js';

/** The methods of the paper protocol: rt-DeEP, and back-propagation on the same presentations with the same budget. */
export const PAPER_METHODS = ['rt-deep', 'backprop'] as const;
export type PaperMethod = (typeof PAPER_METHODS)[number];

/**
 * The paper's MNIST protocol (Methods, "MNIST"): 784-500-10 with biases, hard sigmoid, β = 0.1,
 * τ = τ_in = 10 ms, weights N(0, 0.01²) cut at ±0.03, dt = paperDtMs(T), η = 10⁻³ per ms "then reduced
 * to η = 10⁻⁴ after 22 000 s" of training time. The paper does not say how long it continued at 10⁻⁴:
 * `continueS` (default 2,200 s, a tenth of the first phase) is this toolkit's choice. Training time,
 * not presentations, is what the paper holds equal across presentation times, so T = 50 ms sees twice
 * the presentations of T = 100 ms.
 */
export interface PaperSettings {
  quick: boolean;
  downsample: 1 | 2;
  sizes: [number, number, number];
  presentationsMs: number[];
  methods: PaperMethod[];
  /** η per ms before and after the switch. */
  etaPerMs: [number, number];
  /** Simulated training time at the first η, s (the paper's 22,000 s). */
  switchS: number;
  /** Simulated training time at the second η, s (not given by the paper). */
  continueS: number;
  /** Stop after this many presentations instead of the full schedule (a measurement or a partial run), or null. */
  trainLimit: number | null;
  testSamples: number;
  curveTestSamples: number;
  /** A checkpoint (and a point of the learning curve) every this many presentations. */
  checkpointEvery: number;
  beta: number;
  tauMs: number;
  tauInMs: number;
  init: { distribution: 'normal'; mean: number; std: number; cutoff: number };
  seed: number;
  /** The digital engine's input products (DigitalOptions.inputProducts): the reference, carried, or carried with low-rank updates (fastest). */
  inputProducts: InputProductsMode;
}

/** The --param keys the paper protocol reads (the others of the mnist experiment are refused with it). */
export const PAPER_PARAM_KEYS = ['protocol', 'presentation', 'train', 'test', 'methods', 'switchS', 'continueS', 'checkpointEvery', 'inputProducts'];

/** The paper protocol's settings, with --param overrides; quick mode: 196-100-10 on 14 × 14 images. */
export function paperSettings(quick: boolean, params: Record<string, string>, seed: number): PaperSettings {
  const bad = Object.keys(params).find((k) => !PAPER_PARAM_KEYS.includes(k));
  if (bad !== undefined) throw new UsageError(`--param ${bad}: not a setting of protocol=paper (it takes ${PAPER_PARAM_KEYS.filter((k) => k !== 'protocol').join(', ')})`);
  const s: PaperSettings = {
    quick,
    downsample: quick ? 2 : 1,
    sizes: quick ? [196, 100, 10] : [784, 500, 10],
    presentationsMs: [100, 50],
    methods: [...PAPER_METHODS],
    etaPerMs: [1e-3, 1e-4],
    switchS: 22_000,
    continueS: 2_200,
    trainLimit: null,
    testSamples: 10_000,
    curveTestSamples: 1000,
    checkpointEvery: 5000,
    beta: 0.1,
    tauMs: 10,
    tauInMs: 10,
    init: { distribution: 'normal', mean: 0, std: 0.01, cutoff: 0.03 },
    seed,
    inputProducts: 'recompute',
  };
  if (params.presentation !== undefined) {
    const p = Number(params.presentation);
    if (!PRESENTATIONS_MS.includes(p)) throw new UsageError(`--param presentation: expected one of ${PRESENTATIONS_MS.join(', ')} (ms), got '${params.presentation}'`);
    s.presentationsMs = [p];
  }
  if (params.methods !== undefined) s.methods = paperMethods(params.methods);
  if (params.train !== undefined) s.trainLimit = integerParam(params, 'train', 0, 1, 1e9);
  s.testSamples = integerParam(params, 'test', s.testSamples, 1, 10_000);
  s.curveTestSamples = Math.min(s.curveTestSamples, s.testSamples);
  s.switchS = positiveParam(params, 'switchS', s.switchS, 'a positive simulated time in s');
  s.continueS = numberOrZero(params, 'continueS', s.continueS);
  s.checkpointEvery = integerParam(params, 'checkpointEvery', s.checkpointEvery, 1, 1e9);
  s.inputProducts = inputProductsParam(params) ?? s.inputProducts;
  for (const T of s.presentationsMs) switchPresentation(s, T);
  return s;
}

/** The presentation index at which η switches (the first presentation at the second η). */
export function switchPresentation(s: PaperSettings, presentationMs: number): number {
  const k = Math.round((s.switchS * 1000) / presentationMs);
  if (Math.abs(k * presentationMs - s.switchS * 1000) > 1e-9 * s.switchS * 1000) {
    throw new UsageError(`--param switchS: ${s.switchS} s is not a whole number of ${presentationMs} ms presentations`);
  }
  return k;
}

/** Presentations of the full schedule at T, or the --param train limit. */
export function totalPresentations(s: PaperSettings, presentationMs: number): number {
  const full = Math.round(((s.switchS + s.continueS) * 1000) / presentationMs);
  return s.trainLimit === null ? full : Math.min(full, s.trainLimit);
}

/** η per ms at presentation k (0-based). */
export function etaAt(s: PaperSettings, presentationMs: number, k: number): number {
  return k < switchPresentation(s, presentationMs) ? s.etaPerMs[0] : s.etaPerMs[1];
}

/**
 * What determines the numbers of one presentation time's run: a checkpoint must match all of it (the
 * stopping point `train` and the final test size `test` may change between sessions).
 */
export function paperRunSettings(s: PaperSettings, presentationMs: number): Record<string, unknown> {
  return {
    protocol: 'paper',
    sizes: s.sizes.join('-'),
    downsample: s.downsample,
    presentationMs,
    dtMs: paperDtMs(presentationMs),
    methods: s.methods.join(','),
    etaPerMs: s.etaPerMs.join(','),
    switchS: s.switchS,
    continueS: s.continueS,
    curveTestSamples: s.curveTestSamples,
    checkpointEvery: s.checkpointEvery,
    beta: s.beta,
    tauMs: s.tauMs,
    tauInMs: s.tauInMs,
    init: `${s.init.distribution}(${s.init.mean}, ${s.init.std}) cut at ±${s.init.cutoff}`,
    seed: s.seed,
    // only when not the reference, so that checkpoints of reference runs keep their settings hash
    ...(s.inputProducts !== 'recompute' ? { inputProducts: s.inputProducts } : {}),
  };
}

function numberOrZero(params: Record<string, string>, key: string, dflt: number): number {
  const v = params[key];
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new UsageError(`--param ${key}: expected a simulated time ≥ 0 in s, got '${v}'`);
  return x;
}

function paperMethods(v: string): PaperMethod[] {
  const names = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const bad = names.find((x) => !(PAPER_METHODS as readonly string[]).includes(x));
  if (bad !== undefined || !names.includes('rt-deep')) {
    throw new UsageError(`--param methods: protocol=paper trains rt-deep, optionally with backprop (expected 'rt-deep' or 'rt-deep,backprop'), got '${v}'`);
  }
  return PAPER_METHODS.filter((m) => names.includes(m));
}
