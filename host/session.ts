import type { Capabilities } from '../hardware-models/fixed-point/capabilities.js';
import type { VcoreBuild } from '../hardware-models/fixed-point/vcore-image.js';
import { LinkError, ReliableLink, type LinkLogEntry } from './link/reliable-link.js';
import { PROTOCOL_MAJOR, PROTOCOL_MINOR } from './protocol/frame.js';
import { ERROR_CODE, type Message } from './protocol/messages.js';
import type { ByteTransport } from './transport/transport.js';

/** The board answered the handshake with a protocol major version this host does not speak. */
export class ProtocolVersionError extends Error {
  constructor(
    readonly board: { major: number; minor: number; boardId: string },
    readonly host: { major: number; minor: number },
  ) {
    super(`board '${board.boardId}' speaks protocol ${board.major}.${board.minor}, this host speaks ${host.major}.${host.minor}: the major versions differ, so the board is refused`);
    this.name = 'ProtocolVersionError';
  }
}

/** The board reported an ERROR in answer to a request. */
export class BoardError extends Error {
  constructor(
    readonly code: number,
    readonly frame: number,
    readonly boardMessage: string,
  ) {
    const name = Object.entries(ERROR_CODE).find(([, v]) => v === code)?.[0] ?? `code ${code}`;
    super(`the board reported ${name}: ${boardMessage}`);
    this.name = 'BoardError';
  }
}

export interface BoardInfo {
  boardId: string;
  major: number;
  minor: number;
  caps: Capabilities;
  /** The board has booted since its last session (its state is gone). */
  booted: boolean;
  imageLoaded: boolean;
  imageCrc: number;
  /** Last input frame the board has accepted (0xFFFFFFFF: none). */
  lastFrame: number;
  /**
   * What the board's core takes: a board image (`nlai`, every 1.0 board) or a vector-core image compiled for `build`
   * (`nlav`), as CORE_INFO says; a board reporting minor ≥ 1 is asked at the handshake (docs/protocol.md 5.17).
   */
  core: { imageFormat: 'nlai' | 'nlav'; build: VcoreBuild | null };
}

export interface SessionOptions {
  hostId?: string;
  /** SEQ frames the host buffers (the credits it grants the board). */
  window?: number;
  /** How long to wait for HELLO_ACK (HELLO is repeated every 200 ms meanwhile). */
  handshakeTimeoutMs?: number;
  /** Retransmission timeout before the first round-trip sample, and its floor, ms (LinkOptions.retransmitMs; default 200). */
  retransmitMs?: number;
  /** Retransmissions of one frame before the link gives up (default 12: about 17 s at the default timeout). */
  maxRetries?: number;
  /** The line's baud rate (LinkOptions.baud): the link times retransmissions from the line and paces its writes to it. */
  baud?: number;
  /** An ACK after this long without sending, so that the board's session idle timeout does not end an open session (default 1000 ms). */
  keepaliveMs?: number;
  /** Delayed acknowledgement (LinkOptions.ackDelayMs). */
  ackDelayMs?: number;
  /** Every frame on the line and every message (the replayable log). */
  log?: (e: SessionLogEntry) => void;
}

export type SessionLogEntry =
  | ({ kind: 'frame' } & LinkLogEntry)
  | { kind: 'message'; tMs: number; dir: 'tx' | 'rx'; message: Message }
  | { kind: 'event'; tMs: number; event: string; detail?: string };

/**
 * One session with a board over a byte transport: the handshake (version check), then requests that
 * wait for their answer (STATUS, END_STREAM or a typed ERROR), and a stream of unsolicited messages
 * (OUTPUT_FRAME, ERROR) for the streamer. A board that reboots (an unsolicited HELLO_ACK, or ERROR
 * NO_SESSION) or a link that fails ends the session: `onEnd` says why, and pending requests reject.
 */
let sessionCounter = 0;

export class BoardSession {
  readonly link: ReliableLink;
  info!: BoardInfo;
  private waiters: Array<{ accept: (m: Message) => boolean; resolve: (m: Message) => void; reject: (e: Error) => void }> = [];
  private listeners: Array<(m: Message) => void> = [];
  private enders: Array<(why: Error) => void> = [];
  private ended: Error | null = null;
  private readonly t0 = performance.now();
  /** When the board's last message arrived (performance.now() ms; the session's start before any). */
  lastMessageAt = performance.now();
  /**
   * When the requests now waiting started to wait: the moment a request was made while none waited
   * (performance.now() ms; NaN while none waits). The stall guard counts the board's silence from the
   * later of this and lastMessageAt, so time in which the host asked nothing is not the board's silence.
   */
  private waitingSince = NaN;

  private constructor(
    readonly transport: ByteTransport,
    private readonly opts: SessionOptions,
  ) {
    const log = opts.log;
    this.link = new ReliableLink(transport, {
      receiveWindow: opts.window ?? 64,
      retransmitMs: opts.retransmitMs ?? 200,
      maxRetries: opts.maxRetries ?? 12,
      // acknowledgements of output frames ride on the next input frame when one follows within 5 ms
      ackDelayMs: opts.ackDelayMs ?? 5,
      keepaliveMs: opts.keepaliveMs ?? 1000,
      ...(opts.baud !== undefined ? { baud: opts.baud } : {}),
      ...(log ? { log: (e: LinkLogEntry) => log({ kind: 'frame', ...e }) } : {}),
    });
    this.link.onFail((e) => this.end(e));
    // until the HELLO_ACK a sequenced frame is no session's: it is dropped, not acknowledged. A board sends the
    // outputs of frames it took before the HELLO as the new session's first frames, possibly ahead of its HELLO_ACK;
    // taken and acknowledged here, the board would release them while the link reset that the HELLO_ACK brings makes
    // this side wait for them again, for good (a gap nobody can fill). Dropped, the board retransmits them after it.
    this.link.accepting = false;
  }

  /** Opens a session: HELLO until HELLO_ACK, then checks the version. */
  static async open(transport: ByteTransport, opts: SessionOptions = {}): Promise<BoardSession> {
    const s = new BoardSession(transport, opts);
    try {
      await s.handshake();
      if (s.info.minor >= 1) await s.queryCore();
    } catch (e) {
      s.link.dispose();
      await transport.close().catch(() => {});
      throw e;
    }
    return s;
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  private async handshake(): Promise<void> {
    const timeout = this.opts.handshakeTimeoutMs ?? 3000;
    // a session identifier (not a random draw): distinct for every session this process opens
    const nonce = (Math.floor(performance.timeOrigin + performance.now()) * 7 + ++sessionCounter) >>> 0;
    const hello: Message = { type: 'hello', major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR, window: this.opts.window ?? 64, nonce, hostId: this.opts.hostId ?? 'nla-host' };
    const ack = await new Promise<Extract<Message, { type: 'hello-ack' }>>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (f: () => void) => {
        if (timer) clearInterval(timer);
        clearTimeout(deadline);
        f();
      };
      const deadline = setTimeout(() => done(() => reject(new Error(`no answer to HELLO within ${timeout} ms: is a board (or nla board virtual) at the other end, at the same baud rate?`))), timeout);
      this.link.onMessage((m) => {
        if (m.type === 'hello-ack' && !this.info) done(() => resolve(m));
      });
      this.link.onFail((e) => done(() => reject(e)));
      const sayHello = () => {
        this.logMessage('tx', hello);
        void this.link.send(hello);
      };
      sayHello();
      timer = setInterval(sayHello, 200);
    });
    this.logMessage('rx', ack);
    this.info = { boardId: ack.boardId, major: ack.major, minor: ack.minor, caps: ack.caps, booted: ack.booted, imageLoaded: ack.imageLoaded, imageCrc: ack.imageCrc, lastFrame: ack.lastFrame, core: { imageFormat: 'nlai', build: null } };
    if (ack.major !== PROTOCOL_MAJOR) {
      this.link.dispose();
      throw new ProtocolVersionError({ major: ack.major, minor: ack.minor, boardId: ack.boardId }, { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR });
    }
    this.link.resetSession(Math.max(1, ack.caps.window));
    this.link.accepting = true;
    this.link.onMessage((m, sequenced) => this.onMessage(m, sequenced));
  }

  /** CORE_QUERY → CORE_INFO: what image the board's core takes. */
  private async queryCore(): Promise<void> {
    const m = await this.request({ type: 'core-query' }, 'core-info');
    if (m.type === 'core-info') this.info.core = { imageFormat: m.imageFormat, build: m.build };
  }

  private logMessage(dir: 'tx' | 'rx', message: Message): void {
    this.opts.log?.({ kind: 'message', tMs: this.now(), dir, message });
  }

  /** Records an event in the log (reconnects, resumes). */
  logEvent(event: string, detail?: string): void {
    this.opts.log?.({ kind: 'event', tMs: this.now(), event, ...(detail !== undefined ? { detail } : {}) });
  }

  private onMessage(m: Message, sequenced: boolean): void {
    this.logMessage('rx', m);
    this.lastMessageAt = performance.now();
    if (sequenced) this.link.release(1);
    if (m.type === 'hello-ack') {
      if (m.booted) this.end(new BoardResetError(m.boardId));
      return;
    }
    if (m.type === 'error' && m.code === ERROR_CODE.NO_SESSION) {
      this.end(new BoardResetError(this.info.boardId));
      return;
    }
    const k = this.waiters.findIndex((w) => w.accept(m));
    if (k >= 0) {
      const [w] = this.waiters.splice(k, 1);
      if (this.waiters.length === 0) this.waitingSince = NaN;
      if (m.type === 'error') w!.reject(new BoardError(m.code, m.frame, m.message));
      else w!.resolve(m);
      return;
    }
    for (const l of this.listeners) l(m);
  }

  /** Unsolicited messages (output frames, errors no request waits for). */
  onUnsolicited(cb: (m: Message) => void): void {
    this.listeners.push(cb);
  }

  /** Called once when the session ends (board reboot, line closed, retries exhausted). */
  onEnd(cb: (why: Error) => void): void {
    if (this.ended) cb(this.ended);
    else this.enders.push(cb);
  }

  get endedBy(): Error | null {
    return this.ended;
  }

  /** Whether a request waits for its answer. */
  get awaitingAnswer(): boolean {
    return this.waiters.length > 0;
  }

  /** When the requests now waiting started to wait (performance.now() ms; NaN while none waits). */
  get waitStartedAt(): number {
    return this.waitingSince;
  }

  /** Ends the session from outside (the stream gave up on it): waiters are rejected with `why`. */
  abandon(why: Error): void {
    this.end(why);
  }

  private end(why: Error): void {
    if (this.ended) return;
    this.ended = why;
    this.logEvent('session-end', why.message);
    this.waitingSince = NaN;
    for (const w of this.waiters.splice(0)) w.reject(why);
    for (const e of this.enders) e(why);
    // sends still pending (an image chunk, a frame) reject with the reason too, not a bare 'link closed'
    this.link.dispose(why.message);
  }

  /** Sends a message (resolves when the board acknowledged it). */
  send(m: Message): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    this.logMessage('tx', m);
    return this.link.send(m);
  }

  /** Sends a message and waits for its answer: STATUS (or `answer`), or a typed ERROR. */
  request(m: Message, answer: Message['type'] = 'status'): Promise<Message> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.waiters.length === 0) this.waitingSince = performance.now();
    const p = new Promise<Message>((resolve, reject) => this.waiters.push({ accept: (x) => x.type === answer || (x.type === 'error' && x.code !== ERROR_CODE.NO_SESSION), resolve, reject }));
    this.send(m).catch(() => {
      // the session's end rejects the waiter
    });
    return p;
  }

  /**
   * Loads an image in chunks; resolves with the board's STATUS after the last one. The chunks before the
   * last have no answer of their own (each is sent once the board's link acknowledged the one before), so
   * nothing waits on the board until the last chunk's request: the stall guard counts from there.
   */
  async loadImage(bytes: Uint8Array, onProgress?: (sent: number, total: number) => void): Promise<void> {
    const chunk = Math.min(this.info.caps.maxPayload, 4096) - 8;
    let last: Promise<Message> | null = null;
    for (let off = 0; off < bytes.length; off += chunk) {
      const piece = bytes.subarray(off, Math.min(off + chunk, bytes.length));
      const m: Message = { type: 'load-image', offset: off, total: bytes.length, chunk: piece };
      if (off + piece.length >= bytes.length) last = this.request(m);
      else await this.send(m);
      onProgress?.(off + piece.length, bytes.length);
    }
    await last;
  }

  /**
   * Ends the session: a pending acknowledgement goes out first (the board's last frame, its END_STREAM
   * say, is acknowledged, so it does not keep retransmitting into a closed line), then the line closes.
   */
  async close(): Promise<void> {
    await this.link.flush().catch(() => {});
    this.link.dispose();
    await this.transport.close();
  }
}

/** The board rebooted (it announced a boot, or answered NO_SESSION): its state is gone. */
export class BoardResetError extends LinkError {
  constructor(boardId: string) {
    super(`board '${boardId}' reset (it announced a boot or lost its session)`, []);
    this.name = 'BoardResetError';
  }
}

