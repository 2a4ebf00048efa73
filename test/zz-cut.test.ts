import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { buildGraph } from '../compiler/graph/build.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { compileBoardImage } from '../compiler/board/compile-image.js';
import { encodeImage } from '../hardware-models/fixed-point/image-codec.js';
import { toSignal } from '../hardware-models/fixed-point/format.js';
import { sampleFrames } from '../emulator/stimulus/frames.js';
import { serveRtlBoard } from '../host/board/rtl-board.js';
import { streamToBoard } from '../host/stream.js';
import { SerialTransport } from '../host/transport/serial.js';
import { sines } from './helpers.js';
const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const bytes = encodeImage(image);
it('cut', async () => {
  const events: string[] = [];
  const served = await serveRtlBoard({ top: 'board_top', baud: 921_600, clkHz: 12_000_000, idleRealtime: true, onEvent: (e) => events.push(e) });
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      const inputs = sampleFrames(sines(graph.nStimulusInputs), 1, 400 + 2000).slice(2000).map((f) => Int32Array.from(f, toSignal));
      let cut = false; const log: string[] = []; const t0 = performance.now();
      let hung = false;
      const timer = setTimeout(() => { hung = true; writeFileSync('/tmp/cutfull.log', events.join('\n') + '\n' + log.join('\n')); process.stderr.write(`attempt ${attempt} HUNG\n`); }, 45_000);
      try {
        const res = await Promise.race([streamToBoard({ connect: () => SerialTransport.openWithRetry(served.hostPath, 921_600, 5000), image: bytes, inputs, frameUs: 1000,
          session: { log: (e) => log.push(`${(performance.now() - t0).toFixed(1)} ${JSON.stringify(e).slice(0, 300)}`) },
          onProgress: (p) => { if (!cut && p.outputs >= 150 + attempt * 7) { cut = true; log.push('CUT'); void served.cutLine(); } } }), new Promise<null>((r) => setTimeout(() => r(null), 50_000))]);
        process.stderr.write(`attempt ${attempt}: ${res ? JSON.stringify(res.incidents) : 'timeout'}\n`);
        if (!res) return;
      } finally { clearTimeout(timer); }
      if (hung) return;
    }
  } finally { await served.close(); }
}, 600_000);
