import { compileBoardImage } from '../compiler/board/compile-image.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { fromSignal, toSignal } from '../hardware-models/fixed-point/format.js';
import { encodeImage } from '../hardware-models/fixed-point/image-codec.js';
import { frameMs, PROBE, type BoardImage } from '../hardware-models/fixed-point/image.js';
import { runDigital, type DigitalRunResult } from '../emulator/digital/run.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { parseProbes } from '../emulator/probes/probe.js';
import { TraceTable } from '../emulator/probes/recorder.js';
import { frameSignal, sampleFrames } from '../emulator/stimulus/frames.js';
import type { Signal } from '../emulator/stimulus/signal.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { PtyPair } from '../host/board/pty-pair.js';
import { serveVirtualBoard } from '../host/board/serve.js';
import { VirtualBoard } from '../host/board/virtual-board.js';
import { streamToBoard, type StreamResult } from '../host/stream.js';
import { memoryPair } from '../host/transport/memory.js';
import { SerialTransport } from '../host/transport/serial.js';

export interface BoardDemoResult {
  image: BoardImage;
  warnings: string[];
  stream: StreamResult;
  /** How the host reached the board (a pty device, or an in-process line without socat). */
  line: string;
  /** Board output frames as traces (`u:out[k]` at the end of each frame). */
  board: TraceTable;
  /** The digital engine running the board's algorithm in float on the same frames. */
  reference: DigitalRunResult;
}

/**
 * The board part of the main job: the trained network becomes a board image, a virtual board starts
 * behind a real pty (or, without socat, behind an in-process line), the host streams the input frames
 * to it over the protocol, and the digital engine runs the same algorithm (implicit, same iterations,
 * relaxation and dt, frame-held inputs, from rest) in float for the comparison.
 */
export async function boardDemo(graph: NlaGraph, input: Signal, durationMs: number, dtMs: number, progress?: (done: number, total: number, framesPerSecond: number) => void): Promise<BoardDemoResult> {
  const { image, warnings } = compileBoardImage(graph, { dtMs, frameMs: 1 });
  const fMs = frameMs(image);
  const n = Math.floor(durationMs / fMs);
  const frames = sampleFrames(input, fMs, n);
  const inputs = frames.map((f) => Int32Array.from(f, toSignal));
  const bytes = encodeImage(image);
  let stream: StreamResult;
  let line: string;
  if (PtyPair.available()) {
    const served = await serveVirtualBoard({ onEvent: () => {} });
    line = `pty ${served.hostPath}`;
    try {
      stream = await streamToBoard({ connect: () => SerialTransport.openWithRetry(served.hostPath, 921600, 2000), image: bytes, inputs, frameUs: fMs * 1000, probes: PROBE.OUTPUT_U, ...(progress ? { onProgress: (p) => progress(p.outputs, p.total, p.framesPerSecond) } : {}) });
    } finally {
      await served.close();
    }
  } else {
    const board = new VirtualBoard();
    line = 'in-process line (socat not installed: no pty)';
    stream = await streamToBoard({
      connect: async () => {
        const [h, b] = memoryPair();
        board.attach(b);
        return h;
      },
      image: bytes,
      inputs,
      frameUs: fMs * 1000,
      ...(progress ? { onProgress: (p) => progress(p.outputs, p.total, p.framesPerSecond) } : {}),
    });
  }
  const names = image.outputs.map((o) => `u:${neuronName(graph, o)}`);
  const board = new TraceTable(names, n);
  stream.outputs.forEach((v, k) => board.push((k + 1) * fMs, Array.from(v, fromSignal)));
  const sim = new DigitalSimulator(graph, { dtMs, method: 'implicit', iterations: image.iterations, relaxation: 2 ** -image.relaxShift, learn: false, init: 'rest' });
  const reference = runDigital(sim, { durationMs: n * fMs + dtMs /* one step past the last frame: its sample at n·frame is recorded */, drive: new SignalDrive(frameSignal(frames, fMs), null), probes: parseProbes('u:out', graph), sampleEveryMs: fMs });
  return { image, warnings, stream, line, board, reference };
}

function neuronName(g: NlaGraph, i: number): string {
  for (const p of g.neurons) if (i >= p.offset && i < p.offset + p.size) return `${p.name}[${i - p.offset}]`;
  return `n${i}`;
}
