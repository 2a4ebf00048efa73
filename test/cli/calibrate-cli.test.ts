import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run, root } from './run-nla.js';

// `--calibrate [scope]` on the command line: bare or `neurons` trims every neuron (as before),
// `synapses` also reprograms each DAC synapse's code; anything else exits 2 naming the value.

const spec = join(root, 'examples/teacher/network.json');
const nla = (...args: string[]) => run(args);

describe('nla: --calibrate neurons | synapses', () => {
  beforeAll(() => ensureBuilt());

  it('nla compile --calibrate synapses prints each array\'s gain error before → after', () => {
    const r = nla('compile', spec, '--profile', 'subthreshold', '--seed', '3', '--calibrate', 'synapses');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const line = r.out.split('\n').find((l) => l.startsWith('  calibrate: '))!;
    expect(line).toMatch(/; per-synapse DAC codes, rms gain error in->hidden \d+\.?\d* % → \d+\.?\d* % \(\d+ clamped\), .*T:hidden->out /);
  });

  it('bare --calibrate and --calibrate neurons are the neuron trims of before, with no synapse line', () => {
    const bare = nla('compile', spec, '--profile', 'subthreshold', '--seed', '3', '--calibrate');
    const neurons = nla('compile', spec, '--profile', 'subthreshold', '--seed', '3', '--calibrate', 'neurons');
    expect(bare.code).toBe(0);
    expect(neurons.out).toBe(bare.out);
    expect(bare.out).toMatch(/calibrate: 6-bit trims: /);
    expect(bare.out).not.toMatch(/per-synapse/);
  });

  it('a conductance profile is reported as not trimmable per synapse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-syncal-'));
    const profile = join(dir, 'p.json');
    writeFileSync(profile, JSON.stringify({ format: 'nla-profile/1', name: 'sub-resistors', extends: 'subthreshold', synapses: { realisation: { kind: 'conductance', series: 'E96' }, gainSigma: 0.15 } }));
    const r = nla('compile', spec, '--profile', profile, '--calibrate', 'synapses', '--json');
    expect(r.code).toBe(0);
    const rep = (JSON.parse(r.out) as { reports: Array<{ pass: string; details: { synapses: Array<{ trimmed: boolean; skipped: string }> } }> }).reports.find((x) => x.pass === 'calibrate')!;
    expect(rep.details.synapses.every((a) => !a.trimmed && /resistors/.test(a.skipped))).toBe(true);
  });

  it('a bad scope exits 2 naming it, on compile and on the engines that compile', () => {
    const c = nla('compile', spec, '--profile', 'subthreshold', '--calibrate', 'synapse');
    expect(c.code).toBe(2);
    expect(c.err).toContain("--calibrate: expected neurons or synapses (or nothing, for neurons), got 'synapse'");
    const s = nla('simulate', spec, '--engine', 'analog', '--profile', 'subthreshold', '--duration', '1ms', '--calibrate', 'all');
    expect(s.code).toBe(2);
    expect(s.err).toContain("--calibrate: expected neurons or synapses (or nothing, for neurons), got 'all'");
    // the word after --calibrate is its scope: a spec placed there leaves the command without one
    const swallowed = nla('compile', '--calibrate', spec);
    expect(swallowed.code).toBe(2);
    expect(swallowed.err).toContain("missing required argument 'spec'");
  });

  it('nla simulate --engine analog --calibrate synapses runs the trimmed circuit', () => {
    const r = nla('simulate', spec, '--engine', 'analog', '--profile', 'subthreshold', '--duration', '2ms', '--calibrate', 'synapses', '--input', join(root, 'examples/teacher/input.csv'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
