import type { Command } from 'commander';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Folder of the bundled example, found relative to this file (works from dist/ and from the sources). */
export function exampleDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = here.includes(`${'/dist/'}`) ? join(here, '../../..') : join(here, '../..');
  return join(root, 'examples', 'teacher');
}

/**
 * The main job on the embedded default: the bundled teacher-student network learns online on the
 * digital reference engine; traces, a plotted report and the trained state are written to --out-dir.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the bundled example (no board, no external service needed)')
    .option('--out-dir <dir>', 'where to write traces, report and state', 'out/demo')
    .option('--duration <time>', 'simulated learning time', '30s')
    .option('--dt <time>', 'Euler step', '0.1ms')
    .option('--quiet', 'no progress on stderr')
    .action((o: { outDir: string; duration: string; dt: string; quiet?: boolean }) => {
      const dir = exampleDir();
      const specPath = join(dir, 'network.json');
      const graph = buildGraph(loadSpecFile(specPath));
      const drive = driveFromFiles(graph, { input: join(dir, 'input.csv'), interp: 'linear', target: join(dir, 'target.csv'), targetInterp: 'linear' });
      const sim = createDigital(graph, { dtMs: parseTimeMs(o.dt, '--dt'), learn: true });
      const progress = progressReporter('demo: learning', o.quiet === true);
      const res = runDigital(sim, {
        durationMs: parseTimeMs(o.duration, '--duration'),
        drive,
        probes: parseProbes('u:out,ustar:out,rbar:hidden[0:6],ebar:hidden[0:6],rbar:in', graph),
        sampleEveryMs: 5,
        onProgress: progress.update,
      });
      progress.done();
      const s = res.summary;
      const files = [
        writeOutput(join(o.outDir, 'traces.csv'), res.traces.toCsv()),
        writeOutput(join(o.outDir, 'state.json'), JSON.stringify(captureState(sim))),
        writeOutput(
          join(o.outDir, 'report.html'),
          traceReport(
            'NLA demo: a student network learns a teacher in real time',
            `Digital reference engine (explicit solve, ${s.solver} solver), dt = ${s.dtMs} ms, ${s.simulatedMs / 1000} s simulated with plasticity on. ` +
              'Dashed: the teacher\'s output (target). The cost falls as the student learns; max |f| shows the moving equilibrium.',
            res.traces,
            { ...s },
          ),
        ),
      ];
      const drop = s.initialCost / s.finalCost;
      process.stdout.write(
        [
          `NLA demo: '${graph.name}' (${graph.nStimulusInputs} inputs, ${graph.nNeurons} neurons), ${s.simulatedMs / 1000} s simulated in ${(s.wallMs / 1000).toFixed(1)} s (${Math.round(s.stepsPerSecond)} steps/s)`,
          `cost C: ${s.initialCost.toExponential(2)} in the first 10% → ${s.finalCost.toExponential(2)} in the last 10% (${drop.toFixed(1)}× lower)`,
          `moving equilibrium: max |f| after the transient = ${s.maxAbsF.toExponential(2)} (max |u| = ${s.maxAbsU.toFixed(2)})`,
          ...files.map((f) => `wrote ${f}`),
          `open ${join(o.outDir, 'report.html')} to see the plots`,
        ].join('\n') + '\n',
      );
    });
}
