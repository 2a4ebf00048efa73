import type { FrameLedger } from './ledger.js';

/** Progress of a stream, reported to `StreamRequest.onProgress`: frames sent, acknowledged and answered, and the rate. */
export interface StreamProgress {
  total: number;
  sent: number;
  acknowledged: number;
  outputs: number;
  elapsedMs: number;
  framesPerSecond: number;
}

/**
 * Reports a stream's progress to a callback, at most every 100 ms unless forced (the last report of a
 * stream is). `outputs` counts every output held, those adopted from an earlier attempt included, and
 * frames per second are over the whole call so far. Without a callback it does nothing, not even count.
 */
export class ProgressReporter {
  private last = 0;

  constructor(
    private readonly ledger: FrameLedger,
    private readonly elapsedMs: (now: number) => number,
    private readonly onProgress: ((p: StreamProgress) => void) | undefined,
  ) {}

  report(force = false): void {
    if (!this.onProgress) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const { sent, acknowledged } = this.ledger.counts();
    const outputs = this.ledger.received;
    const el = this.elapsedMs(now);
    this.onProgress({ total: this.ledger.frames, sent, acknowledged, outputs, elapsedMs: el, framesPerSecond: (outputs / el) * 1000 });
  }
}
