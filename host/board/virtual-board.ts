import { framePayloadBytes, type Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { SIGNAL_FRAC, WEIGHT_FRAC, BETA_MAX_Q16 } from '../../hardware-models/fixed-point/format.js';
import { PROBE, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { VCORE_GENERIC_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { loadReferenceCore, loadVcoreCore, type BoardCore } from './board-core.js';
import { ReliableLink, type LinkStats } from '../link/reliable-link.js';
import { MAX_PAYLOAD, PROTOCOL_MAJOR, PROTOCOL_MINOR, type Frame } from '../protocol/frame.js';
import { ERROR_CODE, MSG, NO_FRAME, PARAM, STATE, type Message, type MessageType } from '../protocol/messages.js';
import type { ByteTransport } from '../transport/transport.js';

export const DEFAULT_CAPS: Capabilities = {
  maxNeurons: 2048,
  maxSynapses: 1 << 20,
  maxInputs: 1024,
  maxOutputs: 256,
  signalFracBits: SIGNAL_FRAC,
  weightFracBits: WEIGHT_FRAC,
  maxFrameRate: 100_000,
  window: 32,
  maxPayload: MAX_PAYLOAD,
};

/** Options of a `VirtualBoard`: its id, capabilities, core, protocol version, and faults for tests. */
export interface VirtualBoardOptions {
  boardId?: string;
  caps?: Partial<Capabilities>;
  /** Protocol version the board reports (tests of the handshake refusal). */
  protocol?: { major: number; minor: number };
  /** A slow board: extra time per input frame, ms. */
  frameDelayMs?: number;
  /** Output frames kept for RESEND_OUTPUTS. */
  historyFrames?: number;
  /** Retransmission timeout of the board's side of the link before the first round-trip sample, and its floor, ms (default 200). */
  retransmitMs?: number;
  /**
   * The board ends its session after this long without a valid frame from the host, ms (default
   * BOARD_SESSION_IDLE_MS): a host that went away without a word (a closed tty) leaves no session behind.
   */
  sessionIdleMs?: number;
  /**
   * The core behind the session: `reference` (default) computes FixedPointCore on a board image (protocol 1.0);
   * `vcore` is the vector core's firmware model on a vector-core image (protocol 1.1: the board reports minor 1 and
   * answers CORE_QUERY with its build, and a host compiles the image for it).
   */
  core?: 'reference' | 'vcore';
  /** The vector core's build (default VCORE_GENERIC_BUILD). */
  vcoreBuild?: VcoreBuild;
}

type Msg<T extends MessageType> = Extract<Message, { type: T }>;

/** How a message handler answers. Every message it sends is collected for the caller of `handle`. */
interface Replies {
  /** The line the message came on; null when `nla replay` feeds logged messages in. */
  readonly link: ReliableLink | null;
  /** Sends a message on the line (if any, and only within a session) and collects it. */
  send(m: Message): void;
  /** Answers ERROR with a typed code naming the frame; BAD_FRAME and OUT_OF_ORDER count as rejected frames. */
  fail(code: number, frame: number, message: string): void;
}

/** Handles one message of a type; a promise while work remains after this turn of the event loop. */
type MessageHandler<M extends Message> = (m: M, r: Replies) => void | Promise<void>;
/** The board's handlers by message type; a type the board does not accept has none. */
type MessageHandlers = { [T in MessageType]?: MessageHandler<Msg<T>> };

/** Retransmissions of one frame after which the board gives up and ends its session (docs/protocol.md §4.7). */
export const BOARD_MAX_RETRIES = 10;
/** Default session idle timeout of the board, ms (docs/protocol.md §6.2); the host keeps a session alive well within it. */
export const BOARD_SESSION_IDLE_MS = 10_000;

export interface BoardCounters {
  framesProcessed: number;
  rejectedFrames: number;
  sessions: number;
  boots: number;
}

/**
 * The board side of the protocol (docs/protocol.md) around the fixed-point core: what firmware on a real
 * FPGA board does, and the reference for it. Attach it to any byte transport (a pty, a memory pair, a
 * paced or faulty line). Behaviour:
 *
 * - It keeps its image, core state and output history across lines: a cut line and a new HELLO resume
 *   where it was (HELLO_ACK reports the image's CRC and the last frame processed). `reboot()` is a power
 *   cycle: everything is lost, and it announces itself with an unsolicited HELLO_ACK (booted = 1).
 * - Until a HELLO opens a session, sequenced frames are answered with ERROR NO_SESSION. A session ends
 *   at the next HELLO with another nonce, when a frame it sent stays unacknowledged after
 *   BOARD_MAX_RETRIES retransmissions, or after `sessionIdleMs` without a valid frame from the host:
 *   the board cannot see a host close its tty, but it sees these (state and history are kept).
 * - Messages are handled one at a time, in order; an input frame's credit returns only after the frame
 *   is computed and its output sent, so a slow board throttles the host through flow control.
 * - Every control message is answered with STATUS, or ERROR with a typed code that names the frame.
 */
export class VirtualBoard {
  readonly caps: Capabilities;
  readonly boardId: string;
  readonly counters: BoardCounters = { framesProcessed: 0, rejectedFrames: 0, sessions: 0, boots: 1 };
  private link: ReliableLink | null = null;
  private transport: ByteTransport | null = null;
  private imageCrc = 0;
  private core: BoardCore | null = null;
  private imageBuf: Uint8Array | null = null;
  private imageGot = 0;
  private state: number = STATE.IDLE;
  private expected = 0;
  private lastFrame = NO_FRAME;
  private probes: number = PROBE.OUTPUT_U;
  private learn = false;
  private history: Array<{ frame: number; timeUs: number; values: Int32Array }> = [];
  private freshBoot = true;
  private queue: Promise<void> = Promise.resolve();
  private nonce = -1;
  private epoch = 0;
  private baud: number | undefined;
  private idleTimer: NodeJS.Timeout | null = null;
  private sessionEnders: Array<(why: string) => void> = [];

  /** The vector core's build when the board's core is the vector core. */
  private readonly vcore: VcoreBuild | null;

  constructor(private readonly opts: VirtualBoardOptions = {}) {
    this.caps = { ...DEFAULT_CAPS, ...opts.caps };
    this.vcore = opts.core === 'vcore' ? (opts.vcoreBuild ?? VCORE_GENERIC_BUILD) : null;
    this.boardId = opts.boardId ?? 'nla-virtual-board';
  }

  /** Statistics of the board's side of the current line (null when no line is attached). */
  get linkStats(): LinkStats | null {
    return this.link?.stats ?? null;
  }

  /** Frames the board sent that its link has not seen acknowledged (0 without a line). */
  get unacknowledged(): number {
    return this.link?.inFlight ?? 0;
  }

  /** Called whenever a session ends (new HELLO excepted), with the reason. */
  onSessionEnd(cb: (why: string) => void): void {
    this.sessionEnders.push(cb);
  }

  /**
   * Connects a line; `baud` is its rate when it is a UART (the link then times retransmissions from the
   * line and paces its writes). The board's state is kept; the host opens a session with HELLO.
   */
  attach(transport: ByteTransport, baud?: number): void {
    this.link?.dispose();
    this.transport = transport;
    this.baud = baud;
    const link = new ReliableLink(transport, {
      receiveWindow: this.caps.window,
      retransmitMs: this.opts.retransmitMs ?? 200,
      maxRetries: BOARD_MAX_RETRIES,
      ackDelayMs: 2,
      ...(baud !== undefined ? { baud } : {}),
    });
    link.accepting = false;
    this.link = link;
    link.onMessage((m, sequenced) => this.enqueue(m, link, sequenced));
    link.onStray((f: Frame) => {
      void f;
      link.sendUnsequenced({ type: 'error', code: ERROR_CODE.NO_SESSION, frame: NO_FRAME, message: 'no session: send HELLO first' });
    });
    link.onBadMessage((type, why) => {
      const known = type >= MSG.HELLO && type <= MSG.RESEND_OUTPUTS;
      this.reply(link, { type: 'error', code: known ? ERROR_CODE.BAD_FRAME : ERROR_CODE.UNKNOWN_MESSAGE, frame: NO_FRAME, message: why });
    });
    link.onFail((e) => {
      // the line went away or the host stopped acknowledging: keep the state, wait for a new HELLO
      this.endSession(link, e.message);
    });
  }

  /** Ends the session on `link` (if one is open): SEQ frames get NO_SESSION until the next HELLO. */
  private endSession(link: ReliableLink, why: string): void {
    if (!link.accepting) return;
    link.resetSession(1); // nothing more is retransmitted; replies of the old session are dropped
    link.accepting = false;
    this.nonce = -1;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const cb of this.sessionEnders) cb(why);
  }

  /** Ends the session on `link` once the host has been silent for sessionIdleMs. */
  private armIdle(link: ReliableLink): void {
    const idleMs = this.opts.sessionIdleMs ?? BOARD_SESSION_IDLE_MS;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.link !== link || !link.accepting) return;
      const silentMs = performance.now() - link.lastHeardMs;
      if (silentMs >= idleMs) this.endSession(link, `no byte from the host for ${Math.round(silentMs)} ms`);
      else this.armIdle(link);
    }, Math.max(1, link.lastHeardMs + idleMs - performance.now()));
    this.idleTimer.unref?.(); // a number in the web page
  }

  /** Disconnects the line (the board keeps running and keeps its state). */
  detach(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.link?.dispose();
    this.link = null;
    this.transport = null;
  }

  /** Power cycle: image, core, history and session are lost; the board announces its boot. */
  reboot(): void {
    this.epoch++;
    this.core = null;
    this.imageBuf = null;
    this.imageGot = 0;
    this.imageCrc = 0;
    this.state = STATE.IDLE;
    this.expected = 0;
    this.lastFrame = NO_FRAME;
    this.history = [];
    this.learn = false;
    this.freshBoot = true;
    this.counters.boots++;
    this.queue = Promise.resolve();
    if (this.transport) {
      this.attach(this.transport, this.baud);
      void this.link!.send(this.helloAck());
    }
  }

  private helloAck(): Message {
    const p = this.opts.protocol ?? { major: PROTOCOL_MAJOR, minor: this.vcore ? 1 : PROTOCOL_MINOR };
    return { type: 'hello-ack', major: p.major, minor: p.minor, boardId: this.boardId, caps: this.caps, booted: this.freshBoot, imageLoaded: this.core !== null, imageCrc: this.imageCrc, lastFrame: this.lastFrame };
  }

  private enqueue(m: Message, link: ReliableLink, sequenced: boolean): void {
    if (!sequenced) {
      if (m.type !== 'hello') return; // only HELLO may come outside the sequence
      // the session restarts now (the link accepts the new sequence at once); HELLO_ACK goes out after
      // the messages already delivered are processed, so that it reports the last frame computed
      this.openSession(m, link);
      const epoch = this.epoch;
      this.queue = this.queue.then(() => {
        if (epoch === this.epoch && this.link === link) void this.handle(m, link);
      });
      return;
    }
    if (m.type === 'hello') {
      link.release(1);
      return;
    }
    const epoch = this.epoch;
    const session = link.session;
    this.queue = this.queue.then(async () => {
      await new Promise((r) => setImmediate(r)); // let the line (acknowledgements, arrivals) run between messages
      if (epoch !== this.epoch) return; // power lost meanwhile: the message is gone with the state
      try {
        await this.handle(m, this.link);
      } finally {
        if (this.link === link && link.session === session) link.release(1);
      }
    });
  }

  /** Opens a session for a HELLO; a repeated HELLO of the open session (same nonce) changes nothing. */
  private openSession(m: Extract<Message, { type: 'hello' }>, link: ReliableLink): void {
    if (link.accepting && m.nonce === this.nonce) return;
    this.counters.sessions++;
    this.nonce = m.nonce;
    link.resetSession(Math.max(1, m.window));
    link.accepting = true;
    this.armIdle(link);
  }

  private reply(link: ReliableLink, m: Message): void {
    if (!link.accepting && m.type !== 'hello-ack') return; // no session: nothing sequenced goes out (outputs stay in the history)
    link.send(m).catch(() => {
      // an unacknowledged reply on a dead line: outputs stay in the history, the rest is re-requested
    });
  }

  /** Loaded and idle: no frame computed yet, none expected but frame 0, no history. */
  private atRest(): void {
    this.state = STATE.LOADED;
    this.lastFrame = NO_FRAME;
    this.expected = 0;
    this.history = [];
  }

  private status(): Message {
    return {
      type: 'status',
      state: this.state,
      framesProcessed: this.core?.frames ?? 0,
      lastFrame: this.lastFrame,
      saturations: this.core?.saturations ?? 0,
      rejectedFrames: this.counters.rejectedFrames,
      imageLoaded: this.core !== null,
    };
  }

  /**
   * What each message does on the board, by type; a type without an entry is refused with ERROR
   * UNKNOWN_MESSAGE. A handler answers through `r`; it returns a promise only while it has work left
   * after this turn of the event loop (decoding and warming up an image, a slow board's frame delay).
   */
  private readonly handlers: MessageHandlers = {
    hello: (m, r) => this.onHello(m, r),
    'load-image': (m, r) => this.onLoadImage(m, r),
    'set-param': (m, r) => this.onSetParam(m, r),
    reset: (m, r) => this.onReset(m, r),
    'start-stream': (m, r) => this.onStartStream(m, r),
    'stop-stream': (_m, r) => this.onStopStream(r),
    'target-frame': (m, r) => this.onTargetFrame(m, r),
    'input-frame': (m, r) => this.onInputFrame(m, r),
    'resend-outputs': (m, r) => this.onResendOutputs(m, r),
    'end-stream': (_m, r) => this.onEndStream(r),
    // 1.1: a vector-core board says what it takes; a reference board stays 1.0 (it does not know CORE_QUERY)
    'core-query': (m, r) => (this.vcore ? r.send({ type: 'core-info', imageFormat: 'nlav', build: this.vcore }) : r.fail(ERROR_CODE.UNKNOWN_MESSAGE, NO_FRAME, `a board does not accept ${m.type}`)),
  };

  /** Handles one message (also used by `nla replay`, which feeds logged messages straight in). */
  async handle(m: Message, link: ReliableLink | null): Promise<Message[]> {
    const out: Message[] = [];
    const send = (x: Message) => {
      out.push(x);
      if (link) this.reply(link, x);
    };
    const r: Replies = {
      link,
      send,
      fail: (code, frame, message) => {
        if (code === ERROR_CODE.BAD_FRAME || code === ERROR_CODE.OUT_OF_ORDER) this.counters.rejectedFrames++;
        send({ type: 'error', code, frame, message });
      },
    };
    const handler = this.handlers[m.type] as MessageHandler<Message> | undefined;
    if (!handler) r.fail(ERROR_CODE.UNKNOWN_MESSAGE, NO_FRAME, `a board does not accept ${m.type}`);
    else {
      const working = handler(m, r);
      if (working) await working;
    }
    return out;
  }

  private onHello(m: Msg<'hello'>, r: Replies): void {
    if (r.link) this.openSession(m, r.link);
    r.send(this.helloAck());
    this.freshBoot = false;
  }

  /** Collects the image's chunks; after the last one decodes, checks and installs it (STATUS). */
  private onLoadImage(m: Msg<'load-image'>, r: Replies): void | Promise<void> {
    if (this.state === STATE.STREAMING) return r.fail(ERROR_CODE.BAD_IMAGE, NO_FRAME, 'stop the stream before loading an image');
    if (m.offset === 0) {
      if (m.total < 48 || m.total > 64 * 1024 * 1024) return r.fail(ERROR_CODE.BAD_IMAGE, NO_FRAME, `image size ${m.total} bytes is outside 48..67108864`);
      this.imageBuf = new Uint8Array(m.total);
      this.imageGot = 0;
    }
    if (!this.imageBuf || m.offset !== this.imageGot || m.total !== this.imageBuf.length || m.offset + m.chunk.length > m.total) {
      return r.fail(ERROR_CODE.BAD_IMAGE, NO_FRAME, `image chunk at offset ${m.offset} (total ${m.total}): expected offset ${this.imageGot} of ${this.imageBuf?.length ?? 0}`);
    }
    this.imageBuf.set(m.chunk, m.offset);
    this.imageGot += m.chunk.length;
    if (this.imageGot < m.total) return; // more chunks to come; STATUS after the last one
    r.link?.ackNow(); // decoding, checking and warming up take a while: acknowledge the chunk first
    const bytes = this.imageBuf;
    this.imageBuf = null;
    const loaded = this.vcore ? loadVcoreCore(bytes, this.vcore) : loadReferenceCore(bytes, this.caps, this.boardId, warmUp);
    if (!loaded.ok) return r.fail(ERROR_CODE[loaded.code], NO_FRAME, loaded.why);
    this.imageCrc = loaded.imageCrc;
    return loaded.warm().then(() => {
      this.core = loaded.core;
      this.atRest();
      r.send(this.status());
    });
  }

  private onSetParam(m: Msg<'set-param'>, r: Replies): void {
    if (m.id === PARAM.LEARN && (m.value === 0 || m.value === 1)) this.learn = m.value === 1;
    else if (this.core && ((m.id === PARAM.BETA_Q16 && m.value >= 0 && m.value <= BETA_MAX_Q16) || (m.id === PARAM.ITERATIONS && m.value >= 1 && m.value <= 0xffff))) {
      try {
        this.core.setParam(m.id, m.value);
      } catch (e) {
        return r.fail(ERROR_CODE.BAD_PARAM, NO_FRAME, `parameter ${m.id} = ${m.value}: ${(e as Error).message}`);
      }
    } else return r.fail(ERROR_CODE.BAD_PARAM, NO_FRAME, `parameter ${m.id} = ${m.value}: ${this.core || m.id === PARAM.LEARN ? 'value out of range' : 'no image loaded'}`);
    r.send(this.status());
  }

  private onReset(m: Msg<'reset'>, r: Replies): void {
    if (!this.core) return r.fail(ERROR_CODE.NO_IMAGE, NO_FRAME, 'no image loaded');
    this.core.reset();
    if (m.restoreWeights) this.core.reloadWeights();
    this.atRest();
    r.send(this.status());
  }

  private onStartStream(m: Msg<'start-stream'>, r: Replies): void {
    if (!this.core) return r.fail(ERROR_CODE.NO_IMAGE, NO_FRAME, 'no image loaded');
    if (m.probes === 0 || m.probes > 15) return r.fail(ERROR_CODE.BAD_PARAM, NO_FRAME, `probes: expected a mask of 1..15, got ${m.probes}`);
    if (framePayloadBytes(this.core.probeWidth(m.probes)) > this.caps.maxPayload) return r.fail(ERROR_CODE.CAPACITY, NO_FRAME, `probes ${m.probes}: an output frame would exceed ${this.caps.maxPayload} bytes`);
    const continuing = this.lastFrame !== NO_FRAME && m.firstFrame === this.lastFrame + 1;
    if (m.firstFrame !== 0 && !continuing) return r.fail(ERROR_CODE.OUT_OF_ORDER, m.firstFrame, `a stream starts at frame 0 or continues at ${this.lastFrame === NO_FRAME ? 0 : this.lastFrame + 1}`);
    if (m.firstFrame === 0 && this.lastFrame !== NO_FRAME) {
      // a new stream from frame 0: the network starts at rest again (learned weights are kept)
      this.core.reset();
      this.lastFrame = NO_FRAME;
      this.history = [];
    }
    this.probes = m.probes;
    this.expected = m.firstFrame;
    this.state = STATE.STREAMING;
    r.send(this.status());
  }

  private onStopStream(r: Replies): void {
    if (this.core) this.state = STATE.LOADED;
    r.send(this.status());
  }

  private onTargetFrame(m: Msg<'target-frame'>, r: Replies): void {
    if (this.state !== STATE.STREAMING || !this.core) return r.fail(ERROR_CODE.NOT_STREAMING, m.frame, 'targets only while streaming');
    if (m.frame !== this.expected) return r.fail(ERROR_CODE.OUT_OF_ORDER, m.frame, `target for frame ${m.frame}, expected frame ${this.expected}`);
    if (m.values.length !== this.core.nOutputs) return r.fail(ERROR_CODE.BAD_FRAME, m.frame, `target frame ${m.frame} has ${m.values.length} values, expected ${this.core.nOutputs}`);
    this.core.setTargets(m.values);
  }

  /** Checks an input frame, then computes it (after `frameDelayMs`, on a slow board). */
  private onInputFrame(m: Msg<'input-frame'>, r: Replies): void | Promise<void> {
    if (this.state !== STATE.STREAMING || !this.core) return r.fail(ERROR_CODE.NOT_STREAMING, m.frame, 'input frames only while streaming (START_STREAM first)');
    if (m.frame !== this.expected) return r.fail(ERROR_CODE.OUT_OF_ORDER, m.frame, `input frame ${m.frame}, expected frame ${this.expected}`);
    if (m.values.length !== this.core.nStimulusInputs) return r.fail(ERROR_CODE.BAD_FRAME, m.frame, `input frame ${m.frame} has ${m.values.length} values, expected ${this.core.nStimulusInputs}`);
    if (this.opts.frameDelayMs) return new Promise((d) => setTimeout(d, this.opts.frameDelayMs)).then(() => this.compute(m, r));
    this.compute(m, r);
  }

  /** Computes an input frame, keeps its output in the history and sends it. */
  private compute(m: Msg<'input-frame'>, r: Replies): void {
    const values = this.core!.frame(m.values, this.learn, this.probes);
    this.counters.framesProcessed++;
    this.lastFrame = m.frame;
    this.expected = m.frame + 1;
    const o = { frame: m.frame, timeUs: m.timeUs, values };
    this.history.push(o);
    if (this.history.length > (this.opts.historyFrames ?? 8192)) this.history.shift();
    r.send({ type: 'output-frame', ...o });
  }

  private onResendOutputs(m: Msg<'resend-outputs'>, r: Replies): void {
    const first = this.history[0]?.frame;
    if (this.lastFrame === NO_FRAME || m.fromFrame > this.lastFrame) return;
    if (first === undefined || m.fromFrame < first) return r.fail(ERROR_CODE.HISTORY, m.fromFrame, `outputs before frame ${first ?? this.lastFrame + 1} are no longer kept`);
    for (const h of this.history) if (h.frame >= m.fromFrame) r.send({ type: 'output-frame', ...h });
  }

  private onEndStream(r: Replies): void {
    if (this.core && this.state === STATE.STREAMING) this.state = STATE.LOADED;
    r.send({ type: 'end-stream', lastFrame: this.lastFrame, framesProcessed: this.core?.frames ?? 0 });
  }
}


/**
 * Runs a throwaway core for up to 300 frames (at most ~150 ms) so that the JavaScript engine has
 * compiled the step before the first real frame: a hardware board has no warm-up, and without this
 * the first few hundred frames of a stream would see extra latency that is an artefact of the JIT.
 * It works in slices of at most 4 ms and yields between them, so that the line keeps running
 * (acknowledgements go out; the host's retransmission timer does not fire for nothing).
 */
async function warmUp(img: BoardImage): Promise<void> {
  const core = new FixedPointCore(img);
  const x = new Array<number>(img.nStimulusInputs).fill(1 << 15);
  const t0 = performance.now();
  let slice = t0;
  for (let k = 0; k < 300 && performance.now() - t0 < 150; k++) {
    core.frame(x, k % 2 === 0, k % 16 === 0 ? 15 : 1);
    if (performance.now() - slice > 4) {
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    }
  }
}
