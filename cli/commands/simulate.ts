import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { captureState } from '../../emulator/digital/state-file.js';
import { traceReport } from '../../report/trace-report.js';
import { solverHelp } from '../../emulator/analog/ode/registry.js';
import { ENGINES, oneOf, runEngine, type EngineOptions } from '../engines.js';
import { writeOutput } from '../files.js';

interface SimulateOpts extends EngineOptions {
  engine: string;
  out?: string;
  plot?: string;
  saveState?: string;
  weightsOut?: string;
  weightsEvery?: string;
  json?: boolean;
}

/** Options every engine-running command shares (simulate, compare). */
export function engineOptions(cmd: Command): Command {
  return cmd
    .option('--duration <time>', 'simulated time, e.g. 500ms or 2s (required)')
    .option('--dt <time>', 'digital: Euler step (default 0.1ms); analog: step of the stochastic solver (default: a fifth of the fastest pole, at most τ/100)')
    .option('--input <csv>', "input rates: column 't' (ms) then one column per input neuron")
    .option('--interp <mode>', 'input interpolation: step or linear', 'step')
    .option('--events <csv>', "input events: header 't,channel,kind,value', kind delta or step")
    .option('--target <csv>', "targets for the output neurons: 't' then one column per output; empty cell = no target")
    .option('--target-interp <mode>', 'target interpolation: step or linear', 'step')
    .option('--learn', 'plasticity on (Eq. 8)')
    .option('--no-learn', 'plasticity off, whatever the spec says')
    .option('--init <mode>', 'initial state: rest or equilibrium', 'rest')
    .option('--sample-every <time>', 'recording interval (digital default: every step; analog and spice: 0.1ms)')
    .option('--method <m>', 'digital: explicit (solve J u̇ = −f/τ − ∂f/∂t) or implicit (relaxed neuron equation)', 'explicit')
    .option('--solver <s>', 'digital explicit solve: auto, layered (O(synapses)) or dense (O(N³))', 'auto')
    .option('--iterations <n>', "digital implicit: iterations per step, or 'converge'", 'converge')
    .option('--relaxation <alpha>', "digital implicit: relaxation factor α, or 'auto'", 'auto')
    .option('--no-lookahead', 'digital: classical leaky neurons without prospective rates and errors (ablation)')
    .option('--batch <n>', 'digital: samples in parallel sharing weights', '1')
    .option('--kernels <name>', 'digital: kernel back end, wasm (SIMD) or js', 'wasm')
    .option('--load-state <json>', 'digital: start from a saved state')
    .option('--load-weights <json>', 'digital: take the weights of a saved state, start at rest')
    .option('--profile <p>', 'analog/spice: hardware profile (nla profiles) or profile JSON; ignored for a compiled circuit file', 'ideal')
    .option('--seed <n>', 'analog/spice: seed of the mismatch draw')
    .option('--calibrate', 'analog/spice: calibrate the compiled circuit on the emulator')
    .option('--ode-solver <s>', `analog: ${solverHelp()}`, 'auto')
    .option('--rtol <x>', 'analog, adaptive solvers: relative tolerance (default 1e-6)')
    .option('--atol <x>', 'analog, adaptive solvers: absolute tolerance in units (default 1e-9)')
    .option('--spice-engine <e>', 'spice: wasm (eecircuit-engine, in process) or native (ngspice binary)', 'wasm')
    .option('--quiet', 'no progress on stderr');
}

export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description('simulate a network spec (or a compiled circuit) on an engine and record traces')
    .argument('<spec>', 'network spec (JSON, nla-network/1) or compiled circuit (nla-circuit/1)')
    .option('--engine <name>', 'digital (the paper\'s time-discrete algorithm), analog (continuous-time circuit emulator) or spice (ngspice)', 'digital');
  engineOptions(cmd)
    .option('--probe <list>', 'what to record, e.g. u,e or u:out,f:h1[0:5] (u udot rbar r ebar e f eraw ustar rin; spice records u)', 'u,ustar')
    .option('--out <csv>', 'write traces as CSV')
    .option('--plot <html>', 'write an HTML page with plots of the traces')
    .option('--save-state <json>', 'digital: write the final state (weights, voltages, filters)')
    .option('--weights-out <jsonl>', 'digital and analog: write weight snapshots, the final weights last (one JSON object per line)')
    .option('--weights-every <time>', 'interval of weight snapshots (from the start; the end is always included)', '100ms')
    .option('--json', 'print a machine-readable summary on stdout')
    .action((specPath: string, o: SimulateOpts) => simulate(specPath, o));
}

async function simulate(specPath: string, o: SimulateOpts): Promise<void> {
  const engine = oneOf(o.engine, ENGINES, '--engine');
  if (!o.duration) throw new UsageError('--duration is required (e.g. 500ms or 2s)');
  if (engine !== 'digital' && o.saveState) throw new UsageError('--save-state applies to the digital engine');
  if (o.weightsOut && engine !== 'digital' && engine !== 'analog') throw new UsageError(`--weights-out applies to the digital and analog engines, not ${engine}`);
  const written: string[] = [];
  const run = await runEngine(engine, specPath, { ...o, ...(o.weightsOut ? { snapshotEvery: o.weightsEvery ?? '100ms' } : {}) });
  const s = run.summary;
  if (o.out) written.push(writeOutput(o.out, run.traces.toCsv()));
  if (o.plot) written.push(writeOutput(o.plot, traceReport(`${run.graph.name}: ${engine} engine`, `nla simulate ${specPath} --engine ${engine}`, run.traces, s)));
  if (o.saveState && run.digital) written.push(writeOutput(o.saveState, JSON.stringify(captureState(run.digital))));
  if (o.weightsOut) written.push(writeOutput(o.weightsOut, run.snapshots.map((x) => JSON.stringify(x)).join('\n') + '\n'));
  if (o.json) {
    process.stdout.write(JSON.stringify({ network: run.graph.name, ...s, files: written }, null, 2) + '\n');
    return;
  }
  const n = (k: string) => s[k] as number;
  const lines = [`${run.graph.name} on the ${engine} engine: ${n('simulatedMs')} ms simulated in ${(n('wallMs') / 1000).toFixed(2)} s${s.steps !== undefined ? `, ${s.steps} steps (${Math.round(n('stepsPerSecond'))}/s)` : ''}`];
  if (engine === 'digital') lines.push(`method ${s.method}, solver ${s.solver}, learning ${s.learn ? 'on' : 'off'}, batch ${s.batch}, seed ${s.seed}`);
  if (engine === 'analog') lines.push(`profile ${s.profile}, solver ${s.solver} (${s.stepControl}), learning ${s.learn ? 'on' : 'off'}, seed ${s.seed}`);
  if (s.maxAbsF !== undefined) lines.push(`max |f| after the transient ${n('maxAbsF').toExponential(3)} (max |u| ${n('maxAbsU').toPrecision(4)})`);
  if (Number.isFinite(s.finalCost)) lines.push(`cost: first 10% ${n('initialCost').toExponential(3)}, last 10% ${n('finalCost').toExponential(3)}`);
  for (const f of written) lines.push(`wrote ${f}`);
  process.stdout.write(lines.join('\n') + '\n');
}

