import type { Command } from 'commander';
import { describeActivation } from '../../core/activation.js';
import { formatBytes, memoryBudget, ResourceError } from '../../core/memory-budget.js';
import { digitalFootprint } from '../../emulator/digital/footprint.js';
import { planGraph, type GraphPlan } from '../../compiler/graph/plan.js';
import { loadSpecFile } from '../../compiler/spec/load.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a network spec; print a summary (with the memory its weights will take), or every problem with its JSON path')
    .argument('<spec>', 'network spec (JSON)')
    .option('--json', 'print the summary as JSON')
    .action((specPath: string, o: { json?: boolean }) => {
      // the graph is laid out, not built: validating allocates no weight, whatever the network's size
      const g = planGraph(loadSpecFile(specPath));
      const summary = validationSummary(g);
      const budget = memoryBudget();
      const over = g.footprint.bytes > budget.bytes;
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else
        process.stdout.write(
          `${specPath}: valid. '${g.name}', ${summary.structure}, feedback ${g.feedback}: ${g.nStimulusInputs} inputs, ${g.nNeurons} neurons ` +
            `(${g.outputs.length} outputs${g.nInterneurons ? `, ${g.nInterneurons} interneurons` : ''}), ${summary.synapsesExact ? "" : "≈ "}${summary.synapses} synapses, β = ${g.beta}, seed ${g.seed}; ` +
            `weights ${formatBytes(g.footprint.bytes)}\n`,
        );
      if (over) process.stderr.write(`nla: warning: its weights need ${formatBytes(g.footprint.bytes)}, more than the memory limit of ${formatBytes(budget.bytes)} (${budget.source}): simulate, compile and image will refuse it\n`);
      else {
        const digital = digitalRunWarning(g, budget.bytes);
        if (digital) process.stderr.write(`nla: warning: ${digital}\n`);
      }
    });
}

/** What would stop the digital engine's default run of this network (memory), or null. */
function digitalRunWarning(g: GraphPlan, limit: number): string | null {
  try {
    const e = digitalFootprint(g, {});
    const total = g.footprint.bytes + e.bytes;
    return total > limit ? `a digital run needs ${formatBytes(total)} (weights + ${e.what}), more than the memory limit of ${formatBytes(limit)}` : null;
  } catch (err) {
    if (err instanceof ResourceError) return `with the default WebAssembly kernels, ${err.message}`;
    throw err;
  }
}

/** The summary `nla validate` prints; synapses behind a density mask are the expected count (marked ≈ in `synapsesExact`). */
export function validationSummary(g: GraphPlan) {
  let synapses = 0;
  let exact = true;
  for (const p of g.projections) {
    const m = p.maskSpec;
    if (!m) synapses += p.rows * p.cols;
    else if (Array.isArray(m)) synapses += m.reduce((s, row) => s + row.filter((v) => v).length, 0);
    else {
      synapses += Math.round(m.density * p.rows * p.cols);
      exact = false;
    }
  }
  return {
    valid: true,
    network: g.name,
    structure: g.layered ? 'layered' : 'recurrent',
    feedback: g.feedback,
    inputs: g.nStimulusInputs,
    neurons: g.nNeurons,
    outputs: g.outputs.length,
    interneurons: g.nInterneurons,
    synapses,
    synapsesExact: exact,
    weightBytes: g.footprint.bytes,
    beta: g.beta,
    seed: g.seed,
    populations: [...g.inputs, ...g.neurons, ...g.interneurons].map((p) => ({
      name: p.name,
      size: p.size,
      ...('activation' in p ? { activation: describeActivation(p.activation), tauMs: p.tauMs } : {}),
      ...('tauInMs' in p && p.constantRate === null ? { tauInMs: p.tauInMs } : {}),
    })),
  };
}
