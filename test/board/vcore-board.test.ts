import { describe, expect, it } from 'vitest';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { toSignal, UP5K16, WIDE } from '../../hardware-models/fixed-point/format.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { PROBE } from '../../hardware-models/fixed-point/image.js';
import { VCORE_GENERIC_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { BoardSession } from '../../host/session.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { ERROR_CODE } from '../../host/protocol/messages.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';
import { clip64 } from '../fixed-point/vcore-drive.js';

// A board whose core is the vector core (the virtual board with `core: 'vcore'`: protocol 1.1, VcoreDriver over the
// modelled core) driven by the unchanged host: the handshake finds minor 1, CORE_QUERY returns the build, the stream
// compiles the vector-core image for it, and every output equals FixedPointCore(image, UP5K16), the reference in the
// board's number format (not WIDE: the two differ, so a board that silently ran WIDE would fail). The board reports
// the board image's CRC, so a stream resumes on it; refusals: a network the build cannot hold, a board image sent raw.

function board(id = 'vcore-board') {
  const b = new VirtualBoard({ boardId: id, core: 'vcore' });
  return { b, connect: async () => {
    const [host, dev] = memoryPair();
    b.attach(dev);
    return host;
  } };
}

describe('a vector-core board behind the protocol (virtual board, core vcore)', () => {
  it('the handshake reports minor 1 and CORE_INFO carries the build', async () => {
    const { connect } = board();
    const s = await BoardSession.open(await connect());
    expect(s.info.minor).toBe(1);
    expect(s.info.core).toEqual({ imageFormat: 'nlav', build: VCORE_GENERIC_BUILD });
    await s.close();
  });

  for (const [name, make, learn] of [
    ['example, learning with targets, all probes', teacherImage, true],
    ['64-neuron clip network, inference, all probes', clip64, false],
  ] as const) {
    it(`${name}: every output equals FixedPointCore in UP5K16 (and differs from WIDE)`, async () => {
      const img = make();
      const n = 300;
      const x = name.startsWith('example') ? csv('examples/teacher/input.csv') : null;
      const inputs = Array.from({ length: n }, (_, k) => Int32Array.from(x ? x[k % x.length]! : Array.from({ length: img.nStimulusInputs }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 13 + 2 * c)))));
      const targets = learn ? Array.from({ length: n }, (_, k) => Int32Array.from({ length: img.outputs.length }, (_, c) => (c === 0 && k > 100 && k < 150 ? NO_TARGET_Q : toSignal(0.3 * Math.sin(k / 17 + c))))) : null;
      const probes = PROBE.OUTPUT_U | PROBE.OUTPUT_RATE | PROBE.OUTPUT_ERROR | PROBE.ALL_U;
      const { b, connect } = board();
      const res = await streamToBoard({ connect, image: encodeImage(img), inputs, targets, frameUs: 1000, probes, learn });
      const ref = (fmt: typeof UP5K16) => {
        const core = new FixedPointCore(img, fmt);
        return inputs.map((f, k) => {
          if (targets && (k === 0 || targets[k]!.some((v, c) => v !== targets[k - 1]![c]))) core.setTargets(targets[k]!);
          return core.frame(f, learn, probes);
        });
      };
      expect(res.stats.lost).toBe(0);
      expect(res.outputs).toEqual(ref(UP5K16));
      expect(res.outputs).not.toEqual(ref(WIDE));
      expect(b.counters.framesProcessed).toBe(n);
      // the board now reports the board image's id (what a host resumes on) and the last frame it computed
      const again = await BoardSession.open(await connect());
      expect(again.info.imageCrc).toBe(imageId(encodeImage(img)));
      expect(again.info.lastFrame).toBe(n - 1);
      await again.close();
    });
  }

  it('a network the build cannot hold is refused before LOAD_IMAGE, naming the limits', async () => {
    const img = compileBoardImage(layeredNetwork([20, 300, 10], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 1 }).image;
    const { b, connect } = board('small-vcore');
    const res = streamToBoard({ connect, image: encodeImage(img), inputs: [new Int32Array(20)], frameUs: 1000 });
    await expect(res).rejects.toThrow(/does not fit board 'small-vcore': its vector core cannot run the network: it needs 31 vector banks \(the largest 3\d\d words × \d+ bits\), the core has 8 \(256×42, /u);
    expect(b.counters.framesProcessed).toBe(0);
  });

  it('a board image sent raw (a 1.0 host) is refused with BAD_IMAGE saying what the board takes', async () => {
    const { connect } = board();
    const s = await BoardSession.open(await connect());
    const err = await s.loadImage(encodeImage(teacherImage())).then(() => null, (e: Error & { code?: number }) => e);
    expect(err?.message).toMatch(/magic.*expected "NLAV".*this board's core is the vector core: it takes nla-vcore-image\/1/);
    expect((err as { code?: number }).code).toBe(ERROR_CODE.BAD_IMAGE);
    await s.close();
  });
});
