import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run, root } from './run-nla.js';

// `nla montecarlo` from the built CLI: the same chips whatever the worker count (each chip is a function of
// the run's seed and its number), the files it writes, the verdict first, and bad input refused with exit 2.
const spec = join(root, 'examples/teacher/network.json');
const input = join(root, 'examples/teacher/input.csv');
const target = join(root, 'examples/teacher/target.csv');
const nla = (...args: string[]) => run(args);
beforeAll(ensureBuilt);

describe('nla montecarlo', () => {
  const args = ['montecarlo', spec, '--profile', 'accelerated', '--runs', '3', '--sensitivity', '1', '--duration', '20ms', '--input', input, '--target', target, '--no-learn', '--seed', '7', '--quiet'];

  it('gives the same chips on 1 and 2 workers, and writes JSON and HTML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-mc-cli-'));
    const one = nla(...args, '--workers', '1', '--json');
    const two = nla(...args, '--workers', '2', '--tolerance', '1', '--corner', 'typical,worst-slow', '--out', dir);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const a = JSON.parse(one.out);
    const b = JSON.parse(readFileSync(join(dir, 'montecarlo.json'), 'utf8'));
    expect(a.format).toBe('nla-montecarlo/1');
    expect(a.seed).toBe(7);
    const typical = b.corners.find((c: { corner: string }) => c.corner === 'typical');
    const key = (c: { chip: number; seed: number; traceError: number; taskError: number }) => [c.chip, c.seed, c.traceError, c.taskError];
    expect(typical.chips.map(key)).toEqual(a.corners[0].chips.map(key));
    // a corner changes the chips (slow, low supply, hot), with the same seeds
    const slow = b.corners.find((c: { corner: string }) => c.corner === 'worst-slow');
    expect(slow.chips.map((c: { seed: number }) => c.seed)).toEqual(typical.chips.map((c: { seed: number }) => c.seed));
    expect(slow.chips[0].traceError).not.toBe(typical.chips[0].traceError);
    expect(Number.isFinite(typical.taskError.mean)).toBe(true);
    // the verdict comes first
    expect(two.out.split('\n')[0]).toMatch(/^typical: yield [\d.]+ % \(\d\/3 chips; 95 % interval/);
    expect(two.out).toMatch(/^power and area \(estimate; /m);
    const html = readFileSync(join(dir, 'montecarlo.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Which spread matters most');
    expect(existsSync(join(dir, 'montecarlo.json'))).toBe(true);
  });

  it('nla compile --corner shifts the die before the mismatch draw and reports it', () => {
    const r = nla('compile', spec, '--profile', 'subthreshold', '--corner', 'worst-slow', '--json');
    expect(r.code).toBe(0);
    const corner = JSON.parse(r.out).reports.find((x: { pass: string }) => x.pass === 'corner');
    // subthreshold: σ_C 5 %, σ_gL 15 %: a 3σ slow die has C × 1.15 and g × 0.55
    expect(corner.details.capacitance).toBeCloseTo(1.15, 12);
    expect(corner.details.conductance).toBeCloseTo(0.55, 12);
    expect(corner.summary).toMatch(/supply × 0\.9, 398\.15 K/);
    expect(nla('compile', spec, '--corner', 'hot+hot').err).toMatch(/sets the temperature twice/);
  });

  it('refuses bad input with exit 2, naming it', () => {
    const cases: Array<[string[], RegExp]> = [
      [[...args, '--sensitivity', '4'], /--sensitivity: at most --runs \(3\)/],
      [[...args, '--corner', 'slow+tepid'], /unknown corner part 'tepid'/],
      [['montecarlo', spec, '--runs', '2'], /--duration is required/],
      [['montecarlo', spec, '--test-set', 'mnist', '--duration', '10ms'], /--duration: a classifier Monte Carlo/],
      [['montecarlo', spec, '--test-set', 'mnist'], /has 6 inputs; MNIST images have 784/],
      [['montecarlo', spec, '--test-set', 'cifar'], /--test-set/],
      [[...args, '--runs', '0'], /--runs/],
      // thrown inside a worker thread: it comes back with its kind (exit 2) and message
      [['montecarlo', spec, '--profile', 'translinear', '--runs', '2', '--sensitivity', '0', '--duration', '5ms', '--input', input, '--workers', '2', '--calibrate', '--quiet'], /--calibrate measures linear membranes only: hidden\[0\]/],
    ];
    for (const [a, msg] of cases) {
      const r = nla(...a);
      expect(r.code, a.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});
