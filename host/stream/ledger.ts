/**
 * What the host knows about each frame of one stream, across all its sessions: whether the frame was
 * ever handed to the link, whether the board's link acknowledged it, and its output. Frames are
 * numbered 0..n−1; an output is kept once, the first one that arrives (a replayed output is compared
 * with it by the caller, never stored over it).
 */
export class FrameLedger {
  /** Outputs by frame; holes are frames without an output yet (the array starts sparse). */
  private readonly outputs: Array<Int32Array | undefined>;
  private readonly acked: Uint8Array;
  private readonly everSent: Uint8Array;
  /** Outputs held, adopted ones included. */
  received = 0;

  constructor(readonly frames: number) {
    this.outputs = new Array(frames);
    this.acked = new Uint8Array(frames);
    this.everSent = new Uint8Array(frames);
  }

  /**
   * Takes the outputs of an earlier attempt of the same stream (empty arrays are missing frames): each
   * frame with an output counts as sent and acknowledged. Throws when `previous` is not one entry per frame.
   */
  adopt(previous: Int32Array[]): void {
    if (previous.length !== this.frames) throw new Error(`previous: expected the outputs of ${this.frames} frames, got ${previous.length}`);
    previous.forEach((o, k) => {
      if (o.length) {
        this.outputs[k] = o;
        this.acked[k] = 1;
        this.everSent[k] = 1;
        this.received++;
      }
    });
  }

  /** The output held for frame k (undefined: none yet). */
  output(k: number): Int32Array | undefined {
    return this.outputs[k];
  }

  /** Stores the first output of frame k (the caller checks that it has none yet). */
  storeOutput(k: number, values: Int32Array): void {
    this.outputs[k] = values;
    this.received++;
  }

  /** Marks frame k as handed to the link; true when it had been before (a resend). */
  markSent(k: number): boolean {
    const before = this.everSent[k] === 1;
    this.everSent[k] = 1;
    return before;
  }

  /** Marks frame k as acknowledged by the board's link. */
  markAcknowledged(k: number): void {
    this.acked[k] = 1;
  }

  /** The lowest frame without an output (`frames` when every frame has one). */
  firstMissing(): number {
    for (let k = 0; k < this.frames; k++) if (!this.outputs[k]) return k;
    return this.frames;
  }

  /** Frames sent at least once, acknowledged, and without an output, counted over every frame. */
  counts(): { sent: number; acknowledged: number; missing: number } {
    // counted over every index: the array starts sparse, and reduce/map skip holes (frames never answered)
    let missing = 0;
    let sent = 0;
    let acknowledged = 0;
    for (let k = 0; k < this.frames; k++) {
      if (!this.outputs[k]) missing++;
      sent += this.everSent[k]!;
      acknowledged += this.acked[k]!;
    }
    return { sent, acknowledged, missing };
  }

  /** The frames not acknowledged and those without an output, in order (what a failed stream reports). */
  gaps(): { unacknowledged: number[]; missing: number[] } {
    const unacknowledged: number[] = [];
    const missing: number[] = [];
    for (let k = 0; k < this.frames; k++) {
      if (!this.acked[k]) unacknowledged.push(k);
      if (!this.outputs[k]) missing.push(k);
    }
    return { unacknowledged, missing };
  }

  /** Every frame's output, an empty array for a frame without one. */
  outputArrays(): Int32Array[] {
    return Array.from(this.outputs, (o) => o ?? new Int32Array(0));
  }
}
