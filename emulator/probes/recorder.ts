import { csvNumber } from '../../core/csv.js';
import { encodeNpyRecords } from '../../core/npy.js';

/**
 * Accumulates sampled columns (time plus named channels) in growable Float64Arrays. Engines push one
 * row per sample time; writers read the finished table.
 */
export class TraceTable {
  readonly names: string[];
  private data: Float64Array[];
  private times: Float64Array;
  private n = 0;

  constructor(names: string[], capacity = 1024) {
    this.names = names;
    this.times = new Float64Array(capacity);
    this.data = names.map(() => new Float64Array(capacity));
  }

  get rows(): number {
    return this.n;
  }

  /** Appends a row: time in ms and one value per column (in `names` order). */
  push(tMs: number, values: ArrayLike<number>): void {
    if (this.n === this.times.length) this.grow();
    this.times[this.n] = tMs;
    for (let c = 0; c < this.data.length; c++) this.data[c]![this.n] = values[c]!;
    this.n++;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const g = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.times = g(this.times);
    this.data = this.data.map(g);
  }

  time(): Float64Array {
    return this.times.subarray(0, this.n);
  }

  column(name: string): Float64Array {
    const i = this.names.indexOf(name);
    if (i < 0) throw new RangeError(`no column '${name}' (have ${this.names.slice(0, 8).join(', ')}${this.names.length > 8 ? ', …' : ''})`);
    return this.data[i]!.subarray(0, this.n);
  }

  columnAt(i: number): Float64Array {
    return this.data[i]!.subarray(0, this.n);
  }

  /** CSV text: header `t,<names>`, times in ms. */
  toCsv(): string {
    const lines = [['t', ...this.names].join(',')];
    for (let r = 0; r < this.n; r++) {
      const cells = [csvNumber(this.times[r]!)];
      for (const col of this.data) cells.push(csvNumber(col[r]!));
      lines.push(cells.join(','));
    }
    return lines.join('\n') + '\n';
  }

  /** NumPy `.npy` bytes: a structured array with the fields `t` (ms) and every column, float64, one record a row. */
  toNpy(): Uint8Array {
    return encodeNpyRecords({ names: ['t', ...this.names], columns: [this.time(), ...this.data.map((_, i) => this.columnAt(i))] });
  }
}
