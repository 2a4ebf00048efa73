import { hasSocat } from '../pty-available.js';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { CapacityError } from '../../hardware-models/fixed-point/fit.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { serveVirtualBoard, type ServedBoard } from '../../host/board/serve.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { ProtocolVersionError } from '../../host/session.js';
import { StreamError, streamToBoard, type StreamRequest } from '../../host/stream.js';
import { FaultyTransport } from '../../host/transport/faulty.js';
import { memoryPair } from '../../host/transport/memory.js';
import { SerialTransport } from '../../host/transport/serial.js';
import type { ByteTransport } from '../../host/transport/transport.js';
import { sines } from '../helpers.js';

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image: BoardImage = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const bytes = encodeImage(image);
const frames = (n: number) => sampleFrames(sines(graph.nStimulusInputs), 1, n).map((f) => Int32Array.from(f, toSignal));

/** What the board must output: the fixed-point core run in-process on the same frames. */
function reference(inputs: Int32Array[]): Int32Array[] {
  const core = new FixedPointCore(image);
  return inputs.map((f) => core.frame(f, false));
}

/** A memory line to `board`, each direction optionally through a fault injector. */
function memoryLine(board: VirtualBoard, faults?: { corrupt: number; drop: number; seed: number }): () => Promise<ByteTransport> {
  let seed = faults?.seed ?? 0;
  return async () => {
    const [host, dev] = memoryPair();
    if (!faults) {
      board.attach(dev);
      return host;
    }
    board.attach(new FaultyTransport(dev, { ...faults, seed: seed++ }));
    return new FaultyTransport(host, { ...faults, seed: seed++ });
  };
}

const base = (connect: StreamRequest['connect'], inputs: Int32Array[]): StreamRequest => ({ connect, image: bytes, inputs, frameUs: 1000, session: { retransmitMs: 30 } });

describe('faults on the line and on the board', () => {
  let served: ServedBoard | null = null;
  afterEach(async () => {
    await served?.close();
    served = null;
  });

  it('bytes corrupted and dropped in both directions: everything arrives, bit-exact, by retransmission', async () => {
    const board = new VirtualBoard({ retransmitMs: 30 });
    const line = memoryLine(board, { corrupt: 2e-4, drop: 2e-4, seed: 11 });
    const inputs = frames(3000);
    const res = await streamToBoard(base(line, inputs));
    expect(res.stats.lost).toBe(0);
    expect(res.outputs).toEqual(reference(inputs));
    // the faults really happened and were repaired by the protocol, not absent
    expect(res.stats.rejectedFrames).toBeGreaterThan(0);
    expect(res.stats.retransmitted).toBeGreaterThan(0);
  }, 60_000);

  it('the board reboots mid-stream: the host reloads the image and replays; outputs stay bit-exact', async () => {
    const board = new VirtualBoard();
    const inputs = frames(2000);
    let rebooted = false;
    const res = await streamToBoard({
      ...base(memoryLine(board), inputs),
      onProgress: (p) => {
        if (!rebooted && p.outputs >= 700) {
          rebooted = true;
          board.reboot();
        }
      },
    });
    expect(rebooted).toBe(true);
    expect(res.stats.lost).toBe(0);
    expect(res.stats.sessions).toBe(2);
    expect(res.stats.resent).toBeGreaterThan(0);
    expect(res.incidents.some((i) => /lost its state/.test(i.what))).toBe(true);
    expect(res.incidents.some((i) => /differs/.test(i.what))).toBe(false);
    expect(res.outputs).toEqual(reference(inputs));
  }, 60_000);

  it.skipIf(!hasSocat).each([
    ['unpaced', undefined, 4000],
    ['paced at 921600 baud (its end read on a thread of its own)', 921600, 1500],
  ])('the line is cut (pty closed) and comes back, %s: the board kept its state and the stream continues', async (_name, baud, n) => {
    served = await serveVirtualBoard(baud ? { baud } : {});
    const s = served;
    const inputs = frames(n);
    let cut = false;
    const res = await streamToBoard({
      ...base(() => SerialTransport.openWithRetry(s.hostPath, 921600, 3000), inputs),
      onProgress: (p) => {
        if (!cut && p.outputs >= n / 3) {
          cut = true;
          void s.cutLine();
        }
      },
    });
    expect(cut).toBe(true);
    expect(res.stats.sessions).toBe(2);
    expect(res.incidents.some((i) => /kept its state/.test(i.what))).toBe(true);
    expect(res.stats.lost).toBe(0);
    expect(res.outputs).toEqual(reference(inputs));
  }, 60_000);

  it.skipIf(!hasSocat)('a line that stays down: the error names the frames that did not make it, and the stream resumes later', async () => {
    served = await serveVirtualBoard({ restore: false });
    const s = served;
    const inputs = frames(3000);
    let cut = false;
    let err: unknown = null;
    try {
      await streamToBoard({
        ...base(() => SerialTransport.openWithRetry(s.hostPath, 921600, 300), inputs),
        reconnect: { attempts: 1, delayMs: 50 },
        onProgress: (p) => {
          if (!cut && p.outputs >= 1000) {
            cut = true;
            void s.cutLine();
          }
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StreamError);
    const se = err as StreamError;
    // nothing is lost silently: every frame is either acknowledged or listed
    const missing = new Set(se.missingOutputs);
    const got = se.partial.outputs.filter((o) => o.length > 0).length;
    expect(got + missing.size).toBe(inputs.length);
    expect(se.unacknowledged.length).toBeGreaterThan(0);
    for (const k of se.unacknowledged) expect(missing.has(k)).toBe(true);
    expect(se.message).toMatch(/not acknowledged/);
    // the cable goes back in: the stream resumes from where the board is
    await s.pty.start();
    const port = await SerialTransport.open(s.pty.boardPath, 921600);
    s.board.attach(port);
    const res = await streamToBoard({ ...base(() => SerialTransport.openWithRetry(s.hostPath, 921600, 3000), inputs), previous: se.partial.outputs });
    await port.close();
    expect(res.incidents.some((i) => /kept its state/.test(i.what))).toBe(true);
    expect(res.stats.lost).toBe(0);
    expect(res.outputs).toEqual(reference(inputs));
  }, 60_000);

  it('a board slower than the host: flow control throttles the host, no frame overruns the window or is resent', async () => {
    const board = new VirtualBoard({ frameDelayMs: 3, caps: { window: 4 } });
    const inputs = frames(150);
    const res = await streamToBoard({ ...base(memoryLine(board), inputs), session: { retransmitMs: 500 } });
    expect(res.stats.lost).toBe(0);
    // the host never sent a frame the board had no credit for, and needed no retransmission
    expect(board.linkStats!.overruns).toBe(0);
    expect(res.stats.retransmitted).toBe(0);
    expect(res.stats.durationMs).toBeGreaterThanOrEqual(150 * 3);
    expect(res.outputs).toEqual(reference(inputs));
  }, 30_000);

  it('a board that acknowledges frames but never answers: the stall guard ends the session, and the stream fails naming the frame instead of waiting forever', async () => {
    const board = new VirtualBoard({ frameDelayMs: 60_000 });
    const err = await streamToBoard({ ...base(memoryLine(board), frames(5)), stallMs: 400, reconnect: { attempts: 1, delayMs: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    const se = err as StreamError;
    expect(se.partial.incidents.some((i) => /sent nothing for 0\.\d s while frame 0 has no output/.test(i.what))).toBe(true);
    expect(se.missingOutputs).toEqual([0, 1, 2, 3, 4]);
    expect(se.message).toMatch(/\(0–4\) without output/);
  }, 30_000);

  it('a board of another protocol version is refused, naming both versions', async () => {
    const board = new VirtualBoard({ protocol: { major: 2, minor: 3 }, boardId: 'fpga-7' });
    const err = await streamToBoard({ ...base(memoryLine(board), frames(5)) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolVersionError);
    expect((err as Error).message).toMatch(/'fpga-7' speaks protocol 2\.3, this host speaks 1\.0/);
  });

  it('a board too small for the network is refused, naming both values', async () => {
    const board = new VirtualBoard({ caps: { maxNeurons: 16, maxSynapses: 100 } });
    const err = await streamToBoard({ ...base(memoryLine(board), frames(5)) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityError);
    expect((err as Error).message).toMatch(/needs 27 neurons, the board offers at most 16 \(maxNeurons\)/);
    expect((err as Error).message).toMatch(/needs 243 synapses, the board offers at most 100 \(maxSynapses\)/);
  });
});
