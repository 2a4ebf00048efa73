import type { Command } from 'commander';
import { writeOutput } from '../files.js';
import { readJsonFile } from '../../core/json-file.js';
import { CIRCUIT_FORMAT, type CircuitIR } from '../../compiler/circuit/ir.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { circuitFromSource } from '../../emulator/analog/circuit-source.js';
import { emitSpice } from '../../compiler/spice/netlist.js';
import { UsageError } from '../../core/errors.js';
import { parseTimeMs } from '../../core/units.js';
import { oneOf, optionalSeed } from '../../core/option-values.js';

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a network spec onto a hardware profile: circuit IR (SI units), pass reports, optional SPICE netlist')
    .argument('<spec>', 'network spec (JSON)')
    .option('--profile <p>', 'hardware profile: a built-in name (nla profiles) or a profile JSON file', 'ideal')
    .option('--seed <n>', 'seed of the mismatch draw (default: the spec\'s seed)')
    .option('--calibrate', 'measure every neuron on the emulator and trim it (as chips are calibrated)')
    .option('--out <json>', 'write the circuit IR')
    .option('--spice <cir>', 'write an ngspice netlist of the circuit')
    .option('--duration <time>', 'transient length written into the netlist', '100ms')
    .option('--init <mode>', 'initial state written into the netlist: rest (.ic: u = 0, inputs low-passed from 0) or equilibrium (the operating point)', 'rest')
    .option('--json', 'print the pass reports as JSON')
    .action((spec: string, o: { profile: string; seed?: string; calibrate?: boolean; out?: string; spice?: string; duration: string; init: string; json?: boolean }) => {
      const ir = compileSpecFile(spec, o);
      const files: string[] = [];
      if (o.out) files.push(writeOutput(o.out, JSON.stringify(ir)));
      if (o.spice) files.push(writeOutput(o.spice, emitSpice(ir, { durationModelMs: parseTimeMs(o.duration, '--duration'), init: oneOf(o.init, ['rest', 'equilibrium'] as const, '--init') }).netlist));
      if (o.json) {
        process.stdout.write(JSON.stringify({ network: ir.network, profile: ir.profile.name, seed: ir.seed, reports: ir.reports, files }, null, 2) + '\n');
        return;
      }
      const lines = [`${ir.network} → ${ir.profile.name} (seed ${ir.seed}): ${ir.neurons.length} neurons, ${ir.arrays.reduce((s, a) => s + a.rows * a.cols, 0)} synapses in ${ir.arrays.length} arrays`];
      for (const r of ir.reports) {
        lines.push(`  ${r.pass}: ${r.summary}`);
        for (const wmsg of r.warnings) lines.push(`    warning: ${wmsg}`);
      }
      for (const f of files) lines.push(`wrote ${f}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** The spec compiled for --profile (mismatch from --seed, calibrated with --calibrate), as the analog and spice engines compile it. */
function compileSpecFile(spec: string, o: { profile: string; seed?: string; calibrate?: boolean }): CircuitIR {
  if ((readJsonFile(spec) as { format?: unknown } | null)?.format === CIRCUIT_FORMAT) throw new UsageError(`${spec} is a compiled circuit already; compile the network spec it came from`);
  const seed = optionalSeed(o.seed);
  const source = { kind: 'network' as const, graph: buildGraph(loadSpecFile(spec)), file: spec };
  return circuitFromSource(source, { init: 'rest', learn: undefined, seed }, { profile: o.profile, calibrate: o.calibrate });
}
