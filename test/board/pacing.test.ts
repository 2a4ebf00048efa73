import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { PacedTransport } from '../../host/transport/paced.js';
import type { ByteTransport } from '../../host/transport/transport.js';
import { sines } from '../helpers.js';

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;

describe('real-time pacing over a UART-paced line', () => {
  it('sends on the schedule, and no output comes back sooner than its frames take on the line', async () => {
    const baud = 115200; // 11.52 bytes per ms: line time dominates, so early delivery would show
    const n = 120;
    const rateHz = 200;
    const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, n).map((f) => Int32Array.from(f, toSignal));
    const board = new VirtualBoard({});
    const sizes: { in: number[]; out: number[] } = { in: [], out: [] };
    const res = await streamToBoard({
      connect: async () => {
        const [host, dev] = memoryPair();
        board.attach(new PacedTransport(dev, baud));
        return spy(host, sizes);
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
      rateHz,
    });
    expect(res.stats.lost).toBe(0);
    // the schedule: n frames at 200 /s take at least (n − 1) periods
    expect(res.stats.durationMs).toBeGreaterThanOrEqual(((n - 1) * 1000) / rateHz);
    // independent truth, the line: an output needs at least the input frame's and the output frame's
    // bytes at baud/10 (the smallest of each kind seen on this stream), whatever the software does
    const minIn = Math.min(...sizes.in.filter((b) => b > 40));
    const minOut = Math.min(...sizes.out.filter((b) => b > 20));
    const lineMs = ((minIn + minOut) * 10 * 1000) / baud;
    expect(Math.min(...res.latencies)).toBeGreaterThanOrEqual(lineMs - 0.05);
    // measured from the schedule, a latency includes the host's own wake-up: never less than from the write
    const s = res.stats.latencyFromScheduleMs!;
    expect(s.p50).toBeGreaterThanOrEqual(res.stats.latencyMs.p50 - 1e-9);
    expect(s.max).toBeGreaterThanOrEqual(res.stats.latencyMs.max - 1e-9);
  }, 30_000);

  it('reports no schedule latency for an unpaced stream', async () => {
    const board = new VirtualBoard({});
    const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, 20).map((f) => Int32Array.from(f, toSignal));
    const res = await streamToBoard({
      connect: async () => {
        const [host, dev] = memoryPair();
        board.attach(dev);
        return host;
      },
      image: encodeImage(image),
      inputs,
      frameUs: 1000,
    });
    expect(res.stats.latencyFromScheduleMs).toBeNull();
  });
});

/** Records the byte counts of the frames (0x00-delimited) written by the host and received by it. */
function spy(t: ByteTransport, sizes: { in: number[]; out: number[] }): ByteTransport {
  let inRun = 0;
  let outRun = 0;
  const count = (b: Uint8Array, run: number, into: number[]) => {
    for (const x of b) {
      run++;
      if (x === 0) {
        into.push(run);
        run = 0;
      }
    }
    return run;
  };
  t.onData((c) => (outRun = count(c, outRun, sizes.out)));
  return {
    get open() {
      return t.open;
    },
    write: (b) => ((inRun = count(b, inRun, sizes.in)), t.write(b)),
    drain: () => t.drain(),
    onData: (cb) => t.onData(cb),
    onClose: (cb) => t.onClose(cb),
    close: () => t.close(),
  };
}
