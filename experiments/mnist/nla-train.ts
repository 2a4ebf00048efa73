import type { NlaGraph } from '../../compiler/graph/graph.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import type { DigitalOptions } from '../../emulator/digital/options.js';
import type { ImageSet } from './dataset.js';
import { PresentationDrive } from './presentation-drive.js';

/** How an NLA network is simulated while images are presented. */
export interface PresentationSetting {
  dtMs: number;
  presentationMs: number;
  /** Engine options beyond dt and learning (lookahead, method, …). */
  engine?: Omit<DigitalOptions, 'dtMs' | 'learn'>;
}

/** Steps per presentation (the presentation time must be a whole number of steps). */
export function stepsPerPresentation(s: PresentationSetting): number {
  const n = Math.round(s.presentationMs / s.dtMs);
  if (Math.abs(n * s.dtMs - s.presentationMs) > 1e-9 * s.presentationMs || n < 1) throw new RangeError(`presentation ${s.presentationMs} ms is not a whole number of dt = ${s.dtMs} ms steps`);
  return n;
}

/** τ_in of the image input population (the targets are filtered with it too). */
function stimulusTauIn(graph: NlaGraph): number {
  return graph.inputs.find((p) => p.constantRate === null)!.tauInMs;
}

/**
 * Trains with plasticity on while the images `order` are presented one after another with their
 * one-hot targets (input and label switch together, the targets follow the label through the input's low-pass; plasticity never pauses). `checkpoint(k, sim)` is
 * called before the first presentation (k = 0) and after each presentation count listed in `at`.
 * Returns the simulator (its weights are the trained ones) and the steps per second achieved.
 */
export function trainNla(
  graph: NlaGraph,
  s: PresentationSetting,
  set: ImageSet,
  order: Int32Array,
  at: number[],
  checkpoint: (k: number, sim: DigitalSimulator) => void,
  progress: (fraction: number) => void,
): { sim: DigitalSimulator; stepsPerSecond: number } {
  const sim = new DigitalSimulator(graph, { ...s.engine, dtMs: s.dtMs, learn: true });
  const drive = new PresentationDrive(set, order, s.presentationMs, true, stimulusTauIn(graph));
  const n = stepsPerPresentation(s);
  const marks = new Set(at);
  checkpoint(0, sim);
  const t0 = performance.now();
  for (let k = 0; k < order.length; k++) {
    for (let j = 0; j < n; j++) sim.step(drive);
    if (marks.has(k + 1)) checkpoint(k + 1, sim);
    if ((k & 15) === 15) progress((k + 1) / order.length);
  }
  const wallS = (performance.now() - t0) / 1000;
  return { sim, stepsPerSecond: (order.length * n) / Math.max(wallS, 1e-9) };
}

/**
 * Test error as the network experiences it: plasticity off, no nudging, the test images presented one
 * after another for the same presentation time, each read out as the argmax of the output voltages at
 * the end of its presentation (so a network that lags behind its input is read while it still lags).
 */
export function testAsPresented(
  graph: NlaGraph,
  weights: Float64Array[],
  s: PresentationSetting,
  set: ImageSet,
  indices: Int32Array,
  progress: (fraction: number) => void,
): number {
  const sim = new DigitalSimulator(graph, { ...s.engine, dtMs: s.dtMs, learn: false });
  const mine = sim.weights();
  weights.forEach((w, k) => mine[k]!.set(w));
  const drive = new PresentationDrive(set, indices, s.presentationMs, false, stimulusTauIn(graph));
  const n = stepsPerPresentation(s);
  const outs = graph.outputs;
  let wrong = 0;
  for (let k = 0; k < indices.length; k++) {
    for (let j = 0; j < n; j++) sim.step(drive);
    const u = sim.state.u;
    let best = 0;
    for (let o = 1; o < outs.length; o++) if (u[outs[o]!]! > u[outs[best]!]!) best = o;
    if (best !== set.labels[indices[k]!]) wrong++;
    if ((k & 63) === 63) progress((k + 1) / indices.length);
  }
  return wrong / Math.max(1, indices.length);
}
