import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { oneOf, positiveNumber, positiveTimeMs } from '../../core/option-values.js';
import { ODE_SOLVER_FLAG, SOLVER_CHOICES, solverHelp } from './ode/registry.js';
import { failureOf, simulatorRequest, weightsByName } from '../engine-request.js';
import type { CommonOptions, Engine, EngineFactory, EngineSource, RunOutcome, RunRequest } from '../engine.js';
import type { GraphPlan } from '../../compiler/graph/plan.js';
import { formatBytes } from '../../core/memory-budget.js';
import { digitalFootprint } from '../digital/footprint.js';
import { CIRCUIT_OPTIONS, circuitFromSource, withCircuitChoices } from './circuit-source.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import { describeErrorPath, describeTopDown } from '../../compiler/circuit/passes/top-down.js';
import { modelFromCircuit } from './model.js';
import { AnalogSimulator, LOCK_AUTO_NEURONS, type AnalogSolverName } from './simulator.js';

const KINK_MODES = { lock: true, free: false, auto: 'auto' } as const;

type Values = Readonly<Record<string, string | boolean | undefined>>;


/** The compiled circuit in continuous time: its state equations integrated by an ODE/SDE solver. */
export const analogEngine: EngineFactory = {
  name: 'analog',
  description: 'the compiled analog circuit emulated in continuous time',
  accepts: ['network', 'circuit'],
  learns: true,
  learnsByDefault: true,
  drawsAtRunTime: true,
  defaultProbes: 'u,ustar',
  options: [
    ...CIRCUIT_OPTIONS,
    { flag: `${ODE_SOLVER_FLAG} <s>`, key: 'odeSolver', description: `analog: ${solverHelp()}`, defaultValue: 'auto' },
    { flag: '--rtol <x>', key: 'rtol', description: 'analog: relative tolerance of the adaptive solvers (default 1e-6)' },
    { flag: '--atol <x>', key: 'atol', description: 'analog: absolute tolerance of the adaptive solvers, units (default 1e-9)' },
    { flag: '--kinks <mode>', key: 'kinks', description: `analog: kinks of ρ, rails and output swings: lock (events located, the solver restarts there), free (the step control copes) or auto (lock up to ${LOCK_AUTO_NEURONS} neurons)`, defaultValue: 'auto' },
    { flag: '--sde-step <time>', key: 'sdeStep', description: 'analog: fixed step of the stochastic solver (default: a fifth of the fastest pole, at most τ/100)' },
    {
      flag: '--no-affine-inputs',
      key: 'affineInputs',
      description: 'analog: recompute W_in·r̄_in at every evaluation (the reference) instead of deriving it from two products per stretch of held input (the default; the same to rounding)',
    },
  ],
  estimateBytes(plan: GraphPlan, common: CommonOptions, o: Values) {
    // the circuit IR holds conductances and codes as JSON-like arrays (about 24 B per synapse), the model a
    // copy of the weights and the digital workspace it reuses; the state carries plastic weights, and the
    // adaptive solvers keep about 13 vectors of it (Rosenbrock adds three dense matrices of its size squared)
    const cells = plan.footprint.weightCells;
    // separate error arrays with mirrored plasticity learn too: their cells count once more
    const mirrored = plan.feedback === 'transpose' && typeof o.profile === 'string' && mirrorsErrorArrays(o);
    const plasticCells = plan.projections.reduce((s, p) => s + (p.plastic && common.learn !== false ? p.rows * p.cols * (mirrored && p.role === 'forward' && p.pre.type === 'neuron' ? 2 : 1) : 0), 0);
    const n = 3 * plan.nNeurons + plan.nStimulusInputs + plasticCells;
    const workspace = digitalFootprint(plan, { batch: 1, solver: 'auto', kernels: 'js' }).bytes;
    const rosenbrock = o.odeSolver === 'rosenbrock' ? 24 * (n + 1) ** 2 : 0;
    const bytes = 24 * cells + 8 * cells + workspace + 13 * 8 * n + rosenbrock;
    return { bytes, what: `analog emulator ≈ ${formatBytes(bytes)}${rosenbrock ? ` (Rosenbrock's ${n + 1}² Jacobian ${formatBytes(rosenbrock)})` : ''}` };
  },
  async create(source: EngineSource, common: CommonOptions, o: Values): Promise<Engine> {
    const circuit = circuitFromSource(source, common, o);
    const model = modelFromCircuit(circuit);
    const solver = oneOf(typeof o.odeSolver === 'string' ? o.odeSolver : 'auto', SOLVER_CHOICES, ODE_SOLVER_FLAG) as AnalogSolverName;
    // only what was given: a solver refuses a setting it does not read (ode/registry.ts)
    const sim = new AnalogSimulator(model, {
      solver,
      ...(typeof o.rtol === 'string' ? { rtol: positiveNumber(o.rtol, '--rtol') } : {}),
      ...(typeof o.atol === 'string' ? { atol: positiveNumber(o.atol, '--atol') } : {}),
      ...(typeof o.sdeStep === 'string' ? { dtMs: positiveTimeMs(o.sdeStep, '--sde-step') } : {}),
      learn: common.learn ?? model.graph.plasticity,
      init: common.init,
      inputProducts: o.affineInputs === false ? 'recompute' : 'affine',
      events: KINK_MODES[oneOf(typeof o.kinks === 'string' ? o.kinks : 'auto', ['lock', 'free', 'auto'] as const, '--kinks')],
    });
    return new AnalogEngine(sim, circuit);
  },
};

/** Whether the profile the options name (with their circuit choices) gives exact NLA separate, mirrored error arrays. */
function mirrorsErrorArrays(o: Values): boolean {
  const p = withCircuitChoices(loadProfile(o.profile as string), o);
  return p.feedbackArray === 'separate' && p.feedbackPlasticity === 'mirrored';
}

/** The analog simulator behind the Engine contract. */
export class AnalogEngine implements Engine {
  readonly name = 'analog';

  constructor(
    readonly sim: AnalogSimulator,
    readonly circuit: CircuitIR,
  ) {}

  get graph() {
    return this.sim.system.graph;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const sim = this.sim;
    const res = sim.run(simulatorRequest(req));
    const final = sim.state && !res.failure ? weightsByName(this.graph, sim.system.weightsAt(sim.state)) : null;
    const st = this.circuit.structure;
    // every run states its error path and top-down carrier (compiler/circuit/passes/top-down.ts)
    const circuit = { errorPath: st.errorPath, errorPathDescription: describeErrorPath(st.errorPath), topDown: st.feedback === 'microcircuit' ? describeTopDown(this.circuit.profile.topDown) : 'none (no array reads a presynaptic voltage)' };
    return { traces: res.traces, summary: { ...res.summary, ...circuit }, failure: failureOf(res.failure), weights: final, snapshots: res.snapshots };
  }
}
