import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { traceReport } from '../../report/trace-report.js';
import { ENGINE_FACTORIES } from '../engine-registry.js';
import { engineOptions, helpForSelectedEngines, failureError, prepareEngine, runPrepared, type EngineOptions, type EngineRun } from '../engines.js';
import { writeOutput, writeTraces } from '../files.js';
import { commandLine } from '../../report/command-line.js';

interface SimulateOpts extends EngineOptions {
  engine: string;
  out?: string;
  plot?: string;
  saveState?: string;
  weightsOut?: string;
  weightsEvery?: string;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description('simulate a network spec (or a compiled circuit) on an engine and record traces')
    .argument('<spec>', 'network spec (JSON, nla-network/1) or compiled circuit (nla-circuit/1)')
    .option('--engine <name>', ENGINE_FACTORIES.map((f) => `${f.name} (${f.description})`).join(', '), 'digital');
  helpForSelectedEngines(engineOptions(cmd), ['engine'])
    .option('--probe <list>', "what to record, e.g. u,e or u:out,f:h1[0:5] (u udot rbar r ebar e f eraw ustar rin); default: the engine's (u,ustar; spice and board: u)")
    .option('--out <file>', 'write traces: CSV, or NumPy .npy when the name ends in .npy (one float64 field a column, t in ms)')
    .option('--plot <html>', 'write an HTML page with plots of the traces')
    .option('--save-state <json>', 'write the final state (engines that can save one: digital)')
    .option('--weights-out <jsonl>', 'write weight snapshots, the final weights last (one JSON object per line)')
    .option('--weights-every <time>', 'interval of weight snapshots (from the start; the end is always included)', '100ms')
    .option('--json', 'print a machine-readable summary on stdout')
    .action((specPath: string, o: SimulateOpts) => simulate(specPath, o));
}

async function simulate(specPath: string, o: SimulateOpts): Promise<void> {
  if (!o.duration) throw new UsageError('--duration is required (e.g. 500ms or 2s)');
  const prepared = await prepareEngine(o.engine, specPath, o);
  if (o.saveState && !prepared.engine.captureState) throw new UsageError(`--save-state: the ${o.engine} engine cannot save its state (the digital engine can)`);
  const run = await runPrepared(prepared, { ...o, ...(o.weightsOut ? { snapshotEvery: o.weightsEvery ?? '100ms' } : {}) });
  const written: string[] = [];
  if (o.out) written.push(writeTraces(o.out, run.traces));
  if (o.plot) written.push(writeOutput(o.plot, traceReport(`${run.graph.name}: ${run.engine} engine`, `${run.graph.name} simulated on the ${run.engine} engine.`, run.traces, run.summary, { command: commandLine() }, run.failure)));
  if (o.saveState && run.state && !run.failure) written.push(writeOutput(o.saveState, JSON.stringify(run.state())));
  if (o.weightsOut) written.push(writeOutput(o.weightsOut, run.snapshots.map((x) => JSON.stringify(x)).join('\n') + '\n'));
  if (o.json) process.stdout.write(JSON.stringify({ network: run.graph.name, ...run.summary, ...(run.failure ? { failure: run.failure } : {}), files: written }, null, 2) + '\n');
  else process.stdout.write(summaryLines(run, written).join('\n') + '\n');
  const failed = failureError(run);
  if (failed) {
    if (written.length) process.stderr.write(`nla: the run stopped at t = ${run.failure!.timeMs} ms; the files hold what was recorded until then\n`);
    throw failed;
  }
}

function summaryLines(run: EngineRun, written: string[]): string[] {
  const s = run.summary;
  const n = (k: string) => s[k] as number;
  const lines = [`${run.graph.name} on the ${run.engine} engine: ${n('simulatedMs')} ms simulated in ${(n('wallMs') / 1000).toFixed(2)} s${s.steps !== undefined ? `, ${s.steps} steps (${Math.round(n('stepsPerSecond'))}/s)` : ''}`];
  const detail = ['method', 'solver', 'profile', 'ngspice', 'board', 'batch'].filter((k) => s[k] !== undefined).map((k) => `${k} ${String(s[k])}`);
  // the reference is not named; the carried input products are, since they differ from it by rounding
  if (s.inputProducts === 'incremental' || s.inputProducts === 'lowrank') detail.push(`input products ${String(s.inputProducts)}`);
  if (s.engine === 'analog' && s.inputProducts === 'recompute') detail.push('input products recomputed at every evaluation');
  lines.push([...detail, `learning ${s.learn ? 'on' : 'off'}`, `seed ${String(s.seed)}`].join(', '));
  if (s.errorPathDescription !== undefined) lines.push(`error path: ${String(s.errorPathDescription)}; top-down carrier: ${String(s.topDown)}`);
  if (s.maxAbsF !== undefined) lines.push(`max |f| after the transient ${n('maxAbsF').toExponential(3)} (max |u| ${n('maxAbsU').toPrecision(4)})`);
  if (Number.isFinite(s.finalCost)) lines.push(`cost: first 10% ${n('initialCost').toExponential(3)}, last 10% ${n('finalCost').toExponential(3)}`);
  for (const w of (s.warnings as string[] | undefined) ?? []) lines.push(`warning: ${w}`);
  for (const f of written) lines.push(`wrote ${f}`);
  return lines;
}
