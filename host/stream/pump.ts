import { PreciseTimer } from '../../core/precise-timer.js';
import type { Message } from '../protocol/messages.js';

/** The part of a BoardSession the pump drives. */
export interface PumpSession {
  /** Resolves when a sequenced message would go straight onto the line (or the link has failed). */
  readonly link: { whenWritable(): Promise<void> };
  /** Sends a message; resolves when the board's link acknowledged it, rejects when the session ends first. */
  send(m: Message): Promise<void>;
}

/** The frames of a stream and how they are timed. */
export interface PumpFrames {
  /** Input frames (Q3.16), one per frame. */
  inputs: Int32Array[];
  /** Target frames, one per frame; a frame's targets go out only when they differ from the frame before. */
  targets?: Int32Array[] | null;
  /** Model time of one frame, µs: frame k carries the time k·frameUs (mod 2³²). */
  frameUs: number;
  /** Frames per second on a real-time schedule; without it frames go as fast as flow control allows. */
  rateHz?: number;
}

/** Told about each input frame as it goes out and when the board's link acknowledges it. */
export interface PumpObserver {
  /** Frame k is about to be handed to the link; `dueMs` is its place on the schedule (NaN unpaced). */
  sent(k: number, dueMs: number): void;
  /** The board's link acknowledged frame k (not called for frames of a session that ended first). */
  acknowledged(k: number): void;
}

/**
 * Hands the input frames from `from` to the last to one session's link, in order, each only when the
 * link can put it on the line at once (so the board always has credit for it, and flow control paces
 * an unpaced stream). Paced, frame k is due at start + (k − from)/rateHz on the performance.now() clock
 * and waits for that on a PreciseTimer. A frame's targets (TARGET_FRAME) precede it when they differ
 * from the previous frame's, and always at `from`. Acknowledgements are not waited for: `run` returns
 * once the last frame is handed over, and rejects with the session's end as soon as the session has
 * ended (checked before each frame).
 */
export class FramePump {
  /** The next frame to hand to the link. */
  next: number;
  /** The schedule's origin: when frame `from` was due. */
  private readonly startedAt: number;
  private readonly pacer: PreciseTimer;
  private readonly periodMs: number;
  /** Why the session ended, once it has. */
  private endedBy: Error | null = null;

  constructor(
    private readonly session: PumpSession,
    private readonly frames: PumpFrames,
    private readonly observer: PumpObserver,
    readonly from: number,
    ended: Promise<Error>,
  ) {
    this.next = from;
    this.startedAt = performance.now();
    this.pacer = new PreciseTimer();
    this.periodMs = frames.rateHz ? 1000 / frames.rateHz : 0;
    void ended.then((e) => (this.endedBy = e));
  }

  /** Frame k's place on the pacing schedule, ms on the performance.now() clock; NaN unpaced. */
  dueAt(k: number): number {
    return this.periodMs ? this.startedAt + (k - this.from) * this.periodMs : NaN;
  }

  async run(): Promise<void> {
    const { inputs, targets, frameUs } = this.frames;
    for (; this.next < inputs.length; this.next++) {
      const k = this.next;
      // a precise wake-up, since setTimeout rounds to the millisecond
      const due = this.dueAt(k);
      if (due > performance.now()) await this.pacer.until(due);
      await this.session.link.whenWritable();
      if (this.endedBy) throw this.endedBy;
      const t = targets?.[k];
      if (t && (k === this.from || !equal(t, targets![k - 1]!))) void this.session.send({ type: 'target-frame', frame: k, values: t }).catch(() => {});
      this.observer.sent(k, due);
      this.session
        .send({ type: 'input-frame', frame: k, timeUs: Math.round(k * frameUs) % 2 ** 32, values: inputs[k]! })
        .then(() => this.observer.acknowledged(k))
        .catch(() => {});
    }
  }
}

/** Whether two frames hold the same values. */
export function equal(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
