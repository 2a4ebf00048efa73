/**
 * The retransmission timeout of one end of the link, estimated from measured round trips as TCP does
 * (RFC 6298): a smoothed round-trip time SRTT and its mean deviation RTTVAR,
 *
 *   first sample R:  SRTT = R, RTTVAR = R/2
 *   later samples:   RTTVAR = ¾·RTTVAR + ¼·|SRTT − R|,  SRTT = ⅞·SRTT + ⅛·R
 *   RTO = max(floorMs, SRTT + max(G, 4·RTTVAR))      (floorMs before the first sample)
 *
 * and an exponential back-off: the r-th retransmission of the same frame waits RTO·2^min(3, r), at
 * most ceilingMs. The caller applies Karn's rule: it offers no sample from a frame that was sent more
 * than once (the acknowledgement could answer either copy). A round trip is measured from when the
 * frame's last byte left the line (LineModel), so it leaves out the frame's own line time and the queue
 * ahead of it: those are added to the deadline by the caller, frame by frame.
 */
export class RtoEstimator {
  private srtt: number | null = null;
  private rttvar = 0;
  /** Timer granularity G of RFC 6298, ms (Node's timers: 1 ms). */
  static readonly GRANULARITY_MS = 1;

  constructor(
    /** The RTO before the first sample, and its lower bound, ms. */
    private readonly floorMs: number,
    /** Upper bound of a backed-off timeout, ms. */
    private readonly ceilingMs = 60_000,
  ) {}

  /** Takes a round-trip sample, ms (negative values, from a line faster than modelled, count as 0). */
  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (this.srtt === null) {
      this.srtt = r;
      this.rttvar = r / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
    this.srtt = 0.875 * this.srtt + 0.125 * r;
  }

  /** The retransmission timeout without back-off, ms. */
  get rtoMs(): number {
    if (this.srtt === null) return this.floorMs;
    return Math.min(this.ceilingMs, Math.max(this.floorMs, this.srtt + Math.max(RtoEstimator.GRANULARITY_MS, 4 * this.rttvar)));
  }

  /** The timeout of a frame already retransmitted `retries` times, ms: RTO·2^min(3, retries), at most the ceiling. */
  timeoutMs(retries: number): number {
    return Math.min(this.ceilingMs, this.rtoMs * 2 ** Math.min(3, retries));
  }

  /** The smoothed round-trip time, ms (null before the first sample). */
  get smoothedMs(): number | null {
    return this.srtt;
  }
}
