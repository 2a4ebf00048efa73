import { UsageError } from '../../core/errors.js';
import type { Drive } from '../drive.js';

/** A piecewise-linear source: times (model ms) and one value list per channel. */
export interface Pwl {
  times: Float64Array;
  channels: Float64Array[];
}

/** A step is a ramp this long in model ms (SPICE needs increasing PWL times). */
const STEP_RAMP_MS = 1e-6;
/** How far (units) a PWL segment's midpoint may be from the drive before the segment is split. */
const PWL_TOL_UNITS = 1e-6;

/**
 * The drive's inputs and targets over [0, durationMs] as SPICE piecewise-linear sources: a point at every
 * breakpoint of the drive (with its left limit STEP_RAMP_MS before it, so a step becomes a steep ramp),
 * and between breakpoints as many points as it takes for the straight line to stay within PWL_TOL_UNITS
 * of the drive at each segment's midpoint (segments no shorter than `minSegmentMs`). Table drives are
 * linear between their breakpoints, so their sources are exact with no extra point; a smooth function is
 * refined where it curves. Input impulses and targets that switch off (NaN) cannot be expressed as
 * sources: they are refused, never dropped.
 */
export function driveToPwl(drive: Drive, durationMs: number, minSegmentMs: number): { inputs: Pwl; targets: Pwl | null } {
  if (drive.impulses(-Infinity, durationMs, 0).length) throw new UsageError('the spice engine takes no input impulses (--events with kind delta): a delta has no SPICE source here; use a step or the analog engine');
  const times = pwlTimes(drive, durationMs, minSegmentMs);
  const inputs = sample(times, drive.inputChannels, (t, out) => drive.inputs(t, 0, out, 0));
  if (drive.targetChannels === 0) return { inputs, targets: null };
  const slope = new Float64Array(drive.targetChannels);
  const targets = sample(times, drive.targetChannels, (t, out) => drive.targets(t, 0, out, slope, 0));
  targets.channels.forEach((c, j) => {
    const k = c.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) throw new UsageError(`the spice engine needs a target for every output at every time; output ${j} has none at t = ${times[k]} ms (an empty cell)`);
  });
  return { inputs, targets };
}

function pwlTimes(drive: Drive, durationMs: number, minSegmentMs: number): Float64Array {
  const set = new Set<number>([0, durationMs]);
  for (const b of drive.breakpoints(0, durationMs)) {
    if (b - STEP_RAMP_MS > 0) set.add(b - STEP_RAMP_MS);
    set.add(b);
  }
  const corners = [...set].filter((t) => t <= durationMs).sort((a, b) => a - b);
  const values = driveValues(drive);
  const out: number[] = [0];
  for (let k = 1; k < corners.length; k++) refine(values, corners[k - 1]!, corners[k]!, minSegmentMs, out);
  return Float64Array.from(out);
}

/** Appends the points after `a` up to `b` that keep [a, b] within PWL_TOL_UNITS of the drive. */
function refine(values: (t: number) => Float64Array, a: number, b: number, minSegmentMs: number, out: number[]): void {
  const m = (a + b) / 2;
  if (b - a > STEP_RAMP_MS * 2 && b - a > minSegmentMs) {
    const va = values(a);
    const vb = values(b);
    const vm = values(m);
    if (vm.some((v, j) => Math.abs(v - (va[j]! + vb[j]!) / 2) > PWL_TOL_UNITS)) {
      refine(values, a, m, minSegmentMs, out);
      refine(values, m, b, minSegmentMs, out);
      return;
    }
  }
  out.push(b);
}

/** Inputs then finite targets at t (NaN targets read as 0: they are refused later). */
function driveValues(drive: Drive): (t: number) => Float64Array {
  const nI = drive.inputChannels;
  const v = new Float64Array(nI + drive.targetChannels);
  const slope = new Float64Array(drive.targetChannels);
  const tv = new Float64Array(drive.targetChannels);
  return (t) => {
    const out = new Float64Array(v.length);
    drive.inputs(t, 0, out, 0);
    if (drive.targetChannels) {
      drive.targets(t, 0, tv, slope, 0);
      tv.forEach((x, j) => (out[nI + j] = Number.isFinite(x) ? x : 0));
    }
    return out;
  };
}

function sample(times: Float64Array, channels: number, read: (t: number, out: Float64Array) => void): Pwl {
  const out = Array.from({ length: channels }, () => new Float64Array(times.length));
  const v = new Float64Array(channels);
  times.forEach((t, k) => {
    read(t, v);
    for (let j = 0; j < channels; j++) out[j]![k] = v[j]!;
  });
  return { times, channels: out };
}
