import type { Command } from 'commander';
import { DEFAULT_REALTIME_PRIORITY, enterRealtime, realtimePriority, type RealtimeStatus } from '../../core/realtime.js';
import { UsageError } from '../../core/errors.js';
import { parseTimeMs, wholeSteps } from '../../core/units.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { frameMs as imageFrameMs, PROBE, PROBE_NAMES, probeColumns, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { loadSignalCsv } from '../../emulator/stimulus/load.js';
import { imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { NO_TARGET } from '../../host/protocol/messages.js';
import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { LOG_FORMAT, StreamLogWriter } from '../../host/stream-log.js';
import { StreamError, streamToBoard, type StreamProgress } from '../../host/stream.js';
import { requirePort } from '../../host/transport/port-exists.js';
import { SerialTransport } from '../../host/transport/serial.js';
import { imageInputLabels, imageNeuronLabel, loadImageFile } from '../board-image.js';
import { nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../../core/option-values.js';
import { writeOutput } from '../files.js';
import { outputCsv, partialNote, type StreamOutcome } from '../stream-results.js';

interface StreamOpts {
  port?: string;
  baud: string;
  lineModel: boolean;
  image?: string;
  state?: string;
  boardDt?: string;
  frame?: string;
  boardIterations?: string;
  input?: string;
  interp: string;
  target?: string;
  targetInterp: string;
  duration?: string;
  out?: string;
  rate?: string;
  probe: string;
  learn?: boolean;
  log?: string;
  retries: string;
  stall: string;
  json?: boolean;
  quiet?: boolean;
  realtime?: string | boolean;
}

export function registerStream(program: Command): void {
  program
    .command('stream')
    .description('load a board image over a serial port, stream input frames in real time with flow control, and record the board\'s output frames')
    .option('--port <path>', 'serial device of the board (nla ports; nla board virtual prints one)')
    .option('--baud <n>', 'line rate', '921600')
    .option('--no-line-model', 'the line is faster than --baud (a USB CDC board, an unpaced virtual board): do not pace writes to the baud or time retransmissions from it')
    .option('--image <file>', 'board image (nla image --out) or a network spec compiled here')
    .optionsGroup('With a network spec as --image (compiled here):')
    .option('--state <json>', 'with a spec: trained weights from a saved state')
    .option('--board-dt <time>', "with a spec: the fixed-point core's Euler step (default 0.1ms)")
    .option('--frame <time>', 'with a spec: model time per frame (default 1ms)')
    .option('--board-iterations <n>', "with a spec: iterations of the core's implicit solve per step (default 4)")
    .optionsGroup('Options:')
    .option('--input <csv>', "input rates: 't' (ms) then one column per stimulus input; sampled at each frame start")
    .option('--interp <mode>', 'input interpolation between rows: step or linear', 'step')
    .option('--target <csv>', "targets of the outputs: 't' then one column per output (empty cell: none)")
    .option('--target-interp <mode>', 'target interpolation: step or linear', 'step')
    .option('--duration <time>', 'model time to stream (default: up to the last input row)')
    .option('--out <csv>', "write the board's output frames: 't' (ms, end of each frame) then the probed values")
    .option('--rate <frames/s>', 'pace frames in real time (default: as fast as flow control allows)')
    .option('--probe <list>', 'what each output frame carries: u, rate, error (of the outputs), all-u (every neuron)', 'u')
    .option('--learn', 'plasticity on the board during the stream')
    .option('--log <jsonl>', 'record every frame and message (replay with: nla replay <jsonl>)')
    .option('--retries <n>', 'reconnection attempts after a dropped line or a board reset', '3')
    .option('--stall <time>', 'end a session (and reconnect) when the board sends nothing for this long while a frame waits for its output or a request for its answer', '20s')
    .option('--json', 'print the statistics as JSON')
    .option('--quiet', 'no progress on stderr')
    .option('--realtime [priority]', `run under real-time scheduling (SCHED_FIFO, default priority ${DEFAULT_REALTIME_PRIORITY}; Linux, needs root or CAP_SYS_NICE): steadier --rate pacing and latency`)
    .action((o: StreamOpts) => stream(o));
}

export function parseProbeMask(list: string): number {
  let mask = 0;
  for (const p of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const bit = PROBE_NAMES[p];
    if (!bit) throw new UsageError(`--probe: unknown probe '${p}'; expected u, rate, error or all-u`);
    mask |= bit;
  }
  if (!mask) throw new UsageError('--probe: expected at least one of u, rate, error, all-u');
  if (mask & PROBE.ALL_U && mask & PROBE.OUTPUT_U) throw new UsageError("--probe: 'all-u' already includes the outputs' u; give one of u and all-u");
  return mask;
}

/** Output CSV column names in the digital engine's naming (`u:out[0]`, `rbar:out[0]`, `ebar:out[0]`). */
export function boardColumns(img: BoardImage, mask: number): string[] {
  const outLabel = (k: number) => imageNeuronLabel(img, img.outputs[k]!);
  return probeColumns(img, mask, outLabel, (i) => imageNeuronLabel(img, i)).map((c) => {
    const dot = c.lastIndexOf('.');
    const q = c.slice(dot + 1);
    return `${q === 'r' ? 'rbar' : q === 'e' ? 'ebar' : 'u'}:${c.slice(0, dot)}`;
  });
}

async function stream(o: StreamOpts): Promise<void> {
  if (!o.port) throw new UsageError('--port is required: the serial device of the board (list them with nla ports, or start nla board virtual)');
  if (!o.image) throw new UsageError('--image is required: a board image (nla image --out) or a network spec');
  if (!o.input) throw new UsageError("--input is required: a CSV with 't' (ms) and one column per stimulus input");
  const baud = positiveInt(o.baud, '--baud');
  const stallMs = stallTimeMs(o.stall);
  const { image, bytes } = loadImageFile(o.image, o);
  const frames = readFrames(o, o.input, image);
  const probes = parseProbeMask(o.probe);
  const rate = o.rate ? positiveNumber(o.rate, '--rate') : undefined;
  const rtPriority = realtimePriority(o.realtime);
  const realtime = rtPriority === null ? null : enterRealtime(rtPriority);
  if (realtime && !realtime.ok) process.stderr.write(`stream: --realtime not in effect, running under normal scheduling: ${realtime.detail}\n`);
  const log = o.log ? new StreamLogWriter(o.log, { format: LOG_FORMAT, startedAt: new Date().toISOString(), port: o.port, baud, image: o.image, imageCrc: `0x${imageId(bytes).toString(16).padStart(8, '0')}`, frames: frames.n }) : null;
  const { outcome, failure } = await run({ o, port: o.port, baud, image, bytes, frames, probes, rate, stallMs, log });
  const files: string[] = [];
  if (o.out) files.push(writeOutput(o.out, outputCsv(boardColumns(image, probes), frames.frameMs, outcome.result.outputs)));
  if (o.log) files.push(o.log);
  if (failure) process.stderr.write(partialNote(outcome, frames.n, files));
  report(outcome, { port: o.port, baud, frameMs: frames.frameMs, frames: frames.n, inputs: image.nStimulusInputs, json: o.json === true, realtime, files });
  if (failure) throw failure;
}

/** --stall: a finite time > 0 (StreamRequest.stallMs), ms. */
function stallTimeMs(v: string): number {
  const t = parseTimeMs(v, '--stall');
  if (!(t > 0) || !Number.isFinite(t)) throw new UsageError(`--stall: expected a finite time > 0 such as 20s, got '${v}'`);
  return t;
}

/** The frames to stream: n frames of the image's frame time, inputs (and targets) sampled at each frame start. */
interface Frames {
  frameMs: number;
  n: number;
  inputs: Int32Array[];
  targets: Int32Array[] | null;
}

/** Reads --input (and --target) and samples them at each frame start, up to --duration or the last input row. */
function readFrames(o: StreamOpts, inputFile: string, image: BoardImage): Frames {
  const fMs = imageFrameMs(image);
  const input = loadSignalCsv(inputFile, oneOf(o.interp, ['step', 'linear'] as const, '--interp'), imageInputLabels(image));
  const lastRow = input.times[input.times.length - 1]!;
  // a given --duration is a whole number of frames; without one, the frames up to the last input row
  const n = o.duration ? wholeSteps(parseTimeMs(o.duration, '--duration'), fMs, { duration: '--duration', dt: 'the image\'s frame' }) : Math.floor(Math.max(lastRow, fMs) / fMs + 1e-9);
  const inputs = sampleFrames(input, fMs, n).map((f) => Int32Array.from(f, toSignal));
  const outLabels = image.outputs.map((i) => imageNeuronLabel(image, i));
  const targets = o.target
    ? sampleFrames(loadSignalCsv(o.target, oneOf(o.targetInterp, ['step', 'linear'] as const, '--target-interp'), outLabels, true), fMs, n).map((f) => Int32Array.from(f, (v) => (Number.isNaN(v) ? NO_TARGET : toSignal(v))))
    : null;
  return { frameMs: fMs, n, inputs, targets };
}

/** Everything one stream needs, parsed and checked. */
interface StreamSetup {
  o: StreamOpts;
  port: string;
  baud: number;
  image: BoardImage;
  bytes: Uint8Array;
  frames: Frames;
  probes: number;
  rate: number | undefined;
  stallMs: number;
  log: StreamLogWriter | null;
}

/**
 * Streams, with progress on stderr, and closes the log. A failed stream (StreamError) still yields its
 * outcome (what arrived) and the error, for the caller to write the files before it fails; any other
 * error is thrown.
 */
async function run(s: StreamSetup): Promise<{ outcome: StreamOutcome; failure: StreamError | null }> {
  const { o, port, baud, log } = s;
  const tty = process.stderr.isTTY === true;
  try {
    const res = await streamToBoard({
      // nothing at the path: the stream fails at once (NoSuchPortError), still writing what it has (every frame missing)
      connect: () => (requirePort(port, '--port'), SerialTransport.openWithRetry(port, baud, 2000)),
      image: s.bytes,
      inputs: s.frames.inputs,
      targets: s.frames.targets,
      frameUs: s.frames.frameMs * 1000,
      probes: s.probes,
      learn: o.learn === true,
      ...(s.rate ? { rateHz: s.rate } : {}),
      reconnect: { attempts: nonNegativeInt(o.retries, '--retries'), delayMs: 300 },
      stallMs: s.stallMs,
      // the link models a UART at --baud (pacing and retransmission timing) unless told the line is faster
      session: { ...(o.lineModel ? { baud } : {}), ...(log ? { log: log.write } : {}) },
      onProgress: progressLine(o.quiet === true, tty, framePayloadBytes(s.image.nStimulusInputs)),
    });
    return { outcome: { result: res, missing: [], unacknowledged: [], error: null }, failure: null };
  } catch (e) {
    // a failed stream keeps what arrived: the files are written, marked, and the error still ends the command (exit 4)
    if (!(e instanceof StreamError)) throw e;
    return { outcome: { result: e.partial, missing: e.missingOutputs, unacknowledged: e.unacknowledged, error: e.message }, failure: e };
  } finally {
    if (tty && !o.quiet) process.stderr.write('\r\x1b[K');
    await log?.close();
  }
}

/** Progress on stderr: one line rewritten in place on a terminal, else a line at most every 2 s; nothing when quiet. */
function progressLine(quiet: boolean, tty: boolean, payloadBytes: number): (p: StreamProgress) => void {
  let lastLine = 0;
  return (p) => {
    if (quiet) return;
    const msg = `stream: ${p.outputs}/${p.total} frames  ${Math.round(p.framesPerSecond)} frames/s  ${((p.framesPerSecond * payloadBytes) / 1000).toFixed(1)} kB/s payload`;
    if (tty) process.stderr.write(`\r${msg}\x1b[K`);
    else if (performance.now() - lastLine > 2000) {
      process.stderr.write(msg + '\n');
      lastLine = performance.now();
    }
  };
}

/** Prints the outcome: JSON (`complete`, `error`, `missing` and `unacknowledged` frames, statistics) or text. */
function report(outcome: StreamOutcome, c: { port: string; baud: number; frameMs: number; frames: number; inputs: number; json: boolean; realtime: RealtimeStatus | null; files: string[] }): void {
  const res = outcome.result;
  const s = res.stats;
  const lineShare = (s.lineBytesSent * 10) / ((s.durationMs / 1000) * c.baud);
  const failed = outcome.error !== null;
  if (c.json) {
    const status = { complete: !failed, error: outcome.error, missing: outcome.missing, unacknowledged: outcome.unacknowledged };
    process.stdout.write(JSON.stringify({ board: res.board, port: c.port, baud: c.baud, frameMs: c.frameMs, ...status, stats: s, lineUtilisation: lineShare, realtime: c.realtime, incidents: res.incidents, files: c.files }, null, 2) + '\n');
    return;
  }
  const board = res.board ? `board '${res.board.boardId}' (protocol ${res.board.major}.${res.board.minor})` : 'the board (never reached)';
  process.stdout.write(
    [
      `${failed ? 'FAILED: ' : ''}streamed ${c.frames - outcome.missing.length} of ${c.frames} frames (${c.frameMs} ms each, ${c.inputs} inputs) to ${board} on ${c.port} at ${c.baud} baud`,
      `  sent ${s.sent}, acknowledged ${s.acknowledged}, outputs ${s.outputsReceived}, retransmitted ${s.retransmitted}, rejected ${s.rejectedFrames}, gaps ${s.gaps}, lost ${s.lost}${s.sessions > 1 ? `, ${s.sessions} sessions (${s.resent} frames resent)` : ''}`,
      `  ${Math.round(s.framesPerSecond)} frames/s, ${(s.payloadBytesPerSecond / 1000).toFixed(1)} kB/s input payload, line ${(lineShare * 100).toFixed(0)}% busy host→board; latency p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms${s.latencyFromScheduleMs ? ` (from the --rate schedule: p50 ${s.latencyFromScheduleMs.p50.toFixed(2)} ms, p99 ${s.latencyFromScheduleMs.p99.toFixed(2)} ms)` : ''}; host CPU ${s.hostCpuUsPerFrame.toFixed(0)} µs/frame`,
      ...(c.realtime?.ok ? [`  real-time scheduling: ${c.realtime.detail}`] : []),
      ...res.incidents.map((i) => `  incident at frame ${i.atFrame}: ${i.what}`),
      ...c.files.map((f) => `wrote ${f}`),
    ].join('\n') + '\n',
  );
}
