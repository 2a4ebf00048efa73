import { UsageError } from '../../core/errors.js';
import { integerParam, positiveParam } from '../params.js';

/** Presentation times of the paper's Fig. 4c, ms. */
export const PRESENTATIONS_MS = [5, 10, 50, 100, 200];

/** Paper (Methods): dt = 0.05, 0.1, 0.5 ms for 5, 10, 50 ms presentations, 1 ms otherwise. */
export function paperDtMs(presentationMs: number): number {
  return presentationMs <= 5 ? 0.05 : presentationMs <= 10 ? 0.1 : presentationMs <= 50 ? 0.5 : 1;
}

/**
 * The methods an mnist run can train: rt-DeEP (lookahead), the control without lookahead, plain
 * back-propagation on the clean images (one step per presentation), and back-propagation at every
 * time step on the filtered stream (the paper's Fig. 4c1 reference).
 */
export const MNIST_METHODS = ['rt-deep', 'no-lookahead', 'backprop', 'backprop-per-step'] as const;
export type MnistMethod = (typeof MNIST_METHODS)[number];

/** Everything that determines an mnist run's numbers. */
export interface MnistSettings {
  quick: boolean;
  /** 1 = 28 × 28 images, 2 = 14 × 14 (2 × 2 means). */
  downsample: 1 | 2;
  sizes: [number, number, number];
  presentationsMs: number[];
  /** What is trained at each presentation time (default: all of MNIST_METHODS). */
  methods: MnistMethod[];
  trainSamples: number;
  testSamples: number;
  /** Test images for the learning curves (settled readout at each checkpoint). */
  curveTestSamples: number;
  checkpoints: number;
  /**
   * Learning budget per presentation λ = η·β·T: what the NLA rule Ẇ = η ē r̄ᵀ with ē_out = β(u* − u)
   * integrates to over one settled presentation of length T, and the back-propagation control's
   * per-sample learning rate. Each presentation time gets the same λ, so η = λ/(β·T) per ms.
   */
  lrPerPresentation: number;
  /** A fixed η per ms for every presentation time instead (the paper's style), or null. */
  fixedEtaPerMs: number | null;
  beta: number;
  tauMs: number;
  tauInMs: number;
  init: { distribution: 'normal'; mean: number; std: number; cutoff: number };
  seed: number;
  /** The NLA learners' input products (DigitalOptions.inputProducts; default the bit-for-bit reference). */
  inputProducts: InputProductsMode;
}

/** DigitalOptions.inputProducts as `--param inputProducts` names it. */
export type InputProductsMode = 'recompute' | 'incremental' | 'lowrank';

/** `--param inputProducts`, checked (undefined: not given). */
export function inputProductsParam(params: Record<string, string>): InputProductsMode | undefined {
  const v = params.inputProducts;
  if (v === undefined) return undefined;
  if (v !== 'recompute' && v !== 'incremental' && v !== 'lowrank') throw new UsageError(`--param inputProducts: expected recompute, incremental or lowrank, got '${v}'`);
  return v;
}

export const MNIST_PARAMS: Record<string, string> = {
  presentation: `presentation time in ms, one of ${PRESENTATIONS_MS.join(', ')} (default: all; quick: 5 and 50)`,
  train: 'training presentations per presentation time and method (default 20000; quick 1200)',
  test: 'test images (default all 10000; quick 300)',
  lr: 'learning budget per presentation λ = η·β·T, the same at every presentation time, so η = λ/(β·T) per ms (default 0.02, which gives η = 2e-3/ms at 100 ms, near the paper\'s 1e-3; quick 0.1, to learn in 1200 presentations)',
  tauInMs: 'time constant τ_in of the input low-pass (and of the target filter), ms (default 10 as in the paper, which notes a smaller τ_in would help at short presentations)',
  methods: `comma-separated subset of ${MNIST_METHODS.join(', ')} (default: all; 'backprop-per-step' is back-propagation at every time step on the filtered input stream, the paper's reference at 5 ms)`,
  etaPerMs: 'a fixed learning rate η per ms at every presentation time instead of λ (the paper used 1e-3 with training time, not presentations, held equal)',
  protocol: "'paper': the paper's schedule, 784-500-10 for switchS = 22,000 s of simulated time at η = 1e-3, then continueS at 1e-4, presentations 100 and 50 ms (or --param presentation=…), rt-deep and backprop with the same budget, checkpoints in --out (continue with --resume); takes presentation, train (stop after that many presentations), test, methods, switchS, continueS, checkpointEvery, inputProducts",
  switchS: 'protocol=paper: simulated training time at η = 1e-3 before the switch to 1e-4, s (default 22000, the paper\'s)',
  continueS: 'protocol=paper: simulated training time at η = 1e-4 after the switch, s (default 2200: the paper does not give it)',
  checkpointEvery: 'protocol=paper: a checkpoint and a learning-curve point every this many presentations (default 5000)',
  inputProducts: "the NLA learners' input products (the digital engine's --input-products), recompute (default, the bit-for-bit reference) or incremental (carried while an image is shown: faster, differs by rounding) or lowrank (as incremental, and an image's weight updates summed into one rank-2 update: fastest, the weights differ by rounding too; see docs/digital-engine.md)",
};

/** The keys that only protocol=paper reads. */
const PAPER_ONLY = ['switchS', 'continueS', 'checkpointEvery'];

/** Whether the params select the paper protocol ('paper' is the only protocol value). */
export function isPaperProtocol(params: Record<string, string>): boolean {
  if (params.protocol === undefined) return false;
  if (params.protocol !== 'paper') throw new UsageError(`--param protocol: expected 'paper', got '${params.protocol}'`);
  return true;
}

/** The settings of a run: quick or full, with --param overrides. */
export function mnistSettings(quick: boolean, params: Record<string, string>, seed: number): MnistSettings {
  const paperOnly = PAPER_ONLY.find((k) => params[k] !== undefined);
  if (paperOnly !== undefined) throw new UsageError(`--param ${paperOnly}: a setting of --param protocol=paper only`);
  const s: MnistSettings = {
    quick,
    downsample: quick ? 2 : 1,
    sizes: quick ? [196, 100, 10] : [784, 500, 10],
    presentationsMs: quick ? [5, 50] : PRESENTATIONS_MS,
    methods: [...MNIST_METHODS],
    trainSamples: quick ? 1200 : 20_000,
    testSamples: quick ? 300 : 10_000,
    curveTestSamples: quick ? 300 : 1000,
    checkpoints: quick ? 8 : 20,
    lrPerPresentation: quick ? 0.1 : 0.02,
    fixedEtaPerMs: null,
    beta: 0.1,
    tauMs: 10,
    tauInMs: 10,
    init: { distribution: 'normal', mean: 0, std: 0.01, cutoff: 0.03 },
    seed,
    inputProducts: inputProductsParam(params) ?? 'recompute',
  };
  if (params.presentation !== undefined) {
    const p = Number(params.presentation);
    if (!PRESENTATIONS_MS.includes(p)) throw new UsageError(`--param presentation: expected one of ${PRESENTATIONS_MS.join(', ')} (ms), got '${params.presentation}'`);
    s.presentationsMs = [p];
  }
  if (params.methods !== undefined) s.methods = methodList(params.methods);
  s.trainSamples = integerParam(params, 'train', s.trainSamples, 1, 1e7);
  s.testSamples = integerParam(params, 'test', s.testSamples, 1, 10_000);
  s.curveTestSamples = Math.min(s.curveTestSamples, s.testSamples);
  s.tauInMs = positiveParam(params, 'tauInMs', s.tauInMs, 'a positive time in ms');
  s.lrPerPresentation = positiveParam(params, 'lr', s.lrPerPresentation);
  if (params.etaPerMs !== undefined) s.fixedEtaPerMs = positiveParam(params, 'etaPerMs', NaN, 'a positive rate per ms');
  return s;
}

/** The learning rate η per ms at one presentation time. */
export function etaPerMs(s: MnistSettings, presentationMs: number): number {
  return s.fixedEtaPerMs ?? s.lrPerPresentation / (s.beta * presentationMs);
}

function methodList(v: string): MnistMethod[] {
  const names = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const bad = names.find((x) => !(MNIST_METHODS as readonly string[]).includes(x));
  if (bad !== undefined || names.length === 0) throw new UsageError(`--param methods: expected a comma-separated subset of ${MNIST_METHODS.join(', ')}, got '${bad ?? v}'`);
  return MNIST_METHODS.filter((m) => names.includes(m));
}
