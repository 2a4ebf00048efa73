import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importNirFile } from '../../compiler/nir/import.js';
import { ensureBuilt, nla } from '../cli/run-nla.js';
import { runPython } from '../python.js';
import { PEER_WRITER } from './peer-writer.js';

/**
 * NIR graphs NLA cannot represent are refused with the node, its type or field, or the edge named: spiking
 * nodes, convolutions, edges to nowhere, shape mismatches, missing fields, non-HDF5 files. The CLI exits 2.
 */
const dir = mkdtempSync(join(tmpdir(), 'nla-nir-refuse-'));

/**
 * Writes, in one Python run, one file per variant of a valid Input → Linear → LI → Output graph; each
 * variant's Python `change` edits `nodes` and `edges` before writing.
 */
function writeVariants(variants: [string, string][]): void {
  runPython(
    `${PEER_WRITER}
for name, change in json.loads(sys.argv[2]):
    li = {'type': 'LI', 'tau': np.full(2, 0.01), 'r': np.ones(2), 'v_leak': np.zeros(2)}
    nodes = {'x': {'type': 'Input', 'shape': np.array([3])}, 'w': {'type': 'Linear', 'weight': np.ones((2, 3))}, 'h': li, 'y': {'type': 'Output', 'shape': np.array([2])}}
    edges = [('x', 'w'), ('w', 'h'), ('h', 'y')]
    exec(change)
    write_nir(sys.argv[1] + '/' + name + '.nir', nodes, edges)`,
    [dir, JSON.stringify(variants)],
  );
}

const variant = (name: string) => join(dir, `${name}.nir`);

const TYPED_SHAPE = "del nodes['x']['shape']; nodes['x']['input_type'] = {'input': np.array([3])}; del nodes['y']['shape']; nodes['y']['output_type'] = {'output': np.array([2])}";

const refusals: [string, string, string][] = [
  ['lif', "nodes['h'] = {'type': 'LIF', 'tau': np.full(2, 0.01), 'r': np.ones(2), 'v_leak': np.zeros(2), 'v_threshold': np.ones(2)}", "node 'h' (type LIF) cannot be represented in NLA: it spikes"],
  ['threshold', "nodes['t'] = {'type': 'Threshold', 'threshold': np.ones(2)}; edges = [('x', 'w'), ('w', 'h'), ('h', 't'), ('t', 'y')]", "node 't' (type Threshold) cannot be represented in NLA"],
  ['conv', "nodes['c'] = {'type': 'Conv2d', 'weight': np.ones((1, 1, 3, 3))}", "node 'c' (type Conv2d) cannot be represented in NLA: NLA projections are dense"],
  ['unknown-type', "nodes['q'] = {'type': 'Quantum'}", "node 'q' (type Quantum) cannot be represented in NLA: unknown NIR node type"],
  ['edge-to-nowhere', "edges.append(('h', 'ghost'))", "edge 3 (h → ghost): no node named 'ghost'"],
  ['missing-node', "del nodes['w']", "no node named 'w'"],
  ['shape-mismatch', "nodes['w']['weight'] = np.ones((2, 4))", "node 'w' (Linear).weight: shape [2, 4] (out, in) does not match its source 'x' (3 values)"],
  ['transposed', "nodes['w']['weight'] = np.ones((3, 2))", "node 'w' (Linear).weight: shape [3, 2] (out, in) does not match its source 'x' (3 values)"],
  ['missing-field', "del nodes['h']['tau']", "node 'h' (LI): missing field 'tau'"],
  ['lost-edge', "edges.remove(('w', 'h'))", "node 'w' (Linear): expected exactly one outgoing edge, got 0"],
  ['tau-varies', "nodes['h']['tau'] = np.array([0.01, 0.02])", "node 'h' (LI).tau: differs across the population"],
  ['no-output', "del nodes['y']; edges.remove(('h', 'y'))", 'the graph has no Output node'],
  ['output-from-linear', "edges = [('x', 'w'), ('w', 'y')]; del nodes['h']", "edge w → y: a projection must feed an LI node, got Output"],
];

beforeAll(() => {
  ensureBuilt();
  writeVariants([...refusals.map(([n, c]): [string, string] => [n, c]), ['base', ''], ['typed-shape', TYPED_SHAPE]]);
});

describe('refusals name the node, its type or field, or the edge', () => {
  for (const [name, , message] of refusals) {
    it(name, async () => {
      const file = variant(name);
      await expect(importNirFile(file)).rejects.toThrow(message);
    });
  }

  it('the valid base graph imports (so each refusal comes from its one change)', async () => {
    const r = await importNirFile(variant('base'));
    expect(r.spec.populations.map((p) => p.name)).toEqual(['x', 'h']);
  });

  it("an Input and Output that give their shape only as input_type/output_type (NIR's type dicts) import", async () => {
    const r = await importNirFile(variant('typed-shape'));
    expect(r.spec.populations.map((p) => [p.name, p.size])).toEqual([
      ['x', 3],
      ['h', 2],
    ]);
  });

  it('a file that is not HDF5 is refused naming the file', async () => {
    const file = join(dir, 'text.nir');
    writeFileSync(file, 'not hdf5');
    await expect(importNirFile(file)).rejects.toThrow(/text\.nir: not an HDF5 file/);
  });

  it('the CLI exits 2 with the message', () => {
    const r = nla(['nir', 'import', variant('lif'), '--out', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("node 'h' (type LIF)");
  });
});
