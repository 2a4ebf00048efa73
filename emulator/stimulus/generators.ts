import { UsageError } from '../../core/errors.js';
import type { Signal } from './signal.js';

/**
 * The registry of stimulus generators: input rates computed by code instead of read from an input CSV.
 * `driveFromFiles` (cli/drive-files.ts) takes a registered generator's name in place of `input`; a program
 * registers one here, the web workbench's plugin loader (web/plugin-loader.ts) registers a plugin's.
 */

/**
 * A stimulus generator: the rate of each input channel at model time t (ms). `slope` (per ms) is the
 * rate's derivative, which the analog emulator's input look-ahead uses (absent: 0, as a step table's).
 * The rate must be smooth (no jumps): jumps belong in an events CSV (`step` events).
 */
export interface StimulusGenerator {
  /** The name `driveFromFiles`'s `stimulus` selects it by. */
  name: string;
  description?: string;
  rate(tMs: number, channel: number, channels: number): number;
  slope?(tMs: number, channel: number, channels: number): number;
}

const generators = new Map<string, StimulusGenerator>();

/** Registers a generator; a malformed one is refused naming `source` (a plugin's URL) and what is missing. */
export function registerStimulusGenerator(generator: unknown, source = 'stimulus generator'): StimulusGenerator {
  const g = generator as Partial<StimulusGenerator> | null;
  if (!g || typeof g !== 'object') throw new UsageError(`${source}: expected a stimulus generator object, got ${g === null ? 'null' : typeof g}`);
  if (typeof g.name !== 'string' || !/^[\w.+-]+$/.test(g.name)) throw new UsageError(`${source}: 'name' must be a non-empty name of letters, digits, '.', '+', '-' or '_', got ${JSON.stringify(g.name)}`);
  if (typeof g.rate !== 'function') throw new UsageError(`${source}: 'rate' must be a function (tMs, channel, channels) → rate, got ${typeof g.rate}`);
  if (g.slope !== undefined && typeof g.slope !== 'function') throw new UsageError(`${source}: 'slope' must be a function (tMs, channel, channels) → rate per ms when given, got ${typeof g.slope}`);
  const checked: StimulusGenerator = { name: g.name, description: g.description, rate: g.rate.bind(g), slope: g.slope?.bind(g) };
  generators.set(g.name, checked);
  return checked;
}

/** The names of the registered generators. */
export function stimulusGeneratorNames(): string[] {
  return [...generators.keys()];
}

/** The registered generator `name` as a signal of `channels` channels; every value it gives is checked (finite). */
export function stimulusSignal(name: string, channels: number): Signal {
  const g = generators.get(name);
  if (!g) throw new UsageError(`stimulus: no generator '${name}' is registered (registered: ${stimulusGeneratorNames().join(', ') || 'none'})`);
  const finite = (v: number, what: string, tMs: number, c: number): number => {
    if (!Number.isFinite(v)) throw new UsageError(`stimulus '${name}': ${what} of channel ${c} at t = ${tMs} ms is ${v} (expected a finite number)`);
    return v;
  };
  return {
    channels,
    value(tMs, out, offset) {
      for (let c = 0; c < channels; c++) out[offset + c] = finite(g.rate(tMs, c, channels), 'the rate', tMs, c);
    },
    slope(tMs, out, offset) {
      for (let c = 0; c < channels; c++) out[offset + c] = g.slope ? finite(g.slope(tMs, c, channels), 'the slope', tMs, c) : 0;
    },
    jumps: () => false,
    breakpoints: () => [],
  };
}
