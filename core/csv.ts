import { InputError } from './errors.js';

/** A numeric table read from CSV: a header and one Float64Array per column. */
export interface NumericTable {
  header: string[];
  columns: Float64Array[];
  rows: number;
  /** File line (1-based) of each data row, for error messages. */
  lines: Int32Array;
}

export interface CsvReadOptions {
  /** File name used in error messages. */
  file?: string;
  /** Whether an empty cell is allowed (it reads as NaN, meaning "no value here"). Default false. */
  allowEmpty?: boolean;
  /** Whether the first line is a header. Default true. */
  header?: boolean;
}

/**
 * Parses CSV text of numbers. Lines starting with `#` and blank lines are skipped. Every row must have as
 * many cells as the header; every cell must be a finite number (or empty, where allowed). Errors name the
 * file, the line and the column.
 */
export function parseNumericCsv(text: string, options: CsvReadOptions = {}): NumericTable {
  const { file, allowEmpty = false, header: hasHeader = true } = options;
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const rowsData: number[][] = [];
  const lineOf: number[] = [];
  let width = -1;
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(',').map((c) => c.trim());
    if (hasHeader && header === null) {
      header = cells;
      width = cells.length;
      const seen = new Set<string>();
      cells.forEach((name, i) => {
        if (name === '') throw new InputError(`header cell ${i + 1} is empty`, file, ln + 1);
        if (seen.has(name)) throw new InputError(`column name '${name}' appears twice in the header`, file, ln + 1);
        seen.add(name);
      });
      continue;
    }
    if (width < 0) width = cells.length;
    if (cells.length !== width) {
      throw new InputError(`expected ${width} cells, got ${cells.length}`, file, ln + 1);
    }
    const row = new Array<number>(width);
    for (let c = 0; c < width; c++) {
      const cell = cells[c]!;
      const colName = header ? `'${header[c]}'` : String(c + 1);
      if (cell === '') {
        if (!allowEmpty) throw new InputError('expected a number, got an empty cell', file, ln + 1, colName);
        row[c] = NaN;
        continue;
      }
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new InputError(`expected a finite number, got '${cell}'`, file, ln + 1, colName);
      row[c] = v;
    }
    rowsData.push(row);
    lineOf.push(ln + 1);
  }
  if (width < 0) throw new InputError('the file holds no data', file);
  const columns = Array.from({ length: width }, (_, c) => Float64Array.from(rowsData, (r) => r[c]!));
  return {
    header: header ?? Array.from({ length: width }, (_, i) => `c${i}`),
    columns,
    rows: rowsData.length,
    lines: Int32Array.from(lineOf),
  };
}

/** Formats a number for CSV: shortest round-trip form. */
export function csvNumber(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}
