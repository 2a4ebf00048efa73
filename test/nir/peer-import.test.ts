import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../compiler/spec/validate.js';
import { ensureBuilt, nla } from '../cli/run-nla.js';
import { runPython } from '../python.js';
import { PEER_WRITER } from './peer-writer.js';

/**
 * NIR files written by h5py (not by this toolkit) in NIR's published layout import as the expected NLA
 * network, and the imported network simulates to the steady state computed independently in numpy.
 */
const dir = mkdtempSync(join(tmpdir(), 'nla-nir-peer-'));

/** Writes a peer file with h5py; `graph` is Python that defines nodes, edges and `expect` (a dict dumped as JSON). */
function peerFile(name: string, graph: string): { file: string; expected: any } {
  const file = join(dir, name);
  const out = runPython(`${PEER_WRITER}\n${graph}\nwrite_nir(sys.argv[1], nodes, edges)\nprint(json.dumps(expect))`, [file]);
  return { file, expected: JSON.parse(out) };
}

function lastRow(csv: string): Record<string, number> {
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const row = lines[lines.length - 1]!.split(',').map(Number);
  return Object.fromEntries(head.map((h, i) => [h, row[i]!]));
}

beforeAll(() => ensureBuilt());

describe('a peer NIR graph Input → Affine → LI → Output (float32, as snnTorch and Norse write it)', () => {
  let peer: { file: string; expected: any };
  beforeAll(() => {
    peer = peerFile(
      'affine-li.nir',
      String.raw`
rng = np.random.default_rng(3)
W = rng.normal(0, 0.5, (3, 4)).astype(np.float32)
b = rng.normal(0, 0.2, 3).astype(np.float32)
tau = np.full(3, 0.02, dtype=np.float32)      # seconds: 20 ms
nodes = {
  'x': {'type': 'Input', 'shape': np.array([4]), **types([4], [4])},
  'fc': {'type': 'Affine', 'weight': W, 'bias': b, **types([4], [3])},
  'li': {'type': 'LI', 'tau': tau, 'r': np.ones(3, dtype=np.float32), 'v_leak': np.zeros(3, dtype=np.float32), **types([3], [3])},
  'y': {'type': 'Output', 'shape': np.array([3]), **types([3], [3])},
}
edges = [('x', 'fc'), ('fc', 'li'), ('li', 'y')]
x = np.array([0.2, 0.5, 0.1, 0.9])
W64 = np.array([[float(str(v)) for v in row] for row in W])   # float32 as its shortest decimal
b64 = np.array([float(str(v)) for v in b])
expect = {'W': W64.tolist(), 'b': b64.tolist(), 'x': x.tolist(), 'u': (W64 @ x + b64).tolist()}
`,
    );
  });

  it('imports as in → li (output, τ = 20 ms, linear rate, bias) with the weights and the assumptions printed', () => {
    const specPath = join(dir, 'affine-li.json');
    const r = nla(['nir', 'import', peer.file, '--out', specPath]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('no NLA extension');
    expect(r.out).toContain("rate ρ(u) = u ('linear')");
    expect(r.out).toContain('input low-pass τ_in = 10 ms');
    expect(r.out).toContain("Output node 'y' makes 'li' an output population");
    expect(r.out).toContain('float32 values are taken as the shortest decimal');
    const spec = validateSpec(JSON.parse(readFileSync(specPath, 'utf8')));
    expect(spec.inputs).toEqual([{ name: 'x', size: 4, tauInMs: 10 }]);
    expect(spec.neurons).toHaveLength(1);
    const li = spec.neurons[0]!;
    expect(li).toMatchObject({ name: 'li', kind: 'output', size: 3, tauMs: 20, activation: { kind: 'linear' } });
    expect(li.bias?.values).toEqual(peer.expected.b);
    expect(spec.projections).toHaveLength(1);
    expect(spec.projections[0]).toMatchObject({ name: 'fc', from: 'x', to: 'li', weights: peer.expected.W });
  });

  it('the imported network simulates to u = W x + b (numpy)', () => {
    const specPath = join(dir, 'affine-li.json');
    const input = join(dir, 'affine-li-input.csv');
    writeFileSync(input, `t,${peer.expected.x.map((_: number, i: number) => `x${i}`).join(',')}\n0,${peer.expected.x.join(',')}\n`);
    const traces = join(dir, 'affine-li-traces.csv');
    const r = nla(['simulate', specPath, '--duration', '400ms', '--input', input, '--out', traces, '--quiet']);
    expect(r.err).toBe('');
    const row = lastRow(traces);
    peer.expected.u.forEach((u: number, i: number) => expect(row[`u:li[${i}]`]).toBeCloseTo(u, 6));
  });
});

describe('a peer NIR graph with a recurrent edge: Input → Linear → LI ⟲ Linear, LI → Linear → LI → Output', () => {
  let peer: { file: string; expected: any };
  beforeAll(() => {
    peer = peerFile(
      'recurrent.nir',
      String.raw`
rng = np.random.default_rng(5)
Win = rng.normal(0, 0.5, (4, 2))
Wrec = rng.normal(0, 0.15, (4, 4))
Wout = rng.normal(0, 0.5, (2, 4))
li = lambda n, tau: {'type': 'LI', 'tau': np.full(n, tau), 'r': np.ones(n), 'v_leak': np.zeros(n), **types([n], [n])}
nodes = {
  'in': {'type': 'Input', 'shape': np.array([2]), **types([2], [2])},
  'w_in': {'type': 'Linear', 'weight': Win, **types([2], [4])},
  'h': li(4, 0.01),
  'w_rec': {'type': 'Linear', 'weight': Wrec, **types([4], [4])},
  'w_out': {'type': 'Linear', 'weight': Wout, **types([4], [2])},
  'o': li(2, 0.005),
  'out': {'type': 'Output', 'shape': np.array([2]), **types([2], [2])},
}
edges = [('in', 'w_in'), ('w_in', 'h'), ('h', 'w_rec'), ('w_rec', 'h'), ('h', 'w_out'), ('w_out', 'o'), ('o', 'out')]
x = np.array([0.6, -0.3])
uh = np.linalg.solve(np.eye(4) - Wrec, Win @ x)
expect = {'Win': Win.tolist(), 'Wrec': Wrec.tolist(), 'Wout': Wout.tolist(), 'x': x.tolist(), 'uh': uh.tolist(), 'uo': (Wout @ uh).tolist()}
`,
    );
  });

  it('imports with the recurrent projection h → h, τ in ms from seconds, float64 weights bit for bit', () => {
    const specPath = join(dir, 'recurrent.json');
    const r = nla(['nir', 'import', peer.file, '--out', specPath]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const spec = validateSpec(JSON.parse(readFileSync(specPath, 'utf8')));
    expect(spec.neurons.map((n) => [n.name, n.kind, n.tauMs, n.bias])).toEqual([
      ['h', 'hidden', 10, null],
      ['o', 'output', 5, null],
    ]);
    const byName = Object.fromEntries(spec.projections.map((p) => [p.name, p]));
    expect(byName.w_rec).toMatchObject({ from: 'h', to: 'h', weights: peer.expected.Wrec });
    expect(byName.w_in).toMatchObject({ from: 'in', to: 'h', weights: peer.expected.Win });
    expect(byName.w_out).toMatchObject({ from: 'h', to: 'o', weights: peer.expected.Wout });
  });

  it('simulates to u_h = (I − W_rec)⁻¹ W_in x and u_o = W_out u_h (numpy)', () => {
    const specPath = join(dir, 'recurrent.json');
    const input = join(dir, 'recurrent-input.csv');
    writeFileSync(input, `t,a,b\n0,${peer.expected.x.join(',')}\n`);
    const traces = join(dir, 'recurrent-traces.csv');
    const r = nla(['simulate', specPath, '--duration', '400ms', '--input', input, '--out', traces, '--probe', 'u', '--quiet']);
    expect(r.err).toBe('');
    const row = lastRow(traces);
    peer.expected.uh.forEach((u: number, i: number) => expect(row[`u:h[${i}]`]).toBeCloseTo(u, 6));
    peer.expected.uo.forEach((u: number, i: number) => expect(row[`u:o[${i}]`]).toBeCloseTo(u, 6));
  });
});

describe("a peer LI with r ≠ 1 and v_leak ≠ 0 (NIR: tau·v̇ = v_leak − v + r·I)", () => {
  it('imports as NLA weights r·W and bias v_leak + r·b (the same fixed point), with a note', async () => {
    const { importNirFile } = await import('../../compiler/nir/import.js');
    const peer = peerFile(
      'r-vleak.nir',
      String.raw`
W = np.array([[0.5, -0.25], [0.125, 1.0], [0.3, 0.7]])
b = np.array([0.1, 0.2, -0.3])
r = np.array([2.0, 0.5, 3.0])
vl = np.array([0.1, -0.4, 0.0])
nodes = {
  'x': {'type': 'Input', 'shape': np.array([2])},
  'fc': {'type': 'Affine', 'weight': W, 'bias': b},
  'li': {'type': 'LI', 'tau': np.full(3, 0.01), 'r': r, 'v_leak': vl},
  'y': {'type': 'Output', 'shape': np.array([3])},
}
edges = [('x', 'fc'), ('fc', 'li'), ('li', 'y')]
expect = {'W': (r[:, None] * W).tolist(), 'b': (vl + r * b).tolist()}
`,
    );
    const r = await importNirFile(peer.file);
    expect(r.notes.join('\n')).toContain("LI node 'li': r ≠ 1 or v_leak ≠ 0, folded");
    const spec = validateSpec(r.spec);
    expect(spec.projections[0]!.weights).toEqual(peer.expected.W);
    expect(spec.neurons[0]!.bias!.values).toEqual(peer.expected.b);
  });
});
