import type H5wasm from 'h5wasm/node';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';

/**
 * An HDF5 file as a plain tree: groups become objects, datasets become `H5Data` leaves. The NIR reader and
 * writer work on this tree only; this file is the one place that touches h5wasm.
 */
export type H5Tree = { [name: string]: H5Tree | H5Data };

/** One dataset: its HDF5 type class, its shape ([] for a scalar) and its values flattened row-major. */
export interface H5Data {
  kind: 'dataset';
  /** 'float64', 'float32', 'int', 'string' or the h5wasm type string for anything else. */
  dtype: string;
  shape: number[];
  /** Numbers (floats and integers, as float64) or strings, row-major. */
  values: number[] | string[];
}

/** True for a dataset leaf, false for a group. */
export function isData(x: H5Tree | H5Data | undefined): x is H5Data {
  return !!x && (x as H5Data).kind === 'dataset';
}

/** h5wasm, loaded on first use (its WebAssembly costs ~0.1 s at start of every command otherwise). */
let h5wasm: typeof H5wasm;
let ready: Promise<unknown> | null = null;
async function module(): Promise<void> {
  ready ??= import('h5wasm/node').then(async (m) => {
    h5wasm = m.default;
    await h5wasm.ready;
  });
  await ready;
}

/** Reads a whole HDF5 file (every group and dataset) into a tree. */
export async function readH5(file: string): Promise<H5Tree> {
  if (!existsSync(file)) throw new InputError('no such file', file);
  if (!hasHdf5Signature(file)) throw new InputError('not an HDF5 file (no HDF5 signature): a NIR file is HDF5', file);
  await module();
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(file, 'r');
  } catch (e) {
    throw new InputError(`not an HDF5 file (${(e as Error).message})`, file);
  }
  try {
    return readGroup(f, file, '');
  } finally {
    f.close();
  }
}

/** HDF5's 8-byte signature at offset 0, 512, 1024, 2048, … (after a user block). */
function hasHdf5Signature(file: string): boolean {
  const sig = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      readSync(fd, buf, 0, 8, off);
      if (buf.equals(sig)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function readGroup(g: InstanceType<typeof h5wasm.Group>, file: string, path: string): H5Tree {
  const out: H5Tree = {};
  for (const key of g.keys()) {
    const child = g.get(key);
    if (child instanceof h5wasm.Group) out[key] = readGroup(child, file, `${path}/${key}`);
    else if (child instanceof h5wasm.Dataset) out[key] = readDataset(child);
    else throw new InputError(`${path}/${key}: neither a group nor a dataset`, file);
  }
  return out;
}

function readDataset(d: InstanceType<typeof h5wasm.Dataset>): H5Data {
  const meta = d.metadata;
  const shape = d.shape ?? [];
  const raw = d.value;
  const flat = flatten(raw);
  if (meta.type === 3 /* H5T_STRING */) return { kind: 'dataset', dtype: 'string', shape, values: flat.map(String) };
  const dtype = meta.type === 1 /* H5T_FLOAT */ ? (meta.size === 8 ? 'float64' : meta.size === 4 ? 'float32' : `float${meta.size * 8}`) : meta.type === 0 ? 'int' : String(d.dtype);
  const values = flat.map((v) => (typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : (v as number)));
  return { kind: 'dataset', dtype, shape, values };
}

function flatten(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return (raw as unknown[]).flatMap((x) => flatten(x));
  if (ArrayBuffer.isView(raw)) return Array.from(raw as unknown as ArrayLike<number | bigint>);
  return [raw];
}

/** Writes a tree as a new HDF5 file (replacing any file there): float64 numbers, int64 where dtype is 'int', UTF-8 strings. */
export async function writeH5(file: string, tree: H5Tree): Promise<void> {
  // HDF5 reports a file it cannot create on stderr and carries on: check the folder first, the file after
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`cannot write: folder ${dir} does not exist`, file);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`cannot write: folder ${dir} is not writable`, file);
  }
  await module();
  const f = new h5wasm.File(file, 'w');
  try {
    writeGroup(f, tree);
  } finally {
    f.close();
  }
  if (!existsSync(file) || !hasHdf5Signature(file)) throw new InputError('writing the HDF5 file failed', file);
}

function writeGroup(g: InstanceType<typeof h5wasm.Group>, tree: H5Tree): void {
  for (const [key, node] of Object.entries(tree)) {
    if (!isData(node)) {
      writeGroup(g.create_group(key), node);
      continue;
    }
    const shape = node.shape.length ? node.shape : null;
    if (node.dtype === 'string') {
      const data = node.shape.length ? (node.values as string[]) : (node.values[0] as string);
      g.create_dataset({ name: key, data, shape });
    } else if (node.dtype === 'int') {
      g.create_dataset({ name: key, data: BigInt64Array.from((node.values as number[]).map((v) => BigInt(v))), shape: node.shape });
    } else {
      g.create_dataset({ name: key, data: Float64Array.from(node.values as number[]), shape: node.shape });
    }
  }
}
