import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, MAX_PAYLOAD, PROTOCOL_MAJOR, type Frame, type Rejection } from '../protocol/frame.js';
import { decodePayload, encodePayload, isSequenced, MSG, typeCode, type Message } from '../protocol/messages.js';
import type { ByteTransport } from '../transport/transport.js';

/** Bit 2 of the flags: a window probe; the receiver answers it with an acknowledgement. */
export const FLAG_PROBE = 4;
/** Bit 3 of the flags: this acknowledgement answers a frame that arrived after a gap (one was lost). */
export const FLAG_GAP = 8;

export interface LinkOptions {
  /** SEQ frames this endpoint buffers for its consumer (the credits it advertises). */
  receiveWindow: number;
  /** First retransmission timeout, ms (doubles on each retry of the same frame, up to 8×). */
  retransmitMs: number;
  /** Retransmissions of one frame before the link gives up. */
  maxRetries: number;
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
  retries: number;
}

const MOD = 0x10000;
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
 *   its timeout (doubling per retry of the same frame).
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
  private failed: LinkError | null = null;
  private readonly t0 = performance.now();

  constructor(
    private readonly transport: ByteTransport,
    readonly opts: LinkOptions,
  ) {
    this.decoder = new FrameDecoder(
      (f) => this.onFrame(f),
      (why: Rejection) => {
        this.stats.rejected++;
        void why;
        this.scheduleAck();
      },
    );
    transport.onData((c) => this.decoder.push(c));
    transport.onClose((reason) => this.fail(`the line closed (${reason})`));
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
    this.failed = null;
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
      this.waiting.push({ seq: -1, message: m, resolve, reject, retries: 0 });
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

  private pump(): void {
    while (this.waiting.length && diff(this.nextSeq, this.peerAck) < this.peerCredits) {
      const o = this.waiting.shift()!;
      o.seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) % MOD;
      this.unacked.push(o);
      this.transmit(o.message, FLAG_SEQ, o.seq, false);
      this.armTimer();
    }
    if (this.waiting.length && this.unacked.length === 0) this.armProbe();
    if (this.writable.length && this.windowOpen) for (const r of this.writable.splice(0)) r();
  }

  private transmit(m: Message, flags: number, seq: number, retransmit: boolean): void {
    if (!this.transport.open || this.disposed) return;
    const gap = this.gapDue ? FLAG_GAP : 0;
    this.gapDue = false;
    const f: Frame = { version: PROTOCOL_MAJOR, type: typeCode(m), flags: flags | FLAG_ACK | gap, seq, ack: this.expected, credits: this.credits(), payload: encodePayload(m) };
    const bytes = encodeFrame(f);
    this.ackDue = false;
    this.stats.sent++;
    if (retransmit) this.stats.retransmitted++;
    this.opts.log?.({ tMs: performance.now() - this.t0, dir: 'tx', type: f.type, seq, ack: f.ack, credits: f.credits, flags: f.flags, retransmit, payload: Buffer.from(f.payload).toString('hex'), lineBytes: bytes.length });
    this.transport.write(bytes);
  }

  private onFrame(f: Frame): void {
    if (this.disposed) return;
    this.opts.log?.({ tMs: performance.now() - this.t0, dir: 'rx', type: f.type, seq: f.seq, ack: f.ack, credits: f.credits, flags: f.flags, retransmit: false, payload: Buffer.from(f.payload).toString('hex'), lineBytes: 0 });
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
      while (this.unacked.length && diff(ack, this.unacked[0]!.seq) > 0 && diff(ack, this.unacked[0]!.seq) <= inFlight) {
        const o = this.unacked.shift()!;
        this.stats.acknowledged++;
        o.resolve();
      }
      this.armTimer(true);
    } else if (gap && this.unacked.length && !this.fastRetransmitted) {
      // the peer saw a later frame than it expected: the one it expects was lost; resend from there once
      this.fastRetransmitted = true;
      this.retransmitAll();
    }
    this.peerCredits = credits;
    this.pump();
  }

  private retransmitAll(): void {
    for (const o of this.unacked) this.transmit(o.message, FLAG_SEQ, o.seq, true);
  }

  private armTimer(restart = false): void {
    if (this.unacked.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer && !restart) return;
    if (this.timer) clearTimeout(this.timer);
    const o = this.unacked[0]!;
    this.timer = setTimeout(() => this.onTimeout(), this.opts.retransmitMs * 2 ** Math.min(3, o.retries));
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
    this.armTimer();
  }

  private armProbe(): void {
    if (this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (this.failed || !this.waiting.length || this.unacked.length) return;
      if (this.transport.open) {
        const f: Frame = { version: PROTOCOL_MAJOR, type: MSG.ACK, flags: FLAG_ACK | FLAG_PROBE, seq: 0, ack: this.expected, credits: this.credits(), payload: new Uint8Array(0) };
        this.transport.write(encodeFrame(f));
      }
      this.armProbe();
    }, this.opts.retransmitMs);
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
    this.timer = null;
    this.probeTimer = null;
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
