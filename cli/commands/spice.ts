import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { traceReport } from '../../report/trace-report.js';
import { engineOptions, failureError, runEngine, type EngineOptions } from '../engines.js';
import { writeOutput, writeTraces } from '../files.js';
import { commandLine } from '../../report/command-line.js';
import { spiceEngine } from '../../emulator/spice/engine.js';

export function registerSpice(program: Command): void {
  const cmd = program
    .command('spice')
    .description('run the circuit in ngspice (WebAssembly in process, or the native binary) and record the membrane voltages')
    .argument('<circuit>', 'compiled circuit (nla-circuit/1) or network spec (compiled for --profile)');
  engineOptions(cmd, [spiceEngine])
    .option('--out <file>', 'write traces (model units: ms and u): CSV, or NumPy .npy when the name ends in .npy')
    .option('--plot <html>', 'write an HTML page with plots')
    .option('--json', 'print a summary as JSON')
    .action(async (path: string, o: EngineOptions & { out?: string; plot?: string; json?: boolean }) => {
      if (!o.duration) throw new UsageError('--duration is required');
      const run = await runEngine('spice', path, { ...o, probe: 'u' });
      const failed = failureError(run);
      if (failed) throw failed;
      const files: string[] = [];
      if (o.out) files.push(writeTraces(o.out, run.traces));
      if (o.plot) files.push(writeOutput(o.plot, traceReport(`${run.graph.name}: ngspice`, `${run.graph.name} in ngspice (${String(run.summary.ngspice)}).`, run.traces, run.summary, { command: commandLine() }, run.failure)));
      if (o.json) process.stdout.write(JSON.stringify({ ...run.summary, files }, null, 2) + '\n');
      else process.stdout.write([`${run.graph.name} in ngspice (${run.summary.ngspice}): ${run.summary.points} time points in ${((run.summary.wallMs as number) / 1000).toFixed(2)} s`, ...files.map((f) => `wrote ${f}`)].join('\n') + '\n');
    });
}
