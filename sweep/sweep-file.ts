import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';

/** The commands a sweep can run: each prints a JSON summary with `--json`. */
export const SWEEP_COMMANDS = ['simulate', 'compare', 'experiment', 'montecarlo'] as const;

/** A parameter value: given to the command as `option value` (true: the bare flag; false: left out). */
export type ParamValue = string | number | boolean;

/** One point of a sweep: CLI option (e.g. `--seed`) → value. */
export type SweepPoint = Record<string, ParamValue>;

/**
 * A sweep file (JSON): the command, its fixed arguments, and either `grid` (option → list of values, the
 * cross product) or `points` (a list of option objects). File arguments are paths relative to the directory
 * `nla sweep` runs in.
 */
export interface SweepFile {
  command: (typeof SWEEP_COMMANDS)[number];
  args: string[];
  /** The swept options in the order given (the first is the plot's x axis; each combination of the others, a line). */
  parameters: string[];
  points: SweepPoint[];
}

/** Reads and validates a sweep file; a bad field throws InputError naming it. */
export function readSweepFile(path: string): SweepFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`sweep file ${path}: ${(e as Error).message}`);
  }
  return parseSweepFile(raw, path);
}

/** Validates a parsed sweep file (see SweepFile). */
export function parseSweepFile(raw: unknown, where = 'sweep file'): SweepFile {
  const bad = (field: string, why: string) => new InputError(`${where}: field '${field}' ${why}`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('(top level)', 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['command', 'args', 'grid', 'points'].includes(k)) throw bad(k, 'is not known (command, args, grid, points)');
  if (typeof o.command !== 'string' || !(SWEEP_COMMANDS as readonly string[]).includes(o.command)) throw bad('command', `must be one of ${SWEEP_COMMANDS.join(', ')}`);
  const args = o.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw bad('args', 'must be a list of strings');
  if ((o.grid === undefined) === (o.points === undefined)) throw bad('grid', "or 'points' must be given (exactly one of them)");
  const points = o.grid !== undefined ? gridPoints(o.grid, bad) : listedPoints(o.points, bad);
  refuseDuplicates(points, o.grid !== undefined ? 'grid' : 'points', bad);
  const parameters = [...new Set(points.flatMap((p) => Object.keys(p)))];
  for (const p of parameters) if (splitOptionValues(args as string[]).includes(p)) throw bad(`args`, `also sets the swept option ${p}`);
  return { command: o.command as SweepFile['command'], args: splitOptionValues(args as string[]), parameters, points };
}

type Bad = (field: string, why: string) => Error;

/**
 * `--input=in.csv` as two arguments, `--input in.csv`: so that a file named that way is hashed and carried
 * like any other, and an output path is moved into the job's folder.
 */
function splitOptionValues(args: readonly string[]): string[] {
  return args.flatMap((a) => {
    const m = /^(--[a-z][a-z0-9-]*)=(.*)$/s.exec(a);
    return m ? [m[1]!, m[2]!] : [a];
  });
}

/** Two equal points would be one job (one hash) counted twice: refused, naming both. */
function refuseDuplicates(points: SweepPoint[], field: string, bad: Bad): void {
  const seen = new Map<string, number>();
  points.forEach((p, i) => {
    const key = JSON.stringify(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));
    const j = seen.get(key);
    if (j !== undefined) throw bad(field === 'grid' ? 'grid' : `points[${i}]`, field === 'grid' ? `repeats a value: points ${j} and ${i} are the same (${JSON.stringify(p)})` : `is the same point as points[${j}]`);
    seen.set(key, i);
  });
}

function checkValue(v: unknown, field: string, bad: Bad): ParamValue {
  if (typeof v === 'number' && !Number.isFinite(v)) throw bad(field, 'holds a non-finite number');
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw bad(field, 'values must be strings, numbers or booleans');
  return v;
}

function checkOption(name: string, field: string, bad: Bad): void {
  if (!/^--[a-z][a-z0-9-]*$/.test(name)) throw bad(field, `names '${name}', not a CLI option such as --seed`);
}

function gridPoints(grid: unknown, bad: Bad): SweepPoint[] {
  if (!grid || typeof grid !== 'object' || Array.isArray(grid)) throw bad('grid', 'must be an object: option → list of values');
  let points: SweepPoint[] = [{}];
  for (const [name, values] of Object.entries(grid as Record<string, unknown>)) {
    checkOption(name, `grid.${name}`, bad);
    if (!Array.isArray(values) || values.length === 0) throw bad(`grid.${name}`, 'must be a non-empty list of values');
    const vs = values.map((v) => checkValue(v, `grid.${name}`, bad));
    points = points.flatMap((p) => vs.map((v) => ({ ...p, [name]: v })));
  }
  if (Object.keys(grid).length === 0) throw bad('grid', 'is empty');
  return points;
}

function listedPoints(points: unknown, bad: Bad): SweepPoint[] {
  if (!Array.isArray(points) || points.length === 0) throw bad('points', 'must be a non-empty list of objects');
  return points.map((p, i) => {
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad(`points[${i}]`, 'must be an object: option → value');
    const out: SweepPoint = {};
    for (const [name, v] of Object.entries(p as Record<string, unknown>)) {
      checkOption(name, `points[${i}].${name}`, bad);
      out[name] = checkValue(v, `points[${i}].${name}`, bad);
    }
    return out;
  });
}
