import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseTimeMs } from '../../core/units.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { runDigital } from '../../emulator/digital/run.js';
import { captureState } from '../../emulator/digital/state-file.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { traceReport } from '../../report/trace-report.js';
import { createDigital, driveFromFiles } from '../digital-run.js';
import { writeOutput } from '../files.js';
import { progressReporter } from '../progress.js';

interface SimulateOpts {
  engine: string;
  duration?: string;
  dt: string;
  method: string;
  solver: string;
  iterations: string;
  relaxation: string;
  lookahead: boolean;
  learn?: boolean;
  batch: string;
  input?: string;
  interp?: string;
  events?: string;
  target?: string;
  targetInterp?: string;
  probe?: string;
  sampleEvery?: string;
  out?: string;
  plot?: string;
  saveState?: string;
  loadState?: string;
  loadWeights?: string;
  weightsOut?: string;
  weightsEvery?: string;
  init: string;
  kernels: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a network spec on an engine and record traces')
    .argument('<spec>', 'network spec (JSON, format nla-network/1)')
    .option('--engine <name>', 'engine: digital (the paper\'s time-discrete algorithm)', 'digital')
    .option('--duration <time>', 'simulated time, e.g. 500ms or 2s (required)')
    .option('--dt <time>', 'Euler step', '0.1ms')
    .option('--method <m>', 'explicit (solve J u̇ = −f/τ − ∂f/∂t) or implicit (relaxed neuron equation)', 'explicit')
    .option('--solver <s>', 'explicit solve: auto, layered (O(synapses)) or dense (O(N³))', 'auto')
    .option('--iterations <n>', "implicit: iterations per step, or 'converge'", 'converge')
    .option('--relaxation <alpha>', "implicit: relaxation factor α, or 'auto' (halve α while the iteration diverges)", 'auto')
    .option('--no-lookahead', 'classical leaky neurons without prospective rates and errors (ablation)')
    .option('--learn', 'plasticity on (Eq. 8)')
    .option('--no-learn', 'plasticity off, whatever the spec says')
    .option('--batch <n>', 'samples in parallel sharing weights', '1')
    .option('--input <csv>', "input rates: column 't' (ms) then one column per input neuron")
    .option('--interp <mode>', 'input interpolation: step or linear', 'step')
    .option('--events <csv>', "input events: header 't,channel,kind,value', kind delta or step")
    .option('--target <csv>', "targets for the output neurons: 't' then one column per output; empty cell = no target")
    .option('--target-interp <mode>', 'target interpolation: step or linear', 'step')
    .option('--probe <list>', 'what to record, e.g. u,e or u:out,f:h1[0:5] (quantities u udot rbar r ebar e f eraw ustar rin)', 'u,ustar')
    .option('--sample-every <time>', 'recording interval (default: every step)')
    .option('--out <csv>', 'write traces as CSV')
    .option('--plot <html>', 'write an HTML page with plots of the traces')
    .option('--save-state <json>', 'write the final state (weights, voltages, filters)')
    .option('--load-state <json>', 'start from a saved state')
    .option('--load-weights <json>', 'take the weights of a saved state, start at rest')
    .option('--weights-out <jsonl>', 'write weight snapshots (one JSON object per line)')
    .option('--weights-every <time>', 'interval of weight snapshots', '100ms')
    .option('--init <mode>', 'initial state: rest or equilibrium', 'rest')
    .option('--kernels <name>', 'kernel back end: wasm (SIMD) or js', 'wasm')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--quiet', 'no progress on stderr')
    .action((specPath: string, o: SimulateOpts) => simulate(specPath, o));
}

function simulate(specPath: string, o: SimulateOpts): void {
  if (o.engine !== 'digital') throw new UsageError(`--engine: '${o.engine}' is not available; engines: digital`);
  if (!o.duration) throw new UsageError('--duration is required (e.g. 500ms or 2s)');
  const durationMs = parseTimeMs(o.duration, '--duration');
  const dtMs = parseTimeMs(o.dt, '--dt');
  if (!(durationMs > 0)) throw new UsageError(`--duration: expected a positive time, got '${o.duration}'`);
  const graph = buildGraph(loadSpecFile(specPath));
  const method = oneOf(o.method, ['explicit', 'implicit'] as const, '--method');
  const solver = oneOf(o.solver, ['auto', 'layered', 'dense'] as const, '--solver');
  const init = oneOf(o.init, ['rest', 'equilibrium'] as const, '--init');
  const sim = createDigital(
    graph,
    {
      dtMs,
      method,
      solver,
      init,
      lookahead: o.lookahead,
      batch: positiveInt(o.batch, '--batch'),
      iterations: o.iterations === 'converge' ? 'converge' : positiveInt(o.iterations, '--iterations'),
      relaxation: o.relaxation === 'auto' ? 'auto' : positiveNumber(o.relaxation, '--relaxation'),
      kernels: oneOf(o.kernels, ['wasm', 'js'] as const, '--kernels'),
      ...(o.learn !== undefined ? { learn: o.learn } : {}),
    },
    { state: o.loadState, weights: o.loadWeights },
  );
  const drive = driveFromFiles(graph, o);
  const probes = parseProbes(o.probe ?? '', graph).filter((p) => p.quantity !== 'ustar' || drive.targetChannels > 0);
  const progress = progressReporter('simulate', o.quiet === true);
  const result = runDigital(sim, {
    durationMs,
    drive,
    probes,
    sampleEveryMs: o.sampleEvery ? parseTimeMs(o.sampleEvery, '--sample-every') : undefined,
    weightsEveryMs: o.weightsOut ? parseTimeMs(o.weightsEvery ?? '100ms', '--weights-every') : undefined,
    onProgress: progress.update,
  });
  progress.done();
  const written: string[] = [];
  if (o.out) written.push(writeOutput(o.out, result.traces.toCsv()));
  if (o.plot) written.push(writeOutput(o.plot, traceReport(`${graph.name}: digital engine`, `nla simulate ${specPath}`, result.traces, { ...result.summary })));
  if (o.saveState) written.push(writeOutput(o.saveState, JSON.stringify(captureState(sim))));
  if (o.weightsOut) written.push(writeOutput(o.weightsOut, result.snapshots.map((s) => JSON.stringify(s)).join('\n') + '\n'));
  const s = result.summary;
  if (o.json) {
    process.stdout.write(JSON.stringify({ network: graph.name, ...s, files: written }, null, 2) + '\n');
    return;
  }
  const lines = [
    `${graph.name}: ${s.steps} steps of ${s.dtMs} ms (${s.simulatedMs} ms simulated) in ${(s.wallMs / 1000).toFixed(2)} s, ${Math.round(s.stepsPerSecond)} steps/s`,
    `method ${s.method}, solver ${s.solver}, learning ${s.learn ? 'on' : 'off'}, batch ${s.batch}, seed ${s.seed}`,
    `max |f| after the transient ${s.maxAbsF.toExponential(3)} (max |u| ${s.maxAbsU.toPrecision(4)})`,
  ];
  if (Number.isFinite(s.finalCost)) lines.push(`cost: first 10% ${s.initialCost.toExponential(3)}, last 10% ${s.finalCost.toExponential(3)}`);
  for (const f of written) lines.push(`wrote ${f}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function oneOf<T extends string>(v: string, options: readonly T[], what: string): T {
  if (!options.includes(v as T)) throw new UsageError(`${what}: expected one of ${options.join(', ')}, got '${v}'`);
  return v as T;
}

export function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: expected a positive integer, got '${v}'`);
  return n;
}

export function positiveNumber(v: string, what: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${what}: expected a positive number, got '${v}'`);
  return n;
}
