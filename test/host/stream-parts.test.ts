import { describe, expect, it } from 'vitest';
import { NO_FRAME, type Message } from '../../host/protocol/messages.js';
import { FrameLedger } from '../../host/stream/ledger.js';
import { FramePump, type PumpObserver } from '../../host/stream/pump.js';
import { describeFrames } from '../../host/stream/result.js';
import { planResume, type BoardState } from '../../host/stream/resume.js';
import { quantiles } from '../../host/stream/stats.js';
import { StreamRun } from '../../host/stream/run.js';

/** The pieces streamToBoard is made of (issue 14), each on its own. */

describe('resume planning: where a session picks up the stream', () => {
  const CRC = 0x1234abcd;
  const kept = (lastFrame: number): BoardState => ({ booted: false, imageLoaded: true, imageCrc: CRC, lastFrame });

  it('a first session always loads the image and starts at frame 0, without calling it a replay', () => {
    // even a board that holds this image and has frames behind it: they are not this stream's
    expect(planResume(kept(41), { imageCrc: CRC, earlier: false, firstMissing: 0 })).toEqual({ kind: 'reload', from: 0, replay: false });
  });

  it('a board that kept its state continues after the last frame it accepted', () => {
    expect(planResume(kept(41), { imageCrc: CRC, earlier: true, firstMissing: 42 })).toEqual({ kind: 'continue', from: 42, resendOutputsFrom: null, startStream: false });
  });

  it('outputs the host is missing below that frame are asked for again, from the first missing one', () => {
    expect(planResume(kept(41), { imageCrc: CRC, earlier: true, firstMissing: 30 })).toEqual({ kind: 'continue', from: 42, resendOutputsFrom: 30, startStream: false });
    // missing only at or after the resume point: they will be computed, nothing to ask for
    expect(planResume(kept(41), { imageCrc: CRC, earlier: true, firstMissing: 50 })).toMatchObject({ resendOutputsFrom: null });
  });

  it('a board that kept its state but accepted no frame yet gets START_STREAM at frame 0', () => {
    expect(planResume(kept(NO_FRAME), { imageCrc: CRC, earlier: true, firstMissing: 0 })).toEqual({ kind: 'continue', from: 0, resendOutputsFrom: null, startStream: true });
  });

  it('a board that lost its state (booted, no image, another image) is reloaded and the stream replayed from 0', () => {
    const ctx = { imageCrc: CRC, earlier: true, firstMissing: 10 };
    const replay = { kind: 'reload', from: 0, replay: true };
    expect(planResume({ ...kept(41), booted: true }, ctx)).toEqual(replay);
    expect(planResume({ ...kept(41), imageLoaded: false }, ctx)).toEqual(replay);
    expect(planResume({ ...kept(41), imageCrc: CRC ^ 1 }, ctx)).toEqual(replay);
  });
});

describe('the frame ledger', () => {
  it('adopts the outputs of an earlier attempt as sent and acknowledged, and refuses a wrong count', () => {
    const l = new FrameLedger(4);
    l.adopt([Int32Array.of(1), new Int32Array(0), Int32Array.of(3), new Int32Array(0)]);
    expect(l.received).toBe(2);
    expect(l.firstMissing()).toBe(1);
    expect(l.counts()).toEqual({ sent: 2, acknowledged: 2, missing: 2 });
    expect(l.gaps()).toEqual({ unacknowledged: [1, 3], missing: [1, 3] });
    expect(l.outputArrays().map((o) => o.length)).toEqual([1, 0, 1, 0]);
    expect(() => new FrameLedger(4).adopt([])).toThrow('previous: expected the outputs of 4 frames, got 0');
  });

  it('tells a resend from a first send', () => {
    const l = new FrameLedger(2);
    expect(l.markSent(1)).toBe(false);
    expect(l.markSent(1)).toBe(true);
    l.markAcknowledged(1);
    l.storeOutput(0, Int32Array.of(7));
    expect(l.counts()).toEqual({ sent: 1, acknowledged: 1, missing: 1 });
    expect(l.firstMissing()).toBe(1);
  });
});

describe('the frame pump', () => {
  /** A session whose link is always writable and whose board acknowledges every message at once. */
  function fakeSession() {
    const sent: Message[] = [];
    return { sent, session: { link: { whenWritable: () => Promise.resolve() }, send: (m: Message) => (sent.push(m), Promise.resolve()) } };
  }
  const observer = () => {
    const events: string[] = [];
    const o: PumpObserver = { sent: (k, due) => events.push(`sent ${k} ${Number.isNaN(due) ? 'unpaced' : 'paced'}`), acknowledged: (k) => events.push(`ack ${k}`) };
    return { events, o };
  };
  const inputs = [0, 1, 2, 3].map((k) => Int32Array.of(k));

  it('sends each input frame from `from` in order, with its time, and targets only where they change (and at `from`)', async () => {
    const { sent, session } = fakeSession();
    const { events, o } = observer();
    const a = Int32Array.of(5);
    const targets = [a, a, Int32Array.of(5), Int32Array.of(6)];
    await new FramePump(session, { inputs, targets, frameUs: 1500.4 }, o, 1, new Promise(() => {})).run();
    await new Promise((r) => setImmediate(r));
    expect(sent.map((m) => (m.type === 'input-frame' ? `in ${m.frame} @${m.timeUs}` : m.type === 'target-frame' ? `tgt ${m.frame}` : m.type))).toEqual(['tgt 1', 'in 1 @1500', 'in 2 @3001', 'tgt 3', 'in 3 @4501']);
    expect(events.filter((e) => e.startsWith('sent'))).toEqual(['sent 1 unpaced', 'sent 2 unpaced', 'sent 3 unpaced']);
    expect(events.filter((e) => e.startsWith('ack'))).toEqual(['ack 1', 'ack 2', 'ack 3']);
  });

  it('paced: frame k is due (k − from)/rate after the start, and the pump waits for it', async () => {
    const { session } = fakeSession();
    const { o } = observer();
    const pump = new FramePump(session, { inputs, frameUs: 1000, rateHz: 200 }, o, 2, new Promise(() => {}));
    expect(pump.dueAt(3) - pump.dueAt(2)).toBeCloseTo(5, 9);
    const t0 = performance.now();
    await pump.run();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4.5);
    expect(pump.next).toBe(4);
  });

  it('stops with the session\'s end before the next frame', async () => {
    const { sent, session } = fakeSession();
    const { o } = observer();
    const why = new Error('line closed');
    const err = await new FramePump(session, { inputs, frameUs: 1000 }, o, 0, Promise.resolve(why)).run().catch((e: unknown) => e);
    expect(err).toBe(why);
    expect(sent.length).toBe(0); // the end is seen before the first frame goes out
  });
});

describe('statistics and reports', () => {
  it('quantiles: p50, p90, p99 and max by rank; NaN for no samples', () => {
    const xs = Array.from({ length: 100 }, (_, k) => 100 - k);
    expect(quantiles(xs)).toEqual({ p50: 51, p90: 91, p99: 100, max: 100 });
    expect(quantiles([])).toEqual({ p50: NaN, p90: NaN, p99: NaN, max: NaN });
  });

  it('frames are described as ranges, at most eight', () => {
    expect(describeFrames([])).toBe('no frames');
    expect(describeFrames([1, 2, 3, 7, 9, 10])).toBe('6 frame(s) (1–3, 7, 9–10)');
    expect(describeFrames(Array.from({ length: 10 }, (_, k) => 2 * k))).toBe('10 frame(s) (0, 2, 4, 6, 8, 10, 12, 14, …)');
  });
});

describe("the stream's run: what the board sends is checked before it is kept", () => {
  const out = (frame: number, n: number): Message => ({ type: 'output-frame', frame, timeUs: frame * 1000, values: new Int32Array(n).fill(7) });

  it('an output of the right width for a frame of the stream is kept; one too short or for a frame never sent is a violation, not a row', () => {
    const run = new StreamRun(4, 3, 10, false, undefined);
    run.receive(out(0, 3));
    expect(run.ledger.output(0)).toEqual(new Int32Array(3).fill(7));
    expect(run.violation).toBeNull();
    run.receive(out(1, 2));
    expect(run.ledger.output(1)).toBeFalsy();
    expect(run.violation).toBe('the board sent an output for frame 1 with 2 values; the stream has 4 frames of 3 values');
    const other = new StreamRun(4, 3, 10, false, undefined);
    other.receive(out(9, 3));
    expect(other.violation).toMatch(/output for frame 9/);
    expect(() => run.fail(run.violation!)).toThrow(/frame 1 with 2 values/);
  });
});
