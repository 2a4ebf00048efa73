import { UsageError } from '../../core/errors.js';
import { readJsonFile } from '../../core/json-file.js';
import { oneOf, positiveInt, positiveNumber, positiveTimeMs } from '../../core/option-values.js';
import { failureOf, simulatorRequest, weightsByName } from '../engine-request.js';
import type { CommonOptions, Engine, EngineFactory, EngineSource, RunOutcome, RunRequest } from '../engine.js';
import type { GraphPlan } from '../../compiler/graph/plan.js';
import { digitalFootprint } from './footprint.js';
import type { DigitalOptions } from './options.js';
import { runDigital } from './run.js';
import { DigitalSimulator } from './simulator.js';
import { captureState, restoreState } from './state-file.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The paper's time-discrete algorithm (Algorithms 1 and 2), the reference every other engine is compared with. */
export const digitalEngine: EngineFactory = {
  name: 'digital',
  description: "the paper's time-discrete algorithm (the reference)",
  accepts: ['network'],
  learns: true,
  learnsByDefault: true,
  drawsAtRunTime: false,
  defaultProbes: 'u,ustar',
  options: [
    { flag: '--dt <time>', key: 'dt', description: 'digital: Euler step of the time-discrete algorithm', defaultValue: '0.1ms' },
    { flag: '--method <m>', key: 'method', description: 'digital: explicit (solve J u̇ = −f/τ − ∂f/∂t) or implicit (relaxed neuron equation)', defaultValue: 'explicit' },
    { flag: '--solver <s>', key: 'solver', description: 'digital explicit solve: auto, layered (O(synapses)) or dense (O(N³))', defaultValue: 'auto' },
    { flag: '--iterations <n>', key: 'iterations', description: "digital implicit: iterations per step, or 'converge'", defaultValue: 'converge' },
    { flag: '--relaxation <alpha>', key: 'relaxation', description: "digital implicit: relaxation factor α, or 'auto'", defaultValue: 'auto' },
    { flag: '--no-lookahead', key: 'lookahead', description: 'digital: classical leaky neurons without prospective rates and errors (ablation)' },
    { flag: '--batch <n>', key: 'batch', description: 'digital: samples in parallel sharing weights', defaultValue: '1' },
    { flag: '--kernels <name>', key: 'kernels', description: 'digital: kernel back end, wasm (SIMD) or js', defaultValue: 'wasm' },
    {
      flag: '--input-products <mode>',
      key: 'inputProducts',
      description: 'digital: recompute (the bit-for-bit reference), incremental (batch 1: W_in·r̄_in carried while the input holds still; faster, differs by rounding) or lowrank (as incremental, and a held frame\'s weight updates summed into one rank-2 update of W_in; fastest, W_in differs by rounding too)',
      defaultValue: 'recompute',
    },
    { flag: '--load-state <json>', key: 'loadState', description: 'digital: start from a saved state (nla simulate --save-state)' },
    { flag: '--load-weights <json>', key: 'loadWeights', description: 'digital: take the weights of a saved state, start at rest' },
  ],
  estimateBytes(plan: GraphPlan, common: CommonOptions, o: Values) {
    return digitalFootprint(plan, digitalOptions(common, o));
  },
  async create(source: EngineSource, common: CommonOptions, o: Values): Promise<Engine> {
    if (source.kind !== 'network') throw new UsageError(`the digital engine runs a network spec, and ${source.file} is a compiled circuit; run it on the analog or spice engine`);
    const sim = new DigitalSimulator(source.graph, digitalOptions(common, o));
    if (common.seed !== undefined && common.seed !== source.graph.seed) throw new UsageError(`--seed: the digital engine draws nothing at run time; its weights come from the spec's seed (${source.graph.seed})`);
    loadSaved(sim, o);
    return new DigitalEngine(sim);
  },
};

function str(o: Values, key: string, fallback: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : fallback;
}

/** The digital options from the command line's values (given or default). */
export function digitalOptions(common: CommonOptions, o: Values): DigitalOptions {
  const iterations = str(o, 'iterations', 'converge');
  const relaxation = str(o, 'relaxation', 'auto');
  return {
    dtMs: positiveTimeMs(str(o, 'dt', '0.1ms'), '--dt'),
    method: oneOf(str(o, 'method', 'explicit'), ['explicit', 'implicit'] as const, '--method'),
    solver: oneOf(str(o, 'solver', 'auto'), ['auto', 'layered', 'dense'] as const, '--solver'),
    init: common.init,
    lookahead: o.lookahead !== false,
    batch: positiveInt(str(o, 'batch', '1'), '--batch'),
    iterations: iterations === 'converge' ? 'converge' : positiveInt(iterations, '--iterations'),
    relaxation: relaxation === 'auto' ? 'auto' : positiveNumber(relaxation, '--relaxation'),
    kernels: oneOf(str(o, 'kernels', 'wasm'), ['wasm', 'js'] as const, '--kernels'),
    inputProducts: oneOf(str(o, 'inputProducts', 'recompute'), ['recompute', 'incremental', 'lowrank'] as const, '--input-products'),
    ...(common.learn !== undefined ? { learn: common.learn } : {}),
  };
}

function loadSaved(sim: DigitalSimulator, o: Values): void {
  const state = typeof o.loadState === 'string' ? o.loadState : undefined;
  const weights = typeof o.loadWeights === 'string' ? o.loadWeights : undefined;
  if (state && weights) throw new UsageError('give either --load-state or --load-weights, not both');
  if (state) restoreState(sim, readJsonFile(state), { file: state });
  if (weights) restoreState(sim, readJsonFile(weights), { file: weights, weightsOnly: true });
}

/** The digital simulator behind the Engine contract. */
export class DigitalEngine implements Engine {
  readonly name = 'digital';
  readonly circuit = null;

  constructor(readonly sim: DigitalSimulator) {}

  get graph() {
    return this.sim.graph;
  }

  captureState(): unknown {
    return captureState(this.sim);
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const res = runDigital(this.sim, simulatorRequest(req));
    return { traces: res.traces, summary: { ...res.summary }, failure: failureOf(res.failure), weights: weightsByName(this.sim.graph, this.sim.weights()), snapshots: res.snapshots };
  }
}
