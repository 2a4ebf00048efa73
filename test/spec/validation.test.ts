import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { network } from '../../compiler/spec/builder.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { SpecError } from '../../core/errors.js';

const base = () => ({
  format: 'nla-network/1',
  name: 'mnist-like',
  populations: [
    { name: 'in', kind: 'input', size: 784 },
    { name: 'h', kind: 'hidden', size: 500 },
    { name: 'out', kind: 'output', size: 10 },
  ],
  projections: [
    { from: 'in', to: 'h' },
    { from: 'h', to: 'out' },
  ],
});

function issuesOf(raw: unknown): string[] {
  try {
    validateSpec(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('spec validation names the JSON path and what was expected', () => {
  it('accepts a valid spec and fills defaults', () => {
    const s = validateSpec(base());
    expect(s.beta).toBe(0.1);
    expect(s.neurons[0]!.tauMs).toBe(10);
    expect(s.neurons[0]!.activation).toEqual({ kind: 'hard-sigmoid' });
  });

  it('wrong weight shapes', () => {
    const raw = base() as Record<string, any>;
    raw.projections.push({ from: 'in', to: 'h', name: 'extra', weights: Array.from({ length: 500 }, () => new Array(783).fill(0)) });
    expect(issuesOf(raw)).toContain('projections[2].weights: expected 500×784, got 500×783');
    raw.projections[2].weights[3] = [1, 2];
    expect(issuesOf(raw)).toContain('projections[2].weights[3]: expected 783 entries like row 0, got 2');
  });

  it('unknown activation, with the list of known ones and a suggestion', () => {
    const raw = base() as Record<string, any>;
    raw.populations[1].activation = 'logistc';
    const [msg] = issuesOf(raw);
    expect(msg).toMatch(/^populations\[1\]\.activation: expected one of 'logistic', 'hard-sigmoid', .* got 'logistc' \(did you mean 'logistic'\?\)/);
  });

  it('missing outputs', () => {
    const raw = base() as Record<string, any>;
    raw.populations[2].kind = 'hidden';
    expect(issuesOf(raw).some((m) => m.startsWith("populations: expected at least one population of kind 'output'"))).toBe(true);
  });

  it('a cycle in a spec declared layered, with the cycle spelled out', () => {
    const raw = base() as Record<string, any>;
    raw.structure = 'layered';
    raw.projections.push({ from: 'out', to: 'h' });
    expect(issuesOf(raw)).toContain("structure: structure is declared 'layered', but the projections form a cycle: h → out → h (projections[1], projections[2])");
    raw.structure = 'auto';
    expect(issuesOf(raw)).toEqual([]); // recurrence is allowed when not declared layered
    expect(buildGraph(validateSpec(raw)).layered).toBe(false);
  });

  it('unknown fields, bad numbers, unknown populations, duplicates: all reported at once', () => {
    const raw = base() as Record<string, any>;
    raw.populations[1].tauMS = 5;
    raw.populations[0].size = -3;
    raw.projections[1].to = 'outt';
    raw.populations.push({ name: 'h', kind: 'hidden', size: 2 });
    raw.beta = 'high';
    const issues = issuesOf(raw);
    expect(issues).toContain("populations[1].tauMS: unknown field (did you mean 'tauMs'?); allowed: name, kind, size, tauMs, activation, bias");
    expect(issues).toContain('populations[0].size: expected a number ≥ 1, got -3');
    expect(issues.some((m) => m.startsWith("projections[1].to: unknown population 'outt'"))).toBe(true);
    expect(issues).toContain("populations[3].name: duplicate population name 'h' (also populations[1])");
    expect(issues).toContain("beta: expected a finite number, got 'high'");
  });

  it('wrong format version', () => {
    expect(issuesOf({ ...base(), format: 'nla-network/2' })).toContain("format: expected 'nla-network/1', got 'nla-network/2'");
  });

  it('microcircuit wiring requirements', () => {
    const raw = base() as Record<string, any>;
    raw.feedback = { mode: 'microcircuit' };
    expect(issuesOf(raw)).toContain("populations: feedback.mode 'microcircuit' needs exactly one interneuron population serving 'h', found 0");
    raw.populations.push({ name: 'i', kind: 'interneuron', size: 40, serves: 'out' });
    expect(issuesOf(raw)).toContain("populations[3].serves: 'out' is an output population; interneurons serve hidden populations");
  });
});

describe('files and builder produce the same network', () => {
  it('JSON file with side-file weights and the TypeScript builder give identical graphs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-spec-'));
    const w2 = [
      [0.1, -0.2, 0.3],
      [0.4, 0.5, -0.6],
    ];
    writeFileSync(join(dir, 'w2.csv'), w2.map((r) => r.join(',')).join('\n'));
    writeFileSync(
      join(dir, 'net.json'),
      JSON.stringify({
        format: 'nla-network/1',
        name: 'small',
        seed: 9,
        activation: 'logistic',
        populations: [
          { name: 'in', kind: 'input', size: 4, tauInMs: 5 },
          { name: 'h', kind: 'hidden', size: 3, bias: true },
          { name: 'out', kind: 'output', size: 2 },
        ],
        projections: [
          { from: 'in', to: 'h', init: { distribution: 'normal', std: 0.2, cutoff: 0.3 }, mask: { density: 0.5 } },
          { from: 'h', to: 'out', weights: { file: 'w2.csv' } },
        ],
      }),
    );
    const fromFile = buildGraph(loadSpecFile(join(dir, 'net.json')));
    const fromCode = network('small')
      .seed(9)
      .activation('logistic')
      .input('in', 4, { tauInMs: 5 })
      .hidden('h', 3, { bias: true })
      .output('out', 2)
      .connect('in', 'h', { init: { distribution: 'normal', std: 0.2, cutoff: 0.3 }, mask: { density: 0.5 } })
      .connect('h', 'out', { weights: w2 })
      .build();
    expect(fromFile).toEqual(fromCode);
    expect(Array.from(fromFile.projections[1]!.weights)).toEqual(w2.flat());
    const W1 = fromFile.projections[0]!;
    expect(Math.max(...Array.from(W1.weights, Math.abs))).toBeLessThanOrEqual(0.3);
    W1.mask!.forEach((m, i) => m || expect(W1.weights[i]).toBe(0));
  });

  it('the same seed draws the same weights; another seed draws others', () => {
    const mk = (seed: number) => network('x').seed(seed).input('in', 5).output('out', 4).connect('in', 'out').build().projections[0]!.weights;
    expect(mk(3)).toEqual(mk(3));
    expect(mk(3)).not.toEqual(mk(4));
  });

  it('a side file with a bad cell names the file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-spec-'));
    writeFileSync(join(dir, 'w.csv'), '0.1,0.2\n0.3,abc\n');
    writeFileSync(join(dir, 'net.json'), JSON.stringify({ ...base(), populations: [{ name: 'in', kind: 'input', size: 2 }, { name: 'out', kind: 'output', size: 2 }], projections: [{ from: 'in', to: 'out', weights: { file: 'w.csv' } }] }));
    expect(() => loadSpecFile(join(dir, 'net.json'))).toThrow(/w\.csv: line 2, column 2: expected a finite number, got 'abc'/);
  });

  it('invalid JSON names the line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-spec-'));
    writeFileSync(join(dir, 'net.json'), '{\n  "format": "nla-network/1",\n  "populations": [,]\n}');
    expect(() => loadSpecFile(join(dir, 'net.json'))).toThrow(/net\.json: line 3, column \d+: invalid JSON/);
  });
});
