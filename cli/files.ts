import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NUMPY_DEFAULT_MAX_HEADER_BYTES, npyHeaderBytes } from '../core/npy.js';
import type { TraceTable } from '../emulator/probes/recorder.js';

/** Writes a file, creating its folder; returns the path for messages. */
export function writeOutput(path: string, text: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Writes a trace table: `.npy` (a NumPy structured array, one float64 field a column) or else CSV. */
export function writeTraces(path: string, table: TraceTable): string {
  if (!path.toLowerCase().endsWith('.npy')) return writeOutput(path, table.toCsv());
  const bytes = table.toNpy();
  const header = npyHeaderBytes(bytes);
  if (header > NUMPY_DEFAULT_MAX_HEADER_BYTES) {
    process.stderr.write(`note: ${path} names ${table.names.length + 1} fields in a ${header}-byte header, above numpy's default limit: load it with np.load('${path}', max_header_size=${header})\n`);
  }
  return writeOutput(path, bytes);
}
