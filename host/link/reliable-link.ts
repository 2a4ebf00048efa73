import { hex } from '../../core/bytes.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, MAX_PAYLOAD, PROTOCOL_MAJOR, type Frame, type Rejection } from '../protocol/frame.js';
import { decodePayload, encodePayload, isSequenced, MSG, typeCode, type Message } from '../protocol/messages.js';
import { PreciseTimer } from '../../core/precise-timer.js';
import type { ByteTransport } from '../transport/transport.js';
import { LineModel } from './line-model.js';
import { RtoEstimator } from './rto.js';

/** Bit 2 of the flags: a window probe; the receiver answers it with an acknowledgement. */
export const FLAG_PROBE = 4;
/** Bit 3 of the flags: this acknowledgement answers a frame that arrived after a gap (one was lost). */
export const FLAG_GAP = 8;

export interface LinkOptions {
  /** SEQ frames this endpoint buffers for its consumer (the credits it advertises). */
  receiveWindow: number;
  /**
   * Retransmission timeout before the first round-trip sample, and its floor, ms. The timeout itself is
   * estimated from round trips (RtoEstimator, RFC 6298) and doubles on each retry of the same frame, up
   * to 8×.
   */
  retransmitMs: number;
  /** Retransmissions of one frame before the link gives up. */
  maxRetries: number;
  /**
   * The line's rate (8N1: baud/10 bytes per second each way). With it, a frame's retransmission deadline
   * counts from when its last byte leaves the line, and the link keeps at most
   * LineModel.HIGH_WATER_MS of line time queued in the transport (the rest waits in the link), so that
   * acknowledgements and retransmissions never queue behind a window of frames. Without it (a memory
   * line) frames take no line time and nothing is held back.
   */
  baud?: number;
  /** After this long without sending anything, send an ACK (keeps the peer's idle timeout from firing); off when unset. */
  keepaliveMs?: number;
  /**
   * Delayed acknowledgement, ms: a pure ACK waits this long for a data frame to ride on (0: sent on the
   * next tick). Acknowledgements after a gap, and credit updates after a full window, go at once.
   */
  ackDelayMs?: number;
  /** One line per frame sent or received, for the replayable log. */
  log?: (e: LinkLogEntry) => void;
}

export interface LinkLogEntry {
  tMs: number;
  dir: 'tx' | 'rx';
  type: number;
  seq: number;
  ack: number;
  credits: number;
  flags: number;
  retransmit: boolean;
  /** The payload, hex (decode with messages.ts: decodePayload(type, payload)). */
  payload: string;
  /** Bytes of the frame on the line (COBS-encoded, with its delimiter). */
  lineBytes: number;
  /** The frame as the line carried it, hex (COBS-encoded, with its delimiter): `nla replay` checks it. */
  line: string;
}

export interface LinkStats {
  sent: number;
  received: number;
  acknowledged: number;
  retransmitted: number;
  duplicates: number;
  rejected: number;
  outOfOrder: number;
  /** Frames that arrived while this side had granted no credit (the sender overran the window). */
  overruns: number;
}

/** The link failed: the line closed, or a frame was not acknowledged after maxRetries. */
export class LinkError extends Error {
  constructor(
    message: string,
    /** Messages sent but not acknowledged, and queued ones never sent, in order. */
    readonly pending: Message[],
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

interface Outstanding {
  seq: number;
  message: Message;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Timeouts of this frame while it was the oldest unacknowledged one. */
  retries: number;
  /** Copies written so far (Karn's rule: a round trip is measured only from a frame written once). */
  sends: number;
  /** When the last byte of its latest copy leaves the line (performance.now() clock). */
  doneAt: number;
}

const MOD = 0x10000;
/** A pending acknowledgement is sent alone before a frame whose payload takes longer than this on the line, ms (protocol 4.6). */
export const ACK_ALONE_LINE_MS = 20;
const diff = (a: number, b: number) => (a - b + MOD) % MOD;

/**
 * A reliable, flow-controlled, in-order message channel over a byte transport (a sliding window with
 * cumulative acknowledgements, go-back-N retransmission and receiver credits, like a tiny TCP):
 *
 * - `send(m)` for sequenced messages resolves when the peer acknowledges m; while the window is full
 *   (the peer's credits are used up) messages wait in order, so a fast sender never overruns a slow
 *   receiver. Unsequenced messages (HELLO, HELLO_ACK) go out at once, unacknowledged.
 * - Received sequenced messages are delivered once, in order; each occupies one credit until the
 *   consumer calls `release()`. Corrupted frames (CRC), duplicates and frames after a gap are dropped
 *   and answered with the current acknowledgement; after a gap that answer carries the GAP flag, and
 *   the sender resends everything unacknowledged at once (once per gap); otherwise it resends after
 *   its timeout: the measured round trip (RFC 6298, Karn's rule) counted from when the frame's last byte
 *   left the line, plus the line time of the largest frame the peer has sent (it may be in the middle of
 *   one when it wants to acknowledge), doubling per retry of the same frame.
 * - Frames are written no further ahead of the line than LineModel.HIGH_WATER_MS (with `baud`), so a
 *   retransmission round puts at most that much extra on a slow line before the peer can react.
 * - When the line closes or a frame is not acknowledged after `maxRetries`, every pending send rejects
 *   with a LinkError listing what was not acknowledged.
 */
export class ReliableLink {
  readonly stats: LinkStats = { sent: 0, received: 0, acknowledged: 0, retransmitted: 0, duplicates: 0, rejected: 0, outOfOrder: 0, overruns: 0 };
  private readonly decoder: FrameDecoder;
  private handlers: Array<(m: Message, sequenced: boolean) => void> = [];
  private failHandlers: Array<(e: LinkError) => void> = [];
  private strayHandlers: Array<(f: Frame) => void> = [];
  private badHandlers: Array<(type: number, why: string) => void> = [];
  private writable: Array<() => void> = [];
  private disposed = false;
  /**
   * Whether sequenced frames are accepted. A board sets this false until a HELLO opens a session;
   * sequenced frames that arrive meanwhile go to `onStray` instead (the board answers NO_SESSION).
   */
  accepting = true;
  /** Incremented by every resetSession (a consumer can tell which session a message came from). */
  session = 0;
  private nextSeq = 0;
  private unacked: Outstanding[] = [];
  private waiting: Outstanding[] = [];
  private peerAck = 0;
  private peerCredits = 1;
  private expected = 0;
  private held = 0;
  private ackDue = false;
  private ackScheduled = false;
  /** A gap-triggered retransmission happened and the acknowledgement has not advanced since. */
  private fastRetransmitted = false;
  private gapDue = false;
  private ackTimer: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private keepTimer: NodeJS.Timeout | null = null;
  private failed: LinkError | null = null;
  private readonly t0 = performance.now();
  private readonly line: LineModel;
  private readonly rto: RtoEstimator;
  /** unacked[0 .. sendIdx) are written in the current round; the rest wait for the line. */
  private sendIdx = 0;
  private lineTimer: PreciseTimer | null = null;
  /** Line time of the largest frame received, ms: how long the peer may be busy sending before it can acknowledge. */
  private maxRxLineMs = 0;
  private lastTxMs = performance.now();
  private heardAt = performance.now();

  constructor(
    private readonly transport: ByteTransport,
    readonly opts: LinkOptions,
  ) {
    this.line = new LineModel(opts.baud);
    this.rto = new RtoEstimator(opts.retransmitMs);
    this.decoder = new FrameDecoder(
      (f, block) => this.onFrame(f, block),
      (why: Rejection) => {
        this.stats.rejected++;
        void why;
        this.scheduleAck();
      },
    );
    transport.onData((c) => {
      // any byte is the peer talking: a frame still on a slow line (4 KiB takes 17 s at 2400 baud) counts
      this.heardAt = performance.now();
      this.decoder.push(c);
    });
    transport.onClose((reason) => this.fail(`the line closed (${reason})`));
    this.armKeepalive();
  }

  /** When the peer last put a byte on the line (performance.now() clock; the link's creation before any). */
  get lastHeardMs(): number {
    return this.heardAt;
  }

  /** The smoothed round-trip time, ms, from frames sent once (null before the first sample). */
  get roundTripMs(): number | null {
    return this.rto.smoothedMs;
  }

  /** The retransmission timeout now, before back-off and line time, ms (RFC 6298's RTO). */
  get retransmitTimeoutMs(): number {
    return this.rto.rtoMs;
  }

  get decoderStats() {
    return this.decoder.stats;
  }

  /** Messages waiting for the window or for their acknowledgement. */
  get inFlight(): number {
    return this.unacked.length + this.waiting.length;
  }

  /**
   * Resolves when a sequenced message sent now would go straight onto the line (the peer has credit
   * and nothing is queued), or when the link fails. Senders await this for end-to-end back-pressure.
   */
  whenWritable(): Promise<void> {
    if (this.failed || this.windowOpen) return Promise.resolve();
    return new Promise((r) => this.writable.push(r));
  }

  /** Whether a sequenced message sent now would go straight onto the line. */
  get windowOpen(): boolean {
    return this.waiting.length === 0 && diff(this.nextSeq, this.peerAck) < this.peerCredits;
  }

  /** Delivered messages; `sequenced` ones hold a credit until release(). */
  onMessage(cb: (m: Message, sequenced: boolean) => void): void {
    this.handlers.push(cb);
  }

  onFail(cb: (e: LinkError) => void): void {
    this.failHandlers.push(cb);
  }

  /** A sequenced frame arrived intact (CRC good) but its payload does not decode (unknown type, wrong length). */
  onBadMessage(cb: (type: number, why: string) => void): void {
    this.badHandlers.push(cb);
  }

  onStray(cb: (f: Frame) => void): void {
    this.strayHandlers.push(cb);
  }

  /** Whether the link has failed (closed line or retries exhausted); a new session clears it. */
  get failure(): LinkError | null {
    return this.failed;
  }

  /** Starts a new session: sequence numbers from 0, nothing pending (after a handshake). */
  resetSession(peerCredits: number): void {
    this.session++;
    this.clearTimers();
    for (const o of [...this.unacked, ...this.waiting]) o.reject(new LinkError('the session was restarted', [o.message]));
    this.unacked = [];
    this.waiting = [];
    this.nextSeq = 0;
    this.peerAck = 0;
    this.peerCredits = peerCredits;
    this.expected = 0;
    this.held = 0;
    this.sendIdx = 0;
    this.failed = null;
    this.armKeepalive();
  }

  /** Sends a message outside the sequence (no acknowledgement, no retransmission). */
  sendUnsequenced(m: Message): void {
    if (!this.failed) this.transmit(m, 0, 0, false);
  }

  send(m: Message): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    // refuse what cannot be framed before it takes a sequence number (it would block the window)
    const size = encodePayload(m).length;
    if (size > MAX_PAYLOAD) return Promise.reject(new RangeError(`a ${m.type} payload of ${size} bytes exceeds the protocol's maximum of ${MAX_PAYLOAD}`));
    if (!isSequenced(m)) {
      this.transmit(m, 0, 0, false);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ seq: -1, message: m, resolve, reject, retries: 0, sends: 0, doneAt: 0 });
      this.pump();
    });
  }

  /** The consumer finished with n delivered messages: their credits return to the peer. */
  release(n = 1): void {
    const wasFull = this.credits() === 0;
    this.held = Math.max(0, this.held - n);
    if (wasFull && this.credits() > 0) this.scheduleAck(false, true);
  }

  private credits(): number {
    return Math.max(0, this.opts.receiveWindow - this.held);
  }

  /** Gives sequence numbers to waiting messages as far as the peer's credits allow, and sends them. */
  private pump(): void {
    while (this.waiting.length && diff(this.nextSeq, this.peerAck) < this.peerCredits) {
      const o = this.waiting.shift()!;
      o.seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) % MOD;
      this.unacked.push(o);
    }
    this.sendData();
    if (this.waiting.length && this.unacked.length === 0) this.armProbe();
    if (this.writable.length && this.windowOpen) for (const r of this.writable.splice(0)) r();
  }

  /** Writes the unacknowledged frames not yet written in this round, in order, as far as the line allows. */
  private sendData(): void {
    while (this.sendIdx < this.unacked.length) {
      if (!this.line.ready(performance.now())) {
        (this.lineTimer ??= new PreciseTimer()).at(this.line.refillAtMs, () => this.sendData());
        return;
      }
      const o = this.unacked[this.sendIdx++]!;
      o.doneAt = this.transmit(o.message, FLAG_SEQ, o.seq, o.sends > 0);
      o.sends++;
      if (this.sendIdx === 1) this.armTimer(); // the oldest frame is on the line: its timer starts
    }
  }

  /** Sends a frame now (outside the line's holding back); returns when its last byte leaves the line. */
  private transmit(m: Message, flags: number, seq: number, retransmit: boolean): number {
    return this.transmitFrame({ version: PROTOCOL_MAJOR, type: typeCode(m), flags: flags | FLAG_ACK, seq, ack: 0, credits: 0, payload: encodePayload(m) }, retransmit);
  }

  /**
   * Writes a frame with the current acknowledgement, credits and pending GAP; returns when it leaves the
   * line. A pending acknowledgement goes alone first when the frame is long on the line (protocol 4.6).
   */
  private transmitFrame(frame: Frame, retransmit: boolean): number {
    const now = performance.now();
    if (!this.transport.open || this.disposed) return now;
    if (this.ackDue && frame.flags & FLAG_SEQ && this.line.lineMs(frame.payload.length) > ACK_ALONE_LINE_MS) this.transmit({ type: 'ack' }, 0, 0, false);
    const f: Frame = { ...frame, flags: frame.flags | (this.gapDue ? FLAG_GAP : 0), ack: this.expected, credits: this.credits() };
    this.gapDue = false;
    const bytes = encodeFrame(f);
    this.ackDue = false;
    this.stats.sent++;
    if (retransmit) this.stats.retransmitted++;
    this.lastTxMs = now;
    const doneAt = this.line.write(bytes.length, now);
    this.opts.log?.({ tMs: now - this.t0, dir: 'tx', type: f.type, seq: f.seq, ack: f.ack, credits: f.credits, flags: f.flags, retransmit, payload: hex(f.payload), lineBytes: bytes.length, line: hex(bytes) });
    this.transport.write(bytes);
    return doneAt;
  }

  private onFrame(f: Frame, block: Uint8Array): void {
    if (this.disposed) return;
    this.heardAt = performance.now();
    this.maxRxLineMs = Math.max(this.maxRxLineMs, this.line.lineMs(block.length + 1));
    this.opts.log?.({ tMs: performance.now() - this.t0, dir: 'rx', type: f.type, seq: f.seq, ack: f.ack, credits: f.credits, flags: f.flags, retransmit: false, payload: hex(f.payload), lineBytes: block.length + 1, line: hex(block) + '00' });
    if (f.version !== PROTOCOL_MAJOR && f.type !== MSG.HELLO && f.type !== MSG.HELLO_ACK) {
      this.stats.rejected++;
      return;
    }
    this.stats.received++;
    if (f.flags & FLAG_ACK) this.onAck(f.ack, f.credits, (f.flags & FLAG_GAP) !== 0);
    if (f.flags & FLAG_PROBE) this.scheduleAck(false, true);
    if (!(f.flags & FLAG_SEQ)) {
      if (f.type === MSG.ACK) return;
      const d = decodePayload(f.type, f.payload);
      if (d.ok) for (const h of this.handlers) h(d.message, false);
      else this.stats.rejected++;
      return;
    }
    if (!this.accepting) {
      // no session (a board that has just booted): the peer must say HELLO first
      for (const h of this.strayHandlers) h(f);
      return;
    }
    if (f.seq !== this.expected) {
      if (diff(this.expected, f.seq) < MOD / 2) {
        this.stats.duplicates++;
        this.scheduleAck(false, true); // the sender missed our acknowledgement: repeat it now
      } else {
        this.stats.outOfOrder++;
        this.scheduleAck(true);
      }
      return;
    }
    if (this.credits() === 0) {
      // the sender ignored our credits (or probed): drop it and say where we are
      this.stats.overruns++;
      this.scheduleAck(false, true);
      return;
    }
    const d = decodePayload(f.type, f.payload);
    this.expected = (this.expected + 1) % MOD;
    this.held++;
    this.scheduleAck();
    if (!d.ok) {
      // acknowledged (it arrived intact, resending it would not help) and reported to the consumer
      this.stats.rejected++;
      this.held--;
      for (const h of this.badHandlers) h(f.type, d.why);
      return;
    }
    for (const h of this.handlers) h(d.message, true);
  }

  private onAck(ack: number, credits: number, gap: boolean): void {
    const advanced = diff(ack, this.peerAck);
    const inFlight = diff(this.nextSeq, this.peerAck);
    if (advanced > inFlight) return; // an old or bogus acknowledgement
    if (advanced > 0) {
      this.peerAck = ack;
      this.fastRetransmitted = false;
      let newest: Outstanding | null = null;
      while (this.unacked.length && diff(ack, this.unacked[0]!.seq) > 0 && diff(ack, this.unacked[0]!.seq) <= inFlight) {
        newest = this.unacked.shift()!;
        this.sendIdx = Math.max(0, this.sendIdx - 1);
        this.stats.acknowledged++;
        newest.resolve();
      }
      // Karn's rule: a round trip only from a frame written once (the ack cannot answer another copy)
      if (newest && newest.sends === 1) this.rto.sample(performance.now() - newest.doneAt);
      this.armTimer();
    } else if (gap && this.unacked.length && !this.fastRetransmitted) {
      // the peer saw a later frame than it expected: the one it expects was lost; resend from there once
      this.fastRetransmitted = true;
      this.retransmitAll();
    }
    this.peerCredits = credits;
    this.pump();
  }

  /** Go-back-N: every unacknowledged frame is written again, in order, as the line allows. */
  private retransmitAll(): void {
    this.sendIdx = 0;
    this.sendData();
  }

  /**
   * (Re)starts the retransmission timer of the oldest unacknowledged frame once it is on the line: it
   * expires at the moment its last byte left the line + the backed-off RTO + the line time of the
   * largest frame received (the peer may be sending one when it wants to acknowledge).
   */
  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const o = this.unacked[0];
    if (!o || this.sendIdx === 0) return;
    const deadline = o.doneAt + this.rto.timeoutMs(o.retries) + this.maxRxLineMs;
    this.timer = setTimeout(() => this.onTimeout(), Math.max(0, deadline - performance.now()));
  }

  private onTimeout(): void {
    this.timer = null;
    const o = this.unacked[0];
    if (!o) return;
    o.retries++;
    if (o.retries > this.opts.maxRetries) {
      this.fail(`no acknowledgement after ${this.opts.maxRetries} retransmissions`);
      return;
    }
    this.retransmitAll();
  }

  private armProbe(): void {
    if (this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (this.failed || !this.waiting.length || this.unacked.length) return;
      this.transmitFrame({ version: PROTOCOL_MAJOR, type: MSG.ACK, flags: FLAG_ACK | FLAG_PROBE, seq: 0, ack: 0, credits: 0, payload: new Uint8Array(0) }, false);
      this.armProbe();
    }, this.rto.rtoMs);
  }

  /** While the link works, an ACK after `keepaliveMs` without sending anything. */
  private armKeepalive(): void {
    const every = this.opts.keepaliveMs;
    if (!every || this.keepTimer) return;
    this.keepTimer = setTimeout(() => {
      this.keepTimer = null;
      if (this.failed || this.disposed) return;
      if (performance.now() - this.lastTxMs >= every - 1) this.transmit({ type: 'ack' }, 0, 0, false);
      this.armKeepalive();
    }, Math.max(1, this.lastTxMs + every - performance.now()));
    this.keepTimer.unref?.(); // a number in the web page
  }

  /**
   * Sends a pending acknowledgement now instead of after its delay, and resolves when the transport has
   * taken every byte. Call it before closing the line, so that the peer is not left retransmitting the
   * last frame it sent (an END_STREAM, say) into a line nobody reads.
   */
  async flush(): Promise<void> {
    this.ackNow();
    if (this.transport.open) await this.transport.drain();
  }

  /** Sends a pending acknowledgement at once instead of after its delay (before a long piece of work). */
  ackNow(): void {
    if (this.ackDue && !this.failed && !this.disposed) this.transmit({ type: 'ack' }, 0, 0, false);
  }

  private scheduleAck(gap = false, urgent = false): void {
    this.ackDue = true;
    if (gap) this.gapDue = true;
    const delay = gap || urgent ? 0 : (this.opts.ackDelayMs ?? 0);
    if (this.ackScheduled && !(delay === 0 && this.ackTimer)) return;
    if (this.ackTimer) {
      clearTimeout(this.ackTimer);
      this.ackTimer = null;
    }
    this.ackScheduled = true;
    const fire = () => {
      this.ackScheduled = false;
      this.ackTimer = null;
      if (this.ackDue && !this.failed) this.transmit({ type: 'ack' }, 0, 0, false);
    };
    if (delay > 0) this.ackTimer = setTimeout(fire, delay);
    else setImmediate(fire);
  }

  private clearTimers(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.ackScheduled = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (this.keepTimer) clearTimeout(this.keepTimer);
    this.lineTimer?.cancel();
    this.timer = null;
    this.probeTimer = null;
    this.keepTimer = null;
  }

  private fail(why: string): void {
    if (this.failed) return;
    this.clearTimers();
    const pending = [...this.unacked, ...this.waiting];
    this.failed = new LinkError(why, pending.map((o) => o.message));
    this.unacked = [];
    this.waiting = [];
    for (const o of pending) o.reject(this.failed);
    for (const r of this.writable.splice(0)) r();
    for (const h of this.failHandlers) h(this.failed);
  }

  /**
   * Ends the link (the transport stays as it is): timers stop, pending sends reject with a LinkError
   * listing them, and nothing more is sent or delivered.
   */
  dispose(why = 'the link was closed'): void {
    this.fail(why);
    this.disposed = true;
    this.handlers = [];
  }
}
