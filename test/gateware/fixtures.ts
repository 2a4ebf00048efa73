import { readFileSync } from 'node:fs';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import type { Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { NO_FRAME, NO_TARGET, type Message } from '../../host/protocol/messages.js';

/** The capabilities session_harness announces (its parameters), for the reference board used as the oracle. */
export const STUB_CAPS: Capabilities = {
  maxNeurons: 255,
  maxSynapses: 4096,
  maxInputs: 64,
  maxOutputs: 16,
  signalFracBits: 16,
  weightFracBits: 28,
  maxFrameRate: 1000,
  window: 3,
  maxPayload: 1024,
};
export const STUB_ID = 'nla-stub';

/** The reference board with the stub's capabilities: the oracle for answers (outputs excepted). */
export function referenceBoard(): VirtualBoard {
  return new VirtualBoard({ caps: STUB_CAPS, boardId: STUB_ID });
}

/** A small real image (3 stimulus inputs, 4 hidden, 2 outputs). */
export function smallImage(sizes = [3, 4, 2]): Uint8Array {
  const g = layeredNetwork(sizes, { activation: 'logistic', seed: 3 }).build();
  return encodeImage(compileBoardImage(g, { dtMs: 0.1, frameMs: 1 }).image);
}

/** LOAD_IMAGE chunks of `chunk` bytes. */
export type LoadImage = Extract<Message, { type: 'load-image' }>;
export function chunks(img: Uint8Array, chunk: number): LoadImage[] {
  const out: LoadImage[] = [];
  for (let o = 0; o < img.length; o += chunk) out.push({ type: 'load-image', offset: o, total: img.length, chunk: img.slice(o, o + chunk) });
  return out;
}

const i24 = (v: number) => ((v & 0xffffff) ^ 0x800000) - 0x800000;

/**
 * What core_stub outputs (gateware/sim/core_stub.v, written independently of it here): value idx after
 * the F-th frame since install/reset.
 */
export function stubOutput(o: { inputs: ArrayLike<number>; targets?: ArrayLike<number> | null; F: number; learn?: boolean; iterations?: number; nOutputs: number; width: number }): number[] {
  const out: number[] = [];
  for (let idx = 0; idx < o.width; idx++) {
    let v = (idx < o.inputs.length ? o.inputs[idx]! : 0) + 16 * idx + o.F;
    const t = o.targets && idx < o.nOutputs ? o.targets[idx]! : NO_TARGET;
    if (t !== NO_TARGET) v += t;
    if (o.learn) v += 0x1000;
    v += o.iterations ?? 0;
    out.push(i24(v));
  }
  return out;
}

/** A message reduced to what the RTL board and the reference must agree on (texts and the core's numbers aside). */
export function essence(m: Message): unknown {
  switch (m.type) {
    case 'error':
      return { type: m.type, code: m.code, frame: m.frame };
    case 'status':
      return { ...m, saturations: 0 };
    case 'output-frame':
      return { type: m.type, frame: m.frame, timeUs: m.timeUs, count: m.values.length };
    default:
      return m;
  }
}

export { NO_FRAME };

/**
 * A deeper network than the example for the cores' bit-exactness tests: three table populations (logistic,
 * tanh), chained hidden projections, a skip projection, biases; dt 0.1 ms, 0.5 ms frames, 3 iterations.
 */
export function deeperNetworkImage() {
  const spec = JSON.parse(readFileSync('examples/teacher/network.json', 'utf8')) as Record<string, unknown>;
  spec.populations = [
    { name: 'in', kind: 'input', size: 4 },
    { name: 'h1', kind: 'hidden', size: 7, bias: true },
    { name: 'h2', kind: 'hidden', size: 5, activation: 'tanh' },
    { name: 'out', kind: 'output', size: 2, bias: true },
  ];
  spec.projections = [
    { from: 'in', to: 'h1' },
    { from: 'h1', to: 'h2' },
    { from: 'h2', to: 'out' },
    { from: 'h1', to: 'out' },
  ];
  return compileBoardImage(buildGraph(validateSpec(spec)), { dtMs: 0.1, frameMs: 0.5, iterations: 3 }).image;
}
