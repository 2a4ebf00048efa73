import { readJsonFile } from '../core/json-file.js';
import { compileCircuit } from '../compiler/circuit/compile.js';
import type { CircuitIR } from '../compiler/circuit/ir.js';
import { validateCircuit } from '../compiler/circuit/validate.js';
import { buildGraph } from '../compiler/graph/build.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { emulatorMeter } from '../emulator/analog/calibration-meter.js';
import { loadProfile } from '../hardware-models/profiles/load.js';
import { UsageError } from '../core/errors.js';

export interface CircuitSource {
  profile?: string;
  seed?: string;
  calibrate?: boolean;
}

/**
 * A circuit from either a compiled circuit file (format nla-circuit/1) or a network spec compiled here
 * for `--profile` (default `ideal`), with the emulator as the calibration meter.
 */
export function loadOrCompileCircuit(path: string, o: CircuitSource): CircuitIR {
  const raw = readJsonFile(path) as { format?: unknown };
  if (raw && raw.format === 'nla-circuit/1') {
    if (o.profile && o.profile !== 'ideal') throw new UsageError(`--profile: ${path} is a compiled circuit (profile '${(raw as { profile?: { name?: string } }).profile?.name}'); compile the spec again to change the profile`);
    return validateCircuit(raw, path);
  }
  const graph = buildGraph(loadSpecFile(path));
  const seed = o.seed !== undefined ? Number(o.seed) : undefined;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new UsageError(`--seed: expected a non-negative integer, got '${o.seed}'`);
  return compileCircuit(graph, loadProfile(o.profile ?? 'ideal'), { ...(seed !== undefined ? { seed } : {}), ...(o.calibrate ? { calibrate: emulatorMeter } : {}) });
}
