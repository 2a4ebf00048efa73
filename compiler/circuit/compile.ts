import type { NlaGraph } from '../graph/graph.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import type { CircuitIR } from './ir.js';
import { calibratePass, type UnitMeter } from './passes/calibrate.js';
import { mismatchPass } from './passes/mismatch.js';
import { quantisePass } from './passes/quantise.js';
import { scalePass } from './passes/scale.js';

export interface CompileOptions {
  /** Seed of the mismatch draw (recorded in the circuit). */
  seed?: number;
  /** Calibrate with this meter (the CLI passes one backed by the emulator). */
  calibrate?: UnitMeter;
}

/**
 * NLA graph + hardware profile → circuit IR, by passes run one after another in this order:
 * scale (nominal SI values), quantise (weights to DAC codes or resistor values), mismatch (seeded
 * device variation), and optionally calibrate (measure and trim). Each pass appends its report.
 */
export function compileCircuit(graph: NlaGraph, profile: Profile, opts: CompileOptions = {}): CircuitIR {
  const seed = opts.seed ?? graph.seed;
  const nominal = quantisePass(scalePass(graph, profile, seed), profile.synapses.realisation);
  const drawn = mismatchPass(nominal, profile, seed);
  return opts.calibrate ? calibratePass(drawn, nominal, opts.calibrate) : drawn;
}
