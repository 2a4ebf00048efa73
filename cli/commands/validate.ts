import type { Command } from 'commander';
import { describeActivation } from '../../core/activation.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a network spec; print a summary, or every problem with its JSON path')
    .argument('<spec>', 'network spec (JSON)')
    .option('--json', 'print the summary as JSON')
    .action((specPath: string, o: { json?: boolean }) => {
      const spec = loadSpecFile(specPath);
      const g = buildGraph(spec);
      const synapses = g.projections.reduce((s, p) => s + (p.mask ? p.mask.reduce((a, m) => a + m, 0) : p.rows * p.cols), 0);
      const summary = {
        valid: true,
        network: g.name,
        structure: g.layered ? 'layered' : 'recurrent',
        feedback: g.feedback,
        inputs: g.nStimulusInputs,
        neurons: g.nNeurons,
        outputs: g.outputs.length,
        interneurons: g.nInterneurons,
        synapses,
        beta: g.beta,
        seed: g.seed,
        populations: [...g.inputs, ...g.neurons, ...g.interneurons].map((p) => ({
          name: p.name,
          size: p.size,
          ...('activation' in p ? { activation: describeActivation(p.activation), tauMs: p.tauMs } : {}),
          ...('tauInMs' in p && p.constantRate === null ? { tauInMs: p.tauInMs } : {}),
        })),
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        `${specPath}: valid. '${g.name}', ${summary.structure}, feedback ${g.feedback}: ${g.nStimulusInputs} inputs, ${g.nNeurons} neurons ` +
          `(${g.outputs.length} outputs${g.nInterneurons ? `, ${g.nInterneurons} interneurons` : ''}), ${synapses} synapses, β = ${g.beta}, seed ${g.seed}\n`,
      );
    });
}
