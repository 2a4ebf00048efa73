import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla as run } from './run-nla.js';
import { EXPERIMENTS } from '../../experiments/registry.js';

const nla = (...args: string[]) => run(args);

beforeAll(ensureBuilt);

describe('nla experiment', () => {
  it('lists every experiment of the paper with its engines and parameters', () => {
    const r = nla('experiment', 'list');
    expect(r.code).toBe(0);
    for (const e of EXPERIMENTS) expect(r.out).toContain(e.name);
    expect(EXPERIMENTS.map((e) => e.name)).toEqual(['instantaneity', 'mnist', 'microcircuit', 'pattern-completion', 'depression', 'recurrent-neuron', 'top-down']);
  });

  it('refuses an unknown experiment, an unknown --param key and an engine the experiment lacks, naming what was expected', () => {
    let r = nla('experiment', 'instantanity');
    expect(r.code).toBe(2);
    expect(r.err).toContain("experiment 'instantanity' does not exist (did you mean 'instantaneity'?)");
    r = nla('experiment', 'recurrent-neuron', '--quick', '--param', 'nosuch=1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--param nosuch: experiment 'recurrent-neuron' has/);
    r = nla('experiment', 'recurrent-neuron', '--param', 'nokey');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--param: expected key=value, got 'nokey'");
    r = nla('experiment', 'recurrent-neuron', '--engine', 'spice');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--engine: expected one of digital, analog, got 'spice'");
    const digitalOnly = EXPERIMENTS.find((e) => !e.engines.includes('analog'));
    if (digitalOnly) {
      r = nla('experiment', digitalOnly.name, '--engine', 'analog');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`experiment '${digitalOnly.name}' runs on digital, not analog`);
    }
  });

  it('runs a quick experiment: prints the table, writes JSON (with the seed and command), HTML with plots and Markdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-exp-'));
    const r = nla('experiment', 'recurrent-neuron', '--quick', '--seed', '7', '--out', dir, '--quiet');
    expect(r.code, r.err).toBe(0);
    const base = join(dir, 'recurrent-neuron-quick');
    const json = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    expect(json.format).toBe('nla-experiment/1');
    expect(json.command).toBe('nla experiment recurrent-neuron --quick --seed 7');
    expect(json.table.rows.length).toBeGreaterThan(0);
    expect(typeof json.finding).toBe('string');
    expect(json.seed).toBe(7);
    expect(json.quick).toBe(true);
    expect(r.out).toContain(json.table.columns[0]);
    const html = readFileSync(`${base}.html`, 'utf8');
    expect(html).toContain('<svg');
    expect(readFileSync(`${base}.md`, 'utf8')).toContain('| ' + json.table.columns.join(' | ') + ' |');
  });
});
