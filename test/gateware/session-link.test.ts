import { afterEach, describe, expect, it } from 'vitest';
import { FLAG_ACK, FLAG_SEQ } from '../../host/protocol/frame.js';
import { ERROR_CODE, NO_FRAME, PARAM, type Message } from '../../host/protocol/messages.js';
import { FLAG_GAP } from '../../host/link/reliable-link.js';
import { RtoEstimator } from '../../host/link/rto.js';
import { chunks, smallImage, stubOutput } from './fixtures.js';
import { BOARDS, SessionTb, TestHost, type TxFrame } from './session-tb.js';

let tb: SessionTb | null = null;
afterEach(() => tb?.close());
const img = smallImage();
const N_STIM = 3;
const N_OUT = 2;
const inputValues = (frame: number) => Int32Array.from({ length: N_STIM }, (_, i) => 1000 * (i + 1) + 3 * frame);
const input = (frame: number): Message => ({ type: 'input-frame', frame, timeUs: frame * 1000 + 7, values: inputValues(frame) });
const notAck = (f: TxFrame[]) => f.filter((t) => t.frame.type !== 0x0d);

async function open(build: () => string, nonce = 42): Promise<TestHost> {
  tb = new SessionTb(build());
  const host = new TestHost(tb);
  await tb.waitFrames(1, 20);
  await host.hello(nonce);
  return host;
}
async function streaming(host: TestHost, extra: Message[] = []): Promise<void> {
  for (const c of chunks(img, 1000)) expect(await host.request(c, c.offset + c.chunk.length === img.length ? 1 : 0, 1000)).toHaveLength(c.offset + c.chunk.length === img.length ? 1 : 0);
  for (const m of extra) await host.request(m);
  expect(await host.request({ type: 'start-stream', firstFrame: 0, framePeriodUs: 1000, probes: 1 })).toEqual([expect.objectContaining({ type: 'status', state: 2 })]);
}

for (const [board, build, available] of BOARDS) describe.skipIf(!available)(`${board}: gateware session: streaming and the link layer (docs/protocol.md 4, 5.9-5.16)`, () => {
  it('computes each INPUT_FRAME once, in order, with targets and parameters applied; each OUTPUT_FRAME acknowledges its input', async () => {
    const host = await open(build);
    await streaming(host, [{ type: 'set-param', id: PARAM.LEARN, value: 1 }, { type: 'set-param', id: PARAM.ITERATIONS, value: 5 }]);
    let targets: Int32Array | null = null;
    for (let k = 0; k < 6; k++) {
      if (k === 0 || k === 3) {
        targets = Int32Array.from({ length: N_OUT }, (_, i) => (k + 1) * 100 * (i + 1));
        expect(await host.request({ type: 'target-frame', frame: k, values: targets }, 0)).toEqual([]);
      }
      const seqIn = host.nextSeq;
      const out = await host.request(input(k));
      expect(out).toHaveLength(1);
      expect(out[0]).toEqual({ type: 'output-frame', frame: k, timeUs: k * 1000 + 7, values: Int32Array.from(stubOutput({ inputs: inputValues(k), targets, F: k + 1, learn: true, iterations: 5, nOutputs: N_OUT, width: N_OUT })) });
      const f = tb!.sent.filter((t) => t.frame.type === 0x0a).at(-1)!.frame;
      expect(f.ack).toBe((seqIn + 1) & 0xffff);
    }
    // the board's sequence numbers: consecutive over every SEQ frame it sent, pure ACKs unsequenced
    const seqs = tb!.sent.filter((t) => t.frame.flags & FLAG_SEQ).map((t) => t.frame.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    for (const t of tb!.sent.filter((x) => x.frame.type === 0x0d)) expect(t.frame).toMatchObject({ flags: FLAG_ACK, seq: 0 });
  });

  it('back-pressure: with the window (3) full the next frame is dropped, not processed, and answered with credits 0', async () => {
    const host = await open(build);
    await streaming(host);
    const s0 = host.nextSeq;
    const sentBefore = tb!.sent.length;
    for (let k = 0; k < 4; k++) await host.send(input(k), { force: true });
    const after = host.see(await tb!.ms(200));
    const all = tb!.sent.slice(sentBefore);
    expect(notAck(all).map((t) => (t.message as { frame: number }).frame)).toEqual([0, 1, 2]);
    void after;
    // the overrun was answered at once with the window closed and the 4th frame not acknowledged
    expect(all.some((t) => t.frame.type === 0x0d && t.frame.credits === 0 && t.frame.ack === ((s0 + 3) & 0xffff))).toBe(true);
    expect(Math.max(...all.map((t) => (t.frame.ack - s0) & 0xffff))).toBe(3);
    // credits only return once outputs are queued: never more than 3 - (inputs not yet answered)
    // the host resends the dropped frame with its seq: now it is processed
    const out = await host.request(input(3), 1, 50, { seq: (s0 + 3) & 0xffff });
    expect(out.map((m) => (m as { frame: number }).frame)).toEqual([3]);
  });

  it('duplicates are acknowledged at once and dropped; a frame after a gap is dropped and answered with GAP', async () => {
    const host = await open(build);
    const stop: Message = { type: 'stop-stream' };
    expect(await host.request(stop)).toHaveLength(1);                  // seq 0
    const dup = host.see(await host.send(stop, { seq: 0 }));
    const dupAll = dup.concat(host.see(await tb!.ms(20)));
    expect(dupAll.map((t) => [t.frame.type, t.frame.flags, t.frame.ack])).toEqual([[0x0d, FLAG_ACK, 1]]);
    const gap = host.see(await host.send(stop, { seq: 2 })).concat(host.see(await tb!.ms(20)));
    expect(gap.map((t) => [t.frame.type, t.frame.flags, t.frame.ack])).toEqual([[0x0d, FLAG_ACK | FLAG_GAP, 1]]);
    host.nextSeq = 1;
    expect(await host.request(stop)).toEqual([expect.objectContaining({ type: 'status' })]);
    expect(tb!.sent.filter((t) => t.frame.type === 0x0b)).toHaveLength(2);
  });

  it('a GAP from the host triggers one fast retransmission of everything unacknowledged', async () => {
    const host = await open(build);
    host.autoAck = false;
    const stop: Message = { type: 'stop-stream' };
    await host.request(stop);
    await host.request(stop, 1, 50, { ack: 0 });                 // the board's seq 0 stays unacknowledged
    const gapAck = { type: 'ack' as const };
    const r1 = notAck(await host.send(gapAck, { flags: FLAG_ACK | FLAG_GAP, ack: 0 })).concat(notAck(await tb!.ms(5)));
    expect(r1.map((t) => t.frame.seq)).toEqual([0, 1]);             // go-back-N from the oldest
    const r2 = notAck(await host.send(gapAck, { flags: FLAG_ACK | FLAG_GAP, ack: 0 })).concat(notAck(await tb!.ms(5)));
    expect(r2).toEqual([]);                                          // once per gap
    await host.send(gapAck, { ack: 2 });
    expect(notAck(await tb!.ms(3000))).toEqual([]);                  // acknowledged: nothing more
  });

  it('with the host granting no credit, answers wait and the board probes the window every RTO (ACK+PROBE)', async () => {
    const host = await open(build);
    host.autoAck = false;
    const before = tb!.sent.length;
    await host.send({ type: 'stop-stream' }, { credits: 0 });
    await tb!.ms(700);
    const waited = tb!.sent.slice(before);
    expect(waited.filter((t) => t.frame.type !== 0x0d)).toEqual([]);        // the STATUS waits for credit
    const probes = waited.filter((t) => t.frame.flags === (FLAG_ACK | 4));
    expect(probes.length).toBe(3);                                           // at 200, 400, 600 ms
    const released = notAck(await host.send({ type: 'ack' }, { credits: 4 })).concat(notAck(await tb!.ms(5)));
    expect(released.map((t) => t.message!.type)).toEqual(['status']);
  });

  it('estimates the retransmission timeout from round trips as the reference estimator does (4.7.1 rule 4)', async () => {
    const host = await open(build);
    host.autoAck = false;
    const ref = new RtoEstimator(200);
    expect((await tb!.state()).rtoMs).toBe(200);
    for (const delayMs of [150, 400, 50]) {
      await host.request({ type: 'stop-stream' });
      const done = tb!.sent.filter((t) => t.frame.type === 0x0b).at(-1)!;
      await tb!.ms(delayMs);
      host.see([done]);
      await host.ack();                                    // acknowledges the STATUS after ~delayMs
      ref.sample(tb!.nowMs - done.ms);
      await tb!.ms(2);
      const got = (await tb!.state()).rtoMs;
      expect(Math.abs(got - ref.rtoMs)).toBeLessThanOrEqual(4);
    }
    expect(ref.rtoMs).toBeGreaterThan(600);                 // the samples moved it well off the floor
    // no frame was sent twice: every sample came from a frame sent once
    const st = tb!.sent.filter((t) => t.frame.type === 0x0b).map((t) => t.frame.seq);
    expect(new Set(st).size).toBe(st.length);
  });

  it('retransmits an unacknowledged frame after the timeout, backing off, and ends the session after 10 retransmissions', async () => {
    const host = await open(build);
    host.autoAck = false;
    await host.request({ type: 'stop-stream' });
    const copies = tb!.sent.filter((t) => t.frame.type === 0x0b);
    for (let i = 0; i < 10; i++) {
      copies.push(...(await tb!.ms(2000)).filter((t) => t.frame.type === 0x0b));
      await tb!.cmd('K'); // a byte from the host (not a frame): the idle timeout must not end the session first
    }
    expect(copies).toHaveLength(11);
    for (const c of copies) {
      expect(c.frame.seq).toBe(0);
      expect(c.frame.payload).toEqual(copies[0]!.frame.payload);
    }
    // intervals: RTO 200 ms (no round-trip sample yet) x 2^min(3, r), plus the line time of the largest
    // frame received at 921600 baud (the HELLO, 28 bytes on the line: 0.3 ms, counted as 1 ms), within
    // a tick of granularity and the frame's own transmission
    const gaps = copies.slice(1).map((c, i) => c.ms - copies[i]!.ms);
    const want = gaps.map((_, r) => 200 * 2 ** Math.min(3, r) + 1);
    gaps.forEach((g, r) => {
      expect(g).toBeGreaterThanOrEqual(want[r]!);
      expect(g).toBeLessThanOrEqual(want[r]! + 2);
    });
    expect((await tb!.state()).open).toBe(false);
    // no session: SEQ frames get NO_SESSION, and nothing is retransmitted any more
    const ns = await host.request({ type: 'stop-stream' });
    expect(ns).toEqual([expect.objectContaining({ type: 'error', code: ERROR_CODE.NO_SESSION })]);
    expect(notAck(await tb!.ms(5000))).toEqual([]);
  });

  it('RESEND_OUTPUTS resends what the history holds, as sent; older frames get ERROR HISTORY', async () => {
    const host = await open(build);
    await streaming(host);
    const outputs: Message[] = [];
    for (let k = 0; k < 40; k++) outputs.push(...(await host.request(input(k))));
    expect(outputs).toHaveLength(40);
    // history: 512 bytes, 16 bytes per output of 2 values: the newest 31 frames (9..39) are kept
    const r = await host.request({ type: 'resend-outputs', fromFrame: 9 }, 31, 50);
    expect(r).toEqual(outputs.slice(9));
    expect(await host.request({ type: 'resend-outputs', fromFrame: 8 })).toEqual([{ type: 'error', code: ERROR_CODE.HISTORY, frame: 8, message: 'outputs kept from frame 0x00000009' }]);
    expect(await host.request({ type: 'resend-outputs', fromFrame: 39 })).toEqual([outputs[39]]);
    expect(await host.request({ type: 'resend-outputs', fromFrame: 40 }, 0)).toEqual([]);
    expect(notAck(await tb!.ms(20))).toEqual([]);
  });

  it('ends an open session after 10 000 ms without a byte from the host; any byte keeps it', async () => {
    const host = await open(build);
    for (let i = 0; i < 3; i++) {
      await tb!.ms(9000);
      await tb!.cmd('K');
    }
    expect((await tb!.state()).open).toBe(true);
    await tb!.ms(9990);
    expect((await tb!.state()).open).toBe(true);
    await tb!.ms(20);
    expect((await tb!.state()).open).toBe(false);
    expect(await host.request({ type: 'stop-stream' })).toEqual([expect.objectContaining({ code: ERROR_CODE.NO_SESSION })]);
    const again = await host.hello(43);
    expect(again).toMatchObject({ type: 'hello-ack', booted: false, lastFrame: NO_FRAME });
  });

  it('a HELLO with a new nonce restarts the link at once; HELLO_ACK follows the outputs of the frames accepted before it', async () => {
    const host = await open(build);
    await streaming(host);
    const before = tb!.sent.length;
    host.see(await host.send(input(0)));
    host.see(await host.send(input(1)));
    host.see(await host.send({ type: 'hello', major: 1, minor: 0, window: 64, nonce: 4343, hostId: 'tb' }));
    await tb!.ms(100);
    const got = notAck(tb!.sent.slice(before));
    expect(got.map((t) => [t.frame.type, t.frame.seq])).toEqual([[0x0a, 0], [0x0a, 1], [0x02, 0]]);
    expect(got[2]!.message).toMatchObject({ type: 'hello-ack', lastFrame: 1, imageLoaded: true, booted: false });
  });
});
