import { checkFits } from '../compiler/board/fit.js';
import { PreciseTimer } from '../core/precise-timer.js';
import { decodeImage, imageId } from '../hardware-models/fixed-point/image-codec.js';
import { PROBE } from '../hardware-models/fixed-point/image.js';
import { framePayloadBytes } from '../hardware-models/fixed-point/capabilities.js';
import { NO_FRAME, PARAM, type Message } from './protocol/messages.js';
import { BoardError, BoardSession, ProtocolVersionError, type BoardInfo, type SessionOptions } from './session.js';
import type { ByteTransport } from './transport/transport.js';
import { CapacityError } from '../compiler/board/fit.js';

export interface StreamRequest {
  /** Opens (or, after a cut, reopens) the line to the board. */
  connect: () => Promise<ByteTransport>;
  /** The board image, encoded (image-codec.ts). */
  image: Uint8Array;
  /** Input frames: raw rates of the stimulus inputs in Q3.16, one array per frame. */
  inputs: Int32Array[];
  /** Target frames (Q3.16, NO_TARGET for none), one per frame; sent only when they change. */
  targets?: Int32Array[] | null;
  /** Model time of one frame, µs (the frames' timestamps are k·frameUs). */
  frameUs: number;
  /** Real-time pacing, frames per second; without it frames go as fast as flow control allows. */
  rateHz?: number;
  probes?: number;
  learn?: boolean;
  session?: SessionOptions;
  /** Reconnection after a cut line or a board reset: attempts and the pause between them. */
  reconnect?: { attempts: number; delayMs: number };
  /** How long to wait for outstanding outputs after END_STREAM, ms. */
  drainTimeoutMs?: number;
  onProgress?: (p: StreamProgress) => void;
  /**
   * Outputs of an earlier attempt of the same stream (StreamError.partial.outputs; empty arrays are
   * missing frames): the stream resumes where the board is, instead of starting over.
   */
  previous?: Int32Array[];
}

export interface StreamProgress {
  total: number;
  sent: number;
  acknowledged: number;
  outputs: number;
  elapsedMs: number;
  framesPerSecond: number;
}

export interface StreamStats {
  frames: number;
  /** Input frames sent at least once, acknowledged by the board's link, and whose output arrived. */
  sent: number;
  acknowledged: number;
  outputsReceived: number;
  /** Link-level retransmissions (corrupted, dropped or unacknowledged frames sent again). */
  retransmitted: number;
  /** Frames sent again in a later session (after a cut line or a board reset). */
  resent: number;
  /** Frames without an output at the end: 0 unless the stream failed. */
  lost: number;
  /** Frames the decoder rejected (CRC, COBS, length). */
  rejectedFrames: number;
  sessions: number;
  /** Whole call: connecting, loading the image, streaming, ending. */
  durationMs: number;
  /** From the first input frame handed to the link to the last output received. */
  streamingMs: number;
  /** Output frames per second over the streaming interval. */
  framesPerSecond: number;
  /** Input-frame payload bytes per second over the streaming interval (the payload's share of the line). */
  payloadBytesPerSecond: number;
  /** Bytes put on the line (all frames, framing included). */
  lineBytesSent: number;
  /** From handing an input frame to the link to receiving its output, ms (first session only). */
  latencyMs: { p50: number; p90: number; p99: number; max: number; samples: number };
  /**
   * With `rateHz`: from each frame's due time on the pacing schedule (not from its write) to its output,
   * so the host's own wake-up lateness is included; null without pacing.
   */
  latencyFromScheduleMs: { p50: number; p90: number; p99: number; max: number } | null;
  /** Host CPU time (user + system) per frame, µs. */
  hostCpuUsPerFrame: number;
}

export interface Incident {
  atFrame: number;
  what: string;
}

export interface StreamResult {
  outputs: Int32Array[];
  /** Latency of every frame of the first session, ms, in frame order. */
  latencies: Float64Array;
  stats: StreamStats;
  incidents: Incident[];
  board: BoardInfo;
}

/** The stream did not complete: says which frames were not acknowledged and which have no output. */
export class StreamError extends Error {
  constructor(
    message: string,
    readonly unacknowledged: number[],
    readonly missingOutputs: number[],
    readonly partial: Omit<StreamResult, 'board'> & { board: BoardInfo | null },
  ) {
    super(`${message}; ${describeFrames(unacknowledged)} not acknowledged, ${describeFrames(missingOutputs)} without output`);
    this.name = 'StreamError';
  }
}

function describeFrames(f: number[]): string {
  if (f.length === 0) return 'no frames';
  const ranges: string[] = [];
  let a = f[0]!;
  let b = a;
  for (const x of f.slice(1)) {
    if (x === b + 1) b = x;
    else {
      ranges.push(a === b ? `${a}` : `${a}–${b}`);
      a = b = x;
    }
  }
  ranges.push(a === b ? `${a}` : `${a}–${b}`);
  return `${f.length} frame(s) (${ranges.slice(0, 8).join(', ')}${ranges.length > 8 ? ', …' : ''})`;
}

/** p50, p90, p99 and max of a sample (NaN for an empty one). */
function quantiles(xs: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN);
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Streams input frames to a board and collects its output frames, end to end under flow control:
 * a frame is handed to the link only when the board has credit for it, so neither side ever drops one.
 *
 * Recovery: when the session ends (line cut, board reset, retries exhausted) the streamer reconnects
 * (up to `reconnect.attempts`) and resumes. A board that kept its state (same image CRC, not booted)
 * continues after the last frame it accepted, and re-sends outputs the host missed (RESEND_OUTPUTS). A
 * board that lost its state gets the image again and the stream is replayed from frame 0 — the core is
 * deterministic, so the replayed outputs must equal those already received (checked; a difference is
 * an incident). If recovery fails, StreamError lists the frames not acknowledged and without output.
 */
export async function streamToBoard(req: StreamRequest): Promise<StreamResult> {
  const n = req.inputs.length;
  const img = decodeImage(req.image, 'board image');
  const imageCrc = imageId(req.image);
  const probes = req.probes ?? PROBE.OUTPUT_U;
  const outputs: Array<Int32Array | undefined> = new Array(n);
  const acked = new Uint8Array(n);
  const everSent = new Uint8Array(n);
  const sentAt = new Float64Array(n).fill(NaN);
  const latencies: number[] = [];
  const dueAt = new Float64Array(n).fill(NaN);
  const fromSchedule: number[] = [];
  const incidents: Incident[] = [];
  const reconnect = req.reconnect ?? { attempts: 3, delayMs: 200 };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let sessions = 0;
  let retransmitted = 0;
  let rejected = 0;
  let lineBytes = 0;
  let resent = 0;
  let outputsReceived = 0;
  let board: BoardInfo | null = null;
  let failures = 0;
  let lastProgress = 0;
  let tFirstSend = NaN;
  let tLastOutput = NaN;
  const log = req.session?.log;
  const frameLog = (e: Parameters<NonNullable<SessionOptions['log']>>[0]) => {
    if (e.kind === 'frame' && e.dir === 'tx') lineBytes += e.lineBytes;
    log?.(e);
  };

  const progress = (force = false) => {
    if (!req.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < 100) return;
    lastProgress = now;
    let a = 0;
    let s = 0;
    for (let k = 0; k < n; k++) {
      a += acked[k]!;
      s += everSent[k]!;
    }
    const el = now - t0;
    req.onProgress({ total: n, sent: s, acknowledged: a, outputs: outputsReceived, elapsedMs: el, framesPerSecond: (outputsReceived / el) * 1000 });
  };

  const result = (): Omit<StreamResult, 'board'> => {
    const durationMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const lat = quantiles(latencies);
    const late = quantiles(fromSchedule);
    // counted over every index: the array starts sparse, and reduce/map skip holes (frames never answered)
    let missing = 0;
    for (let k = 0; k < n; k++) if (!outputs[k]) missing++;
    let sent = 0;
    let ack = 0;
    for (let k = 0; k < n; k++) {
      sent += everSent[k]!;
      ack += acked[k]!;
    }
    const payload = framePayloadBytes(img.nStimulusInputs);
    const streamingMs = Number.isNaN(tFirstSend) ? durationMs : Math.max(1e-3, tLastOutput - tFirstSend);
    return {
      outputs: Array.from(outputs, (o) => o ?? new Int32Array(0)),
      latencies: Float64Array.from(latencies),
      incidents,
      stats: {
        frames: n,
        sent,
        acknowledged: ack,
        outputsReceived: n - missing,
        retransmitted,
        resent,
        lost: missing,
        rejectedFrames: rejected,
        sessions,
        durationMs,
        streamingMs,
        framesPerSecond: ((n - missing) / streamingMs) * 1000,
        payloadBytesPerSecond: ((n - missing) * payload * 1000) / streamingMs,
        lineBytesSent: lineBytes,
        latencyMs: { ...lat, samples: latencies.length },
        latencyFromScheduleMs: req.rateHz ? late : null,
        hostCpuUsPerFrame: (cpu.user + cpu.system) / Math.max(1, n),
      },
    };
  };

  const fail = (why: string): never => {
    const r = result();
    const unacked: number[] = [];
    const missing: number[] = [];
    for (let k = 0; k < n; k++) {
      if (!acked[k]) unacked.push(k);
      if (!outputs[k]) missing.push(k);
    }
    throw new StreamError(why, unacked, missing, { ...r, board });
  };

  let first = true;
  let resuming = false;
  if (req.previous) {
    if (req.previous.length !== n) throw new Error(`previous: expected the outputs of ${n} frames, got ${req.previous.length}`);
    req.previous.forEach((o, k) => {
      if (o.length) {
        outputs[k] = o;
        acked[k] = 1;
        everSent[k] = 1;
        outputsReceived++;
      }
    });
    resuming = outputsReceived > 0;
  }
  let markProgress = () => false;
  for (;;) {
    let session: BoardSession;
    try {
      const transport = await req.connect();
      session = await BoardSession.open(transport, { ...req.session, log: frameLog });
    } catch (e) {
      if (e instanceof ProtocolVersionError) throw e;
      failures++;
      incidents.push({ atFrame: firstMissing(outputs), what: `connect failed: ${(e as Error).message}` });
      if (failures > reconnect.attempts) return fail(`could not reach the board after ${failures} attempt(s): ${(e as Error).message}`);
      await sleep(reconnect.delayMs);
      continue;
    }
    sessions++;
    board = session.info;
    const info = session.info;
    if (first) {
      try {
        checkFits(img, info.caps, info.boardId);
        if (req.rateHz && req.rateHz > info.caps.maxFrameRate) throw new CapacityError([`it asks for ${req.rateHz} frames/s, the board processes at most ${info.caps.maxFrameRate} (maxFrameRate)`], info.boardId);
      } catch (e) {
        await session.close();
        throw e;
      }
    }
    let next = 0;
    const ended = new Promise<Error>((r) => session.onEnd(r));
    session.onUnsolicited((m) => onOutput(m));
    function onOutput(m: Message): void {
      if (m.type === 'output-frame') {
        const k = m.frame;
        if (k >= n) return;
        const prev = outputs[k];
        if (prev) {
          if (!equal(prev, m.values)) incidents.push({ atFrame: k, what: `the replayed output of frame ${k} differs from the first one` });
          return;
        }
        outputs[k] = m.values;
        outputsReceived++;
        tLastOutput = performance.now();
        if (!Number.isNaN(sentAt[k]!)) latencies.push(performance.now() - sentAt[k]!);
        if (!Number.isNaN(dueAt[k]!)) fromSchedule.push(performance.now() - dueAt[k]!);
        progress();
      } else if (m.type === 'error') {
        incidents.push({ atFrame: m.frame === NO_FRAME ? -1 : m.frame, what: `board error ${m.code}: ${m.message}` });
      }
    }
    try {
      const resume = (!first || resuming) && !info.booted && info.imageLoaded && info.imageCrc === imageCrc;
      if (resume) {
        next = info.lastFrame === NO_FRAME ? 0 : info.lastFrame + 1;
        session.logEvent('resume', `board kept its state; continuing at frame ${next}`);
        incidents.push({ atFrame: next, what: `reconnected; the board kept its state, continuing at frame ${next}` });
        const gap = firstMissing(outputs);
        if (gap < next) await session.send({ type: 'resend-outputs', fromFrame: gap });
        if (next === 0) await session.request({ type: 'start-stream', firstFrame: 0, framePeriodUs: Math.round(req.frameUs), probes });
      } else {
        if (!first || resuming) {
          session.logEvent('replay', 'the board lost its state; loading the image and replaying from frame 0');
          incidents.push({ atFrame: 0, what: 'reconnected to a board that lost its state: image reloaded, stream replayed from frame 0' });
        }
        await session.loadImage(req.image);
        await session.request({ type: 'set-param', id: PARAM.LEARN, value: req.learn ? 1 : 0 });
        await session.request({ type: 'start-stream', firstFrame: 0, framePeriodUs: Math.round(req.frameUs), probes });
      }
      first = false;
      const progressMark = outputsReceived;
      markProgress = () => outputsReceived > progressMark;
      const tStart = performance.now();
      const pacer = new PreciseTimer();
      const period = req.rateHz ? 1000 / req.rateHz : 0;
      const endState: { by: Error | null } = { by: null };
      void ended.then((e) => (endState.by = e));
      for (let k = next; k < n; k++) {
        // the frame's place on the pacing schedule (NaN without --rate); a precise wake-up, since
        // setTimeout rounds to the millisecond
        const due = period ? tStart + (k - next) * period : NaN;
        if (due > performance.now()) await pacer.until(due);
        await session.link.whenWritable();
        if (endState.by) throw endState.by;
        const t = req.targets?.[k];
        if (t && (k === next || !equal(t, req.targets![k - 1]!))) void session.send({ type: 'target-frame', frame: k, values: t }).catch(() => {});
        if (everSent[k]) resent++;
        everSent[k] = 1;
        if (sessions === 1) {
          sentAt[k] = performance.now();
          dueAt[k] = due;
        }
        if (Number.isNaN(tFirstSend)) tFirstSend = performance.now();
        const frame = k;
        session
          .send({ type: 'input-frame', frame: k, timeUs: Math.round(k * req.frameUs) % 2 ** 32, values: req.inputs[k]! })
          .then(() => {
            acked[frame] = 1;
            progress();
          })
          .catch(() => {});
      }
      // end of stream: the board answers after computing every frame before it
      const end = (await Promise.race([session.request({ type: 'end-stream', lastFrame: n - 1, framesProcessed: n }, 'end-stream'), ended.then((e) => Promise.reject(e))])) as Extract<Message, { type: 'end-stream' }>;
      if (end.lastFrame !== n - 1) throw new Error(`the board ended the stream at frame ${end.lastFrame}, expected ${n - 1}`);
      const deadline = performance.now() + (req.drainTimeoutMs ?? 2000);
      let asked = false;
      while (firstMissing(outputs) < n && performance.now() < deadline) {
        if (!asked && performance.now() > deadline - (req.drainTimeoutMs ?? 2000) / 2) {
          await session.send({ type: 'resend-outputs', fromFrame: firstMissing(outputs) });
          asked = true;
        }
        await sleep(5);
      }
      if (firstMissing(outputs) < n) throw new Error(`outputs missing after END_STREAM`);
      retransmitted += session.link.stats.retransmitted;
      rejected += session.link.decoderStats.rejected.crc + session.link.decoderStats.rejected.cobs + session.link.decoderStats.rejected.length + session.link.decoderStats.rejected.short + session.link.decoderStats.rejected.oversized;
      await session.close();
      progress(true);
      return { ...result(), board: session.info };
    } catch (e) {
      retransmitted += session.link.stats.retransmitted;
      rejected += session.link.decoderStats.rejected.crc + session.link.decoderStats.rejected.cobs + session.link.decoderStats.rejected.length + session.link.decoderStats.rejected.short + session.link.decoderStats.rejected.oversized;
      if (e instanceof BoardError || e instanceof CapacityError) {
        await session.close().catch(() => {});
        return fail((e as Error).message);
      }
      failures = markProgress() ? 1 : failures + 1;
      markProgress = () => false;
      const at = firstMissing(outputs);
      incidents.push({ atFrame: at, what: `session ended at frame ${at}: ${(e as Error).message}` });
      await session.close().catch(() => {});
      if (failures > reconnect.attempts) return fail(`gave up after ${failures} failed session(s); last: ${(e as Error).message}`);
      await sleep(reconnect.delayMs);
    }
  }
}

function firstMissing(outputs: Array<Int32Array | undefined>): number {
  for (let k = 0; k < outputs.length; k++) if (!outputs[k]) return k;
  return outputs.length;
}

function equal(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
