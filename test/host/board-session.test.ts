import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { BOARD_MAX_RETRIES, VirtualBoard } from '../../host/board/virtual-board.js';
import { encodeFrame, FLAG_ACK, FLAG_SEQ, FrameDecoder, PROTOCOL_MAJOR, type Frame } from '../../host/protocol/frame.js';
import { decodePayload, ERROR_CODE, encodePayload, MSG, PARAM, typeCode, type Message } from '../../host/protocol/messages.js';
import { BoardSession } from '../../host/session.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { PacedTransport } from '../../host/transport/paced.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { TransportEvents, type ByteTransport } from '../../host/transport/transport.js';
import { sines } from '../helpers.js';

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * A line like a USB-serial adapter's: the board's end stays up whatever the host does; a host that
 * closes its end is gone without the board seeing anything (a board cannot see a tty being closed).
 */
function adapterLine(): { host: ByteTransport; board: ByteTransport } {
  const [h, board] = memoryPair();
  const ev = new TransportEvents();
  const host: ByteTransport = {
    get open() {
      return !ev.closed;
    },
    write: (b) => !ev.closed && h.write(b),
    drain: () => h.drain(),
    onData: (cb) => h.onData((c, at) => (ev.closed ? undefined : cb(c, at))),
    onClose: (cb) => ev.onClose(cb),
    close: async () => ev.emitClose('closed locally'),
  };
  return { host, board };
}

/** A host that writes raw frames and records what the board sends, decoded. */
function rawHost(t: ByteTransport) {
  const got: Array<{ f: Frame; m: Message | null }> = [];
  const dec = new FrameDecoder((f) => {
    const d = decodePayload(f.type, f.payload);
    got.push({ f, m: d.ok ? d.message : null });
  });
  t.onData((c) => dec.push(c));
  const send = (m: Message, seq: number | null, ack = 0) => t.write(encodeFrame({ version: PROTOCOL_MAJOR, type: typeCode(m), flags: FLAG_ACK | (seq === null ? 0 : FLAG_SEQ), seq: seq ?? 0, ack, credits: 8, payload: encodePayload(m) }));
  const hello = () => send({ type: 'hello', major: 1, minor: 0, window: 8, nonce: 0x1234, hostId: 'raw' }, null);
  return { got, send, hello };
}

const learnOff: Message = { type: 'set-param', id: PARAM.LEARN, value: 0 };

describe('the end of a session (issue 13, items 4 and 6)', () => {
  it("the host acknowledges the board's END_STREAM before it closes the line: nothing is left for the board to retransmit", async () => {
    const board = new VirtualBoard();
    const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, 50).map((f) => Int32Array.from(f, toSignal));
    let line: ReturnType<typeof adapterLine> | null = null;
    const res = await streamToBoard({
      connect: async () => {
        line = adapterLine();
        board.attach(line.board);
        return line.host;
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
    });
    expect(res.stats.lost).toBe(0);
    expect((line as ReturnType<typeof adapterLine> | null)?.host.open).toBe(false); // the host has closed its end
    await ticks(10); // bytes written before the close reach the board
    expect(board.unacknowledged).toBe(0);
    expect(board.linkStats!.retransmitted).toBe(0);
  });

  it('a board an earlier host left streaming (it went away mid-stream) takes a new stream: the host stops the old one before loading its image', async () => {
    const board = new VirtualBoard();
    const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, 30).map((f) => Int32Array.from(f, toSignal));
    const first = adapterLine();
    board.attach(first.board);
    const s = await BoardSession.open(first.host);
    await s.loadImage(encodeImage(image));
    await s.request({ type: 'start-stream', firstFrame: 0, framePeriodUs: 1000, probes: 1 });
    await s.send({ type: 'input-frame', frame: 0, timeUs: 0, values: inputs[0]! });
    await s.close(); // gone without END_STREAM: the board is still STREAMING
    await ticks(10);
    expect(board.counters.framesProcessed).toBe(1);
    // what the board says to a LOAD_IMAGE now (the state the new host must get it out of)
    const probe = adapterLine();
    board.attach(probe.board);
    const p = await BoardSession.open(probe.host);
    await expect(p.loadImage(encodeImage(image))).rejects.toMatchObject({ code: ERROR_CODE.BAD_IMAGE });
    await p.close();
    const res = await streamToBoard({
      connect: async () => {
        const line = adapterLine();
        board.attach(line.board);
        return line.host;
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
    });
    expect(res.stats.lost).toBe(0);
    expect(res.outputs.length).toBe(inputs.length);
  });

  it(`a board whose frames nobody acknowledges stops after ${BOARD_MAX_RETRIES} retransmissions and ends its session`, async () => {
    const board = new VirtualBoard({ retransmitMs: 2 });
    const line = adapterLine();
    board.attach(line.board);
    const ended = new Promise<string>((r) => board.onSessionEnd(r));
    const host = rawHost(line.host);
    host.hello();
    await ticks(5);
    host.send(learnOff, 0); // answered by STATUS seq 0, which this host never acknowledges
    const why = await ended;
    expect(why).toMatch(/no acknowledgement after 10 retransmissions/);
    const statuses = () => host.got.filter((g) => g.f.type === MSG.STATUS && g.f.flags & FLAG_SEQ);
    await ticks(10);
    expect(statuses().length).toBe(1 + BOARD_MAX_RETRIES);
    expect(statuses().every((g) => g.f.seq === 0)).toBe(true);
    // the session is over: a sequenced frame is answered NO_SESSION, and nothing more is retransmitted
    host.send(learnOff, 1);
    await ticks(10);
    const last = host.got[host.got.length - 1]!;
    expect(last.m).toMatchObject({ type: 'error', code: ERROR_CODE.NO_SESSION });
    expect(last.f.flags & FLAG_SEQ).toBe(0);
    await sleep(50);
    expect(statuses().length).toBe(1 + BOARD_MAX_RETRIES);
  });

  it('a host that went away silently (closed its tty) leaves no session: after the idle timeout a SEQ frame without HELLO gets NO_SESSION, not NOT_STREAMING', async () => {
    const board = new VirtualBoard({ sessionIdleMs: 100 });
    const line = adapterLine();
    board.attach(line.board);
    const first = rawHost(line.host);
    first.hello();
    await ticks(5);
    first.send(learnOff, 0);
    await ticks(10);
    expect(first.got.some((g) => g.m?.type === 'status')).toBe(true);
    first.send({ type: 'ack' }, null, 1); // STATUS acknowledged: nothing pending on the board
    const ended = new Promise<string>((r) => board.onSessionEnd(r));
    expect(await ended).toMatch(/no byte from the host for \d+ ms/);
    // the next client continues the old sequence without a HELLO
    const next = rawHost(line.host);
    next.send({ type: 'input-frame', frame: 0, timeUs: 0, values: new Int32Array(image.nStimulusInputs) }, 1, 1);
    await ticks(10);
    const answers = next.got.filter((g) => g.m?.type === 'error');
    expect(answers.map((g) => g.m)).toEqual([expect.objectContaining({ code: ERROR_CODE.NO_SESSION })]);
    expect(board.counters.framesProcessed).toBe(0);
  });

  it('a frame still on a slow line keeps the session: a 4 KiB image chunk at 115200 baud (356 ms) against a 200 ms idle timeout', async () => {
    // 1000 inputs × 2 outputs: 8 kB of weights, so the image goes in full 4 KiB chunks
    const g = layeredNetwork([1000, 2], { activation: 'logistic', seed: 2, init: { distribution: 'normal', std: 0.02 } }).build();
    const img = compileBoardImage(g, { dtMs: 0.1, frameMs: 1 }).image;
    const board = new VirtualBoard({ sessionIdleMs: 200 });
    const ends: string[] = [];
    board.onSessionEnd((w) => ends.push(w));
    const res = await streamToBoard({
      connect: async () => {
        const [h, b] = memoryPair();
        board.attach(new PacedTransport(b, 115200), 115200);
        return h;
      },
      image: encodeImage(img),
      inputs: Array.from({ length: 3 }, () => new Int32Array(1000).fill(toSignal(0.5))),
      frameUs: 1000,
      session: { baud: 115200 },
      reconnect: { attempts: 0, delayMs: 0 },
    });
    expect(res.stats.lost).toBe(0);
    expect(res.stats.sessions).toBe(1);
    expect(ends.filter((w) => /no byte from the host/.test(w))).toEqual([]);
  }, 60_000);

  it("an open session outlives the board's idle timeout: the host's keepalive ACKs keep it", async () => {
    // margins for a loaded machine: a keepalive every 25 ms against an idle timeout of 500 ms
    const board = new VirtualBoard({ sessionIdleMs: 500 });
    const [h, b] = memoryPair();
    board.attach(b);
    const ends: string[] = [];
    board.onSessionEnd((w) => ends.push(w));
    const s = await BoardSession.open(h, { keepaliveMs: 25 });
    await sleep(2000); // four idle timeouts without a request
    const answer = await s.request(learnOff);
    expect(answer.type).toBe('status');
    expect(ends).toEqual([]);
    expect(board.counters.sessions).toBe(1);
    await s.close();
  });
});
