import { readFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';

/** An IDX array of unsigned bytes (the MNIST file format): its shape and its data, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes (type code 0x08), the format of the MNIST files: a 4-byte magic
 * number 0x00 0x00 0x08 <number of dimensions>, one big-endian uint32 per dimension, then the data.
 * `expectDims` (e.g. [n, 28, 28] with n = -1 for "any") checks the shape. A bad file throws an
 * InputError naming the file, the byte offset and what was expected there.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectDims?: number[]): IdxArray {
  const fail = (offset: number, what: string): never => {
    throw new InputError(`byte ${offset}: ${what}`, file);
  };
  if (bytes.length < 4) fail(bytes.length, `expected a 4-byte IDX magic number, the file has only ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(bytes[0] !== 0 ? 0 : 1, `expected the IDX magic number 0x0000 08 nn, found 0x${hex(bytes.subarray(0, 4))}`);
  if (bytes[2] !== 0x08) fail(2, `expected the type code 0x08 (unsigned byte), found 0x${hex(bytes.subarray(2, 3))}`);
  const nDims = bytes[3]!;
  if (expectDims && nDims !== expectDims.length) fail(3, `expected ${expectDims.length} dimensions, found ${nDims}`);
  if (nDims === 0) fail(3, 'expected at least one dimension, found 0');
  const head = 4 + 4 * nDims;
  if (bytes.length < head) fail(bytes.length, `expected ${nDims} dimension sizes (header of ${head} bytes), the file ends after ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < nDims; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    const want = expectDims?.[k];
    if (want !== undefined && want >= 0 && d !== want) fail(4 + 4 * k, `expected dimension ${k} to be ${want}, found ${d}`);
    dims.push(d);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== head + size) {
    fail(Math.min(bytes.length, head + size), `expected ${size} data bytes (${dims.join(' × ')}) after the ${head}-byte header, i.e. a file of ${head + size} bytes; it has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(head) };
}

/** Reads and parses an IDX file (see parseIdx). */
export function readIdx(file: string, expectDims?: number[]): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(`cannot read the file (${(e as Error).message})`, file);
  }
  return parseIdx(bytes, file, expectDims);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
