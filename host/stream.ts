import { checkFits, CapacityError } from '../hardware-models/fixed-point/fit.js';
import { NoSuchPortError } from './transport/port-exists.js';
import { decodeImage, imageId } from '../hardware-models/fixed-point/image-codec.js';
import { PROBE, probeWidth, type BoardImage } from '../hardware-models/fixed-point/image.js';
import { framePayloadBytes } from '../hardware-models/fixed-point/capabilities.js';
import { compileVcoreImage } from '../compiler/board/compile-vcore-image.js';
import { PARAM, type Message } from './protocol/messages.js';
import { BoardError, BoardSession, ProtocolVersionError, type SessionOptions } from './session.js';
import type { ByteTransport } from './transport/transport.js';
import type { FrameLedger } from './stream/ledger.js';
import type { StreamProgress } from './stream/progress.js';
import { FramePump, type PumpObserver } from './stream/pump.js';
import type { StreamResult } from './stream/result.js';
import { planResume } from './stream/resume.js';
import { checkStallMs, StallGuard } from './stream/stall-guard.js';
import { StreamRun } from './stream/run.js';

export type { StreamProgress } from './stream/progress.js';
export type { StreamStats } from './stream/stats.js';
export { StreamError, type Incident, type StreamResult } from './stream/result.js';

/** What `streamToBoard` streams: the line to the board, the encoded image, the input (and target) frames, pacing, recovery and progress. */
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
  /**
   * A session in which the board sends no message for this long while frames or a request wait on it
   * ends with an error naming the frame it stalled at (and the stream reconnects as after any failure),
   * instead of waiting forever on a board that acknowledges frames but neither computes nor refuses
   * them. The silence counts from the board's last message, or from when the host started waiting on it
   * if that is later (stream/stall-guard.ts): pacing slower than this, or a pause, is not a stall. A
   * finite time > 0 ms (RangeError otherwise); default 20000 ms.
   */
  stallMs?: number;
  onProgress?: (p: StreamProgress) => void;
  /**
   * Outputs of an earlier attempt of the same stream (StreamError.partial.outputs; empty arrays are
   * missing frames): the stream resumes where the board is, instead of starting over.
   */
  previous?: Int32Array[];
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
 *
 * The pieces are in stream/: where a session picks up (resume.ts), the frames going out (pump.ts), what
 * is known of each frame (ledger.ts), statistics and latency (stats.ts), progress (progress.ts), the
 * call's state across sessions (run.ts), and the result and StreamError (result.ts).
 */
export async function streamToBoard(req: StreamRequest): Promise<StreamResult> {
  if (req.stallMs !== undefined) checkStallMs(req.stallMs);
  const img = decodeImage(req.image, 'board image');
  const imageCrc = imageId(req.image);
  const probes = req.probes ?? PROBE.OUTPUT_U;
  const run = new StreamRun(req.inputs.length, probeWidth(img, probes), framePayloadBytes(img.nStimulusInputs), Boolean(req.rateHz), req.onProgress);
  const reconnect = req.reconnect ?? { attempts: 3, delayMs: 200 };
  const log = req.session?.log;
  const frameLog = (e: Parameters<NonNullable<SessionOptions['log']>>[0]) => {
    run.recorder.logged(e);
    log?.(e);
  };
  if (req.previous) run.ledger.adopt(req.previous);
  const resuming = run.ledger.received > 0;
  let first = true;
  let failures = 0;
  for (;;) {
    let session: BoardSession;
    try {
      const transport = await req.connect();
      session = await BoardSession.open(transport, { ...req.session, log: frameLog });
    } catch (e) {
      if (e instanceof ProtocolVersionError) throw e;
      // nothing at the port's path: no retry would find a board there
      if (e instanceof NoSuchPortError) return run.fail(`could not reach the board: ${e.message}`);
      failures++;
      run.incidents.push({ atFrame: run.ledger.firstMissing(), what: `connect failed: ${(e as Error).message}` });
      if (failures > reconnect.attempts) return run.fail(`could not reach the board after ${failures} attempt(s): ${(e as Error).message}`);
      await sleep(reconnect.delayMs);
      continue;
    }
    run.recorder.sessions++;
    run.board = session.info;
    if (first) await checkCapacity(session, img, req.rateHz);
    const outcome = await runSession(run, session, req, { imageCrc, probes, earlier: !first || resuming });
    if (run.violation) {
      await session.close().catch(() => {});
      return run.fail(run.violation);
    }
    if ('result' in outcome) return outcome.result;
    if (outcome.setUp) first = false;
    failures = outcome.progressed ? 1 : failures + 1;
    const at = run.ledger.firstMissing();
    run.incidents.push({ atFrame: at, what: `session ended at frame ${at}: ${outcome.error.message}` });
    await session.close().catch(() => {});
    if (failures > reconnect.attempts) return run.fail(`gave up after ${failures} failed session(s); last: ${outcome.error.message}`);
    await sleep(reconnect.delayMs);
  }
}

/** Refuses (CapacityError, after closing the session) an image or a rate the board cannot take. */
async function checkCapacity(session: BoardSession, img: BoardImage, rateHz: number | undefined): Promise<void> {
  const info = session.info;
  try {
    checkFits(img, info.caps, info.boardId);
    if (info.core.imageFormat === 'nlav') imageForBoard(info, img, new Uint8Array(0));
    if (rateHz && rateHz > info.caps.maxFrameRate) throw new CapacityError([`it asks for ${rateHz} frames/s, the board processes at most ${info.caps.maxFrameRate} (maxFrameRate)`], info.boardId);
  } catch (e) {
    await session.close();
    throw e;
  }
}

/** How one session went: the stream's result, or the error that ended it. */
type SessionOutcome =
  | { result: StreamResult }
  /** `setUp`: the board was brought to the stream (image or resume) before it failed; `progressed`: outputs arrived since. */
  | { error: Error; setUp: boolean; progressed: boolean };

/**
 * The bytes LOAD_IMAGE carries to this board: the board image itself, or, for a vector core (CORE_INFO `nlav`), the
 * vector-core image compiled here for its build; a network the build cannot hold is a CapacityError naming why.
 */
function imageForBoard(info: BoardSession['info'], img: BoardImage, bytes: Uint8Array): Uint8Array {
  if (info.core.imageFormat !== 'nlav' || !info.core.build) return bytes;
  try {
    return compileVcoreImage(img, info.core.build);
  } catch (e) {
    throw new CapacityError([`its vector core cannot run the network: ${(e as Error).message}`], info.boardId);
  }
}

/** What a session needs to know besides the request. */
interface SessionPlan {
  imageCrc: number;
  probes: number;
  /** The stream ran before (ResumeContext.earlier). */
  earlier: boolean;
}

/**
 * One session of the stream: picks the stream up (planResume), pumps the frames, ends the stream and
 * waits for the outputs. A board's ERROR answer or a capacity refusal fails the whole stream (it
 * throws the StreamError); any other failure is returned for the caller to reconnect.
 */
async function runSession(run: StreamRun, session: BoardSession, req: StreamRequest, plan: SessionPlan): Promise<SessionOutcome> {
  const ended = new Promise<Error>((r) => session.onEnd(r));
  const guard = new StallGuard(session, req.stallMs ?? 20_000, () => run.ledger.firstMissing()).start();
  session.onUnsolicited((m) => {
    run.receive(m);
    guard.refresh(); // an output may end the frames' wait
  });
  let mark: number | null = null; // outputs held once the session was set up
  try {
    const from = await pickUp(run, session, req, plan);
    mark = run.ledger.received;
    // frames before `from` without an output (asked for again by pickUp) wait from here on
    guard.handedOut(from);
    const observer: PumpObserver = {
      sent: (k, dueMs) => {
        run.pumpObserver.sent(k, dueMs);
        guard.handedOut(k + 1);
      },
      acknowledged: (k) => run.pumpObserver.acknowledged(k),
    };
    const pump = new FramePump(session, req, observer, from, ended);
    await pump.run();
    await endStream(run.ledger, session, ended, req.drainTimeoutMs ?? 2000);
    run.recorder.addLink(session.link);
    await session.close();
    run.progress.report(true);
    return { result: { ...run.result(), board: session.info } };
  } catch (e) {
    run.recorder.addLink(session.link);
    if (e instanceof BoardError || e instanceof CapacityError) {
      await session.close().catch(() => {});
      return run.fail((e as Error).message);
    }
    return { error: e as Error, setUp: mark !== null, progressed: mark !== null && run.ledger.received > mark };
  } finally {
    guard.stop();
  }
}

/** Brings the board to where this session's frames start, as planResume decides; returns that frame. */
async function pickUp(run: StreamRun, session: BoardSession, req: StreamRequest, p: SessionPlan): Promise<number> {
  const plan = planResume(session.info, { imageCrc: p.imageCrc, earlier: p.earlier, firstMissing: run.ledger.firstMissing() });
  const start = (): Message => ({ type: 'start-stream', firstFrame: 0, framePeriodUs: Math.round(req.frameUs), probes: p.probes });
  if (plan.kind === 'continue') {
    session.logEvent('resume', `board kept its state; continuing at frame ${plan.from}`);
    run.incidents.push({ atFrame: plan.from, what: `reconnected; the board kept its state, continuing at frame ${plan.from}` });
    if (plan.resendOutputsFrom !== null) await session.send({ type: 'resend-outputs', fromFrame: plan.resendOutputsFrom });
    if (plan.startStream) await session.request(start());
    return plan.from;
  }
  if (plan.replay) {
    session.logEvent('replay', 'the board lost its state; loading the image and replaying from frame 0');
    run.incidents.push({ atFrame: 0, what: 'reconnected to a board that lost its state: image reloaded, stream replayed from frame 0' });
  }
  // a board an earlier host left streaming refuses LOAD_IMAGE (protocol 7.1): STOP_STREAM first (STATUS in every state)
  await session.request({ type: 'stop-stream' });
  await session.loadImage(imageForBoard(session.info, decodeImage(req.image, 'board image'), req.image));
  await session.request({ type: 'set-param', id: PARAM.LEARN, value: req.learn ? 1 : 0 });
  await session.request(start());
  return 0;
}

/**
 * Ends the stream: END_STREAM, which the board answers after computing every frame before it, then up
 * to `drainMs` for outputs still missing, asking for them again (RESEND_OUTPUTS) once halfway through.
 */
async function endStream(ledger: FrameLedger, session: BoardSession, ended: Promise<Error>, drainMs: number): Promise<void> {
  const n = ledger.frames;
  const end = (await Promise.race([session.request({ type: 'end-stream', lastFrame: n - 1, framesProcessed: n }, 'end-stream'), ended.then((e) => Promise.reject(e))])) as Extract<Message, { type: 'end-stream' }>;
  if (end.lastFrame !== n - 1) throw new Error(`the board ended the stream at frame ${end.lastFrame}, expected ${n - 1}`);
  const deadline = performance.now() + drainMs;
  let asked = false;
  while (ledger.firstMissing() < n && performance.now() < deadline) {
    if (!asked && performance.now() > deadline - drainMs / 2) {
      await session.send({ type: 'resend-outputs', fromFrame: ledger.firstMissing() });
      asked = true;
    }
    await sleep(5);
  }
  if (ledger.firstMissing() < n) throw new Error(`outputs missing after END_STREAM`);
}
