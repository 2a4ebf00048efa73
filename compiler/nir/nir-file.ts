import { readH5, writeH5 } from './h5-tree.js';
import type { NirGraph } from './nir-graph.js';
import { nirFromTree } from './nir-read.js';
import { nirToTree } from './nir-write.js';

/** Reads a NIR file (HDF5) into a graph; refusals name the file, the node and the field. */
export async function readNirFile(file: string): Promise<NirGraph> {
  return nirFromTree(await readH5(file), file);
}

/** Writes a graph as a NIR file (HDF5, NIR's layout), replacing any file there. */
export async function writeNirFile(file: string, g: NirGraph): Promise<void> {
  await writeH5(file, nirToTree(g));
}
