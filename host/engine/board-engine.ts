import { compileBoardImage } from '../../compiler/board/compile-image.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { InputError, UsageError } from '../../core/errors.js';
import { readInputFile } from '../../core/input-file.js';
import { formatBytes } from '../../core/memory-budget.js';
import type { GraphPlan } from '../../compiler/graph/plan.js';
import { positiveInt, positiveTimeMs } from '../../core/option-values.js';
import { wholeSteps } from '../../core/units.js';
import type { CommonOptions, Engine, EngineFactory, EngineFailure, EngineSource, RunOutcome, RunRequest } from '../../emulator/engine.js';
import { columnLabel, type Probe } from '../../emulator/probes/probe.js';
import { TraceTable } from '../../emulator/probes/recorder.js';
import type { Drive } from '../../emulator/drive.js';
import { NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { fromSignal, toSignal } from '../../hardware-models/fixed-point/format.js';
import { decodeImageFile, encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { frameMs, PROBE, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { VirtualBoard } from '../board/virtual-board.js';
import { StreamError, streamToBoard, type Incident, type StreamResult, type StreamStats } from '../stream.js';
import { memoryPair } from '../transport/memory.js';
import type { ByteTransport } from '../transport/transport.js';
import { loadBoardOutputs } from './recorded-outputs.js';
import { SerialTransport } from '../transport/serial.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;

/**
 * A board that speaks the protocol (docs/protocol.md), behind the Engine contract: the network becomes a
 * board image, the drive becomes input (and target) frames held for one frame each, and the board's
 * output frames become traces at the end of each frame. Without `--board-port` the board is the
 * bit-exact virtual board in this process; with it, whatever board is on that serial device.
 */
export const boardEngine: EngineFactory = {
  name: 'board',
  description: 'a board over the serial protocol (default: the bit-exact virtual board in process)',
  accepts: ['network'],
  learns: true,
  learnsByDefault: false,
  drawsAtRunTime: false,
  defaultProbes: 'u',
  options: [
    { flag: '--board-port <device>', key: 'boardPort', description: 'board: the serial device of a board (nla board virtual prints one); default: a virtual board in this process' },
    { flag: '--baud <rate>', key: 'baud', description: 'board: line speed of --board-port', defaultValue: '921600' },
    { flag: '--board-dt <time>', key: 'boardDt', description: "board: the fixed-point core's Euler step", defaultValue: '0.1ms' },
    { flag: '--frame <time>', key: 'frame', description: 'board: model time per input frame (a whole number of core steps)', defaultValue: '1ms' },
    { flag: '--board-iterations <n>', key: 'boardIterations', description: "board: iterations of the core's implicit solve per step", defaultValue: '4' },
    { flag: '--relax-shift <s>', key: 'relaxShift', description: 'board: relaxation α = 2^−s (default: from the estimated λ_max of H)' },
    { flag: '--image <file>', key: 'image', description: 'board: a binary board image (nla image --out) to run instead of compiling the network here' },
    { flag: '--board-outputs <csv>', key: 'boardOutputs', description: 'board: the output frames a stream recorded (nla stream --out), read instead of streaming' },
  ],
  estimateBytes(plan: GraphPlan) {
    // the image's Q3.28 registers, their encoding, and the virtual board's copy: 4 B each per synapse
    const bytes = 12 * plan.footprint.weightCells;
    return { bytes, what: `board image and virtual board ≈ ${formatBytes(bytes)}` };
  },
  async create(source: EngineSource, common: CommonOptions, o: Values): Promise<Engine> {
    if (source.kind !== 'network') throw new UsageError(`the board engine runs a network spec; ${source.file} is a compiled circuit`);
    if (common.init !== 'rest') throw new UsageError('--init: a board starts every stream from rest (u = 0, filters at 0)');
    if (common.seed !== undefined && common.seed !== source.graph.seed) throw new UsageError('--seed: a board draws nothing at run time');
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const { image, warnings } = boardImage(source.graph, o, str);
    const recorded = str('boardOutputs');
    if (recorded && str('boardPort')) throw new UsageError('give either --board-outputs (a recording) or --board-port (a board to stream to), not both');
    if (recorded) return new RecordedBoard(source.graph, image, recorded);
    const port = str('boardPort');
    return new BoardEngine(source.graph, image, warnings, common.learn ?? false, port ? { port, baud: positiveInt(str('baud') ?? '921600', '--baud') } : null);
  },
};

/** The image to run: `--image` as it is (its options then may not be given), or the network compiled here. */
function boardImage(g: NlaGraph, o: Values, str: (k: string) => string | undefined): { image: BoardImage; warnings: string[] } {
  const file = str('image');
  if (file) {
    const clash = ['boardDt', 'frame', 'boardIterations', 'relaxShift'].find((k) => o[k] !== undefined);
    if (clash) throw new UsageError(`--image ${file} is compiled already; its step, frame, iterations and relaxation are its own (drop the --${clash.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} option)`);
    return { image: decodeImageFile(new Uint8Array(readInputFile(file)), file), warnings: [] };
  }
  const relax = str('relaxShift');
  return compileBoardImage(g, {
    dtMs: positiveTimeMs(str('boardDt') ?? '0.1ms', '--board-dt'),
    frameMs: positiveTimeMs(str('frame') ?? '1ms', '--frame'),
    iterations: positiveInt(str('boardIterations') ?? '4', '--board-iterations'),
    ...(relax !== undefined ? { relaxShift: positiveInt(relax, '--relax-shift') } : {}),
  });
}

/** The digital engine's settings that run a board image's algorithm in float on the same frames. */
function referenceOf(img: BoardImage) {
  return { method: 'implicit' as const, dtMs: img.dtNs / 1e6, iterations: img.iterations, relaxation: 2 ** -img.relaxShift, frameMs: frameMs(img) };
}

/** Output frames a stream recorded (nla stream --out), as a board run's traces. */
export class RecordedBoard implements Engine {
  readonly name = 'board';
  readonly circuit = null;

  constructor(
    readonly graph: NlaGraph,
    readonly image: BoardImage,
    private readonly file: string,
  ) {}

  get reference() {
    return referenceOf(this.image);
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const all = loadBoardOutputs(this.file, this.graph);
    const fMs = frameMs(this.image);
    const time = all.time();
    const last = time[time.length - 1] ?? 0;
    // a recording shorter than the run asked for would be compared over less than it says: refuse
    if (last < req.durationMs - 1e-9) throw new InputError(`the recording ends at t = ${last} ms, before the ${req.durationMs} ms asked (--duration)`, this.file);
    const names = req.probes.flatMap((p) => p.indices.map((i) => columnLabel(p, i, 0, 1)));
    const missing = names.filter((n) => !all.names.includes(n));
    if (missing.length) throw new InputError(`the recording has no column ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''} (--probe); it has ${all.names.slice(0, 4).join(', ')}${all.names.length > 4 ? ', …' : ''}`, this.file, 1);
    const cols = names.map((n) => all.column(n));
    const traces = new TraceTable(names, Math.max(1, all.rows));
    const row = new Float64Array(names.length);
    for (let r = 0; r < all.rows && time[r]! <= req.durationMs + 1e-9; r++) {
      cols.forEach((c, j) => (row[j] = c[r]!));
      traces.push(time[r]!, row);
    }
    const summary = { engine: 'board', board: `recording ${this.file}`, frames: traces.rows, frameMs: fMs, simulatedMs: req.durationMs, wallMs: 0, seed: this.graph.seed, learn: false };
    return { traces, summary, failure: null, weights: null, snapshots: [] };
  }
}

/** The board behind the Engine contract; `line` null: a virtual board in this process. */
export class BoardEngine implements Engine {
  readonly name = 'board';
  readonly circuit = null;

  constructor(
    readonly graph: NlaGraph,
    readonly image: BoardImage,
    readonly warnings: string[],
    private readonly learn: boolean,
    private readonly line: { port: string; baud: number } | null,
  ) {}

  /** The digital engine's settings that run the board's algorithm in float on the same frames. */
  get reference() {
    return referenceOf(this.image);
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const fMs = frameMs(this.image);
    const n = wholeSteps(req.durationMs, fMs, { duration: '--duration', dt: '--frame' });
    if (req.sampleEveryMs !== undefined && Math.abs(req.sampleEveryMs - fMs) > 1e-9 * fMs) throw new UsageError(`--sample-every: a board reports once per frame (${fMs} ms)`);
    if (req.weightsEveryMs !== undefined) throw new UsageError('--weights-out: a board does not report its weights during a stream');
    const mask = probeMask(this.graph, req.probes);
    const { inputs, targets } = frames(req.drive, n, fMs);
    const start = performance.now();
    let result: StreamResult | StreamError['partial'];
    let failure: EngineFailure | null = null;
    try {
      result = await streamToBoard({
        connect: () => this.connect(),
        image: encodeImage(this.image),
        inputs,
        targets,
        frameUs: fMs * 1000,
        probes: mask,
        learn: this.learn,
        ...(this.line ? { session: { baud: this.line.baud } } : {}),
        ...(req.onProgress ? { onProgress: (p) => req.onProgress!(p.outputs / p.total, p.outputs * fMs) } : {}),
      });
    } catch (e) {
      if (!(e instanceof StreamError)) throw e;
      result = e.partial;
      const first = e.missingOutputs[0] ?? 0;
      failure = { what: e.message, timeMs: first * fMs, where: this.line ? this.line.port : 'virtual board', hint: 'the frames that arrived are in the traces; the rest are missing' };
    }
    this.lastStream = { stats: result.stats, incidents: result.incidents };
    const traces = outputTraces(this.graph, this.image, mask, req.probes, result.outputs, n, fMs);
    const received = result.outputs.filter((x) => x && x.length > 0).length;
    const summary = { engine: 'board', board: this.line ? this.line.port : 'virtual (in process)', frames: n, framesReceived: received, frameMs: fMs, simulatedMs: failure ? failure.timeMs : n * fMs, wallMs: performance.now() - start, seed: this.graph.seed, learn: this.learn, warnings: this.warnings };
    return { traces, summary, failure, weights: null, snapshots: [] };
  }

  /** The last run's stream statistics (the counters `nla stream` prints) and incidents; null before a run. */
  lastStream: { stats: StreamStats; incidents: Incident[] } | null = null;

  /** Opens the line another way (the web page: Web Serial); null: `line`, else a virtual board in this process. */
  connectVia: (() => Promise<ByteTransport>) | null = null;

  private async connect(): Promise<ByteTransport> {
    if (this.connectVia) return this.connectVia();
    if (this.line) return SerialTransport.openWithRetry(this.line.port, this.line.baud, 2000);
    const [host, board] = memoryPair();
    new VirtualBoard().attach(board);
    return host;
  }
}

/** The probe mask the board streams for the probes asked (u of any neuron, rbar and ebar of the outputs). */
function probeMask(g: NlaGraph, probes: Probe[]): number {
  const outputs = new Set(g.outputs);
  let mask = 0;
  for (const p of probes) {
    const offset = p.target === 'neuron' ? g.neurons[p.pop]!.offset : 0;
    const onOutputs = p.target === 'neuron' && p.indices.every((i) => outputs.has(offset + i));
    if (p.quantity === 'u') mask |= onOutputs ? PROBE.OUTPUT_U : PROBE.ALL_U;
    else if (p.quantity === 'rbar' && onOutputs) mask |= PROBE.OUTPUT_RATE;
    else if (p.quantity === 'ebar' && onOutputs) mask |= PROBE.OUTPUT_ERROR;
    else throw new UsageError(`--probe: a board reports u (any neuron) and rbar, ebar of the outputs, not ${p.quantity}${p.target === 'input' ? ' of inputs' : ''}`);
  }
  if (mask & PROBE.ALL_U) mask &= ~PROBE.OUTPUT_U;
  return mask || PROBE.OUTPUT_U;
}

/** Inputs and targets held per frame, sampled at each frame's start, in Q3.16. */
function frames(drive: Drive, n: number, fMs: number): { inputs: Int32Array[]; targets: Int32Array[] | null } {
  if (drive.impulses(-Infinity, n * fMs, 0).length) throw new UsageError('a board takes input frames, not input impulses (--events with kind delta)');
  const v = new Float64Array(drive.inputChannels);
  const tv = new Float64Array(drive.targetChannels);
  const slope = new Float64Array(drive.targetChannels);
  const inputs: Int32Array[] = [];
  const targets: Int32Array[] = [];
  for (let k = 0; k < n; k++) {
    drive.inputs(k * fMs, 0, v, 0);
    inputs.push(Int32Array.from(v, toSignal));
    if (drive.targetChannels) {
      drive.targets(k * fMs, 0, tv, slope, 0);
      targets.push(Int32Array.from(tv, (x) => (Number.isFinite(x) ? toSignal(x) : NO_TARGET_Q)));
    }
  }
  return { inputs, targets: drive.targetChannels ? targets : null };
}

/** One row per frame at its end, the probes' columns; a frame that did not arrive is a row of NaN. */
function outputTraces(g: NlaGraph, img: BoardImage, mask: number, probes: Probe[], outputs: Int32Array[], n: number, fMs: number): TraceTable {
  const offsets = new Map<string, number>();
  let at = 0;
  const add = (q: string, indices: ArrayLike<number>) => Array.from(indices, (i) => offsets.set(`${q}:${i}`, at++));
  if (mask & PROBE.OUTPUT_U) add('u', img.outputs);
  if (mask & PROBE.OUTPUT_RATE) add('rbar', img.outputs);
  if (mask & PROBE.OUTPUT_ERROR) add('ebar', img.outputs);
  if (mask & PROBE.ALL_U) add('u', Array.from({ length: img.nNeurons }, (_, i) => i));
  const cols = probes.flatMap((p) => p.indices.map((i) => ({ name: columnLabel(p, i, 0, 1), at: offsets.get(`${p.quantity}:${g.neurons[p.pop]!.offset + i}`)! })));
  const traces = new TraceTable(cols.map((c) => c.name), Math.max(1, n));
  const row = new Float64Array(cols.length);
  for (let k = 0; k < n; k++) {
    const out = outputs[k];
    cols.forEach((c, j) => (row[j] = out && out.length ? fromSignal(out[c.at]!) : NaN));
    traces.push((k + 1) * fMs, row);
  }
  return traces;
}
