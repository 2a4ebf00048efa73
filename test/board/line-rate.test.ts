import { describe, expect, it } from 'vitest';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { FrameDecoder } from '../../host/protocol/frame.js';
import { MSG } from '../../host/protocol/messages.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { PacedTransport } from '../../host/transport/paced.js';
import type { ByteTransport, DataListener } from '../../host/transport/transport.js';

// 1000 stimulus inputs: an INPUT_FRAME is 3038 bytes on the line, 33 ms at 921600 baud and 264 ms at
// 115200, longer than the old fixed 50 ms retransmission timeout (issue 13, item 3)
const INPUTS = 1000;
const graph = layeredNetwork([INPUTS, 2], { activation: 'hard-sigmoid', seed: 5, beta: 0.1, init: { distribution: 'normal', std: 0.02 } }).build();
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const frames = (n: number) => Array.from({ length: n }, (_, k) => Int32Array.from({ length: INPUTS }, (_, c) => toSignal(0.5 + 0.4 * Math.sin(k / 7 + c))));

/** Counts what the host put on the line, frame by frame, as the board's end receives it (before pacing). */
class LineTap implements ByteTransport {
  bytes = 0;
  /** Per received frame: type, seq and its bytes on the line (COBS and delimiter included). */
  readonly frames: Array<{ type: number; seq: number; lineBytes: number }> = [];
  private run = 0;
  private readonly decoder = new FrameDecoder((f) => this.frames.push({ type: f.type, seq: f.seq, lineBytes: this.run }));

  constructor(private readonly inner: ByteTransport) {}
  get open(): boolean {
    return this.inner.open;
  }
  write(b: Uint8Array): boolean {
    return this.inner.write(b);
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
  onData(cb: DataListener): void {
    this.inner.onData((c, at) => {
      this.bytes += c.length;
      for (const x of c) {
        this.run++;
        if (x === 0) {
          this.decoder.push(Uint8Array.of(0));
          this.run = 0;
        } else this.decoder.push(Uint8Array.of(x));
      }
      cb(c, at);
    });
  }
  onClose(cb: (r: string) => void): void {
    this.inner.onClose(cb);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('large frames on a UART-paced line: the retransmission timer follows the line (RFC 6298 with line time)', () => {
  it.each([
    [921600, 150],
    [115200, 36],
  ])('1000 inputs at %i baud: no spurious retransmission on a clean line, every frame delivered once, input frames at least 95 percent of the bytes on the line', async (baud, n) => {
    const board = new VirtualBoard();
    let tap: LineTap | null = null;
    const inputs = frames(n);
    const res = await streamToBoard({
      connect: async () => {
        const [host, dev] = memoryPair();
        tap = new LineTap(dev);
        board.attach(new PacedTransport(tap, baud), baud);
        return host;
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
      session: { baud },
      reconnect: { attempts: 0, delayMs: 0 },
    });
    const t = tap as LineTap | null;
    if (!t) throw new Error('never connected');
    // delivered: every output, bit-exact, one session, nothing sent twice by either side
    expect(res.stats.lost).toBe(0);
    expect(res.stats.sessions).toBe(1);
    expect(res.stats.retransmitted).toBe(0);
    expect(board.linkStats!.retransmitted).toBe(0);
    expect(board.linkStats!.duplicates).toBe(0);
    expect(board.counters.framesProcessed).toBe(n);
    const core = new FixedPointCore(image);
    expect(res.outputs).toEqual(inputs.map((f) => core.frame(f, false)));
    // the line, counted in bytes: each input frame crossed it exactly once
    const inputFrames = t.frames.filter((f) => f.type === MSG.INPUT_FRAME);
    expect(inputFrames.length).toBe(n);
    expect(new Set(inputFrames.map((f) => f.seq)).size).toBe(n);
    // the input frames' share of every byte the host sent from START_STREAM on (line time is bytes × 10 /
    // baud, the same factor for all of them, so this is their share of the line's busy time; the goodput
    // per second of wall time, which also counts idle line, is measured by npm run bench:board)
    const start = t.frames.findIndex((f) => f.type === MSG.START_STREAM);
    const streamBytes = t.frames.slice(start + 1).reduce((s, f) => s + f.lineBytes, 0);
    const useful = inputFrames.reduce((s, f) => s + f.lineBytes, 0);
    expect(useful / streamBytes).toBeGreaterThanOrEqual(0.95);
    expect(t.frames.reduce((s, f) => s + f.lineBytes, 0)).toBe(t.bytes); // every byte is in some frame
  }, 90_000);
});
