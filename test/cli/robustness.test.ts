import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { ensureBuilt, nla as run, root } from './run-nla.js';

const ex = join(root, 'examples/teacher');
const nla = (...args: string[]) => run(args);
const io = ['--input', join(ex, 'input.csv'), '--interp', 'linear', '--target', join(ex, 'target.csv'), '--target-interp', 'linear'];
const tmp = () => mkdtempSync(join(tmpdir(), 'nla-robust-'));
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tMs: number; weights: Record<string, number[]> });

beforeAll(ensureBuilt);

describe('weight snapshots end with the final weights', () => {
  it('digital: a 200 ms run with --weights-every 200ms writes t = 0 and t = 200 ms, the last equal to the saved state', () => {
    const dir = tmp();
    const r = nla('simulate', join(ex, 'network.json'), '--duration', '200ms', '--dt', '0.1ms', '--learn', '--weights-out', join(dir, 'w.jsonl'), '--weights-every', '200ms', '--save-state', join(dir, 's.json'), ...io);
    expect(r.code, r.err).toBe(0);
    const snaps = lines(join(dir, 'w.jsonl'));
    expect(snaps.map((s) => s.tMs)).toEqual([0, 200]);
    const state = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { weights: Record<string, number[][]> };
    const last = snaps[1]!.weights;
    for (const [name, W] of Object.entries(state.weights)) expect(last[name]).toEqual(W.flat());
    // learning moved the weights between the two snapshots
    expect(snaps[1]!.weights['hidden->out']).not.toEqual(snaps[0]!.weights['hidden->out']);
  });

  it('analog: --weights-out writes snapshots on the interval and the final weights last', () => {
    const dir = tmp();
    const r = nla('simulate', join(ex, 'network.json'), '--engine', 'analog', '--profile', 'ideal', '--duration', '50ms', '--learn', '--weights-out', join(dir, 'w.jsonl'), '--weights-every', '20ms', ...io);
    expect(r.code, r.err).toBe(0);
    const snaps = lines(join(dir, 'w.jsonl'));
    expect(snaps.map((s) => s.tMs)).toEqual([0, 20, 40, 50]);
    const first = snaps[0]!.weights['hidden->out']!;
    const last = snaps[3]!.weights['hidden->out']!;
    expect(last.length).toBe(first.length);
    expect(last.some((w, k) => w !== first[k])).toBe(true);
  });
});

describe('durations and steps', () => {
  it('refuses a --dt longer than --duration (exit 2) instead of running no step', () => {
    const r = nla('simulate', join(ex, 'network.json'), '--duration', '1ms', '--dt', '2ms', ...io);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dt 2 ms is longer than --duration 1 ms');
  });

  it('refuses a --dt that does not divide --duration, naming the two nearest durations', () => {
    const r = nla('simulate', join(ex, 'network.json'), '--duration', '10ms', '--dt', '0.3ms', ...io);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--duration 10 ms is not a whole number of --dt 300 µs steps \(33\.3+\); use 9\.9 ms or 10\.2 ms/);
  });

  it('commander usage errors exit with 2, --help with 0', () => {
    expect(nla('simulate').code).toBe(2); // missing argument
    expect(nla('simulate', join(ex, 'network.json'), '--no-such-option').code).toBe(2);
    expect(nla('no-such-command').code).toBe(2);
    expect(nla('--help').code).toBe(0);
  });
});

describe('networks too large for the machine', () => {
  const bigSpec = (sizes: number[]) => {
    const dir = tmp();
    writeFileSync(join(dir, 'big.json'), JSON.stringify(layeredNetwork(sizes, { activation: 'logistic', seed: 1 }).toSpec()));
    return join(dir, 'big.json');
  };

  it('a dense 10⁵-neuron network is refused before anything is allocated, with the figure and the limit (exit 2)', () => {
    const spec = bigSpec([1000, 100_000, 100_000]);
    // (with the default WebAssembly kernels the 4 GiB arena is the first limit: also refused before allocating)
    const wasm = run(['simulate', spec, '--duration', '1ms'], { ...process.env, NLA_MEMORY_LIMIT: '16GB' });
    expect(wasm.code).toBe(2);
    expect(wasm.err).toContain("the digital engine's arrays need 241 GB, more than a WebAssembly memory holds (4 GiB); run with --kernels js");
    const r = run(['simulate', spec, '--duration', '1ms', '--kernels', 'js'], { ...process.env, NLA_MEMORY_LIMIT: '16GB' });
    expect(r.code).toBe(2);
    // 1000·10⁵ + 10⁵·10⁵ weights of 8 bytes
    expect(r.err).toContain("this run (the weights of 'layered-1000-100000-100000' 80.8 GB + digital engine");
    expect(r.err).toContain('more than the memory limit of 16 GB (NLA_MEMORY_LIMIT)');
    expect(r.err).not.toContain('RangeError');
  });

  it('the whole run is counted: weights and engine arrays that each fit but together do not are refused before a weight is drawn', () => {
    // 3000-3000-10: 72.2 MB of weights, and the engine's copy of them plus vectors: 146 MB together
    const spec = bigSpec([3000, 3000, 10]);
    const r = run(['simulate', spec, '--duration', '1ms', ...io], { ...process.env, NLA_MEMORY_LIMIT: '100MB' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/this run \(the weights of 'layered-3000-3000-10' 72\.2 MB \+ digital engine 7[34]\.\d MB\) need 14\d MB, more than the memory limit of 100 MB/);
  });

  it("a recurrent network's dense solver is counted up front, not after its weights are drawn", () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rec.json'), JSON.stringify(layeredNetwork([10, 30_000, 10], { activation: 'logistic', seed: 1 }).structure('recurrent').toSpec()));
    const r = run(['simulate', join(dir, 'rec.json'), '--duration', '1ms', ...io], { ...process.env, NLA_MEMORY_LIMIT: '8GB' });
    expect(r.code).toBe(2);
    // 8 B × 30010² × (2 + 2) for J, its copy and one factorisation
    expect(r.err).toContain(`+ dense solver 28.8 GB) need 28.8 GB, more than the memory limit of 8 GB`);
  });

  it('nla validate lays the network out without drawing its weights and reports what they will take', () => {
    const spec = bigSpec([10_000, 10_000, 10_000]);
    const r = run(['validate', spec, '--json'], { ...process.env, NLA_MEMORY_LIMIT: '1GB' });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { synapses: number; weightBytes: number };
    expect(s.synapses).toBe(2e8);
    expect(s.weightBytes).toBe(1.6e9);
    expect(r.err).toContain('more than the memory limit of 1 GB (NLA_MEMORY_LIMIT): simulate, compile and image will refuse it');
  });

  it('a bad NLA_MEMORY_LIMIT is a usage error', () => {
    const r = run(['simulate', join(ex, 'network.json'), '--duration', '1ms', ...io], { ...process.env, NLA_MEMORY_LIMIT: 'lots' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("NLA_MEMORY_LIMIT: expected a size such as 512MB or 8GB, got 'lots'");
  });
});

describe('files read at the boundary are checked, cross-references included (exit 2, path-specific)', () => {
  const compiled = (profile: string, spec = join(ex, 'network.json')) => {
    const dir = tmp();
    const out = join(dir, 'c.json');
    const r = nla('compile', spec, '--profile', profile, '--out', out);
    expect(r.code, r.err).toBe(0);
    return { dir, circuit: JSON.parse(readFileSync(out, 'utf8')) as Record<string, any> };
  };
  const simulateCircuit = (dir: string, circuit: unknown) => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(circuit));
    return nla('simulate', join(dir, 'bad.json'), '--engine', 'analog', '--duration', '5ms', ...io);
  };

  it('a circuit with a neuron removed names the neuron no entry realises', () => {
    const { dir, circuit } = compiled('ideal');
    const k = circuit.neurons.findIndex((n: { realises: string }) => n.realises === 'hidden[3]');
    circuit.neurons.splice(k, 1);
    const r = simulateCircuit(dir, circuit);
    expect(r.code).toBe(2);
    expect(r.err).toContain("neurons: no entry realises hidden[3] (population 'hidden' has 24)");
    expect(r.err).not.toMatch(/TypeError|numerical failure/);
  });

  it('a circuit whose feedback array names no forward array is refused, not run into a numerical failure', () => {
    const spec = JSON.parse(readFileSync(join(ex, 'network.json'), 'utf8'));
    spec.feedback = { mode: 'random' };
    const dir0 = tmp();
    writeFileSync(join(dir0, 'fa.json'), JSON.stringify(spec));
    const { dir, circuit } = compiled('ideal', join(dir0, 'fa.json'));
    const k = circuit.arrays.findIndex((a: { role: string }) => a.role === 'feedback');
    expect(k).toBeGreaterThanOrEqual(0);
    circuit.arrays[k].feedbackOf = 'no-such-array';
    const r = simulateCircuit(dir, circuit);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`arrays[${k}].feedbackOf: expected null or the name of a forward array, got 'no-such-array'`);
  });

  it('a circuit whose array points at a population of the wrong kind, or a duplicated neuron, is refused', () => {
    const { dir, circuit } = compiled('subthreshold');
    circuit.arrays[0].post.type = 'interneuron';
    circuit.neurons.push({ ...circuit.neurons[0] });
    const r = simulateCircuit(dir, circuit);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/arrays\[0\]\.post\.type: expected one of 'neuron', 'interneuron'|arrays\[0\]\.post\.type: 'hidden' is a hidden population/);
    expect(r.err).toContain(`is already realised by neurons[0]`);
  });

  it('a board recording shorter than --duration is refused, not compared over less than asked', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'b.csv'), 't,u:out[0],u:out[1],u:out[2]\n1,0.1,0.2,0.3\n2,0.1,0.2,0.3\n3,0.1,0.2,0.3\n');
    const r = nla('compare', join(ex, 'network.json'), '--a', 'digital', '--b', 'board', '--board-outputs', join(dir, 'b.csv'), '--duration', '5ms', '--probe', 'u:out', ...io);
    expect(r.code).toBe(2);
    expect(r.err).toContain('b.csv: the recording ends at t = 3 ms, before the 5 ms asked (--duration)');
  });

  it('board outputs whose columns are not neurons of the network are refused with the column', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'b.csv'), 't,u:out[0],u:out[7]\n1,0.1,0.2\n');
    const r = nla('compare', join(ex, 'network.json'), '--a', 'digital', '--b', 'board', '--board-outputs', join(dir, 'b.csv'), '--duration', '5ms', ...io);
    expect(r.code).toBe(2);
    expect(r.err).toContain("b.csv: line 1: column 3 is 'u:out[7]': expected u:, rbar: or ebar: and a neuron of network 'teacher-student'");
  });
});
