import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run, root } from './run-nla.js';

// Issue 15 on the command line: the error path and the top-down carrier chosen at compile time
// (--feedback-plasticity, --top-down, --recovery-ratio) and stated in every report.

const ex = join(root, 'examples/teacher');
const nla = (...args: string[]) => run(args);

/** A 3-4-2 microcircuit spec with the given activation, and a constant input and target. */
function microSpec(dir: string, activation: unknown): string {
  const spec = {
    format: 'nla-network/1',
    name: 'mc',
    seed: 3,
    activation,
    init: { distribution: 'normal', mean: 0.3, std: 0.1 },
    feedback: { mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } },
    populations: [
      { name: 'in', kind: 'input', size: 3 },
      { name: 'h', kind: 'hidden', size: 4 },
      { name: 'i', kind: 'interneuron', size: 2, serves: 'h' },
      { name: 'out', kind: 'output', size: 2 },
    ],
    projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }],
  };
  const file = join(dir, `mc-${typeof activation === 'string' ? activation : 'matched'}.json`);
  writeFileSync(file, JSON.stringify(spec));
  writeFileSync(join(dir, 'in.csv'), 't,in0,in1,in2\n0,0.6,1.2,0.9\n');
  writeFileSync(join(dir, 'target.csv'), 't,o0,o1\n0,1.0,1.6\n');
  return file;
}

describe('nla: error path and top-down carrier', () => {
  beforeAll(() => ensureBuilt());

  it('nla compile states the error path; --feedback-plasticity fixed turns mirroring off', () => {
    const mirrored = nla('compile', join(ex, 'network.json'), '--profile', 'subthreshold');
    expect(mirrored.code).toBe(0);
    expect(mirrored.out).toContain('error path: transpose (separate arrays, mirrored plasticity)');
    const fixed = nla('compile', join(ex, 'network.json'), '--profile', 'subthreshold', '--feedback-plasticity', 'fixed', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.out).errorPath).toBe('transpose-fixed');
    const bad = nla('compile', join(ex, 'network.json'), '--feedback-plasticity', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--feedback-plasticity');
  });

  it('--top-down depressing: refused (exit 2) for a logistic population, naming it; run and reported for matched ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-td-'));
    const logistic = nla('compile', microSpec(dir, 'logistic'), '--top-down', 'depressing');
    expect(logistic.code).toBe(2);
    expect(logistic.err).toMatch(/'out'.*logistic/);
    const spec = microSpec(dir, { name: 'depression-matched', a: 1, d: 1 });
    const c = nla('compile', spec, '--top-down', 'depressing', '--recovery-ratio', '2');
    expect(c.code).toBe(0);
    expect(c.out).toContain('top-down carrier: depressing synapses, τ_rec = 2·τ');
    const s = nla('simulate', spec, '--engine', 'analog', '--top-down', 'depressing', '--duration', '20ms', '--input', join(dir, 'in.csv'), '--target', join(dir, 'target.csv'), '--json', '--quiet');
    expect(s.code).toBe(0);
    const summary = JSON.parse(s.out);
    expect(summary.errorPath).toBe('microcircuit');
    expect(summary.topDown).toContain('depressing synapses, τ_rec = 1·τ');
    const ratioAlone = nla('compile', spec, '--recovery-ratio', '2');
    expect(ratioAlone.code).toBe(2);
    expect(ratioAlone.err).toContain('--top-down depressing');
  });

  it('the compiler-placed carriers reach the netlist: analog and ngspice agree on each (op-amp board, mismatched pools)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-td-'));
    const spec = microSpec(dir, { name: 'depression-matched', a: 1, d: 1 });
    writeFileSync(join(dir, 'in.csv'), 't,in0,in1,in2\n0,0.6,1.2,0.9\n15,0.9,0.4,1.3\n');
    const cost: Record<string, number> = {};
    for (const carrier of ['wire', 'rate', 'depressing']) {
      const args = ['compare', spec, '--a', 'analog', '--b', 'spice', '--profile', 'opamp-board', '--top-down', carrier, '--duration', '30ms'];
      const r = nla(...args, '--input', join(dir, 'in.csv'), '--target', join(dir, 'target.csv'), '--no-learn', '--json', '--quiet', ...(carrier === 'depressing' ? ['--recovery-ratio', '0.5'] : []));
      expect(r.code, r.err).toBe(0);
      const m = JSON.parse(r.out).summary;
      expect(m['max |error|']).toBeLessThan(1e-4);
      cost[carrier] = m['final cost A'];
    }
    // the rate carrier delivers ρ(u) ≠ u: its network settles elsewhere; the pools give back u (to their drift)
    expect(Math.abs(cost.rate! - cost.wire!)).toBeGreaterThan(10 * Math.abs(cost.depressing! - cost.wire!));
    const net = nla('compile', spec, '--top-down', 'depressing', '--spice', join(dir, 'mc.cir'));
    expect(net.code).toBe(0);
    // one pool per column of B (out → h) and of B^IP (out → i): 2 + 2 instances of the pool subcircuit
    const pools = readFileSync(join(dir, 'mc.cir'), 'utf8').split('\n').filter((l) => /^X\S+ \S+ \S+ pool /.test(l));
    expect(pools).toHaveLength(4);
  });
});
