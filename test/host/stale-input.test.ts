import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, PROTOCOL_MAJOR, type Frame } from '../../host/protocol/frame.js';
import { encodePayload, MSG, PARAM, typeCode, type Message } from '../../host/protocol/messages.js';
import { BoardSession } from '../../host/session.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { sines } from '../helpers.js';

/**
 * The flush of stale input when a port opens is best effort (docs/protocol.md 6.1): bytes still in a
 * USB bridge or on the wire arrive after it, ahead of the board's answer to HELLO (the line keeps their
 * order). What the host does with them: partial frames fail the block checks (COBS, length, CRC),
 * whole sequenced frames before the HELLO_ACK are dropped unacknowledged (the board resends what the new
 * session needs); a stale HELLO_ACK, which carries no nonce, is taken as the answer: one that announces
 * a boot ends that session when the real answer follows, and the stream reconnects.
 */

const frame = (m: Message, seq: number | null) =>
  encodeFrame({ version: PROTOCOL_MAJOR, type: typeCode(m), flags: FLAG_ACK | (seq === null ? 0 : FLAG_SEQ), seq: seq ?? 0, ack: 3, credits: 8, payload: encodePayload(m) });
const staleOutput = (k: number): Message => ({ type: 'output-frame', frame: k, timeUs: k * 1000, values: Int32Array.of(1, 2, 3) });

describe('stale input that arrives after the flush at open', () => {
  it('the tail of a frame cut by the flush and whole frames of an old session: rejected or forgotten; the session opens and works', async () => {
    const board = new VirtualBoard({ boardId: 'fresh' });
    const [host, dev] = memoryPair();
    board.attach(dev);
    const cut = frame(staleOutput(41), 9);
    // what reaches the host before the board's HELLO_ACK: a frame's tail (its start went with the flush),
    // then whole sequenced frames of the old session, one with the seq the new session starts at
    dev.write(cut.subarray(cut.length >> 1));
    dev.write(frame(staleOutput(42), 0));
    dev.write(frame(staleOutput(43), 1));
    const s = await BoardSession.open(host, { retransmitMs: 50 });
    const unsolicited: Message[] = [];
    s.onUnsolicited((m) => unsolicited.push(m));
    expect(s.info.boardId).toBe('fresh');
    expect(s.link.stats.rejected).toBeGreaterThanOrEqual(1); // the tail failed the block checks
    // the link starts the session at seq 0 (4.8): the board's first answer is taken, not seen as a duplicate
    const st = await s.request({ type: 'set-param', id: PARAM.LEARN, value: 0 });
    expect(st.type).toBe('status');
    expect(unsolicited).toEqual([]); // none of the stale outputs reached the session
    await s.close();
  });

  it("the new session's first frame ahead of the HELLO_ACK (6.2: the output of a frame taken before the HELLO) is not acknowledged before the handshake, and is taken when the board retransmits it", async () => {
    // acknowledged before the link reset that the HELLO_ACK brings, the board would release it while the new link
    // waits for it: a gap nobody fills (seen on the RTL board when the line dropped during a frame)
    const [host, dev] = memoryPair();
    const ha = (new VirtualBoard({ boardId: 'fresh' }) as unknown as { helloAck(): Message }).helloAck();
    const sent: Frame[] = [];
    let answered = false;
    const dec = new FrameDecoder((f) => {
      sent.push(f);
      if (f.type === MSG.HELLO && !answered) {
        answered = true;
        dev.write(frame(staleOutput(7), 0));
        setTimeout(() => dev.write(frame(ha, null)), 20); // (the board finishes its queue first)
      }
    }, () => {});
    dev.onData((b) => dec.push(b));
    const s = await BoardSession.open(host, { retransmitMs: 50, ackDelayMs: 1 });
    const unsolicited: Message[] = [];
    s.onUnsolicited((m) => unsolicited.push(m));
    await new Promise((r) => setTimeout(r, 30));
    expect(sent.filter((f) => f.flags & FLAG_ACK && f.ack !== 0).map((f) => f.ack)).toEqual([]);
    dev.write(frame(staleOutput(7), 0)); // the board's retransmission (its timer: nothing acknowledged it)
    await new Promise((r) => setTimeout(r, 30));
    expect(unsolicited).toEqual([expect.objectContaining({ type: 'output-frame', frame: 7 })]);
    expect(sent.some((f) => f.flags & FLAG_ACK && f.ack === 1)).toBe(true);
    await s.close();
  });

  it("a stale power-up HELLO_ACK ahead of the real answer: that session ends when the board's answer (booted) follows, and the stream reconnects and completes", async () => {
    const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
    const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
    const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, 20).map((f) => Int32Array.from(f, toSignal));
    const board = new VirtualBoard({ boardId: 'fresh' });
    let connects = 0;
    const ends: string[] = [];
    const res = await streamToBoard({
      connect: async () => {
        const [host, dev] = memoryPair();
        board.attach(dev);
        // the board's announcement at power-up, still in the bridge when the port opened (first time only)
        if (connects++ === 0) dev.write(frame({ ...(board as unknown as { helloAck(): Extract<Message, { type: 'hello-ack' }> }).helloAck(), booted: true }, null));
        return host;
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
      reconnect: { attempts: 2, delayMs: 10 },
      session: { log: (e) => e.kind === 'event' && e.event === 'session-end' && ends.push(e.detail ?? '') },
    });
    const core = new FixedPointCore(image);
    expect(res.outputs).toEqual(inputs.map((f) => core.frame(f, false)));
    expect(res.stats.sessions).toBe(2);
    expect(res.incidents.map((i) => i.what)).toEqual([expect.stringMatching(/^session ended at frame 0: board 'fresh' reset \(it announced a boot/)]);
    // the first session ended on the board's real answer, which announced the boot (the second at its close)
    expect(ends[0]).toMatch(/board 'fresh' reset \(it announced a boot/);
  });
});
