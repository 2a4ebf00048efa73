import type { Signal } from './signal.js';
import { TableSignal } from './table-signal.js';

/**
 * Input frames: a signal sampled at the start of each frame (t_k = k·frameMs) and held for the frame,
 * as a board receives it. `frameSignal` turns frames back into a piecewise-constant signal whose jumps
 * fall just before each frame start, so an engine stepping at t_k = k·S·dt sees frame k for the whole
 * frame regardless of rounding in its step times.
 */
export function sampleFrames(signal: Signal, frameMs: number, count: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const v = new Float64Array(signal.channels);
    signal.value(k * frameMs, v, 0);
    out.push(v);
  }
  return out;
}

export function frameSignal(frames: Float64Array[], frameMs: number, names?: string[]): TableSignal {
  const channels = frames[0]?.length ?? 0;
  const times = Float64Array.from(frames, (_, k) => (k === 0 ? 0 : (k - 1e-6) * frameMs));
  const columns = Array.from({ length: channels }, (_, c) => Float64Array.from(frames, (f) => f[c]!));
  return new TableSignal(times, columns, 'step', names);
}
