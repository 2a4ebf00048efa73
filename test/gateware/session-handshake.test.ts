import { afterEach, describe, expect, it } from 'vitest';
import { FLAG_ACK, FLAG_SEQ } from '../../host/protocol/frame.js';
import { ERROR_CODE, NO_FRAME, type Message } from '../../host/protocol/messages.js';
import { referenceBoard, STUB_CAPS, STUB_ID } from './fixtures.js';
import { BOARDS, SessionTb, TestHost } from './session-tb.js';

const hello = (nonce: number): Message => ({ type: 'hello', major: 1, minor: 0, window: 64, nonce, hostId: 'tb' });
let tb: SessionTb | null = null;
afterEach(() => tb?.close());
function start(build: () => string): TestHost {
  tb = new SessionTb(build());
  return new TestHost(tb);
}

for (const [board, build, available] of BOARDS) describe.skipIf(!available)(`${board}: gateware session: handshake (docs/protocol.md 6, 9.1)`, () => {
  it('announces its boot with an unsolicited HELLO_ACK, then answers HELLOs as the reference board does', async () => {
    const host = start(build);
    const boot = await tb!.waitFrames(1, 20);
    expect(boot).toHaveLength(1);
    expect(boot[0]!.frame.flags & FLAG_SEQ).toBe(0);
    expect(boot[0]!.frame.seq).toBe(0);
    const ref = referenceBoard();
    // the unsolicited announcement carries what the reference's first HELLO_ACK carries (booted = 1)
    const refFirst = (await ref.handle(hello(7), null))[0]!;
    expect(boot[0]!.message).toEqual(refFirst);
    expect(boot[0]!.message).toMatchObject({ type: 'hello-ack', booted: true, imageLoaded: false, imageCrc: 0, lastFrame: NO_FRAME, boardId: STUB_ID, caps: STUB_CAPS });
    // the first answered HELLO still says booted = 1, the next (same nonce) 0
    expect(await host.hello(7)).toEqual(refFirst);
    const refSecond = (await ref.handle(hello(7), null))[0]!;
    expect(refSecond).toMatchObject({ booted: false });
    expect(await host.hello(7, { newSession: false })).toEqual(refSecond);
  });

  it('answers SEQ frames with an unsequenced ERROR NO_SESSION before a HELLO, and processes them after', async () => {
    const host = start(build);
    await tb!.waitFrames(1, 20);
    const before = tb!.sent.length;
    const r = await host.request({ type: 'stop-stream' });
    expect(r).toHaveLength(1);
    expect(tb!.sent.slice(before).map((t) => t.frame.flags)).toEqual([FLAG_ACK]);
    expect(r[0]).toEqual({ type: 'error', code: ERROR_CODE.NO_SESSION, frame: NO_FRAME, message: 'no session: send HELLO first' });
    expect((await tb!.state()).open).toBe(false);
    await host.hello(1);
    expect((await tb!.state()).open).toBe(true);
    expect(await host.request({ type: 'stop-stream' })).toEqual([expect.objectContaining({ type: 'status', state: 0 })]);
  });

  it('a repeated HELLO (same nonce) keeps the sequence numbers; a new nonce restarts both directions at 0', async () => {
    const host = start(build);
    await tb!.waitFrames(1, 20);
    await host.hello(0x1111);
    await host.request({ type: 'stop-stream' });
    expect(tb!.sent.at(-1)!.frame).toMatchObject({ type: 0x0b, seq: 0, flags: FLAG_SEQ | FLAG_ACK, ack: 1, credits: 3 });
    await host.hello(0x1111, { newSession: false });
    // the session goes on: the host's seq 1 is accepted, the board's next frame is seq 1
    const s1 = (await host.request({ type: 'stop-stream' }));
    expect(s1[0]!.type).toBe('status');
    expect(tb!.sent.filter((t) => t.frame.type === 0x0b).map((t) => t.frame.seq)).toEqual([0, 1]);
    await host.hello(0x2222);
    await host.request({ type: 'stop-stream' });
    const statusSeqs = tb!.sent.filter((t) => t.frame.type === 0x0b).map((t) => t.frame.seq);
    expect(statusSeqs).toEqual([0, 1, 0]);
    // and the frame acknowledging the new session's seq 0 says ack = 1
    expect(tb!.sent.at(-1)!.frame.ack).toBe(1);
  });

  it('a HELLO arriving while a HELLO_ACK is on the line, followed at once by a SEQ frame, is still answered; later HELLOs too', async () => {
    const host = start(build);
    await tb!.waitFrames(1, 20);
    const before = tb!.sent.length;
    host.see(await host.send(hello(42)));
    await tb!.cmd('C 10'); // the first HELLO_ACK is on the line now
    host.see(await host.send(hello(42)));
    await tb!.cmd('C 2');
    host.see(await host.send({ type: 'stop-stream' }));
    await tb!.ms(100);
    // HELLO_ACK(s), then STATUS (ACK-only frames left out). 10 cycles put the RTL's first HELLO_ACK on the line,
    // so it answers each HELLO; the soft CPU is slower and may see both before it answers (one HELLO_ACK).
    const types = tb!.sent.slice(before).filter((t) => t.frame.type !== 0x0d).map((t) => t.frame.type);
    if (board === 'RTL') expect(types).toEqual([0x02, 0x02, 0x0b]);
    else expect(types).toEqual(types.length === 3 ? [0x02, 0x02, 0x0b] : [0x02, 0x0b]);
    expect(await host.hello(43)).toMatchObject({ type: 'hello-ack' });
  });
});
