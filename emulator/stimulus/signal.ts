/**
 * A multichannel signal of time (ms): input rates or target voltages.
 *
 * Contract: `value` is right-continuous; `slope` is its derivative where it exists (per ms; 0 on
 * piecewise-constant stretches); `jumps(t0, t1)` tells whether any channel's value is discontinuous at a
 * time in (t0, t1]. NaN values are allowed in targets and mean "no target now".
 */
export interface Signal {
  readonly channels: number;
  value(tMs: number, out: Float64Array, offset: number): void;
  slope(tMs: number, out: Float64Array, offset: number): void;
  jumps(t0: number, t1: number): boolean;
  /** Times in (t0, t1] where the value or its slope is discontinuous, ascending. */
  breakpoints(t0: number, t1: number): number[];
}

/** A smooth signal from closures (for tests and programmatic use). `rate` defaults to 0. */
export class FunctionSignal implements Signal {
  constructor(
    readonly channels: number,
    private readonly f: (tMs: number, channel: number) => number,
    private readonly df?: (tMs: number, channel: number) => number,
  ) {}

  value(tMs: number, out: Float64Array, offset: number): void {
    for (let c = 0; c < this.channels; c++) out[offset + c] = this.f(tMs, c);
  }

  slope(tMs: number, out: Float64Array, offset: number): void {
    for (let c = 0; c < this.channels; c++) out[offset + c] = this.df ? this.df(tMs, c) : 0;
  }

  jumps(): boolean {
    return false;
  }

  breakpoints(): number[] {
    return [];
  }
}

/** Constant values (a step at t = 0 if the network starts at rest). */
export class ConstantSignal implements Signal {
  readonly channels: number;
  constructor(private readonly values: ArrayLike<number>) {
    this.channels = values.length;
  }
  value(_t: number, out: Float64Array, offset: number): void {
    for (let c = 0; c < this.channels; c++) out[offset + c] = this.values[c]!;
  }
  slope(_t: number, out: Float64Array, offset: number): void {
    out.fill(0, offset, offset + this.channels);
  }
  jumps(): boolean {
    return false;
  }

  breakpoints(): number[] {
    return [];
  }
}
