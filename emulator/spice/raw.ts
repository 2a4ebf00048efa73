import { InputError } from '../../core/errors.js';

/** One plot of an ngspice raw file: the variables in file order and one column of values per variable. */
export interface RawPlot {
  /** Variable names, lower case (`time`, `v(u0)`), in file order. */
  names: string[];
  columns: Map<string, Float64Array>;
  points: number;
}

/**
 * Parses an ngspice raw file, ASCII (`Values:`) or binary (`Binary:`), strictly: the header must declare
 * `Flags: real`, `No. Variables`, `No. Points` and list exactly that many variables numbered 0, 1, …;
 * every point must hold exactly one value per variable; nothing may follow the last point. Anything
 * else throws an InputError naming the file, the point and the variable, so a file that does not line up
 * is never read as shifted values. ASCII points may be separated by blank lines (ngspice 39 writes one
 * after each point).
 */
export function parseRawFile(data: Uint8Array, file: string): RawPlot {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const src: RawSource = { data, file, text, lines: text.split('\n') };
  const { nVars, nPts } = readHeader(src);
  const { names, after } = readVariables(src, nVars);
  const marker = src.lines[after];
  const cols = names.map(() => new Float64Array(nPts));
  if (marker !== undefined && /^Binary:\s*$/.test(marker)) readBinaryValues(src, names, nPts, after, cols);
  else if (marker !== undefined && /^Values:\s*$/.test(marker)) readAsciiValues(src, names, nPts, after, cols);
  else fail(src, `expected 'Values:' or 'Binary:' after the ${nVars} variables, got '${(marker ?? '(end of file)').trim().slice(0, 60)}'`, after + 1);
  return { names, columns: new Map(names.map((n, i) => [n, cols[i]!])), points: nPts };
}

/** The file being parsed: its bytes, its text (latin1) and its lines. Read only. */
interface RawSource {
  data: Uint8Array;
  file: string;
  text: string;
  /** `text` split at '\n'. */
  lines: string[];
}

/** Throws the InputError of a raw file that does not line up, naming the file and, where known, the line. */
function fail(src: RawSource, msg: string, line?: number): never {
  throw new InputError(`ngspice raw file: ${msg}`, src.file, line);
}

/** The value of the header line `key: value` (first match) and its line number, or undefined. */
function headerField(text: string, key: string): { value: string; line: number } | undefined {
  const m = new RegExp(`^${key.replace(/\./g, '\\.')}:[ \\t]*(.*)$`, 'm').exec(text);
  if (!m || m.index === undefined) return undefined;
  return { value: (m[1] ?? '').trim(), line: lineOf(text, m.index) };
}

/** Checks `Flags: real` and reads the declared numbers of variables (≥ 1) and points (≥ 0). */
function readHeader(src: RawSource): { nVars: number; nPts: number } {
  const flags = headerField(src.text, 'Flags');
  if (!flags) fail(src, "no 'Flags:' line in the header (is this an ngspice raw file?)");
  else if (flags.value !== 'real') fail(src, `expected 'Flags: real' (a transient, padded), got 'Flags: ${flags.value}'`, flags.line);
  const count = (key: string, min: number): number => {
    const f = headerField(src.text, key);
    if (!f) return fail(src, `no '${key}:' line in the header`);
    if (!/^\d+$/.test(f.value) || Number(f.value) < min) return fail(src, `'${key}:' expected an integer ≥ ${min}, got '${f.value}'`, f.line);
    return Number(f.value);
  };
  return { nVars: count('No. Variables', 1), nPts: count('No. Points', 0) };
}

/**
 * The variable list: "\t<index>\t<name>\t<type>[\t<params>]", one per line, indices 0 … nVars − 1.
 * Returns the names (lower case) and the index of the line after the list (the `Values:`/`Binary:` marker).
 */
function readVariables(src: RawSource, nVars: number): { names: string[]; after: number } {
  const lines = src.lines;
  const vi = lines.findIndex((l) => /^Variables:/.test(l));
  if (vi < 0) fail(src, "no 'Variables:' line in the header");
  const names: string[] = [];
  for (let v = 0; v < nVars; v++) {
    const lineNo = vi + 2 + v;
    const l = lines[vi + 1 + v];
    const parts = l?.trim().split(/\s+/) ?? [];
    if (l === undefined || /^(Values|Binary):/.test(l) || parts.length < 3) fail(src, `the header declares ${nVars} variables but lists ${v} (line ${lineNo}: expected '<index> <name> <type>')`, lineNo);
    if (parts[0] !== String(v)) fail(src, `variable ${v}: expected index ${v}, got '${parts[0]}'`, lineNo);
    const name = (parts[1] ?? '').toLowerCase();
    if (names.includes(name)) fail(src, `variable ${v}: '${name}' is listed twice`, lineNo);
    names.push(name);
  }
  return { names, after: vi + 1 + nVars };
}

/** How an error names variable v: `v(u0) (variable 1 of 3)`. */
function varName(names: string[], v: number): string {
  return `${names[v]} (variable ${v} of ${names.length})`;
}

/** Binary values: nPts × nVars little-endian doubles right after the "Binary:\n" line (line `after`), written into `cols`. */
function readBinaryValues(src: RawSource, names: string[], nPts: number, after: number, cols: Float64Array[]): void {
  const nVars = names.length;
  const data = src.data;
  let offset = 0;
  for (let l = 0; l <= after; l++) offset += (src.lines[l] ?? '').length + 1;
  const bytes = data.byteLength - offset;
  const expected = nPts * nVars * 8;
  if (bytes !== expected) {
    const whole = Math.floor(bytes / 8);
    fail(src, `the header declares ${nPts} points × ${nVars} variables (${expected} bytes) but the file holds ${bytes} bytes of values: it ends in point ${Math.floor(whole / nVars)}, at ${varName(names, whole % nVars)}`);
  }
  const view = new DataView(data.buffer, data.byteOffset + offset, bytes);
  for (let p = 0; p < nPts; p++) {
    for (let v = 0; v < nVars; v++) {
      const x = view.getFloat64((p * nVars + v) * 8, true);
      if (!Number.isFinite(x)) fail(src, `point ${p}, ${varName(names, v)}: value ${x} is not finite`);
      cols[v]![p] = x;
    }
  }
}

/**
 * ASCII values after the "Values:" line (line `after`), into `cols`: each point is
 * "<index>\t<value of variable 0>" then one value per line for the others; blank lines between are skipped,
 * and nothing but blank lines may follow the last point.
 */
function readAsciiValues(src: RawSource, names: string[], nPts: number, after: number, cols: Float64Array[]): void {
  const { lines } = src;
  const nVars = names.length;
  let li = after + 1;
  const nextLine = (p: number, v: number): { parts: string[]; lineNo: number } => {
    while (li < lines.length && (lines[li] ?? '').trim() === '') li++;
    if (li >= lines.length) return fail(src, `the header declares ${nPts} points; the file ends in point ${p}, before ${varName(names, v)}`);
    const lineNo = li + 1;
    return { parts: (lines[li++] ?? '').trim().split(/\s+/), lineNo };
  };
  for (let p = 0; p < nPts; p++) {
    for (let v = 0; v < nVars; v++) {
      const { parts, lineNo } = nextLine(p, v);
      let token: string | undefined;
      if (v === 0) {
        if (parts.length !== 2 || parts[0] !== String(p)) fail(src, `point ${p}: expected '${p} <${names[0]}>' to start the point, got '${parts.join(' ')}' (a point with more or fewer than ${nVars} values?)`, lineNo);
        token = parts[1];
      } else {
        if (parts.length !== 1) fail(src, `point ${p}, ${varName(names, v)}: expected one value, got '${parts.join(' ')}' (the point holds fewer than ${nVars} values?)`, lineNo);
        token = parts[0];
      }
      const x = Number(token);
      if (token === undefined || token === '' || !Number.isFinite(x)) fail(src, `point ${p}, ${varName(names, v)}: expected a finite number, got '${token}'`, lineNo);
      cols[v]![p] = x;
    }
  }
  while (li < lines.length && (lines[li] ?? '').trim() === '') li++;
  if (li < lines.length) fail(src, `the header declares ${nPts} points but more follows the last one: '${(lines[li] ?? '').trim().slice(0, 60)}'`, li + 1);
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
