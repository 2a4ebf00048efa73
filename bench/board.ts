/**
 * Benchmarks of the board host (`npm run bench:board`): the virtual board runs in its own process
 * (`nla board virtual`, behind a real pty), the host streams to it from this process (bulk, unpaced)
 * or from a fresh one (latency).
 *
 * 1. Bulk streaming at --baud 921600: input-frame payload throughput against the line's byte rate
 *    (baud/10), frames of 256 inputs (778-byte payload); baseline in the same run: raw bytes through
 *    the same UART pacing without any protocol.
 * 2. Round-trip latency of one input frame to its output frame at 1 kHz, --baud 921600, 16 inputs:
 *    p50/p99 against the bound two frame transmission times + 1 ms, after three uncounted warm-up
 *    streams (WARM_UP_STREAMS); the same unpaced as a baseline; and at 8 and 4 inputs (a less busy line). Beside it, the
 *    machine's own wake-up jitter (an idle thread sleeping to 1 ms deadlines).
 * 3. Unpaced over a pty, 16 inputs: frames/s and the host's CPU time per frame; baseline in the same
 *    run: the fixed-point core alone in-process (no protocol, no line).
 * 4. Latency as in 2 with host and board under real-time scheduling (`--realtime`, SCHED_FIFO), where
 *    the machine permits it.
 * Each latency measurement runs its host in a fresh process (as `nla stream` is), this script again
 * with --latency-child.
 * Medians of repeated runs. Writes out/benchmarks-board.{md,json}.
 *
 *   npm run bench:board [-- --quick]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REALTIME_PRIORITY, enterRealtime, threadScheduling } from '../core/realtime.js';
import { compileBoardImage } from '../compiler/board/compile-image.js';
import { layeredNetwork } from '../compiler/spec/builder.js';
import { FixedPointCore } from '../hardware-models/fixed-point/core.js';
import { toSignal } from '../hardware-models/fixed-point/format.js';
import { framePayloadBytes } from '../hardware-models/fixed-point/capabilities.js';
import { encodeImage } from '../hardware-models/fixed-point/image-codec.js';
import type { BoardImage } from '../hardware-models/fixed-point/image.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, PROTOCOL_MAJOR } from '../host/protocol/frame.js';
import { encodePayload, MSG } from '../host/protocol/messages.js';
import { streamToBoard, type StreamStats } from '../host/stream.js';
import { spawnVirtualBoard } from '../host/board/spawn.js';
import { memoryPair } from '../host/transport/memory.js';
import { PacedTransport } from '../host/transport/paced.js';
import { SerialTransport } from '../host/transport/serial.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;
const BAUD = 921600;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function image(inputs: number, hidden: number, outputs: number): BoardImage {
  const sizes = hidden > 0 ? [inputs, hidden, outputs] : [inputs, outputs];
  const g = layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 5, beta: 0.1, init: { distribution: 'normal', std: 0.2 } }).build();
  return compileBoardImage(g, { dtMs: 0.1, frameMs: 1 }).image;
}

function frames(n: number, inputs: number): Int32Array[] {
  return Array.from({ length: n }, (_, k) => Int32Array.from({ length: inputs }, (_, c) => toSignal(0.5 + 0.4 * Math.sin(k / (7 + c) + c))));
}

/** Bytes on the line of one input frame (COBS and delimiter included). */
function inputFrameBytes(inputs: number): number {
  const payload = encodePayload({ type: 'input-frame', frame: 123456, timeUs: 123456000, values: new Int32Array(inputs).fill(0x00012345) });
  return encodeFrame({ version: PROTOCOL_MAJOR, type: MSG.INPUT_FRAME, flags: FLAG_SEQ | FLAG_ACK, seq: 77, ack: 77, credits: 64, payload }).length;
}

/** One stream; `baud` when the board's line is paced (the host's link then paces itself to it too). */
async function streamOnce(port: string, img: BoardImage, inputs: Int32Array[], rateHz?: number, baud?: number): Promise<StreamStats> {
  const res = await streamToBoard({ connect: () => SerialTransport.openWithRetry(port, BAUD, 3000), image: encodeImage(img), inputs, frameUs: 1000, ...(rateHz ? { rateHz } : {}), ...(baud ? { session: { baud } } : {}) });
  if (res.stats.lost) throw new Error(`${res.stats.lost} frames lost`);
  return res.stats;
}

/** Raw bytes through the UART pacing (memory line), bytes/s: the ceiling of the paced line itself. */
async function rawPaced(bytes: number): Promise<number> {
  const [a, b] = memoryPair();
  const pa = new PacedTransport(a, BAUD);
  const pb = new PacedTransport(b, BAUD);
  let got = 0;
  const t0 = performance.now();
  const done = new Promise<void>((r) =>
    pb.onData((c) => {
      got += c.length;
      if (got >= bytes) r();
    }),
  );
  const chunk = new Uint8Array(1051).fill(7);
  for (let o = 0; o < bytes; o += chunk.length) if (!pa.write(chunk)) await pa.drain();
  await done;
  const bps = (got * 1000) / (performance.now() - t0);
  await pa.close();
  await pb.close();
  return bps;
}

/**
 * The machine's own wake-up jitter, the floor under any latency tail: a thread that does nothing else
 * sleeps to 1 ms deadlines (Atomics.wait, as the pacing timer's worker does); how late it wakes, ms.
 */
function sleepJitter(count: number): { p50: number; p99: number; p999: number; max: number; overOneMs: number } {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const late: number[] = [];
  let due = performance.now();
  for (let k = 0; k < count; k++) {
    due += 1;
    Atomics.wait(cell, 0, 0, Math.max(0, due - performance.now()));
    late.push(performance.now() - due);
  }
  late.sort((a, b) => a - b);
  const q = (p: number) => late[Math.min(late.length - 1, Math.floor(p * late.length))]!;
  return { p50: q(0.5), p99: q(0.99), p999: q(0.999), max: late[late.length - 1]!, overOneMs: late.filter((x) => x > 1).length };
}

/** Whether every thread of a process runs under a real-time policy (SCHED_FIFO or SCHED_RR). */
function isRealtime(pid: number | undefined): boolean {
  const threads = pid === undefined ? [] : threadScheduling(pid);
  return threads.length > 0 && threads.every((t) => t.policy === 1 || t.policy === 2);
}

/** CPU time (user + system) of a process so far, ms; NaN where /proc is unavailable. */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function coreAlone(img: BoardImage, inputs: Int32Array[]): number {
  const core = new FixedPointCore(img);
  const t0 = performance.now();
  for (const f of inputs) core.frame(f, false);
  return (inputs.length * 1000) / (performance.now() - t0);
}

const RATE_HZ = 1000;
/**
 * Streams not counted before the measured ones: for the first 9,000 or so frames V8 is still compiling
 * the host's and the board's hot paths; the tail then is 2–3 ms longer and the host's CPU per frame a
 * third higher (measured: six streams of 3000 to one board, only the last three settled).
 */
const WARM_UP_STREAMS = quick ? 1 : 3;

type Latency = Awaited<ReturnType<typeof measureLatency>>;

/**
 * measureLatency in a fresh host process, as a user's `nla stream` is one (and so that what this
 * process did before, its heap and its JIT state, does not colour the tail); `realtime` switches that
 * process to SCHED_FIFO first (`nla stream --realtime` does the same).
 */
function latencyInChild(inputs: number, args: string[], n: number, realtime: boolean): Promise<Latency & { hostRealtimeDetail: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--latency-child', JSON.stringify({ inputs, args, n, realtime }), ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`latency child exited with ${code}`))));
  });
}

/**
 * Round-trip latency at RATE_HZ, frames of `inputs` values, against a board started with `args`:
 * REPS streams of n frames after WARM_UP_STREAMS uncounted ones. Medians over the streams, the p99 of
 * each, the board process's CPU share and whether host and board run real-time.
 */
async function measureLatency(inputs: number, args: string[], n: number) {
  const img = image(inputs, 32, 4);
  const tIn = (inputFrameBytes(inputs) / (BAUD / 10)) * 1000;
  const bound = 2 * tIn + 1;
  const board = await spawnVirtualBoard(args);
  const runs: Array<{ s: StreamStats; within: number; boardCpu: number }> = [];
  const paced = args.includes('--baud');
  const once = (count: number) => streamToBoard({ connect: () => SerialTransport.openWithRetry(board.port, BAUD, 3000), image: encodeImage(img), inputs: frames(count, inputs), frameUs: 1000, rateHz: RATE_HZ, ...(paced ? { session: { baud: BAUD } } : {}) });
  let boardRealtime = false;
  try {
    for (let w = 0; w < WARM_UP_STREAMS; w++) await once(n);
    boardRealtime = isRealtime(board.proc.pid);
    for (let r = 0; r < REPS; r++) {
      const c0 = cpuMs(board.proc.pid);
      const w0 = performance.now();
      const res = await once(n);
      runs.push({ s: res.stats, within: res.latencies.filter((l) => l <= bound).length / res.latencies.length, boardCpu: (cpuMs(board.proc.pid) - c0) / (performance.now() - w0) });
    }
  } finally {
    await board.stop();
  }
  const m = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  return {
    inputs,
    frameBytes: inputFrameBytes(inputs),
    frameTransmissionMs: tIn,
    lineBusy: (tIn * RATE_HZ) / 1000, // share of each period the input frame occupies the line
    boundMs: bound,
    p50: m((r) => r.s.latencyMs.p50),
    p90: m((r) => r.s.latencyMs.p90),
    p99: m((r) => r.s.latencyMs.p99),
    fromScheduleP50: m((r) => r.s.latencyFromScheduleMs!.p50),
    fromScheduleP99: m((r) => r.s.latencyFromScheduleMs!.p99),
    within: m((r) => r.within),
    boardCpuShare: m((r) => r.boardCpu),
    hostCpuUsPerFrame: m((r) => r.s.hostCpuUsPerFrame),
    p99Runs: runs.map((r) => r.s.latencyMs.p99),
    boardRealtime,
    hostRealtime: isRealtime(process.pid),
  };
}

/** A part of the report: its rows of the JSON file and of the Markdown table. */
interface Section {
  rows: Record<string, unknown>;
  md: string[];
}

async function main(): Promise<void> {
  const rows: Record<string, unknown> = {};
  const md: string[] = [];
  for (const section of [bulkThroughput, latencyAt1kHz, unpacedPty, latencyRealtime]) {
    const s = await section();
    Object.assign(rows, s.rows);
    md.push(...s.md);
  }
  writeReport(rows, md);
}

/** 1. Bulk throughput, paced: input-frame payload against baud/10, and raw paced bytes without any protocol. */
async function bulkThroughput(): Promise<Section> {
  const rows: Record<string, unknown> = {};
  const md: string[] = [];
  const lineRate = BAUD / 10;
  const img = image(256, 0, 8);
  const n = quick ? 150 : 400;
  const board = await spawnVirtualBoard(['--baud', String(BAUD)]);
  const runs: StreamStats[] = [];
  const raw: number[] = [];
  try {
    for (let r = 0; r < REPS; r++) {
      runs.push(await streamOnce(board.port, img, frames(n, 256), undefined, BAUD));
      raw.push(await rawPaced(n * 1051));
    }
  } finally {
    await board.stop();
  }
  const payload = median(runs.map((s) => s.payloadBytesPerSecond));
  const rawBps = median(raw);
  const frameBytes = inputFrameBytes(256);
  rows.bulk = { frames: n, inputs: 256, payloadBytes: framePayloadBytes(256), lineBytesPerFrame: frameBytes, payloadBytesPerSecond: payload, lineRate, share: payload / lineRate, rawPacedBytesPerSecond: rawBps, ratioToRaw: payload / rawBps, framesPerSecond: median(runs.map((s) => s.framesPerSecond)), retransmitted: runs.map((s) => s.retransmitted) };
  md.push(
    `| bulk, ${BAUD} baud, 256-input frames (payload ${framePayloadBytes(256)} B, ${frameBytes} B on the line) | ${(payload / 1000).toFixed(1)} kB/s payload = **${((payload / lineRate) * 100).toFixed(1)} %** of baud/10 (${(lineRate / 1000).toFixed(1)} kB/s) | raw paced bytes, no protocol: ${(rawBps / 1000).toFixed(1)} kB/s; protocol/raw = ${(payload / rawBps).toFixed(3)} | target ≥ 90 % |`,
  );
  return { rows, md };
}

/**
 * 2. Latency at 1 kHz, paced; the same unpaced as a baseline (what the host and board processes add);
 * then smaller frames, to show how the tail depends on how busy the line is; and the machine's wake-up jitter.
 */
async function latencyAt1kHz(): Promise<Section> {
  const rows: Record<string, unknown> = {};
  const md: string[] = [];
  const n = quick ? 1000 : 3000;
  const paced = await latencyInChild(16, ['--baud', String(BAUD)], n, false);
  const unpaced = await latencyInChild(16, [], n, false);
  const smaller = [await latencyInChild(8, ['--baud', String(BAUD)], n, false), await latencyInChild(4, ['--baud', String(BAUD)], n, false)];
  rows.latency = { frames: n, rateHz: RATE_HZ, inputs: 16, frameTransmissionMs: paced.frameTransmissionMs, boundMs: paced.boundMs, paced, unpaced, smaller };
  const tIn = paced.frameTransmissionMs;
  const bound = paced.boundMs;
  md.push(
    `| latency at 1 kHz, ${BAUD} baud, 16-input frames (${paced.frameBytes} B = ${tIn.toFixed(3)} ms on the line, ${(paced.lineBusy * 100).toFixed(0)} % of each period) | from the write: p50 ${paced.p50.toFixed(2)} ms, p90 ${paced.p90.toFixed(2)} ms, **p99 ${paced.p99.toFixed(2)} ms** (streams: ${paced.p99Runs.map((x) => x.toFixed(2)).join(', ')}); ${(paced.within * 100).toFixed(1)} % of frames within the bound; from the pacing schedule: p50 ${paced.fromScheduleP50.toFixed(2)}, p99 ${paced.fromScheduleP99.toFixed(2)} ms; host ${paced.hostCpuUsPerFrame.toFixed(0)} µs CPU per frame, board process ${(paced.boardCpuShare * 100).toFixed(0)} % of a core | same stream unpaced (no line time): p50 ${unpaced.p50.toFixed(2)}, p90 ${unpaced.p90.toFixed(2)}, p99 ${unpaced.p99.toFixed(2)} ms | bound 2 × ${tIn.toFixed(3)} + 1 = ${bound.toFixed(2)} ms: p50 ${paced.p50 <= bound ? 'met' : 'not met'}, p99 ${paced.p99 <= bound ? 'met' : 'NOT met'} |`,
  );
  const jitter = sleepJitter(quick ? 2000 : 10000);
  rows.jitter = jitter;
  md.push(
    `| the machine's wake-up jitter: one idle thread sleeping to ${quick ? 2000 : 10000} deadlines 1 ms apart | late by p50 ${jitter.p50.toFixed(3)} ms, p99 ${jitter.p99.toFixed(3)} ms, p99.9 ${jitter.p999.toFixed(2)} ms, max ${jitter.max.toFixed(2)} ms; ${jitter.overOneMs} wake-up${jitter.overOneMs === 1 ? '' : 's'} more than 1 ms late | – | the floor under every tail above: each frame's round trip takes about ten such wake-ups (host, socat and the board, twice) |`,
  );
  for (const r of smaller)
    md.push(
      `| latency at 1 kHz, ${BAUD} baud, ${r.inputs}-input frames (${r.frameBytes} B = ${r.frameTransmissionMs.toFixed(3)} ms, ${(r.lineBusy * 100).toFixed(0)} % of each period) | p50 ${r.p50.toFixed(2)} ms, p90 ${r.p90.toFixed(2)} ms, **p99 ${r.p99.toFixed(2)} ms** (streams: ${r.p99Runs.map((x) => x.toFixed(2)).join(', ')}); ${(r.within * 100).toFixed(1)} % within its bound | the 16-input row above | bound 2 × ${r.frameTransmissionMs.toFixed(3)} + 1 = ${r.boundMs.toFixed(2)} ms: p99 ${r.p99 <= r.boundMs ? 'met' : 'not met'} |`,
    );
  return { rows, md };
}

/** 3. Unpaced over a pty: frames/s and host CPU per frame, against the core alone in-process. */
async function unpacedPty(): Promise<Section> {
  const rows: Record<string, unknown> = {};
  const md: string[] = [];
  const img = image(16, 32, 4);
  const n = quick ? 5000 : 20000;
  const board = await spawnVirtualBoard([]);
  const runs: StreamStats[] = [];
  const alone: number[] = [];
  try {
    for (let r = 0; r < REPS; r++) {
      runs.push(await streamOnce(board.port, img, frames(n, 16)));
      alone.push(coreAlone(img, frames(n, 16)));
    }
  } finally {
    await board.stop();
  }
  const fps = median(runs.map((s) => s.framesPerSecond));
  const cpu = median(runs.map((s) => s.hostCpuUsPerFrame));
  const coreFps = median(alone);
  rows.unpaced = { frames: n, inputs: 16, framesPerSecond: fps, hostCpuUsPerFrame: cpu, coreAloneFramesPerSecond: coreFps, ratio: fps / coreFps, latency: runs.map((s) => s.latencyMs) };
  md.push(`| unpaced pty, 16-input frames, board in its own process | **${Math.round(fps)} frames/s**, host CPU **${cpu.toFixed(0)} µs/frame** | the core alone, in-process: ${Math.round(coreFps)} frames/s (ratio ${(fps / coreFps).toFixed(2)}) | |`);
  return { rows, md };
}

/**
 * 4. The latency measurement again under real-time scheduling: the host process (a fresh one, as for the
 * rows above) switched to SCHED_FIFO, the board started with --realtime.
 */
async function latencyRealtime(): Promise<Section> {
  const rows: Record<string, unknown> = {};
  const md: string[] = [];
  const n = quick ? 1000 : 3000;
  const r = await latencyInChild(16, ['--baud', String(BAUD), '--realtime'], n, true);
  if (!r.hostRealtime || !r.boardRealtime) {
    rows.realtime = { skipped: r.hostRealtimeDetail, boardRealtime: r.boardRealtime };
    md.push(`| latency at 1 kHz, 16-input frames, host and board under SCHED_FIFO (\`--realtime\`) | not measured: ${r.hostRealtimeDetail} (board real-time: ${r.boardRealtime ? 'yes' : 'no'}) | | |`);
  } else {
    rows.realtime = r;
    md.push(
      `| latency at 1 kHz, ${BAUD} baud, 16-input frames, host and board under SCHED_FIFO ${DEFAULT_REALTIME_PRIORITY} (\`nla board virtual --realtime\`, \`nla stream --realtime\`) | p50 ${r.p50.toFixed(2)} ms, p90 ${r.p90.toFixed(2)} ms, **p99 ${r.p99.toFixed(2)} ms** (streams: ${r.p99Runs.map((x) => x.toFixed(2)).join(', ')}); ${(r.within * 100).toFixed(1)} % of frames within the bound; from the schedule p99 ${r.fromScheduleP99.toFixed(2)} ms | the same under normal scheduling: the first latency row | bound ${r.boundMs.toFixed(2)} ms: p99 ${r.p99 <= r.boundMs ? 'met' : 'NOT met'} |`,
    );
  }
  return { rows, md };
}

/** Writes out/benchmarks-board.{md,json} and prints the table. */
function writeReport(rows: Record<string, unknown>, md: string[]): void {
  const header = [
    `Board host benchmarks (${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; medians of ${REPS} runs; \`npm run bench:board${quick ? ' -- --quick' : ''}\`)`,
    '',
    '| measurement | result | baseline in the same run | |',
    '|---|---|---|---|',
  ];
  const text = [...header, ...md].join('\n') + '\n';
  mkdirSync('out', { recursive: true });
  writeFileSync('out/benchmarks-board.md', text);
  writeFileSync('out/benchmarks-board.json', JSON.stringify(rows, null, 2));
  process.stdout.write(text);
}

const childAt = process.argv.indexOf('--latency-child');
if (childAt >= 0) {
  const o = JSON.parse(process.argv[childAt + 1]!) as { inputs: number; args: string[]; n: number; realtime: boolean };
  const rt = o.realtime ? enterRealtime() : null;
  const r = await measureLatency(o.inputs, o.args, o.n);
  process.stdout.write(JSON.stringify({ ...r, hostRealtimeDetail: rt ? rt.detail : null }));
} else await main();
