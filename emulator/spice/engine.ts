import { emitSpice } from '../../compiler/spice/netlist.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { NumericalError, UsageError } from '../../core/errors.js';
import { oneOf } from '../../core/option-values.js';
import { formatBytes } from '../../core/memory-budget.js';
import type { GraphPlan } from '../../compiler/graph/plan.js';
import { CIRCUIT_OPTIONS, circuitFromSource } from '../analog/circuit-source.js';
import { modelFromCircuit } from '../analog/model.js';
import { failureOf } from '../engine-request.js';
import type { CommonOptions, Engine, EngineFactory, EngineSource, RunOutcome, RunRequest } from '../engine.js';
import { columnLabel } from '../probes/probe.js';
import { TraceTable } from '../probes/recorder.js';
import { driveToPwl } from './drive-pwl.js';
import { runSpice, type SpiceEngine } from './run.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The compiled circuit as an ngspice netlist, simulated by ngspice (WebAssembly in process, or native). */
export const spiceEngine: EngineFactory = {
  name: 'spice',
  description: 'the compiled circuit as a netlist in ngspice (records u)',
  accepts: ['network', 'circuit'],
  learns: false,
  learnsByDefault: false,
  drawsAtRunTime: true,
  defaultProbes: 'u',
  options: [...CIRCUIT_OPTIONS, { flag: '--spice-engine <e>', key: 'spiceEngine', description: 'spice: wasm (eecircuit-engine, in process) or native (the ngspice binary)', defaultValue: 'wasm' }],
  estimateBytes(plan: GraphPlan) {
    // the circuit IR, the netlist text and ngspice's own matrices: native ngspice 39 peaked at 71 MB on the
    // element-per-synapse netlist of 200-100-10 on the op-amp board (21,000 synapses, 62,957 G elements),
    // about 3.4 kB per synapse; 4 kB with margin
    const bytes = 4000 * plan.footprint.weightCells;
    return { bytes, what: `SPICE netlist and ngspice ≈ ${formatBytes(bytes)}` };
  },
  async create(source: EngineSource, common: CommonOptions, o: Values): Promise<Engine> {
    if (common.learn === true) throw new UsageError('--learn: the SPICE netlist has fixed weights (plasticity is emulated, not exported); use the analog engine');
    const circuit = circuitFromSource(source, common, o);
    const ngspice = oneOf(typeof o.spiceEngine === 'string' ? o.spiceEngine : 'wasm', ['wasm', 'native'] as const, '--spice-engine');
    return new SpiceCircuitEngine(circuit, ngspice, common.init);
  },
};

/** ngspice behind the Engine contract: one transient per run, from the state `init` names. */
export class SpiceCircuitEngine implements Engine {
  readonly name = 'spice';
  readonly graph;

  constructor(
    readonly circuit: CircuitIR,
    private readonly ngspice: SpiceEngine,
    private readonly init: 'rest' | 'equilibrium',
  ) {
    this.graph = modelFromCircuit(circuit).graph;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    if (req.weightsEveryMs !== undefined) throw new UsageError('--weights-out: the SPICE netlist has fixed weights and reports none');
    const bad = req.probes.find((p) => p.quantity !== 'u');
    if (bad) throw new UsageError(`--probe: the spice engine records the membranes u only, not ${bad.quantity}`);
    const sampleEveryMs = req.sampleEveryMs ?? 0.1;
    const { inputs, targets } = driveToPwl(req.drive, req.durationMs, sampleEveryMs);
    const net = emitSpice(this.circuit, { durationModelMs: req.durationMs, sampleEveryModelMs: sampleEveryMs, init: this.init, inputs, ...(targets ? { targets } : {}) });
    const summary = { engine: 'spice', ngspice: this.ngspice, profile: this.circuit.profile.name, init: this.init, seed: this.circuit.seed, learn: false };
    try {
      const res = await runSpice(net, { engine: this.ngspice, sampleEveryModelMs: sampleEveryMs, durationModelMs: req.durationMs, ...(req.onProgress ? { onProgress: req.onProgress } : {}) });
      return { traces: this.probed(res.traces, req), summary: { ...summary, points: res.points, wallMs: res.wallMs, simulatedMs: req.durationMs }, failure: null, weights: null, snapshots: [] };
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      const failure = failureOf(e);
      return { traces: new TraceTable([]), summary: { ...summary, wallMs: 0, simulatedMs: Number.isFinite(e.timeMs) ? e.timeMs : 0 }, failure, weights: null, snapshots: [] };
    }
  }

  /** The columns the probes ask for, in the probes' order, named as every engine names them. */
  private probed(all: TraceTable, req: RunRequest): TraceTable {
    const names = req.probes.flatMap((p) => p.indices.map((i) => columnLabel(p, i, 0, 1)));
    const cols = names.map((n) => all.column(n));
    const out = new TraceTable(names, Math.max(1, all.rows));
    const time = all.time();
    const row = new Float64Array(names.length);
    for (let r = 0; r < all.rows; r++) {
      cols.forEach((c, j) => (row[j] = c[r]!));
      out.push(time[r]!, row);
    }
    return out;
  }
}
