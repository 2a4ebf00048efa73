import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run, root } from './run-nla.js';

const ex = join(root, 'examples/teacher');
const nla = (...args: string[]) => run(args);

beforeAll(ensureBuilt);

describe('nla validate', () => {
  it('accepts the bundled example and summarises it', () => {
    const r = nla('validate', join(ex, 'network.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid\. 'teacher-student', layered, feedback transpose: 6 inputs, 27 neurons \(3 outputs\)/);
  });

  it('rejects a bad spec with exit code 2 and the JSON path of each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    const spec = JSON.parse(readFileSync(join(ex, 'network.json'), 'utf8'));
    spec.populations[1].activation = 'sigmoid';
    spec.projections[1].weights = [[1, 2]];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(spec));
    const r = nla('validate', join(dir, 'bad.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.json: 2 problems in the network spec');
    expect(r.err).toMatch(/populations\[1\]\.activation: expected one of .* got 'sigmoid'/);
    expect(r.err).toContain('projections[1].weights: expected 3×24, got 1×2');
  });
});

describe('nla simulate', () => {
  const io = ['--input', join(ex, 'input.csv'), '--interp', 'linear', '--target', join(ex, 'target.csv'), '--target-interp', 'linear'];

  it('runs the digital engine, writes traces and prints a JSON summary on stdout (progress only on stderr)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    const out = join(dir, 'traces.csv');
    const r = nla('simulate', join(ex, 'network.json'), '--engine', 'digital', '--duration', '0.3s', '--dt', '0.1ms', '--learn', '--probe', 'u:out,e:out', '--sample-every', '1ms', '--out', out, '--save-state', join(dir, 's.json'), '--json', ...io);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.steps).toBe(3000);
    expect(s.dtMs).toBe(0.1);
    expect(s.learn).toBe(true);
    expect(s.solver).toBe('layered');
    for (const k of ['finalCost', 'maxAbsF', 'wallMs', 'stepsPerSecond']) expect(Number.isFinite(s[k])).toBe(true);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t,cost,fmax,u:out[0],u:out[1],u:out[2],e:out[0],e:out[1],e:out[2]');
    expect(lines.length).toBe(301);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).format).toBe('nla-state/1');
  });

  it('continues from a saved state, with the implicit method and without lookahead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    const st = join(dir, 's.json');
    expect(nla('simulate', join(ex, 'network.json'), '--duration', '50ms', '--save-state', st, '--quiet', ...io).code).toBe(0);
    const a = nla('simulate', join(ex, 'network.json'), '--duration', '50ms', '--load-state', st, '--method', 'implicit', '--json', '--quiet', ...io);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).solver).toBe('implicit');
    const b = nla('simulate', join(ex, 'network.json'), '--duration', '50ms', '--no-lookahead', '--json', '--quiet', ...io);
    expect(JSON.parse(b.out).method).toBe('leaky (no lookahead)');
  });

  it('accepts time units and refuses unknown ones', () => {
    const r1 = nla('simulate', join(ex, 'network.json'), '--duration', '20000us', '--dt', '0.0002s', '--json', '--quiet', ...io);
    expect(JSON.parse(r1.out).steps).toBe(100);
    const r2 = nla('simulate', join(ex, 'network.json'), '--duration', '20 parsecs', ...io);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("--duration: unknown time unit 'parsecs'");
  });

  it('names the file and column of bad input data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    writeFileSync(join(dir, 'in.csv'), 't,in[0],in[1],in[2],in[3],in[4],in[5]\n0,0.1,0.2,0.3,0.4,0.5,0.6\n1,0.1,0.2,x,0.4,0.5,0.6\n');
    const r = nla('simulate', join(ex, 'network.json'), '--duration', '5ms', '--input', join(dir, 'in.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain("in.csv: line 3, column 'in[2]': expected a finite number, got 'x'");
    writeFileSync(join(dir, 'in2.csv'), 't,a,b\n0,1,2\n');
    const r2 = nla('simulate', join(ex, 'network.json'), '--duration', '5ms', '--input', join(dir, 'in2.csv'));
    expect(r2.err).toContain("in2.csv: line 1: expected 6 channel columns after 't' (in[0] … in[5]), got 2");
  });

  it('reports numerical blow-up with time and neuron, exit code 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    const spec = JSON.parse(readFileSync(join(ex, 'network.json'), 'utf8'));
    spec.plasticity.etaPerMs = 1e3;
    writeFileSync(join(dir, 'hot.json'), JSON.stringify(spec));
    const r = nla('simulate', join(dir, 'hot.json'), '--duration', '1s', '--dt', '0.5ms', '--quiet', ...io);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/numerical failure: .* at t = [\d.]+ ms( in \w+\[\d+\])?/);
  });
});

describe('nla demo and the file outputs', () => {
  it('demo: learns, and the evaluation cost after learning is lower than before; writes a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-demo-'));
    const r = nla('demo', '--duration', '4s', '--out-dir', dir, '--quiet');
    expect(r.code).toBe(0);
    const m = /plasticity off: ([\d.e+-]+) before → ([\d.e+-]+) after/.exec(r.out);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]) / 5);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // self-contained: nothing fetched
  });

  it('simulate writes an HTML plot, weight snapshots, and applies input events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cli-'));
    writeFileSync(join(dir, 'ev.csv'), 't,channel,kind,value\n10,in[2],delta,5\n20,0,step,0.3\n');
    const r = nla('simulate', join(ex, 'network.json'), '--duration', '40ms', '--input', join(ex, 'input.csv'), '--events', join(dir, 'ev.csv'),
      '--probe', 'rbar:in', '--out', join(dir, 'x.csv'), '--plot', join(dir, 'x.html'), '--weights-out', join(dir, 'w.jsonl'), '--weights-every', '10ms', '--learn', '--quiet');
    expect(r.code).toBe(0);
    const snaps = readFileSync(join(dir, 'w.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(snaps.map((s) => s.tMs)).toEqual([0, 10, 20, 30, 40]); // the final weights last
    expect(snaps[0].weights['in->hidden']).toHaveLength(144);
    expect(readFileSync(join(dir, 'x.html'), 'utf8')).toContain('<svg');
    // the impulse at 10 ms raises r̄_in[2] by 5/τ_in = 0.5 within one step
    const rows = readFileSync(join(dir, 'x.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = rows[0]!.indexOf('rbar:in[2]');
    const at = (t: number) => Number(rows.find((x) => Math.abs(Number(x[0]) - t) < 1e-9)![col]);
    expect(at(10) - at(9.9)).toBeGreaterThan(0.45);
  });
});

describe('analog path commands', () => {
  const io = ['--input', join(ex, 'input.csv'), '--interp', 'linear', '--target', join(ex, 'target.csv'), '--target-interp', 'linear'];

  it('nla profiles lists the built-in profiles', () => {
    const r = nla('profiles');
    expect(r.code).toBe(0);
    for (const p of ['ideal', 'subthreshold', 'accelerated', 'opamp-board']) expect(r.out).toContain(`${p}: `);
    expect(r.out).toMatch(/accelerated[\s\S]*time scale\s+τ = 10 ms model → 10 µs \(1000×\)/);
  });

  it('nla compile writes a circuit and a netlist; the same seed gives the same file bit for bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cc-'));
    const args = (n: string) => ['compile', join(ex, 'network.json'), '--profile', 'accelerated', '--seed', '5', '--out', join(dir, `${n}.json`)];
    const r = nla(...args('a'), '--spice', join(dir, 'a.cir'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/quantise: 6-bit \+ sign DAC codes: \d+ weights zeroed/);
    expect(r.out).toMatch(/mismatch: seed 5: membrane capacitance \(relative\) σ 0\.0\d+/);
    expect(nla(...args('b')).code).toBe(0);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(readFileSync(join(dir, 'a.cir'), 'utf8')).toMatch(/^\.tran [\d.e-]+ [\d.e-]+ 0 [\d.e-]+\n[\s\S]*^\.control\n[\s\S]*^\.endc\n\.end\n$/m);
    const sim = nla('simulate', join(dir, 'a.json'), '--engine', 'analog', '--duration', '20ms', '--json', '--quiet', ...io);
    expect(sim.code).toBe(0);
    const s = JSON.parse(sim.out);
    expect(s.engine).toBe('analog');
    expect(s.profile).toBe('accelerated');
    expect(s.solver).toBe('euler-maruyama'); // the accelerated profile has thermal noise
  });

  it('nla simulate --engine analog --no-affine-inputs recomputes W_in·r̄_in at every evaluation; the default derives it, to the same traces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-aff-'));
    // held 5 ms frames: within a frame every evaluation lies on one affine family (plastic input weights, learning, are not covered)
    const sim = (name: string, ...extra: string[]) =>
      nla('simulate', join(ex, 'network.json'), '--engine', 'analog', '--profile', 'ideal', '--duration', '30ms', '--no-learn', '--input', join(ex, 'input.csv'), '--out', join(dir, `${name}.csv`), '--json', '--quiet', ...extra);
    const affine = JSON.parse(sim('affine').out);
    const plain = sim('plain', '--no-affine-inputs');
    expect(plain.code).toBe(0);
    const recompute = JSON.parse(plain.out);
    expect(affine.inputProducts).toBe('affine');
    expect(recompute.inputProducts).toBe('recompute');
    // one pass per frame at least (6 frames), far more evaluations derived than passes made
    expect(affine.inputProductPasses).toBeGreaterThanOrEqual(6);
    expect(affine.derivedInputEvaluations).toBeGreaterThan(10 * affine.inputProductPasses);
    expect([recompute.inputProductPasses, recompute.derivedInputEvaluations]).toEqual([0, 0]);
    const rows = (name: string) => readFileSync(join(dir, `${name}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const [a, b] = [rows('affine'), rows('plain')];
    expect(a.length).toBe(b.length);
    const dev = Math.max(...a.flatMap((r, i) => r.map((x, j) => Math.abs(x - b[i]![j]!))));
    expect(dev).toBeLessThan(1e-10); // rounding-level right-hand sides (measured 1e-15 here): far below the solver's rtol 1e-6
    const line = (...extra: string[]) => nla('simulate', join(ex, 'network.json'), '--engine', 'analog', '--duration', '5ms', '--no-learn', '--input', join(ex, 'input.csv'), '--quiet', ...extra).out;
    expect(line('--no-affine-inputs')).toContain(', input products recomputed at every evaluation, learning off');
    expect(line()).not.toContain('input products');
  });

  it('a bad profile file is refused with the JSON path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cc-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ format: 'nla-profile/1', name: 'bad', extends: 'opamp-board', membrane: { capacitanceF: -1e-9 } }));
    const r = nla('compile', join(ex, 'network.json'), '--profile', join(dir, 'p.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('p.json: membrane.capacitanceF: expected a number > 0 (F), got -1e-9');
  });

  it('nla compare: on the ideal profile the analog emulator matches the digital engine; writes a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-cmp-'));
    const r = nla('compare', join(ex, 'network.json'), '--a', 'digital', '--b', 'analog', '--profile', 'ideal', '--duration', '100ms', '--dt', '0.01ms', '--no-learn', '--init', 'equilibrium', '--report', join(dir, 'r.html'), '--json', '--quiet', ...io);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.summary['probes compared']).toBe(27);
    expect(j.summary['max |error|']).toBeLessThan(1e-3);
    expect(Math.abs(j.summary['median best shift (ms)'])).toBeLessThan(0.05);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('Per probe');
  });

  it('nla compare --b spice runs the same circuit in ngspice', () => {
    const r = nla('compare', join(ex, 'network.json'), '--a', 'analog', '--b', 'spice', '--profile', 'opamp-board', '--duration', '20ms', '--no-learn', '--init', 'equilibrium', '--json', '--quiet', ...io);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.summary['max |error|']).toBeLessThan(2e-3);
  });
});
