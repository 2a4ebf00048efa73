import type { NumericTable } from '../../core/csv.js';
import { InputError } from '../../core/errors.js';
import type { Signal } from './signal.js';

/** How a table of samples is read between its rows: held (`step`) or linearly interpolated. */
export type Interpolation = 'step' | 'linear';

/**
 * A signal sampled at given times (a CSV table with a `t` column in ms). `step` holds each row's value
 * until the next row (a piecewise-constant signal with jumps at the row times); `linear` interpolates
 * between rows (continuous, with a piecewise-constant slope). Before the first row the first value holds,
 * after the last row the last value holds. NaN cells mean "no value" (targets only).
 */
export class TableSignal implements Signal {
  readonly channels: number;
  private cursor = 0;

  constructor(
    readonly times: Float64Array,
    readonly columns: Float64Array[],
    readonly interpolation: Interpolation,
    readonly names: string[] = columns.map((_, i) => `c${i}`),
  ) {
    this.channels = columns.length;
  }

  /** Builds from a parsed CSV: column `t` (ms), then channels in order. `file` names the source in errors. */
  static fromTable(table: NumericTable, interpolation: Interpolation, file?: string): TableSignal {
    const tIdx = table.header.indexOf('t');
    if (tIdx !== 0) throw new InputError(`expected the first column to be 't' (time in ms), got '${table.header[0]}'`, file, 1);
    if (table.rows === 0) throw new InputError('expected at least one data row', file);
    const times = table.columns[0]!;
    for (let r = 0; r < times.length; r++) {
      if (Number.isNaN(times[r]!)) throw new InputError('expected a time, got an empty cell', file, table.lines[r], "'t'");
      if (r > 0 && !(times[r]! > times[r - 1]!)) {
        throw new InputError(`times must increase: t = ${times[r]} follows t = ${times[r - 1]}`, file, table.lines[r], "'t'");
      }
    }
    return new TableSignal(times, table.columns.slice(1), interpolation, table.header.slice(1));
  }

  /** Index k of the last row with times[k] ≤ t (−1 before the first row); cached for sequential access. */
  private locate(t: number): number {
    const ts = this.times;
    let k = this.cursor;
    if (k >= ts.length || (k >= 0 && ts[k]! > t)) k = -1;
    while (k + 1 < ts.length && ts[k + 1]! <= t) k++;
    this.cursor = Math.max(k, 0);
    return k;
  }

  value(tMs: number, out: Float64Array, offset: number): void {
    const k = this.locate(tMs);
    const n = this.times.length;
    for (let c = 0; c < this.channels; c++) {
      const col = this.columns[c]!;
      if (k < 0) out[offset + c] = col[0]!;
      // a missing value (NaN) at either end of an interval holds the left value: a target switches on or
      // off at the row where it appears or disappears (an event), never earlier
      else if (k >= n - 1 || this.interpolation === 'step' || Number.isNaN(col[k]!) || Number.isNaN(col[k + 1]!)) out[offset + c] = col[k]!;
      else {
        const a = (tMs - this.times[k]!) / (this.times[k + 1]! - this.times[k]!);
        out[offset + c] = col[k]! + a * (col[k + 1]! - col[k]!);
      }
    }
  }

  slope(tMs: number, out: Float64Array, offset: number): void {
    const k = this.locate(tMs);
    const n = this.times.length;
    for (let c = 0; c < this.channels; c++) {
      const col = this.columns[c]!;
      if (this.interpolation === 'step' || k < 0 || k >= n - 1 || Number.isNaN(col[k]!) || Number.isNaN(col[k + 1]!)) out[offset + c] = 0;
      else out[offset + c] = (col[k + 1]! - col[k]!) / (this.times[k + 1]! - this.times[k]!);
    }
  }

  jumps(t0: number, t1: number): boolean {
    if (this.interpolation !== 'step') return this.nanEdges(t0, t1);
    const ts = this.times;
    for (let k = 1; k < ts.length; k++) {
      if (ts[k]! > t0 && ts[k]! <= t1) {
        for (const col of this.columns) if (!Object.is(col[k], col[k - 1]) && !(Number.isNaN(col[k]!) && Number.isNaN(col[k - 1]!))) return true;
      }
    }
    return false;
  }

  breakpoints(t0: number, t1: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.times.length; k++) if (this.times[k]! > t0 && this.times[k]! <= t1) out.push(this.times[k]!);
    return out;
  }

  /** With linear interpolation, a target switching between a value and "none" is still a discontinuity. */
  private nanEdges(t0: number, t1: number): boolean {
    const ts = this.times;
    for (let k = 1; k < ts.length; k++) {
      if (ts[k]! > t0 && ts[k]! <= t1) for (const col of this.columns) if (Number.isNaN(col[k]!) !== Number.isNaN(col[k - 1]!)) return true;
    }
    return false;
  }
}
