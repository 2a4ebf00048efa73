import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from './run-nla.js';

// Bad invocations: exit 2 with a message naming what is wrong (README: usage errors exit 2), a "did you
// mean" for a misspelt name, and a serial port that does not exist refused at once.

beforeAll(ensureBuilt);

const net = join(root, 'examples/teacher/network.json');
const input = join(root, 'examples/teacher/input.csv');

/** One bad invocation per command: the arguments, and what the message must name. */
const BAD: Array<[string[], RegExp]> = [
  [['validate'], /missing required argument 'spec'/],
  [['simulate', net, '--engine', 'analgo', '--duration', '1ms'], /--engine: expected one of digital, analog, spice, board, got 'analgo' \(did you mean analog\?\)/],
  [['simulate', net, '--profle', 'ideal'], /unknown option '--profle'[\s\S]*Did you mean --profile\?/],
  [['profiles', 'subthreshhold'], /--profile: 'subthreshhold' .* \(did you mean subthreshold\?\)/],
  [['compile', net, '--profile', 'subthreshhold'], /--profile: .*did you mean subthreshold\?/],
  [['compile', net, '--top-down', 'wir'], /--top-down: expected one of wire, rate, depressing, got 'wir' \(did you mean wire\?\)/],
  [['spice', net, '--ode-solver', 'dopri5', '--duration', '1ms'], /unknown option '--ode-solver'/],
  [['compare', net, '--a', 'digitl', '--duration', '1ms'], /--a: expected one of .* got 'digitl' \(did you mean digital\?\)/],
  [['montecarlo', net, '--corner', 'worst-slwo', '--duration', '1ms'], /--corner: unknown corner part 'worst-slwo'.*\(did you mean worst-slow\?\)/],
  [['train', net], /required option '--save-state <json>' not specified/],
  [['image', net, '--frame'], /option '--frame <time>' argument missing/],
  [['board', 'virtual', '--core', 'vcor'], /--core: expected 'reference' or 'vcore', got 'vcor' \(did you mean vcore\?\)/],
  [['board', 'rtl', '--bogus'], /unknown option '--bogus'/],
  [['board', 'virtul'], /unknown command 'virtul'[\s\S]*Did you mean virtual\?/],
  [['ports', '--bogus'], /unknown option '--bogus'/],
  [['stream', '--port', '/dev/null', '--baud'], /option '--baud <n>' argument missing/],
  [['replay'], /missing required argument 'log'/],
  [['experiment', 'microcircut'], /experiment 'microcircut' does not exist \(did you mean 'microcircuit'\?\)/],
  [['fpga', 'build', '--board', 'icebraker', '--estimate'], /--board: unknown board 'icebraker'.*\(did you mean icebreaker\?\)/],
  [['fpga', 'flash', '--sram', '--no-such'], /unknown option '--no-such'/],
  [['demo', '--profile', 'subthreshhold'], /--profile: .*did you mean subthreshold\?/],
  [['simulat'], /unknown command 'simulat'[\s\S]*Did you mean simulate\?/],
  [['simulate', net, '--input-products', 'incremntal', '--duration', '1ms'], /--input-products: expected one of recompute, incremental, lowrank, got 'incremntal' \(did you mean incremental\?\)/],
  [['simulate', net, '--input-products', 'incremental', '--batch', '4', '--duration', '1ms'], /inputProducts: 'incremental' carries the products of one sample; batch 4 needs 'recompute'/],
  [['simulate', net, '--no-affine-inputs', '--duration', '1ms'], /--no-affine-inputs is an option of the analog engine .*; the digital engine does not take it/],
];

describe('bad invocations exit 2 and name what is wrong', () => {
  for (const [args, message] of BAD) {
    it(`nla ${args.map((a) => a.replace(root, '')).join(' ')}`, () => {
      const r = nla(args);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
    });
  }

  it('a commander error ends with a one-line hint, not the whole help', () => {
    const r = nla(['simulate']);
    expect(r.err).toContain("(add --help for the command's options and examples)");
    expect(r.err).not.toContain('Usage:');
  });

  it('a name far from every choice gets no suggestion', () => {
    const r = nla(['simulate', net, '--engine', 'quantum', '--duration', '1ms']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("got 'quantum'");
    expect(r.err).not.toContain('did you mean');
  });
});

describe('nla stream to a port that does not exist', () => {
  it('fails at once with exit 4 and the path, without the retried opens (2 s each, 3 reconnections) a missing device would otherwise wait for', () => {
    const port = join(mkdtempSync(join(tmpdir(), 'nla-port-')), 'ttyNONE');
    const r = nla(['stream', '--port', port, '--image', net, '--input', input, '--duration', '10ms']);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`--port ${port}: no such device`);
    // the open was never tried: no connect incident, no reconnection count
    expect(r.err).not.toMatch(/connect failed|attempt\(s\)/);
  });

  it('so does the board engine given a --board-port with nothing at it (not a numerical failure after retries)', () => {
    const port = join(mkdtempSync(join(tmpdir(), 'nla-port-')), 'ttyNONE');
    const r = nla(['simulate', net, '--engine', 'board', '--board-port', port, '--input', input, '--duration', '10ms']);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`--board-port ${port}: no such device`);
    expect(r.err).not.toMatch(/attempt\(s\)/);
  });
});
