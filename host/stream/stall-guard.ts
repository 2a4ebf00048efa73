/** The part of a BoardSession the stall guard watches. */
export interface StallSession {
  /** When the board's last message arrived (performance.now() ms). */
  readonly lastMessageAt: number;
  /** When the session's requests started waiting (performance.now() ms; NaN while no request waits). */
  readonly waitStartedAt: number;
  /** Why the session ended, once it has. */
  readonly endedBy: Error | null;
  readonly info?: { boardId: string } | undefined;
  /** Ends the session from outside with `why`. */
  abandon(why: Error): void;
}

/**
 * Watches one session of a stream: when the board has sent no message for `stallMs` while the host
 * waits on it, the session is abandoned with an error that names what waits (the first frame without
 * an output, or a request without an answer) — a board that acknowledges the line but neither computes
 * nor refuses would otherwise be waited on forever.
 *
 * Silence is counted from the later of the board's last message and the start of the current wait: the
 * moment the set of things waiting on the board (the session's requests, and the frames handed to the
 * link without an output) went from empty to non-empty. A host that was idle itself (pacing slower than
 * `stallMs`, a pause between frames, a long image load whose chunks have no answer of their own) gave
 * the board nothing to answer, so that time is not the board's silence. A request's wait starts when it
 * is made (BoardSession.waitStartedAt); the frames' wait when a frame goes out, or the pump starts, with
 * no frame before it waiting (`handedOut`), and it ends when the outputs catch up (`refresh`, after each
 * message of the board).
 */
export class StallGuard {
  /** Frames below this were handed to the link in this session (or precede where it started). */
  private handed = 0;
  /** When the frames' current wait started (null: no frame waits). */
  private framesSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly session: StallSession,
    readonly stallMs: number,
    /** The lowest frame of the stream without an output. */
    private readonly firstMissing: () => number,
  ) {
    checkStallMs(stallMs);
  }

  /** Checks every min(1 s, stallMs/4) until `stop`. */
  start(): this {
    this.timer = setInterval(() => this.check(), Math.min(1000, this.stallMs / 4));
    this.timer.unref?.(); // a number in the web page
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Frames below `n` have been handed to the link (the pump's start at `from`, and each frame as it goes out: n = k + 1). */
  handedOut(n: number, now = performance.now()): void {
    this.handed = Math.max(this.handed, n);
    this.refresh(now);
  }

  /** Re-reads whether a frame waits (after an output arrived, or a frame went out). */
  refresh(now = performance.now()): void {
    if (this.waitingFrame() === null) this.framesSince = null;
    else this.framesSince ??= now;
  }

  /** The first frame handed out without an output (null: none). */
  private waitingFrame(): number | null {
    const k = this.firstMissing();
    return k < this.handed ? k : null;
  }

  /** When the current wait started: the earliest of the waits in progress (null: nothing waits). */
  waitingSince(now = performance.now()): number | null {
    this.refresh(now);
    const r = this.session.waitStartedAt;
    const f = this.framesSince;
    if (f === null) return Number.isNaN(r) ? null : r;
    return Number.isNaN(r) ? f : Math.min(f, r);
  }

  /** How long the board has been silent while the host waits on it, ms (0 when nothing waits). */
  silentMs(now = performance.now()): number {
    const since = this.waitingSince(now);
    return since === null ? 0 : now - Math.max(this.session.lastMessageAt, since);
  }

  /** Abandons the session if the board has been silent for stallMs while the host waits; true when it did. */
  check(now = performance.now()): boolean {
    const s = this.session;
    if (s.endedBy) return false;
    const silent = this.silentMs(now);
    if (silent < this.stallMs) return false;
    const frame = this.waitingFrame();
    const what = frame !== null ? `frame ${frame} has no output` : 'a request has no answer';
    s.abandon(new Error(`board '${s.info?.boardId ?? '?'}' sent nothing for ${(silent / 1000).toFixed(1)} s while ${what}: it acknowledges the line but neither answers nor refuses`));
    return true;
  }
}

/** Refuses a stall timeout that is not a finite time > 0 ms (StreamRequest.stallMs). */
export function checkStallMs(stallMs: number): void {
  if (!(stallMs > 0) || !Number.isFinite(stallMs)) throw new RangeError(`stallMs: expected a finite time > 0 ms, got ${stallMs}`);
}
