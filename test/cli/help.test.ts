import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/nla.js';
import { commandPath } from '../../cli/help-examples.js';
import { ENGINE_FACTORIES } from '../../cli/engine-registry.js';
import { ensureBuilt, nla as run } from './run-nla.js';

// `--help` of every command: two examples, and only the options that apply, engine options under the
// engine that takes them. Every command is checked in process (commander's help output, captured); the
// spawned CLI is checked on the commands where the grouping matters.

beforeAll(ensureBuilt);

/** `nla …` with stdout cut before the examples (which may mention any option). */
function nla(args: string[]): { code: number | null; out: string } {
  const r = run(args);
  const at = r.out.indexOf('\nExamples:\n');
  return { code: r.code, out: at >= 0 ? r.out.slice(0, at) : r.out };
}

/** Every command and subcommand below the program. */
function allCommands(c: Command): Command[] {
  return c.commands.flatMap((s) => [s, ...allCommands(s)]);
}

/** The full --help text of one command (help text 'after' included), as commander prints it. */
function helpOf(cmd: Command): string {
  let out = '';
  for (let c: Command | null = cmd; c; c = c.parent) c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

/** The lines of an "Examples:" block that run nla. */
function examples(help: string): string[] {
  const at = help.lastIndexOf('\nExamples:\n');
  if (at < 0) return [];
  return help.slice(at).split('\n').filter((l) => /^\s+\$? ?nla /.test(l));
}

/** The option flags (`--engine`) listed under a help heading ("Options of the analog engine:"). */
function optionsUnder(help: string, heading: string): string[] {
  const at = help.indexOf(`\n${heading}\n`);
  if (at < 0) return [];
  const block = help.slice(at + heading.length + 2).split(/\n\n/)[0]!;
  return block.split('\n').map((l) => /^ {2}(?:-\w, )?(--[\w-]+)/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}

describe('every command has two examples in its --help', () => {
  const program = buildProgram();
  const cmds = allCommands(program);

  it('covers every command and subcommand', () => {
    expect(cmds.map(commandPath)).toEqual(expect.arrayContaining(['simulate', 'board virtual', 'board rtl', 'fpga build', 'fpga flash', 'experiment', 'montecarlo', 'compare', 'stream']));
  });

  for (const cmd of cmds) {
    it(`nla ${commandPath(cmd)}`, () => {
      const ex = examples(helpOf(cmd));
      expect(ex.length, helpOf(cmd)).toBeGreaterThanOrEqual(2);
      // each example names the command it documents (a group's examples run its subcommands)
      for (const line of ex) expect(line).toContain(`nla ${commandPath(cmd)}`);
    });
  }
});

describe('engine options are grouped under the engine that takes them', () => {
  it('nla simulate --help: one group per engine (or engines) holding exactly that engine\'s options', () => {
    const r = nla(['simulate', '--help']);
    expect(r.code).toBe(0);
    // independent truth: the registry's declarations
    const byFlag = new Map<string, string[]>();
    for (const f of ENGINE_FACTORIES) for (const o of f.options) byFlag.set(o.flag.split(' ')[0]!, [...(byFlag.get(o.flag.split(' ')[0]!) ?? []), f.name]);
    for (const [flag, takers] of byFlag) {
      const heading = `Options of the ${takers.join(' and ')} engine${takers.length > 1 ? 's' : ''}:`;
      expect(optionsUnder(r.out, heading), heading).toContain(flag);
    }
    // engine options are not in the shared list
    expect(optionsUnder(r.out, 'Options:')).not.toContain('--ode-solver');
    expect(optionsUnder(r.out, 'Options:')).toContain('--duration');
  });

  it('with --engine, only that engine\'s options are listed', () => {
    const r = nla(['simulate', '--engine', 'digital', '--help']);
    expect(r.code).toBe(0);
    expect(optionsUnder(r.out, 'Options of the digital engine:')).toEqual(expect.arrayContaining(['--dt', '--method', '--load-state']));
    for (const foreign of ['--ode-solver', '--spice-engine', '--board-port', '--profile']) expect(r.out).not.toContain(foreign);
    expect(run(['simulate', '--engine', 'digital', '--help']).out).toContain('engine options shown for digital only');
  });

  it('nla compare --a analog --b spice --help shows the two engines\' options, not the digital or board ones', () => {
    const r = nla(['compare', '--a', 'analog', '--b', 'spice', '--help']);
    expect(r.code).toBe(0);
    expect(optionsUnder(r.out, 'Options of the analog and spice engines:')).toContain('--profile');
    expect(optionsUnder(r.out, 'Options of the analog engine:')).toContain('--ode-solver');
    expect(optionsUnder(r.out, 'Options of the spice engine:')).toContain('--spice-engine');
    for (const foreign of ['--dt ', '--board-port', '--load-state']) expect(r.out).not.toContain(foreign);
  });

  it('nla spice --help lists the spice engine\'s options only, and no --learn (it cannot learn)', () => {
    const r = nla(['spice', '--help']);
    expect(optionsUnder(r.out, 'Options of the spice engine:')).toEqual(expect.arrayContaining(['--spice-engine', '--profile', '--corner']));
    for (const foreign of ['--ode-solver', '--board-port', '--dt ', '--learn']) expect(r.out).not.toContain(foreign);
  });

  it('nla montecarlo and nla stream group the options that apply in one mode only', () => {
    const mc = nla(['montecarlo', '--help']).out;
    expect(optionsUnder(mc, 'Classifier (with --test-set: each chip at its DC operating point):')).toEqual(['--test-set', '--test-images']);
    expect(optionsUnder(mc, 'Transient (without --test-set: each chip runs this drive):')).toEqual(expect.arrayContaining(['--duration', '--input', '--sample-every']));
    expect(optionsUnder(mc, 'Circuit and analog solver (every chip):')).toEqual(expect.arrayContaining(['--ode-solver', '--top-down']));
    const st = nla(['stream', '--help']).out;
    expect(optionsUnder(st, 'With a network spec as --image (compiled here):')).toEqual(['--state', '--board-dt', '--frame', '--board-iterations']);
  });

  it('a command lists no option of another command', () => {
    expect(nla(['validate', '--help']).out).not.toContain('--duration');
    const board = nla(['board', 'virtual', '--help']).out;
    expect(board).toContain('--vcore-build');
    expect(board).not.toContain('--image');
    const build = nla(['fpga', 'build', '--help']).out;
    expect(build).toContain('--estimate');
    expect(build).not.toContain('--sram');
  });
});
