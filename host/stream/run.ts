import { NO_FRAME, type Message } from '../protocol/messages.js';
import type { BoardInfo } from '../session.js';
import { FrameLedger } from './ledger.js';
import { ProgressReporter, type StreamProgress } from './progress.js';
import { equal, type PumpObserver } from './pump.js';
import { StreamError, type Incident, type StreamResult } from './result.js';
import { StreamRecorder } from './stats.js';

/**
 * The state of one streamToBoard call across all its sessions: each frame's state (the ledger), the
 * statistics, progress reports, the incidents and the board last reached. Sessions feed it what the
 * board sends (`receive`) and what the pump hands out (`pumpObserver`); at the end it makes the
 * result, or throws the StreamError of a stream that failed, which carries the same result as partial.
 */
export class StreamRun {
  readonly ledger: FrameLedger;
  readonly recorder: StreamRecorder;
  readonly progress: ProgressReporter;
  readonly incidents: Incident[] = [];
  /** The board of the last session opened (null before the first). */
  board: BoardInfo | null = null;
  /** The first output frame the board sent that this stream cannot hold (a frame number it never sent, the wrong width). */
  violation: string | null = null;

  /** Records each input frame handed to a link, and its acknowledgement. */
  readonly pumpObserver: PumpObserver = {
    sent: (k, dueMs) => this.recorder.frameSent(k, dueMs, this.ledger.markSent(k)),
    acknowledged: (k) => {
      this.ledger.markAcknowledged(k);
      this.progress.report();
    },
  };

  /**
   * `payloadBytes`: of one input frame (for the payload rate); `paced`: frames follow a `rateHz`
   * schedule (only then is latency from the schedule reported).
   */
  constructor(
    frames: number,
    /** Values in one output frame for the stream's probe mask (image.ts: probeWidth). */
    private readonly outputWidth: number,
    private readonly payloadBytes: number,
    private readonly paced: boolean,
    onProgress: ((p: StreamProgress) => void) | undefined,
  ) {
    this.ledger = new FrameLedger(frames);
    this.recorder = new StreamRecorder(frames);
    this.progress = new ProgressReporter(this.ledger, (now) => this.recorder.elapsedMs(now), onProgress);
  }

  /**
   * An unsolicited message of a session. An output frame of this stream is kept if it is the first for
   * its frame (one the stream cannot hold is a violation that fails the stream); a later one that differs (a replay that computed something else) is an incident. A
   * board error the host did not wait for is an incident too.
   */
  receive(m: Message): void {
    if (m.type === 'output-frame') {
      const k = m.frame;
      if (k >= this.ledger.frames || m.values.length !== this.outputWidth) {
        this.violation ??= `the board sent an output for frame ${k} with ${m.values.length} values; the stream has ${this.ledger.frames} frames of ${this.outputWidth} values`;
        return;
      }
      const prev = this.ledger.output(k);
      if (prev) {
        if (!equal(prev, m.values)) this.incidents.push({ atFrame: k, what: `the replayed output of frame ${k} differs from the first one` });
        return;
      }
      this.ledger.storeOutput(k, m.values);
      this.recorder.outputArrived(k);
      this.progress.report();
    } else if (m.type === 'error') {
      this.incidents.push({ atFrame: m.frame === NO_FRAME ? -1 : m.frame, what: `board error ${m.code}: ${m.message}` });
    }
  }

  /** The result so far (outputs, latencies, incidents, statistics), without the board. */
  result(): Omit<StreamResult, 'board'> {
    const c = this.ledger.counts();
    const stats = this.recorder.stats({ frames: this.ledger.frames, ...c, payloadBytes: this.payloadBytes, paced: this.paced });
    return { outputs: this.ledger.outputArrays(), latencies: this.recorder.latencyList(), incidents: this.incidents, stats };
  }

  /** Ends the stream as failed: throws a StreamError naming the frames not acknowledged and without output. */
  fail(why: string): never {
    const r = this.result();
    const { unacknowledged, missing } = this.ledger.gaps();
    throw new StreamError(why, unacknowledged, missing, { ...r, board: this.board });
  }
}
