import { hasSocat } from '../pty-available.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { serveVirtualBoard, type ServedBoard } from '../../host/board/serve.js';
import { SerialTransport } from '../../host/transport/serial.js';
import { streamToBoard } from '../../host/stream.js';
import { sines } from '../helpers.js';

describe.skipIf(!hasSocat)('streaming over a real pty pair', () => {
  let served: ServedBoard;
  beforeAll(async () => {
    served = await serveVirtualBoard();
  });
  afterAll(async () => served.close());

  it('a 10,000-frame stream arrives complete, in order, bit-exact', async () => {
    const g = buildGraph(loadSpecFile('examples/teacher/network.json'));
    const { image } = compileBoardImage(g, { dtMs: 0.1, frameMs: 1 });
    const inputs = sampleFrames(sines(g.nStimulusInputs), 1, 10_000).map((f) => Int32Array.from(f, toSignal));
    const res = await streamToBoard({ connect: () => SerialTransport.openWithRetry(served.hostPath, 921600, 3000), image: encodeImage(image), inputs, frameUs: 1000 });
    const core = new FixedPointCore(image);
    const want = inputs.map((f) => core.frame(f, false));
    expect(res.stats.lost).toBe(0);
    expect(res.outputs).toEqual(want);
  }, 120_000);
});
