import type { SessionLogEntry } from '../session.js';

/** Statistics of a whole stream: frames, acknowledgements, outputs, retransmissions and the line's figures. */
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
  /** Frames from the board that arrived after a gap (one before them was lost on the way; the board sends them again). */
  gaps: number;
  /** Frames from the board that arrived twice (the board did not hear the acknowledgement). */
  duplicates: number;
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

/** p50, p90, p99 and max of a sample (NaN for an empty one). */
export function quantiles(xs: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN);
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

/** The counters of a link that a stream adds up over its sessions. */
export interface LinkCounters {
  stats: { retransmitted: number; outOfOrder: number; duplicates: number };
  decoderStats: { rejected: { crc: number; cobs: number; length: number; short: number; oversized: number } };
}

/** What a StreamStats is computed from besides the recorder: the frames' state at the end. */
export interface FrameCounts {
  frames: number;
  sent: number;
  acknowledged: number;
  missing: number;
  /** Payload bytes of one input frame. */
  payloadBytes: number;
  /** Whether frames were paced (`rateHz`): only then is latencyFromScheduleMs reported. */
  paced: boolean;
}

/**
 * Times and counters of one stream, all sessions together. The clock starts when the recorder is made
 * (the call's start). Latency is measured for frames of the first session only: from handing the input
 * frame to the link (and, paced, from its due time on the schedule) to the arrival of its first output.
 */
/** The process's CPU time (µs); NaN where there is no Node process (the web page). */
function cpuUsage(since?: NodeJS.CpuUsage): NodeJS.CpuUsage {
  return globalThis.process?.cpuUsage?.(since) ?? { user: NaN, system: NaN };
}

export class StreamRecorder {
  private readonly t0 = performance.now();
  private readonly cpu0 = cpuUsage();
  private readonly sentAt: Float64Array;
  private readonly dueAt: Float64Array;
  private readonly latencies: number[] = [];
  private readonly fromSchedule: number[] = [];
  private firstSendAt = NaN;
  private lastOutputAt = NaN;
  /** Sessions opened (handshake completed). */
  sessions = 0;
  /** Frames handed to the link again in a later session. */
  resent = 0;
  private retransmitted = 0;
  private rejected = 0;
  private gaps = 0;
  private duplicates = 0;
  private lineBytes = 0;

  constructor(frames: number) {
    this.sentAt = new Float64Array(frames).fill(NaN);
    this.dueAt = new Float64Array(frames).fill(NaN);
  }

  /** Milliseconds since the call started. */
  elapsedMs(now = performance.now()): number {
    return now - this.t0;
  }

  /** Counts the bytes of every frame the host puts on the line (a session log entry). */
  logged(e: SessionLogEntry): void {
    if (e.kind === 'frame' && e.dir === 'tx') this.lineBytes += e.lineBytes;
  }

  /** Frame k is handed to the link now; `dueMs` is its place on the pacing schedule (NaN unpaced). */
  frameSent(k: number, dueMs: number, resend: boolean): void {
    if (resend) this.resent++;
    if (this.sessions === 1) {
      this.sentAt[k] = performance.now();
      this.dueAt[k] = dueMs;
    }
    if (Number.isNaN(this.firstSendAt)) this.firstSendAt = performance.now();
  }

  /** The first output of frame k has arrived now. */
  outputArrived(k: number): void {
    const now = performance.now();
    this.lastOutputAt = now;
    if (!Number.isNaN(this.sentAt[k]!)) this.latencies.push(now - this.sentAt[k]!);
    if (!Number.isNaN(this.dueAt[k]!)) this.fromSchedule.push(now - this.dueAt[k]!);
  }

  /** Adds a finished session's link counters (retransmissions, rejected blocks). */
  addLink(link: LinkCounters): void {
    const r = link.decoderStats.rejected;
    this.retransmitted += link.stats.retransmitted;
    this.gaps += link.stats.outOfOrder;
    this.duplicates += link.stats.duplicates;
    this.rejected += r.crc + r.cobs + r.length + r.short + r.oversized;
  }

  /** Latency of every frame of the first session, ms, in the order the outputs arrived. */
  latencyList(): Float64Array {
    return Float64Array.from(this.latencies);
  }

  /** The statistics now. */
  stats(c: FrameCounts): StreamStats {
    const durationMs = performance.now() - this.t0;
    const cpu = cpuUsage(this.cpu0);
    const received = c.frames - c.missing;
    const streamingMs = Number.isNaN(this.firstSendAt) ? durationMs : Math.max(1e-3, this.lastOutputAt - this.firstSendAt);
    return {
      frames: c.frames,
      sent: c.sent,
      acknowledged: c.acknowledged,
      outputsReceived: received,
      retransmitted: this.retransmitted,
      resent: this.resent,
      lost: c.missing,
      rejectedFrames: this.rejected,
      gaps: this.gaps,
      duplicates: this.duplicates,
      sessions: this.sessions,
      durationMs,
      streamingMs,
      framesPerSecond: (received / streamingMs) * 1000,
      payloadBytesPerSecond: (received * c.payloadBytes * 1000) / streamingMs,
      lineBytesSent: this.lineBytes,
      latencyMs: { ...quantiles(this.latencies), samples: this.latencies.length },
      latencyFromScheduleMs: c.paced ? quantiles(this.fromSchedule) : null,
      hostCpuUsPerFrame: (cpu.user + cpu.system) / Math.max(1, c.frames),
    };
  }
}
