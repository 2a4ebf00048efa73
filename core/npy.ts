/**
 * NumPy's `.npy` format (numpy.lib.format, versions 1.0–3.0): a magic string, the version, the header's length,
 * a Python-literal dict (`descr`, `fortran_order`, `shape`) padded with spaces to a multiple of 64 bytes and
 * ending in a newline, then the data in C order. This module writes little-endian float64 tables as a structured
 * array, one named field a column (`np.load(path)['t']`), and reads back what it writes.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A table of float64 columns, all the same length, named. */
export interface NamedColumns {
  names: string[];
  columns: ArrayLike<number>[];
}

/** A Python string literal for `s` (single quotes; backslashes and quotes escaped). */
function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The `.npy` bytes of a structured array with one little-endian float64 field per column, in order, and one
 * record per row. Version 1.0 when the header fits 65,535 bytes, 2.0 beyond, 3.0 when a name is not ASCII.
 */
export function encodeNpyRecords(t: NamedColumns): Uint8Array {
  const rows = t.columns.length ? t.columns[0]!.length : 0;
  t.columns.forEach((c, i) => {
    if (c.length !== rows) throw new RangeError(`column '${t.names[i]}' has ${c.length} rows, the first has ${rows}`);
  });
  const seen = new Set<string>();
  for (const n of t.names) {
    if (n === '' || seen.has(n)) throw new RangeError(`field name '${n}' is empty or repeated`);
    seen.add(n);
  }
  const descr = `[${t.names.map((n) => `(${pyString(n)}, '<f8')`).join(', ')}${t.names.length === 1 ? ',' : ''}]`;
  const header = `{'descr': ${descr}, 'fortran_order': False, 'shape': (${rows},), }`;
  const head = npyHeader(header);
  const cols = t.columns.length;
  const out = new Uint8Array(head.length + rows * cols * 8);
  out.set(head);
  const view = new DataView(out.buffer, head.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) view.setFloat64((r * cols + c) * 8, t.columns[c]![r]!, true);
  }
  return out;
}

/** Magic, version, length and the padded header dict. */
function npyHeader(dict: string): Uint8Array {
  const utf8 = /[^\x00-\x7f]/.test(dict);
  const body = new TextEncoder().encode(dict);
  const wide = utf8 || body.length + 1 + 10 > 0xffff;
  const prefix = wide ? 12 : 10;
  const total = Math.ceil((prefix + body.length + 1) / 64) * 64;
  const len = total - prefix;
  const out = new Uint8Array(total).fill(0x20);
  out.set(MAGIC, 0);
  out[6] = utf8 ? 3 : wide ? 2 : 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (wide) view.setUint32(8, len, true);
  else view.setUint16(8, len, true);
  out.set(body, prefix);
  out[total - 1] = 0x0a;
  return out;
}

/** numpy.load's default limit on the header (numpy ≥ 1.24): a longer one needs `max_header_size`. */
export const NUMPY_DEFAULT_MAX_HEADER_BYTES = 10_000;

/** The header's length in bytes as the file states it (what numpy.load compares with `max_header_size`). */
export function npyHeaderBytes(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bytes[6] === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
}

/** What `decodeNpyRecords` read: the header dict's text and the named columns. */
export interface DecodedNpy extends NamedColumns {
  header: string;
  columns: Float64Array[];
}

/**
 * Reads a structured float64 `.npy` as `encodeNpyRecords` writes it (little-endian `<f8` fields, C order, 1-D
 * shape); anything else is refused with what differs.
 */
export function decodeNpyRecords(bytes: Uint8Array): DecodedNpy {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new RangeError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + len)).trim();
  if (!/'fortran_order': False/.test(header)) throw new RangeError(`only C-order arrays are read: ${header}`);
  const shape = /'shape': \((\d+),\)/.exec(header);
  if (!shape) throw new RangeError(`expected a 1-D shape: ${header}`);
  // a field is ('name', '<f8') or, when the name holds a single quote, ("name", '<f8') as Python's repr writes it
  const fields = [...header.matchAll(/\((?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"), '([^']*)'\)/g)];
  const bad = fields.find((f) => f[3] !== '<f8');
  if (!fields.length || bad) throw new RangeError(`expected '<f8' fields: ${header}`);
  const names = fields.map((f) => (f[1] ?? f[2]!).replace(/\\(.)/g, '$1'));
  const rows = Number(shape[1]);
  const data = new DataView(bytes.buffer, bytes.byteOffset + prefix + len, bytes.byteLength - prefix - len);
  if (data.byteLength !== rows * names.length * 8) throw new RangeError(`expected ${rows * names.length * 8} data bytes, found ${data.byteLength}`);
  const columns = names.map((_, c) => Float64Array.from({ length: rows }, (_, r) => data.getFloat64((r * names.length + c) * 8, true)));
  return { header, names, columns };
}
