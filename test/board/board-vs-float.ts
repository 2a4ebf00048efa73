/**
 * The fixed-point board core against the float engine on the same quantised frames: the measurement
 * behind the core's error bounds (docs/protocol.md) and the number-format study (docs/fpga.md).
 */
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { FixedPointCore, type OperandTrace } from '../../hardware-models/fixed-point/core.js';
import { fromSignal, toSignal, WIDE, type NumberFormat } from '../../hardware-models/fixed-point/format.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { frameSignal, sampleFrames } from '../../emulator/stimulus/frames.js';
import type { Signal } from '../../emulator/stimulus/signal.js';
import { sines, targetSines } from '../helpers.js';

/** The largest errors of one comparison (volts of u, weights) and the core's saturation count. */
export interface Comparison {
  /** Largest |u_board − u_float| over the probed neurons and frames. */
  maxErr: number;
  maxU: number;
  /** Largest |W_board − W_float| at the end. */
  maxW: number;
  saturations: number;
}

/**
 * The board core in `format` and the float engine (implicit, K iterations, α = 2^−s) on the same Q3.16
 * frames (inputs sines(seed inputSeed, default 2) unless given, targets targetSines); `neurons` limits the
 * compared voltages. Used by test/board/fixed-point.test.ts, narrow-format.test.ts and bench/format-study.ts.
 */
export function boardVsFloat(
  g: NlaGraph,
  frames: number,
  opts: { learn: boolean; targets: boolean; format?: NumberFormat; K?: number; inputs?: Signal; inputSeed?: number; neurons?: number[]; trace?: OperandTrace },
): Comparison {
  const K = opts.K ?? 4;
  const { image } = compileBoardImage(g, { dtMs: 0.1, frameMs: 1, iterations: K });
  const core = new FixedPointCore(image, opts.format ?? WIDE);
  if (opts.trace) core.trace = opts.trace;
  const q = (f: Float64Array) => f.map((v) => fromSignal(toSignal(v)));
  const inputs = sampleFrames(opts.inputs ?? sines(g.nStimulusInputs, opts.inputSeed ?? 2), 1, frames).map(q);
  const targets = opts.targets ? sampleFrames(targetSines(g.outputs.length), 1, frames).map(q) : null;
  const sim = new DigitalSimulator(g, { dtMs: 0.1, method: 'implicit', iterations: K, relaxation: 2 ** -image.relaxShift, learn: opts.learn, init: 'rest' });
  const drive = new SignalDrive(frameSignal(inputs, 1), targets ? frameSignal(targets, 1) : null);
  const neurons = opts.neurons ?? Array.from({ length: g.nNeurons }, (_, i) => i);
  let maxErr = 0;
  let maxU = 0;
  for (let k = 0; k < frames; k++) {
    if (targets) core.setTargets(Array.from(targets[k]!, toSignal));
    const out = core.frame(Array.from(inputs[k]!, toSignal), opts.learn, 8);
    for (let s = 0; s < image.stepsPerFrame; s++) sim.step(drive);
    for (const i of neurons) {
      maxErr = Math.max(maxErr, Math.abs(fromSignal(out[i]!) - sim.state.u[i]!));
      maxU = Math.max(maxU, Math.abs(sim.state.u[i]!));
    }
  }
  let maxW = 0;
  const W = sim.weights();
  core.weights.forEach((w, k) => w.forEach((v, i) => (maxW = Math.max(maxW, Math.abs(v / 2 ** 28 - W[k]![i]!)))));
  return { maxErr, maxU, maxW, saturations: core.saturations };
}

