/** Decades shown below the largest value on a log axis unless a plot sets its own floor. */
export const LOG_DECADES = 6;

/**
 * The floor of a log axis: the largest positive finite value / 10^LOG_DECADES, or `floor` when a plot gives
 * its own (the data's meaningful floor, e.g. a solver tolerance). Values at or below it (zeros included) are
 * drawn at the floor, so that one exact zero does not stretch the axis over hundreds of decades. NaN when no
 * value is positive (nothing to draw on a log axis).
 */
export function logFloor(values: Iterable<ArrayLike<number>>, floor?: number): number {
  if (floor !== undefined) {
    if (!(floor > 0) || !Number.isFinite(floor)) throw new RangeError(`logFloor: expected a positive finite floor, got ${floor}`);
    return floor;
  }
  let max = 0;
  for (const ys of values) {
    for (let i = 0; i < ys.length; i++) {
      const v = ys[i]!;
      if (Number.isFinite(v) && v > max) max = v;
    }
  }
  return max > 0 ? max / 10 ** LOG_DECADES : NaN;
}

/** A value for a log axis: at least the floor; NaN (a gap) stays NaN. */
export function atLeastFloor(v: number, floor: number): number {
  return Number.isNaN(v) ? v : Math.max(v, floor);
}

/** Whether any finite value lies below the floor (then the plot states that they are drawn at the floor). */
export function anyBelowFloor(values: Iterable<ArrayLike<number>>, floor: number): boolean {
  for (const ys of values) for (let i = 0; i < ys.length; i++) if (ys[i]! < floor) return true;
  return false;
}
