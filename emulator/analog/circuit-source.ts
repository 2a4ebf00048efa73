import { UsageError } from '../../core/errors.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import type { CommonOptions, EngineOption, EngineSource } from '../engine.js';
import { emulatorMeter } from './calibration-meter.js';

/** The options of engines that run a compiled circuit (analog, spice): how a network becomes one. */
export const CIRCUIT_OPTIONS: readonly EngineOption[] = [
  { flag: '--profile <p>', key: 'profile', description: 'analog/spice: hardware profile (nla profiles) or profile JSON, for a network spec', defaultValue: 'ideal' },
  { flag: '--calibrate', key: 'calibrate', description: 'analog/spice: calibrate the compiled circuit on the emulator' },
];

/**
 * The circuit an analog or SPICE engine runs: a compiled circuit file as it is (a `--profile`,
 * `--calibrate` or `--seed` for it is refused: compile the spec again), or the network compiled here for
 * `--profile` with the mismatch drawn from `--seed` (default: the network's seed).
 */
export function circuitFromSource(source: EngineSource, common: CommonOptions, o: Readonly<Record<string, string | boolean | undefined>>): CircuitIR {
  if (source.kind === 'circuit') {
    for (const [key, flag] of [['profile', '--profile'], ['calibrate', '--calibrate']] as const) {
      if (o[key] !== undefined) throw new UsageError(`${flag}: ${source.file} is a compiled circuit (profile '${source.circuit.profile.name}'); compile the spec again to change it`);
    }
    if (common.seed !== undefined && common.seed !== source.circuit.seed) throw new UsageError(`--seed: ${source.file} is a compiled circuit drawn with seed ${source.circuit.seed}; compile the spec again to draw another`);
    return source.circuit;
  }
  const profile = loadProfile(typeof o.profile === 'string' ? o.profile : 'ideal');
  return compileCircuit(source.graph, profile, { ...(common.seed !== undefined ? { seed: common.seed } : {}), ...(o.calibrate === true ? { calibrate: emulatorMeter } : {}) });
}
