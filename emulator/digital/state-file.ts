import { InputError } from '../../core/errors.js';
import { readStateWeights } from '../../compiler/graph/state-weights.js';
import { numberMatrix } from '../../core/json-matrix.js';
import type { DigitalSimulator } from './simulator.js';

/**
 * The full state of a digital simulation as JSON (`nla-state/1`): time, per-sample voltages, their last
 * rate, filtered input rates, and every projection's weights (rows = postsynaptic neurons). Loading it
 * into a simulator of the same network continues the run exactly, or reuses trained weights.
 */
export const STATE_FORMAT = 'nla-state/1';

export interface StateFile {
  format: typeof STATE_FORMAT;
  network: string;
  seed: number;
  timeMs: number;
  batch: number;
  /** Per population: u and du/dt, one row per batch sample. */
  neurons: Record<string, { u: number[][]; udot: number[][] }>;
  /** Per input population: filtered rates r̄_in, one row per batch sample. */
  inputs: Record<string, { rbar: number[][] }>;
  /** Per projection: the weight matrix, rows = postsynaptic neurons. */
  weights: Record<string, number[][]>;
}

export function captureState(sim: DigitalSimulator): StateFile {
  const g = sim.graph;
  const { B, N, nIn } = sim.layout;
  const s = sim.state;
  const rows = (a: Float64Array, stride: number, off: number, size: number) =>
    Array.from({ length: B }, (_, b) => Array.from(a.subarray(b * stride + off, b * stride + off + size)));
  const neurons: StateFile['neurons'] = {};
  for (const p of g.neurons) neurons[p.name] = { u: rows(s.u, N, p.offset, p.size), udot: rows(s.udot, N, p.offset, p.size) };
  const inputs: StateFile['inputs'] = {};
  for (const p of g.inputs) if (p.constantRate === null) inputs[p.name] = { rbar: rows(s.rbarIn, nIn, p.offset, p.size) };
  const weights: StateFile['weights'] = {};
  sim.weights().forEach((W, k) => {
    const p = g.projections[k]!;
    weights[p.name] = Array.from({ length: p.rows }, (_, r) => Array.from(W.subarray(r * p.cols, (r + 1) * p.cols)));
  });
  return { format: STATE_FORMAT, network: g.name, seed: g.seed, timeMs: sim.tMs, batch: B, neurons, inputs, weights };
}

/**
 * Restores a state into a simulator of the same network. Every projection and population of the network
 * must be present with the right shape, and nothing unknown may be present: mismatches are errors that
 * name the field. With `weightsOnly`, voltages and time are left as they are (reuse a trained network).
 * A state of batch 1 can seed every sample of a larger batch.
 */
export function restoreState(sim: DigitalSimulator, raw: unknown, opts: { file?: string; weightsOnly?: boolean } = {}): void {
  const file = opts.file;
  const fail = (path: string, msg: string): never => {
    throw new InputError(`${path}: ${msg}`, file);
  };
  const st = raw as StateFile;
  if (!st || typeof st !== 'object') fail('(top)', 'expected a JSON object');
  if (st.format !== STATE_FORMAT) fail('format', `expected '${STATE_FORMAT}', got ${JSON.stringify(st.format)}`);
  const g = sim.graph;
  const { B, N, nIn } = sim.layout;
  for (const k of Object.keys(st)) {
    if (!['format', 'network', 'seed', 'timeMs', 'batch', 'neurons', 'inputs', 'weights'].includes(k)) fail(k, 'unknown field');
  }
  for (const name of Object.keys(st.neurons ?? {})) if (!g.neurons.some((p) => p.name === name)) fail(`neurons["${name}"]`, `no neuron population of that name in network '${g.name}'`);
  for (const name of Object.keys(st.inputs ?? {})) if (!g.inputs.some((p) => p.name === name && p.constantRate === null)) fail(`inputs["${name}"]`, `no input population of that name in network '${g.name}'`);
  if (typeof st.timeMs !== 'number' || !Number.isFinite(st.timeMs) || st.timeMs < 0) fail('timeMs', `expected a time ≥ 0 (ms), got ${JSON.stringify(st.timeMs)}`);
  const W = sim.weights();
  readStateWeights(g, raw, file).forEach((w, k) => W[k]!.set(w));
  if (opts.weightsOnly) return;
  const sb = st.batch;
  if (sb !== B && sb !== 1) fail('batch', `expected ${B} (or 1, copied to every sample), got ${sb}`);
  const perSample = (path: string, m: unknown, size: number) => numberMatrix(path, m, sb, size, fail);
  const s = sim.state;
  for (const p of g.neurons) {
    const e = st.neurons?.[p.name] ?? fail(`neurons["${p.name}"]`, 'missing');
    const u = perSample(`neurons["${p.name}"].u`, e.u, p.size);
    const ud = perSample(`neurons["${p.name}"].udot`, e.udot, p.size);
    for (let b = 0; b < B; b++) {
      s.u.set(u[sb === 1 ? 0 : b]!, b * N + p.offset);
      s.udot.set(ud[sb === 1 ? 0 : b]!, b * N + p.offset);
    }
  }
  for (const p of g.inputs) {
    if (p.constantRate !== null) continue;
    const e = st.inputs?.[p.name] ?? fail(`inputs["${p.name}"]`, 'missing');
    const r = perSample(`inputs["${p.name}"].rbar`, e.rbar, p.size);
    for (let b = 0; b < B; b++) s.rbarIn.set(r[sb === 1 ? 0 : b]!, b * nIn + p.offset);
  }
  sim.resumeAt(st.timeMs);
}
