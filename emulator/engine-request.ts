import type { NumericalError } from '../core/errors.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import type { EngineFailure, RunRequest } from './engine.js';

/**
 * What the simulators (digital, analog) take from an engine's RunRequest: the same fields, optional ones
 * only when set, and numerical failures handed back as values.
 */
export function simulatorRequest(req: RunRequest) {
  return {
    durationMs: req.durationMs,
    drive: req.drive,
    probes: req.probes,
    ...(req.sampleEveryMs !== undefined ? { sampleEveryMs: req.sampleEveryMs } : {}),
    ...(req.weightsEveryMs !== undefined ? { weightsEveryMs: req.weightsEveryMs } : {}),
    ...(req.onProgress ? { onProgress: (f: number, t: number) => req.onProgress!(f, t) } : {}),
    ...(req.onTraces ? { onTraces: req.onTraces } : {}),
    ...(req.progressEveryMs !== undefined ? { progressEveryMs: req.progressEveryMs } : {}),
    onFailure: 'return' as const,
  };
}

/** A NumericalError as the contract's failure value. */
export function failureOf(e: NumericalError | null): EngineFailure | null {
  return e ? { what: e.what, timeMs: e.timeMs, ...(e.neuron ? { where: e.neuron } : {}), ...(e.hint ? { hint: e.hint } : {}) } : null;
}

/** Weights per projection name, in the graph's order. */
export function weightsByName(g: NlaGraph, perProjection: ArrayLike<number>[]): Map<string, Float64Array> {
  return new Map(perProjection.map((W, k) => [g.projections[k]!.name, Float64Array.from(W)]));
}
