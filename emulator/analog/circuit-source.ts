import { UsageError } from '../../core/errors.js';
import { oneOf, positiveNumber } from '../../core/option-values.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import { cornerShift, parseCorner } from '../../hardware-models/profiles/corner.js';
import type { CommonOptions, EngineOption, EngineSource } from '../engine.js';
import { emulatorMeter } from './calibration-meter.js';
import type { UnitMeter } from '../../compiler/circuit/passes/calibrate.js';

/** The options of engines that run a compiled circuit (analog, spice): how a network becomes one. */
export const CIRCUIT_OPTIONS: readonly EngineOption[] = [
  { flag: '--profile <p>', key: 'profile', description: 'analog/spice: hardware profile (nla profiles) or profile JSON, for a network spec', defaultValue: 'ideal' },
  { flag: '--calibrate [scope]', key: 'calibrate', description: "analog/spice: calibrate the compiled circuit on the emulator: neurons (the default: τ, row gain, nudging, transfer) or synapses (the neurons, and each DAC synapse's code first)" },
  { flag: '--corner <name>', key: 'corner', description: "analog/spice: compile the die at an operating corner: parts typical, slow, fast, low-supply, high-supply, cold, room, hot joined with '+', or worst-slow, worst-fast (3σ process shift; docs/hardware.md)" },
  { flag: '--top-down <carrier>', key: 'topDown', description: "analog/spice: how the microcircuit's top-down arrays (B, B^IP) get the voltage of the layer above: wire, rate (ρ(u)) or depressing (ρ(u) through vesicle pools that invert it; needs depression-matched activations); default: the profile's" },
  { flag: '--recovery-ratio <x>', key: 'recoveryRatio', description: "analog/spice: with depressing top-down synapses, the pools' recovery time constant τ_rec over the presynaptic τ (default: the profile's, else 1)" },
  { flag: '--feedback-plasticity <p>', key: 'feedbackPlasticity', description: "analog/spice: what separate error arrays learn: mirrored (the forward update transposed) or fixed (feedback alignment); default: the profile's" },
];

type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/**
 * `--calibrate [scope]` as compile options: absent → none, bare or `neurons` → the neuron trims,
 * `synapses` → the neuron trims and each DAC synapse's code. Any other value is a UsageError naming it
 * (a word right after a bare `--calibrate` is read as its scope: the spec goes before the flag).
 */
export function calibrationChoice(value: string | boolean | undefined): { calibrate?: UnitMeter; calibrateSynapses?: boolean } {
  if (value === undefined || value === false) return {};
  const scope = value === true ? 'neurons' : value;
  if (scope !== 'neurons' && scope !== 'synapses') throw new UsageError(`--calibrate: expected neurons or synapses (or nothing, for neurons), got '${scope}'`);
  return scope === 'synapses' ? { calibrate: emulatorMeter, calibrateSynapses: true } : { calibrate: emulatorMeter };
}

/**
 * The profile with the circuit choices of the command line applied: `--top-down` (a `depressing` carrier
 * keeps the profile's pool settings when it has them, else τ_rec = τ and no pool mismatch),
 * `--recovery-ratio` (depressing carriers only) and `--feedback-plasticity`. Bad values are UsageErrors.
 */
export function withCircuitChoices(profile: Profile, o: OptionValues): Profile {
  const p: Profile = structuredClone(profile);
  if (typeof o.feedbackPlasticity === 'string') p.feedbackPlasticity = oneOf(o.feedbackPlasticity, ['mirrored', 'fixed'] as const, '--feedback-plasticity');
  if (typeof o.topDown === 'string') {
    const kind = oneOf(o.topDown, ['wire', 'rate', 'depressing'] as const, '--top-down');
    p.topDown = kind !== 'depressing' ? { kind } : profile.topDown.kind === 'depressing' ? profile.topDown : { kind, recoveryRatio: 1, recoverySigma: 0, releaseSigma: 0 };
  }
  if (typeof o.recoveryRatio === 'string') {
    if (p.topDown.kind !== 'depressing') throw new UsageError(`--recovery-ratio: only depressing top-down synapses have a recovery time constant; the carrier is '${p.topDown.kind}' (add --top-down depressing)`);
    p.topDown = { ...p.topDown, recoveryRatio: positiveNumber(o.recoveryRatio, '--recovery-ratio') };
  }
  return p;
}

/**
 * The circuit an analog or SPICE engine runs: a compiled circuit file as it is (a `--profile`,
 * `--calibrate`, `--seed` or a circuit choice for it is refused: compile the spec again), or the network
 * compiled here for `--profile` with the choices `--top-down`, `--recovery-ratio`, `--feedback-plasticity`
 * applied (withCircuitChoices), shifted to `--corner` if given, and the mismatch drawn from `--seed`
 * (default: the network's seed).
 */
export function circuitFromSource(source: EngineSource, common: CommonOptions, o: OptionValues): CircuitIR {
  if (source.kind === 'circuit') {
    for (const [key, flag] of [['profile', '--profile'], ['calibrate', '--calibrate'], ['corner', '--corner'], ['topDown', '--top-down'], ['recoveryRatio', '--recovery-ratio'], ['feedbackPlasticity', '--feedback-plasticity']] as const) {
      if (o[key] !== undefined) throw new UsageError(`${flag}: ${source.file} is a compiled circuit (profile '${source.circuit.profile.name}'); compile the spec again to change it`);
    }
    if (common.seed !== undefined && common.seed !== source.circuit.seed) throw new UsageError(`--seed: ${source.file} is a compiled circuit drawn with seed ${source.circuit.seed}; compile the spec again to draw another`);
    return source.circuit;
  }
  const profile = withCircuitChoices(loadProfile(typeof o.profile === 'string' ? o.profile : 'ideal'), o);
  const corner = typeof o.corner === 'string' ? { corner: cornerShift(parseCorner(o.corner), profile) } : {};
  return compileCircuit(source.graph, profile, { ...(common.seed !== undefined ? { seed: common.seed } : {}), ...corner, ...calibrationChoice(o.calibrate) });
}
