import type { Command } from 'commander';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimeMs } from '../../core/units.js';
import { positiveTimeMs } from '../../core/option-values.js';
import { buildGraph } from '../../compiler/graph/build.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { runDigital, type DigitalRunResult } from '../../emulator/digital/run.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { captureState, restoreState, type StateFile } from '../../emulator/digital/state-file.js';
import type { Drive } from '../../emulator/drive.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import type { TraceTable } from '../../emulator/probes/recorder.js';
import { htmlPage } from '../../report/html-page.js';
import { linePlot, type Series } from '../../report/svg-plot.js';
import { summarySection, timeAxis, traceSections } from '../../report/trace-report.js';
import { channelNames, driveFromFiles } from '../drive-files.js';
import { boardDemo, type BoardDemoResult } from '../demo-board.js';
import { loadSignalCsv } from '../../emulator/stimulus/load.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { comparisonReport } from '../../report/compare-report.js';
import { compareRuns, fromTime, type Comparison } from './compare.js';
import { writeOutput } from '../files.js';
import { progressReporter } from '../progress.js';
import { commandLine } from '../../report/command-line.js';
import { BOARD_INFERENCE_BOUND, verdictNumber, type Verdict } from '../../report/verdict.js';

/** Folder of the bundled example, found relative to this file (works from dist/ and from the sources). */
export function exampleDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = here.includes('/dist/') ? join(here, '../../..') : join(here, '../..');
  return join(root, 'examples', 'teacher');
}

const EVAL_MS = 3000;
/** The realistic profile of the main job: deterministic (no noise), so the comparison is repeatable. */
const DEMO_PROFILE = 'opamp-board';

/**
 * The main job on the embedded default: the bundled student network is evaluated (plasticity off), learns
 * online for --duration on the digital reference engine while inputs and targets keep changing, and is
 * evaluated again on the same 3 s of input. The trained network is then compiled for a realistic
 * hardware profile (--profile, default opamp-board), emulated in continuous time on the same input, and
 * compared with the digital engine. Traces, the trained state, the circuit and two HTML reports are written.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the bundled example (no board, no external service needed)')
    .option('--out-dir <dir>', 'where to write traces, report and state', 'out/demo')
    .option('--duration <time>', 'simulated learning time', '30s')
    .option('--dt <time>', 'Euler step', '0.1ms')
    .option('--profile <p>', 'hardware profile of the emulated chip', DEMO_PROFILE)
    .option('--quiet', 'no progress on stderr')
    .action((o: DemoOpts) => demo(o));
}

interface DemoOpts {
  outDir: string;
  duration: string;
  dt: string;
  profile: string;
  quiet?: boolean;
}

async function demo(o: DemoOpts): Promise<void> {
  // the options are checked before the learning run (tens of seconds), not after it
  loadProfile(o.profile);
  positiveTimeMs(o.duration, '--duration');
  const dir = exampleDir();
  const graph = buildGraph(loadSpecFile(join(dir, 'network.json')));
  const drive = driveFromFiles(graph, { input: join(dir, 'input.csv'), interp: 'linear', target: join(dir, 'target.csv'), targetInterp: 'linear' });
  const dtMs = parseTimeMs(o.dt, '--dt');
  const learned = learn(graph, drive, dtMs, o);
  const hw = emulate(graph, learned, drive, dtMs, o);
  const board = await onBoard(graph, learned.trained, dir, dtMs, o);
  const files = [
    writeOutput(join(o.outDir, 'traces.csv'), learned.train.traces.toCsv()),
    writeOutput(join(o.outDir, 'state.json'), JSON.stringify(learned.state)),
    writeOutput(join(o.outDir, 'report.html'), report(graph, learned.before, learned.train, learned.after, commandLine())),
    writeOutput(join(o.outDir, 'circuit.json'), JSON.stringify(hw.ir)),
    writeOutput(join(o.outDir, 'comparison.html'), hardwareReport(hw, board, dtMs, o.profile, commandLine())),
  ];
  process.stdout.write(summaryText(graph, learned, hw, board, files, o).join('\n') + '\n');
}

/** The main job's learning: the student evaluated before and after learning online for --duration. */
interface Learned {
  /** Evaluation runs (EVAL_MS, plasticity off) with the initial and with the learned weights. */
  before: DigitalRunResult;
  after: DigitalRunResult;
  /** The learning run (its traces and summary). */
  train: DigitalRunResult;
  /** The learned weights as a state file, and the graph carrying them. */
  state: StateFile;
  trained: NlaGraph;
}

/** Evaluates the student, lets it learn online for --duration (progress on stderr), and evaluates it again. */
function learn(graph: NlaGraph, drive: Drive, dtMs: number, o: DemoOpts): Learned {
  const learner = new DigitalSimulator(graph, { dtMs, learn: true });
  const before = evaluate(graph, drive, dtMs, captureState(learner));
  const progress = progressReporter('demo: learning', o.quiet === true);
  const train = runDigital(learner, {
    durationMs: parseTimeMs(o.duration, '--duration'),
    drive,
    probes: parseProbes('u:out,ustar:out,rbar:hidden[0:6],ebar:hidden[0:6]', graph),
    sampleEveryMs: 5,
    onProgress: progress.update,
  });
  progress.done();
  const state = captureState(learner);
  const after = evaluate(graph, drive, dtMs, state);
  const trained = structuredClone(graph);
  learner.weights().forEach((W, k) => trained.projections[k]!.weights.set(W));
  return { before, after, train, state, trained };
}

/** The trained network compiled for --profile and emulated, against the digital engine on the same input. */
interface Emulated {
  ir: CircuitIR;
  analog: ReturnType<AnalogSimulator['run']>;
  digital: DigitalRunResult;
  cmp: Comparison;
}

/** The trained network on hardware: compile, emulate EVAL_MS (progress on stderr), compare with the digital engine. */
function emulate(graph: NlaGraph, learned: Learned, drive: Drive, dtMs: number, o: DemoOpts): Emulated {
  const ir = compileCircuit(learned.trained, loadProfile(o.profile));
  const probes = 'u,ustar:out';
  const analogSim = new AnalogSimulator(modelFromCircuit(ir), { init: 'equilibrium' });
  const progress = progressReporter(`demo: emulating on ${o.profile}`, o.quiet === true);
  const analog = analogSim.run({ durationMs: EVAL_MS, drive, probes: parseProbes(probes, analogSim.system.graph), sampleEveryMs: 0.5, onProgress: progress.update });
  progress.done();
  const digital = evaluate(graph, drive, dtMs, learned.state, probes);
  const cmp = compareRuns(asRun(graph, 'digital', digital.traces, { ...digital.summary }), asRun(graph, 'analog', analog.traces, { ...analog.summary }), 5, NaN);
  return { ir, analog, digital, cmp };
}

/** The trained network streamed to a virtual board, and its output frames against the float reference. */
interface OnBoard {
  bd: BoardDemoResult;
  /** The float reference from the board's first output time on. */
  ref: TraceTable;
  cmp: Comparison;
}

/** The fixed-point error bound for inference (docs/protocol.md): 2⁻¹². */
const BOARD_BOUND = BOARD_INFERENCE_BOUND;

/** The trained network on a virtual board behind a pty, the input streamed over the protocol (progress on stderr). */
async function onBoard(graph: NlaGraph, trained: NlaGraph, dir: string, dtMs: number, o: DemoOpts): Promise<OnBoard> {
  const progress = progressReporter('demo: streaming to the virtual board', o.quiet === true);
  const inputSignal = loadSignalCsv(join(dir, 'input.csv'), 'linear', channelNames(graph).inputs);
  const bd = await boardDemo(trained, inputSignal, EVAL_MS, dtMs, (done, total, fps) => progress.update(done / total, (done * EVAL_MS) / total, fps, 'frames/s'));
  progress.done();
  const ref = fromTime(bd.reference.traces, bd.board.time()[0]!);
  const cmp = compareRuns(asRun(graph, 'digital', ref, { ...bd.reference.summary }), { ...asRun(graph, 'digital', bd.board, {}), engine: 'board' }, 5, NaN);
  return { bd, ref, cmp };
}

/** A finished run in the shape compareRuns takes (traces and summary only). */
function asRun(graph: NlaGraph, engine: 'digital' | 'analog', traces: TraceTable, summary: Record<string, unknown>) {
  return { engine, traces, summary, weights: null, graph, circuit: null, snapshots: [], failure: null, state: null };
}

/** comparison.html: the emulated chip against the digital engine, then the board against its float reference. */
function hardwareReport(hw: Emulated, board: OnBoard, dtMs: number, profile: string, command: string): string {
  const { ir, analog, digital, cmp } = hw;
  const { bd, ref } = board;
  const bs = bd.stream.stats;
  return comparisonReport({
    title: `NLA demo: the trained network on '${profile}' vs the digital engine`,
    intro: `The network trained above, compiled for the ${profile} profile (${ir.reports.map((r) => `${r.pass}: ${r.summary}`).join('; ')}), emulated in continuous time (${analog.summary.solver}) and run on the digital reference engine (dt = ${dtMs} ms) with the same ${EVAL_MS} ms of input.`,
    a: { name: 'digital', traces: digital.traces },
    b: { name: `analog (${profile})`, traces: analog.traces },
    metrics: cmp.perProbe,
    errorOverTime: cmp.errorOverTime,
    perPopulation: cmp.perPopulation,
    summary: { ...cmp.summary, 'analog wall time (s)': analog.summary.wallMs / 1000, 'analog steps': analog.summary.steps },
    tolerance: null,
    header: { command },
    others: [
      {
        heading: `The trained network on a virtual board (fixed point, over the serial protocol)`,
        text:
          `The same network compiled into a board image (${bd.image.stepsPerFrame} steps of ${dtMs} ms per 1 ms frame, ${bd.image.iterations} implicit iterations per step, α = 2^-${bd.image.relaxShift}; signals Q3.16, state Q3.24, weights Q3.28), ` +
          `loaded into the virtual board over ${bd.line} and fed the same input as ${bs.frames} frames with flow control: ${bs.outputsReceived} output frames back, ${bs.lost} lost, ${bs.retransmitted} retransmitted, ${Math.round(bs.framesPerSecond)} frames/s. ` +
          `A: the digital engine running the board's algorithm in floating point on the same frames, from rest. The difference is the fixed-point error; docs/protocol.md bounds it by 2⁻¹² = ${BOARD_BOUND.toExponential(2)} for inference.`,
        a: { name: 'digital (float, board algorithm)', traces: ref },
        b: { name: 'board (fixed point)', traces: bd.board },
        metrics: board.cmp.perProbe,
        errorOverTime: board.cmp.errorOverTime,
        perPopulation: board.cmp.perPopulation,
        tolerance: { value: BOARD_BOUND, what: 'the fixed-point bound 2⁻¹²' },
        summary: {
          ...board.cmp.summary,
          'frames streamed': bs.frames,
          'frames lost': bs.lost,
          'frames/s': Math.round(bs.framesPerSecond),
          'latency p50 / p99 (ms)': `${bs.latencyMs.p50.toFixed(2)} / ${bs.latencyMs.p99.toFixed(2)}`,
          line: bd.line,
        },
      },
    ],
  });
}

/** What the demo prints: learning, hardware and board in one line each, then the files written. */
function summaryText(graph: NlaGraph, learned: Learned, hw: Emulated, board: OnBoard, files: string[], o: DemoOpts): string[] {
  const s = learned.train.summary;
  const b = learned.before.summary.finalCost;
  const a = learned.after.summary.finalCost;
  const { ir, analog, digital, cmp } = hw;
  const { bd } = board;
  const bs = bd.stream.stats;
  return [
    `NLA demo: '${graph.name}' (${graph.nStimulusInputs} inputs, ${graph.nNeurons} neurons) learned online for ${s.simulatedMs / 1000} s simulated in ${(s.wallMs / 1000).toFixed(1)} s (${Math.round(s.stepsPerSecond)} steps/s, dt = ${s.dtMs} ms)`,
    `cost C on the same ${EVAL_MS / 1000} s of input, plasticity off: ${b.toExponential(2)} before → ${a.toExponential(2)} after learning (${(b / a).toFixed(1)}× lower)`,
    `moving equilibrium while learning: max |f| after the transient = ${s.maxAbsF.toExponential(2)} (max |u| = ${s.maxAbsU.toFixed(2)})`,
    `on '${o.profile}' (${ir.reports.find((r) => r.pass === 'quantise')!.summary}): emulated ${EVAL_MS / 1000} s in ${(analog.summary.wallMs / 1000).toFixed(1)} s; vs digital RMSE ${(cmp.summary['RMSE over all probes'] as number).toExponential(2)}, max error ${(cmp.summary['max |error|'] as number).toExponential(2)}, lag ${(cmp.summary['median best shift (ms)'] as number).toFixed(3)} ms, cost ${analog.summary.finalCost.toExponential(2)} (digital ${digital.summary.finalCost.toExponential(2)})`,
    `on a virtual board over ${bd.line.startsWith('pty') ? 'a pty' : 'an in-process line'}: ${bs.outputsReceived}/${bs.frames} frames streamed and returned (${bs.lost} lost) at ${Math.round(bs.framesPerSecond)} frames/s; fixed-point vs float max error ${(board.cmp.summary['max |error|'] as number).toExponential(2)} (bound ${BOARD_BOUND.toExponential(2)})`,
    ...bd.warnings.map((w) => `  board image warning: ${w}`),
    ...files.map((f) => `wrote ${f}`),
    `open ${join(o.outDir, 'report.html')} (learning) and ${join(o.outDir, 'comparison.html')} (hardware vs digital)`,
  ];
}

/** Runs EVAL_MS with plasticity off from the given weights (network at equilibrium at the start). */
function evaluate(graph: NlaGraph, drive: Drive, dtMs: number, weights: StateFile, probes = 'u:out,ustar:out'): DigitalRunResult {
  const sim = new DigitalSimulator(graph, { dtMs, learn: false, init: 'equilibrium' });
  restoreState(sim, weights, { weightsOnly: true });
  return runDigital(sim, { durationMs: EVAL_MS, drive, probes: parseProbes(probes, graph), sampleEveryMs: 0.5 });
}

function outputsVsTargets(res: DigitalRunResult, graph: NlaGraph): string {
  const t = res.traces.time();
  const colors = ['#1f77b4', '#d62728', '#2ca02c'];
  const series: Series[] = [];
  for (let k = 0; k < graph.outputs.length; k++) {
    series.push({ label: `u out[${k}]`, x: t, y: res.traces.column(`u:out[${k}]`), color: colors[k % 3] });
    series.push({ label: `u* out[${k}] (teacher, target)`, x: t, y: res.traces.column(`ustar:out[${k}]`), color: colors[k % 3], dotted: true });
  }
  return linePlot(series, { xLabel: timeAxis(t).xLabel, yLabel: 'u' });
}

/** The learning page's verdict: the evaluation cost before and after learning, and by how much it fell. */
export function learningVerdict(costBefore: number, costAfter: number, learnedMs: number): Verdict {
  const lower = costAfter < costBefore;
  return {
    status: lower ? 'pass' : 'fail',
    text: `${lower ? 'Learned' : 'Did not learn'}: cost C on the same ${EVAL_MS} ms of input, plasticity off, ${verdictNumber(costBefore)} before → ${verdictNumber(costAfter)} after ${learnedMs} ms of learning (${lower ? `${(costBefore / costAfter).toFixed(1)}× lower` : 'not lower'}).`,
  };
}

function report(graph: NlaGraph, before: DigitalRunResult, train: DigitalRunResult, after: DigitalRunResult, command: string): string {
  const { t, xLabel } = timeAxis(train.traces.time());
  const s = train.summary;
  return htmlPage(
    'NLA demo: a student network learns a teacher in real time',
    `Digital reference engine (explicit solve, ${s.solver} solver), dt = ${s.dtMs} ms. The student (6 inputs, 24 hidden, 3 outputs) ` +
      `learns online with Eq. 8 while its inputs and the teacher's outputs never stop changing. Dotted: the teacher's output (the target).`,
    [
      {
        heading: `Before learning: outputs and targets, plasticity off (cost ${before.summary.finalCost.toExponential(2)})`,
        html: outputsVsTargets(before, graph),
      },
      {
        heading: `After ${s.simulatedMs} ms of learning: the same input (cost ${after.summary.finalCost.toExponential(2)})`,
        html: outputsVsTargets(after, graph),
      },
      ...traceSections(train.traces, t, xLabel).map((sec) => ({ ...sec, heading: `During learning: ${sec.heading}` })),
      summarySection({ ...s }),
    ],
    { verdicts: [learningVerdict(before.summary.finalCost, after.summary.finalCost, s.simulatedMs)], command },
  );
}
