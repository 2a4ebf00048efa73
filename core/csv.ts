import { InputError } from './errors.js';

/** A numeric table read from CSV: a header and one Float64Array per column. */
export interface NumericTable {
  header: string[];
  columns: Float64Array[];
  rows: number;
  /** File line (1-based) of each data row, for error messages. */
  lines: Int32Array;
}

/** How `parseNumericCsv` reads a file: its name for messages, whether empty cells and a header are expected. */
export interface CsvReadOptions {
  /** File name used in error messages. */
  file?: string;
  /** Whether an empty cell is allowed (it reads as NaN, meaning "no value here"). Default false. */
  allowEmpty?: boolean;
  /** Whether the first line is a header. Default true. */
  header?: boolean;
}

/** One line that holds cells: its 1-based number in the file and its trimmed text. */
interface CsvLine {
  ln: number;
  text: string;
}

/**
 * Parses CSV text of numbers. Lines starting with `#` and blank lines are skipped, except that a `# a,b,c`
 * comment right before the first data line stands for the header when the file has no other one (what
 * `numpy.savetxt(..., delimiter=',', header='a,b,c')` writes). Every row must have as many cells as the header;
 * every cell must be a finite number (or empty, where allowed). Files written the way Python tools write them by
 * default and this reader cannot take are refused with the call that writes them right: numbers separated by
 * spaces or semicolons (`numpy.savetxt` without `delimiter=','`) and an unnamed first column (a pandas index).
 * Errors name the file, the line and the column.
 */
export function parseNumericCsv(text: string, options: CsvReadOptions = {}): NumericTable {
  const { file, allowEmpty = false, header: hasHeader = true } = options;
  const { header, data } = splitHeader(cellLines(text), hasHeader, file);
  const width = header ? header.length : data.length ? cellsOf(data[0]!).length : -1;
  if (width < 0) throw new InputError('the file holds no data', file);
  const rowsData = data.map((line) => numericRow(line, width, header, allowEmpty, file));
  const columns = Array.from({ length: width }, (_, c) => Float64Array.from(rowsData, (r) => r[c]!));
  return {
    header: header ?? Array.from({ length: width }, (_, i) => `c${i}`),
    columns,
    rows: rowsData.length,
    lines: Int32Array.from(data, (l) => l.ln),
  };
}

/** The file's lines with content, comments kept (they may be numpy's header); a UTF-8 byte-order mark dropped. */
function cellLines(text: string): CsvLine[] {
  const out: CsvLine[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const t = raw.trim();
      if (t !== '') out.push({ ln: i + 1, text: t });
    });
  return out;
}

function cellsOf(line: CsvLine): string[] {
  return line.text.split(',').map((c) => c.trim());
}

const isNumber = (cell: string) => cell !== '' && Number.isFinite(Number(cell));

/** The header (checked) and the data lines, comments dropped. */
function splitHeader(lines: CsvLine[], hasHeader: boolean, file: string | undefined): { header: string[] | null; data: CsvLine[] } {
  const firstData = lines.findIndex((l) => !l.text.startsWith('#'));
  if (firstData < 0) return { header: null, data: [] };
  const data = lines.slice(firstData + 1).filter((l) => !l.text.startsWith('#'));
  const first = lines[firstData]!;
  refuseOtherDelimiters(first, file);
  if (!hasHeader) return { header: null, data: [first, ...data] };
  const cells = cellsOf(first);
  if (cells.every(isNumber)) {
    const comment = firstData > 0 ? lines[firstData - 1]! : null;
    const numpyHeader = comment ? comment.text.replace(/^#+/, '').split(',').map((c) => c.trim()) : null;
    if (numpyHeader && numpyHeader.length === cells.length && !numpyHeader.every(isNumber)) {
      return { header: checkedHeader(numpyHeader, comment!.ln, file), data: [first, ...data] };
    }
    throw new InputError(
      `the first line holds numbers where the header (t and the column names) should be; numpy: np.savetxt(path, a, delimiter=',', header='t,...', comments='') writes it`,
      file,
      first.ln,
    );
  }
  return { header: checkedHeader(cells, first.ln, file), data };
}

/** Refuses a line whose cells are separated by whitespace or semicolons, saying how to write it with commas. */
function refuseOtherDelimiters(line: CsvLine, file: string | undefined): void {
  if (line.text.includes(',')) return;
  for (const [name, sep] of [
    ['spaces or tabs', /\s+/],
    ['semicolons', /;/],
  ] as const) {
    if (line.text.split(sep).length > 1) {
      throw new InputError(
        `the cells are separated by ${name}; this reader takes commas: numpy: np.savetxt(path, a, delimiter=','); pandas: df.to_csv(path, sep=',')`,
        file,
        line.ln,
      );
    }
  }
}

function checkedHeader(cells: string[], ln: number, file: string | undefined): string[] {
  if (cells[0] === '' && cells.length > 1) {
    throw new InputError(
      "the first column has no name: it is what pandas writes for the index; write df.to_csv(path, index=False), or name it 't' if the index is the time in ms (df.to_csv(path, index_label='t'))",
      file,
      ln,
    );
  }
  const seen = new Set<string>();
  cells.forEach((name, i) => {
    if (name === '') throw new InputError(`header cell ${i + 1} is empty`, file, ln);
    if (seen.has(name)) throw new InputError(`column name '${name}' appears twice in the header`, file, ln);
    seen.add(name);
  });
  return cells;
}

function numericRow(line: CsvLine, width: number, header: string[] | null, allowEmpty: boolean, file: string | undefined): number[] {
  const cells = cellsOf(line);
  if (cells.length !== width) throw new InputError(`expected ${width} cells, got ${cells.length}`, file, line.ln);
  const row = new Array<number>(width);
  for (let c = 0; c < width; c++) {
    const cell = cells[c]!;
    const colName = header ? `'${header[c]}'` : String(c + 1);
    if (cell === '') {
      if (!allowEmpty) throw new InputError('expected a number, got an empty cell', file, line.ln, colName);
      row[c] = NaN;
      continue;
    }
    const v = Number(cell);
    if (!Number.isFinite(v)) throw new InputError(`expected a finite number, got '${cell}'`, file, line.ln, colName);
    row[c] = v;
  }
  return row;
}

/** Formats a number for CSV: shortest round-trip form. */
export function csvNumber(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}
