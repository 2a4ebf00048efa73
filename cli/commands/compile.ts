import { basename } from 'node:path';
import type { Command } from 'commander';
import { writeOutput } from '../files.js';
import { driveFromFiles } from '../drive-files.js';
import { readJsonFile } from '../../core/json-file.js';
import { CIRCUIT_FORMAT, type CircuitIR } from '../../compiler/circuit/ir.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { circuitFromSource } from '../../emulator/analog/circuit-source.js';
import { driveToPwl } from '../../emulator/spice/drive-pwl.js';
import { emitSpice } from '../../compiler/spice/netlist.js';
import type { SpiceOptions } from '../../compiler/spice/types.js';
import { UsageError } from '../../core/errors.js';
import { estimatePower } from '../../hardware-models/power/power-estimate.js';
import { powerText } from '../../hardware-models/power/power-text.js';
import { parseTimeMs } from '../../core/units.js';
import { oneOf, optionalSeed } from '../../core/option-values.js';

interface CompileOptions {
  profile: string;
  seed?: string;
  calibrate?: boolean | string;
  corner?: string;
  topDown?: string;
  recoveryRatio?: string;
  feedbackPlasticity?: string;
  out?: string;
  spice?: string;
  duration: string;
  sampleEvery: string;
  init: string;
  input?: string;
  interp?: string;
  target?: string;
  targetInterp?: string;
  json?: boolean;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a network spec onto a hardware profile: circuit IR (SI units), pass reports, optional SPICE netlist')
    .argument('<spec>', 'network spec (JSON)')
    .option('--profile <p>', 'hardware profile: a built-in name (nla profiles) or a profile JSON file', 'ideal')
    .option('--seed <n>', 'seed of the mismatch draw (default: the spec\'s seed)')
    .option('--calibrate [scope]', "measure on the emulator and trim, as chips are calibrated: neurons (the default) or synapses (each DAC synapse's code too, then the neurons)")
    .option('--corner <name>', "compile the die at an operating corner: typical, slow, fast, low-supply, high-supply, cold, room, hot joined with '+', or worst-slow, worst-fast (docs/hardware.md)")
    .option('--top-down <carrier>', "how the microcircuit's top-down arrays get the voltage of the layer above: wire, rate or depressing (default: the profile's)")
    .option('--recovery-ratio <x>', "depressing top-down synapses: τ_rec over the presynaptic τ (default: the profile's, else 1)")
    .option('--feedback-plasticity <p>', "separate error arrays: mirrored (learn the forward update transposed) or fixed (default: the profile's)")
    .option('--out <json>', 'write the circuit IR')
    .option('--spice <cir>', 'write an ngspice netlist of the circuit that `ngspice -b <cir>` runs as it is (writes <cir base>.raw)')
    .option('--duration <time>', 'transient length written into the netlist', '100ms')
    .option('--sample-every <time>', 'output step of the netlist\'s transient', '0.1ms')
    .option('--init <mode>', 'initial state written into the netlist: rest (.ic: u = 0, inputs low-passed from 0) or equilibrium (the operating point)', 'rest')
    .option('--input <csv>', 'input rates for the netlist (t in ms, one column per input), written as PWL sources (without: 0)')
    .option('--interp <mode>', 'input CSV between rows: step or linear', 'step')
    .option('--target <csv>', 'targets for the outputs (t in ms, one column per output), written as PWL sources')
    .option('--target-interp <mode>', 'target CSV between rows: step or linear', 'step')
    .option('--json', 'print the pass reports as JSON')
    .action((spec: string, o: CompileOptions) => {
      const { ir, graph } = compileSpecFile(spec, o);
      const files: string[] = [];
      if (o.out) files.push(writeOutput(o.out, JSON.stringify(ir)));
      if (o.spice) files.push(writeOutput(o.spice, spiceFile(ir, graph, o.spice, o).netlist));
      else if (o.input || o.target) throw new UsageError('--input/--target: they go into the SPICE netlist; add --spice <cir>');
      const power = estimatePower(ir);
      if (o.json) {
        process.stdout.write(JSON.stringify({ network: ir.network, profile: ir.profile.name, seed: ir.seed, errorPath: ir.structure.errorPath, topDown: ir.profile.topDown, reports: ir.reports, power, files }, null, 2) + '\n');
        return;
      }
      const lines = [`${ir.network} → ${ir.profile.name} (seed ${ir.seed}): ${ir.neurons.length} neurons, ${ir.arrays.reduce((s, a) => s + a.rows * a.cols, 0)} synapses in ${ir.arrays.length} arrays`];
      for (const r of ir.reports) {
        lines.push(`  ${r.pass}: ${r.summary}`);
        for (const wmsg of r.warnings) lines.push(`    warning: ${wmsg}`);
      }
      lines.push(...powerText(power));
      for (const f of files) lines.push(`wrote ${f}`);
      if (o.spice) lines.push(`run it: ngspice -b ${o.spice}   (writes ${rawFileOf(o.spice)}; the file's header maps each node back to model units)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** The raw file a standalone netlist writes: its own name with `.raw`, in ngspice's working directory. */
function rawFileOf(cir: string): string {
  return basename(cir).replace(/\.[^.]*$/, '') + '.raw';
}

/**
 * The standalone netlist: the drive from --input/--target (read and checked as every engine reads them)
 * as PWL sources over --duration, a `.control` block that runs the transient and writes the traces.
 */
function spiceFile(ir: CircuitIR, graph: NlaGraph, cir: string, o: CompileOptions) {
  const durationModelMs = parseTimeMs(o.duration, '--duration');
  const sampleEveryModelMs = parseTimeMs(o.sampleEvery, '--sample-every');
  if (!(sampleEveryModelMs > 0)) throw new UsageError(`--sample-every: expected a positive time, got '${o.sampleEvery}'`);
  const opts: SpiceOptions = { durationModelMs, sampleEveryModelMs, init: oneOf(o.init, ['rest', 'equilibrium'] as const, '--init'), standalone: { rawFile: rawFileOf(cir) } };
  if (o.input || o.target) {
    if (!o.input) throw new UsageError('--target needs --input: the netlist takes its inputs and targets from the same run');
    const drive = driveFromFiles(graph, { input: o.input, interp: o.interp, target: o.target, targetInterp: o.targetInterp });
    const { inputs, targets } = driveToPwl(drive, durationModelMs, sampleEveryModelMs);
    opts.inputs = inputs;
    if (targets) opts.targets = targets;
  }
  return emitSpice(ir, opts);
}

/** The spec compiled for --profile (mismatch from --seed, calibrated with --calibrate), as the analog and spice engines compile it. */
function compileSpecFile(spec: string, o: CompileOptions): { ir: CircuitIR; graph: NlaGraph } {
  if ((readJsonFile(spec) as { format?: unknown } | null)?.format === CIRCUIT_FORMAT) throw new UsageError(`${spec} is a compiled circuit already; compile the network spec it came from`);
  const seed = optionalSeed(o.seed);
  const graph = buildGraph(loadSpecFile(spec));
  const source = { kind: 'network' as const, graph, file: spec };
  const choices = { profile: o.profile, calibrate: o.calibrate, corner: o.corner, topDown: o.topDown, recoveryRatio: o.recoveryRatio, feedbackPlasticity: o.feedbackPlasticity };
  return { ir: circuitFromSource(source, { init: 'rest', learn: undefined, seed }, choices), graph };
}
