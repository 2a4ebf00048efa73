import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { exportNir } from '../../compiler/nir/export.js';
import { importNirFile } from '../../compiler/nir/import.js';
import { writeNirFile } from '../../compiler/nir/nir-file.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { ensureBuilt, nla } from '../cli/run-nla.js';
import { runPython } from '../python.js';

/**
 * A file our export writes, read by h5py (not by this toolkit) and checked field by field against NIR's
 * layout and against the spec: types, dtypes, shapes (out, in), tau in SECONDS, r = 1, v_leak = 0, the edges,
 * the extension as a metadata string. Then a peer's edit (h5py rescales a weight matrix) survives import.
 */
const dir = mkdtempSync(join(tmpdir(), 'nla-nir-h5py-'));

/** Python: checks the file in argv[1] against the expectations in the JSON file argv[2]; prints 'ok' or raises. */
const CHECK = String.raw`
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r'); e = json.load(open(sys.argv[2]))
assert f['version'][()].decode() .startswith('1.'), 'version'
g = f['node']
assert g['type'][()] == b'NIRGraph', 'graph type'
assert g['edges'].dtype.kind == 'O' and g['edges'].shape == (len(e['edges']), 2), ('edges shape', g['edges'].shape)
edges = sorted((a.decode(), b.decode()) for a, b in g['edges'][()])
assert edges == sorted(tuple(x) for x in e['edges']), ('edges', edges)
assert sorted(g['nodes'].keys()) == sorted(e['types'].keys()), ('nodes', list(g['nodes'].keys()))
for name, t in e['types'].items():
    n = g['nodes'][name]
    assert n['type'][()].decode() == t, (name, 'type', n['type'][()])
    if t in ('Input', 'Output'):
        assert n['shape'][()].tolist() == [e['sizes'][name]], (name, 'shape')
    if t == 'LI':
        for k in ('tau', 'r', 'v_leak'):
            assert n[k].dtype == np.float64 and n[k].shape == (e['sizes'][name],), (name, k, n[k].dtype, n[k].shape)
        assert np.all(n['tau'][()] == e['tauMs'][name] / 1000), (name, 'tau (s)', n['tau'][()])
        assert np.all(n['r'][()] == 1) and np.all(n['v_leak'][()] == 0), (name, 'r, v_leak')
    if t in ('Linear', 'Affine'):
        w = n['weight'][()]
        assert w.dtype == np.float64, (name, 'weight dtype')
        assert w.tolist() == e['weights'][name], (name, 'weight (out, in), bit for bit')
    if t == 'Affine':
        assert n['bias'][()].tolist() == e['bias'][name], (name, 'bias')
m = g['metadata']
assert m['nla_format'][()].decode() == 'nla-nir/1'
ext = json.loads(m['nla'][()].decode())
assert [p['name'] for p in ext['populations']] == e['order'], 'extension order'
print('ok')
`;

function expectations(specPath: string) {
  const spec = loadSpecFile(specPath);
  const g = buildGraph(spec);
  const w = (name: string) => {
    const p = g.projections.find((x) => x.name === name)!;
    return Array.from({ length: p.rows }, (_, i) => Array.from(p.weights.subarray(i * p.cols, (i + 1) * p.cols)));
  };
  const types: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  for (const p of spec.inputs) [types[p.name], sizes[p.name]] = ['Input', p.size];
  for (const n of spec.neurons) [types[n.name], sizes[n.name]] = ['LI', n.size];
  const carried = new Set(spec.neurons.filter((n) => n.bias).map((n) => spec.projections.find((p) => p.to === n.name)!.name));
  for (const p of spec.projections) types[p.name] = carried.has(p.name) ? 'Affine' : 'Linear';
  for (const n of spec.neurons.filter((x) => x.kind === 'output')) [types[`${n.name}.output`], sizes[`${n.name}.output`]] = ['Output', n.size];
  const bias: Record<string, number[]> = {};
  for (const p of spec.projections.filter((x) => carried.has(x.name))) bias[p.name] = Array.from(g.projections.find((x) => x.name === `bias->${p.to}`)!.weights);
  return {
    types,
    sizes,
    tauMs: Object.fromEntries(spec.neurons.map((n) => [n.name, n.tauMs])),
    weights: Object.fromEntries(spec.projections.map((p) => [p.name, w(p.name)])),
    bias,
    edges: [...spec.projections.flatMap((p) => [[p.from, p.name], [p.name, p.to]]), ...spec.neurons.filter((n) => n.kind === 'output').map((n) => [n.name, `${n.name}.output`])],
    order: [...spec.inputs, ...spec.neurons, ...spec.interneurons].map((p) => p.name),
  };
}

beforeAll(() => ensureBuilt());

describe('h5py reads what `nla nir export` writes, field by field', () => {
  it('the teacher example: Input, Affine ×2 (biases), LI ×2 with tau in seconds, Output, 5 edges', async () => {
    const file = join(dir, 'teacher.nir');
    const r = nla(['nir', 'export', 'examples/teacher/network.json', '--out', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const exp = join(dir, 'teacher.expect.json');
    (await import('node:fs')).writeFileSync(exp, JSON.stringify(expectations('examples/teacher/network.json')));
    expect(runPython(CHECK, [file, exp]).trim()).toBe('ok');
  });

  it("a peer's edit in h5py (weights halved after export) is imported, the rest of the spec kept, and noted", async () => {
    const spec = loadSpecFile('examples/teacher/network.json');
    const file = join(dir, 'edited.nir');
    await writeNirFile(file, exportNir(spec, {}));
    runPython(
      String.raw`
import sys, h5py
with h5py.File(sys.argv[1], 'r+') as f:
    w = f['node/nodes/hidden->out/weight']; w[...] = w[()] / 2
`,
      [file],
    );
    const r = await importNirFile(file);
    expect(r.notes).toEqual(["projection 'hidden->out': its weights are not the seed's draw any more (changed after export), written explicitly"]);
    const back = validateSpec(r.spec);
    const drawn = buildGraph(spec).projections.find((p) => p.name === 'hidden->out')!;
    expect(back.projections[1]!.weights!.flat()).toEqual(Array.from(drawn.weights).map((x) => x / 2));
    expect(back.projections[0]).toEqual(spec.projections[0]);
    expect(back.neurons).toEqual(spec.neurons);
  });
});

describe('CLI', () => {
  it('nir export → nir import gives the same validated spec; bad usage exits 2', () => {
    const file = join(dir, 'cli.nir');
    const out = join(dir, 'cli.json');
    expect(nla(['nir', 'export', 'examples/teacher/network.json', '--out', file]).code).toBe(0);
    const r = nla(['nir', 'import', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('NLA extension restored');
    expect(validateSpec(JSON.parse(readFileSync(out, 'utf8')))).toEqual(loadSpecFile('examples/teacher/network.json'));
    const noOut = nla(['nir', 'export', 'examples/teacher/network.json']);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out');
    const noDir = nla(['nir', 'export', 'examples/teacher/network.json', '--out', join(dir, 'no-such-folder', 'x.nir')]);
    expect(noDir.code).toBe(2);
    expect(noDir.err).toContain('no-such-folder');
    expect(noDir.err).not.toContain('HDF5-DIAG');
    const missing = nla(['nir', 'import', join(dir, 'nope.nir'), '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.nir');
  });
});
