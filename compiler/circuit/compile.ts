import { UsageError } from '../../core/errors.js';
import type { NlaGraph } from '../graph/graph.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import type { CircuitIR } from './ir.js';
import type { CornerShift } from '../../hardware-models/profiles/corner.js';
import { calibratePass, type UnitMeter } from './passes/calibrate.js';
import { cornerPass } from './passes/corner.js';
import { mismatchPass } from './passes/mismatch.js';
import type { Pass, PassContext } from './passes/pass.js';
import { quantisePass } from './passes/quantise.js';
import { scalePass } from './passes/scale.js';

/** Options of `compileCircuit`: the mismatch seed, an operating corner and calibration. */
export interface CompileOptions {
  /** Seed of the mismatch draw (recorded in the circuit). */
  seed?: number;
  /** Calibrate with this meter (the CLI passes one backed by the emulator). */
  calibrate?: UnitMeter;
  /** Shift the whole die to this operating corner before the mismatch draw (default: none). */
  corner?: CornerShift;
  /**
   * With `calibrate`: also trim each DAC synapse's code from its measured gain (CLI `--calibrate synapses`;
   * passes/calibrate-synapses.ts). Refused without `calibrate`. Default false: neuron trims only.
   */
  calibrateSynapses?: boolean;
}

/** The passes after scale, in order: the nominal circuit ends with quantise, device variation follows. */
export function circuitPasses(opts: CompileOptions = {}): Pass[] {
  if (opts.calibrateSynapses && !opts.calibrate) throw new UsageError('calibrateSynapses: per-synapse calibration needs a meter (CompileOptions.calibrate)');
  return [quantisePass, ...(opts.corner ? [cornerPass(opts.corner)] : []), mismatchPass, ...(opts.calibrate ? [calibratePass(opts.calibrate, { synapses: opts.calibrateSynapses === true })] : [])];
}

/**
 * NLA graph + hardware profile → circuit IR, by passes run one after another in this order:
 * scale (nominal SI values), quantise (weights to DAC codes or resistor values), optionally corner (the
 * die-to-die shift of an operating corner), mismatch (seeded device variation), and optionally calibrate (measure and trim). Each pass appends its report.
 */
export function compileCircuit(graph: NlaGraph, profile: Profile, opts: CompileOptions = {}): CircuitIR {
  let ctx: PassContext = { profile, seed: opts.seed ?? graph.seed };
  let ir = scalePass.run(graph, ctx);
  for (const pass of circuitPasses(opts)) {
    ir = pass.run(ir, ctx);
    if (pass === quantisePass) ctx = { ...ctx, nominal: ir };
  }
  return ir;
}
