import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run, root } from '../cli/run-nla.js';

const ex = join(root, 'examples/teacher');
const nla = (...args: string[]) => run(args);
const io = ['--input', join(ex, 'input.csv')];

beforeAll(ensureBuilt);

describe('the translinear profile on the command line', () => {
  it('nla profiles lists it with its circuit', () => {
    const r = nla('profiles');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/translinear: [\s\S]*neuron circuit\s+translinear DPI pairs, κ 0\.705, 300 K/);
    expect(r.out).toMatch(/subthreshold: [\s\S]*neuron circuit\s+linear membranes/);
  });

  it('simulates the example on the analog engine and writes u for every neuron', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-tl-'));
    const r = nla('simulate', join(ex, 'network.json'), '--engine', 'analog', '--profile', 'translinear', '--duration', '60ms', ...io, '--out', join(dir, 'u.csv'));
    expect(r.code).toBe(0);
    const head = readFileSync(join(dir, 'u.csv'), 'utf8').split('\n')[0]!;
    expect(head).toContain('u:out[0]');
  });

  it('--calibrate and the SPICE netlist refuse it (exit 2, naming the neuron and the profile)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-tl-'));
    const cal = nla('compile', join(ex, 'network.json'), '--profile', 'translinear', '--calibrate', '--out', join(dir, 'c.json'));
    expect(cal.code).toBe(2);
    expect(cal.err).toMatch(/--calibrate measures linear membranes only: hidden\[0\] of profile 'translinear'/);
    const sp = nla('compile', join(ex, 'network.json'), '--profile', 'translinear', '--out', join(dir, 'c.json'), '--spice', join(dir, 'c.cir'));
    expect(sp.code).toBe(2);
    expect(sp.err).toMatch(/SPICE emitter has no translinear \(DPI\) neurons/);
  });
});
