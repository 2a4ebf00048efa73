/**
 * The sending end of a serial line as the link sees it: bytes written leave in order at baud/10 bytes
 * per second (8N1), each no earlier than it was written. It tells the link when a frame's last byte
 * leaves the line (the start of its round trip) and how much line time is queued ahead of a byte
 * written now, so that the link keeps that queue short (at most HIGH_WATER_MS of line time, refilled
 * when it drops to LOW_WATER_MS): acknowledgements and retransmissions then wait behind at most one
 * frame, never behind a window of them. Without a baud rate (a memory line) bytes take no time, and
 * nothing is held back.
 */
export class LineModel {
  /** A frame is written only while at most this much line time is queued ahead of it, ms. */
  static readonly HIGH_WATER_MS = 3;
  /** A held-back frame is reconsidered when the queue ahead has drained to this, ms. */
  static readonly LOW_WATER_MS = 1;
  private freeAt = 0;
  private readonly msPerByte: number;

  constructor(readonly baud: number | undefined) {
    if (baud !== undefined && !(Number.isFinite(baud) && baud > 0)) throw new RangeError(`baud: expected a positive rate, got ${baud}`);
    this.msPerByte = baud ? 10_000 / baud : 0;
  }

  /** Line time of `bytes` bytes, ms (0 without a baud rate). */
  lineMs(bytes: number): number {
    return bytes * this.msPerByte;
  }

  /** Records `bytes` written at `nowMs`; returns when the last of them leaves the line. */
  write(bytes: number, nowMs: number): number {
    this.freeAt = Math.max(nowMs, this.freeAt) + this.lineMs(bytes);
    return this.freeAt;
  }

  /** Line time queued ahead of a byte written at `nowMs`, ms. */
  backlogMs(nowMs: number): number {
    return Math.max(0, this.freeAt - nowMs);
  }

  /** Whether another frame may be written at `nowMs`. */
  ready(nowMs: number): boolean {
    return this.backlogMs(nowMs) <= LineModel.HIGH_WATER_MS;
  }

  /** When a held-back frame should be reconsidered (performance.now() clock). */
  get refillAtMs(): number {
    return this.freeAt - LineModel.LOW_WATER_MS;
  }
}
