import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { exportNir } from '../../compiler/nir/export.js';
import { importNirFile } from '../../compiler/nir/import.js';
import { writeNirFile } from '../../compiler/nir/nir-file.js';
import type { InitSpec } from '../../compiler/spec/format.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { readJsonFile } from '../../core/json-file.js';
import { InputError, UsageError } from '../../core/errors.js';

/** `nla nir export|import`: NLA networks to and from NIR files (the neuromorphic intermediate representation, HDF5). */
export function registerNir(program: Command): void {
  const nir = program.command('nir').description('exchange networks with NIR (neuromorphic intermediate representation) tools: Rockpool, Lava, Norse, snnTorch, Spyx, sinabs');
  nir
    .command('export')
    .description('write a network spec as a NIR graph (Input, Linear/Affine, LI, Output; the rest in the NLA extension)')
    .argument('<spec>', 'network spec (JSON)')
    .option('--out <file>', 'NIR file to write (HDF5, e.g. net.nir)')
    .action(async (specPath: string, o: { out?: string }) => {
      if (!o.out) throw new UsageError('nir export: --out <file> is required');
      const spec = loadSpecFile(specPath);
      const raw = readJsonFile(specPath) as { description?: unknown; init?: unknown };
      const extras = { init: raw.init as InitSpec | undefined, description: typeof raw.description === 'string' ? raw.description : undefined };
      const g = exportNir(spec, extras);
      await writeNirFile(o.out, g);
      const count = (t: string) => [...g.nodes.values()].filter((n) => n.type === t).length;
      process.stdout.write(
        `${o.out}: NIR graph of '${spec.name}': ${count('Input')} Input, ${count('Linear') + count('Affine')} Linear/Affine, ${count('LI')} LI, ${count('Output')} Output nodes, ${g.edges.length} edges; NLA extension in node/metadata/nla\n`,
      );
    });
  nir
    .command('import')
    .description('read a NIR graph as a network spec; prints what was assumed (a peer graph) or changed; unmappable nodes are refused')
    .argument('<file>', 'NIR file (HDF5)')
    .option('--out <spec>', 'network spec to write (JSON)')
    .action(async (file: string, o: { out?: string }) => {
      if (!o.out) throw new UsageError('nir import: --out <spec> is required');
      const r = await importNirFile(file);
      try {
        writeFileSync(o.out, JSON.stringify(r.spec, null, 2) + '\n');
      } catch (e) {
        throw new InputError(`cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, o.out);
      }
      for (const n of r.notes) process.stdout.write(`${n}\n`);
      process.stdout.write(`${o.out}: network '${r.spec.name}' (${r.extension ? 'exported by nla: NLA extension restored' : 'from a peer NIR graph'})\n`);
    });
}
