import type { Command } from 'commander';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { synapseCount, frameMs } from '../../hardware-models/fixed-point/image.js';
import { compileImageFromSpec, type ImageSourceOptions } from '../board-image.js';

interface ImageOpts extends ImageSourceOptions {
  out?: string;
  json?: boolean;
}

export function registerImage(program: Command): void {
  program
    .command('image')
    .description('compile a network spec (and trained weights) into a fixed-point board image (docs/protocol.md, "Board image")')
    .argument('<spec>', 'network spec (JSON)')
    .option('--state <json>', 'take the weights of a saved state (nla simulate --save-state)')
    .option('--board-dt <time>', "the fixed-point core's Euler step: every decay factor is dt/τ", '0.1ms')
    .option('--frame <time>', 'model time per input frame (a whole number of steps)', '1ms')
    .option('--board-iterations <n>', "iterations of the core's implicit solve per step", '4')
    .option('--relax-shift <s>', 'relaxation α = 2^−s (default: from the estimated λ_max of H)')
    .option('--out <file>', 'write the binary image')
    .option('--json', 'print the summary as JSON')
    .action((spec: string, o: ImageOpts) => {
      const r = compileImageFromSpec(spec, o);
      const img = r.image;
      const bytes = encodeImage(img);
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, bytes);
      }
      const summary = {
        network: img.network,
        neurons: img.nNeurons,
        inputs: img.nStimulusInputs,
        outputs: img.outputs.length,
        synapses: synapseCount(img),
        bytes: bytes.length,
        crc32: `0x${imageId(bytes).toString(16).padStart(8, '0')}`,
        dtMs: img.dtNs / 1e6,
        frameMs: frameMs(img),
        stepsPerFrame: img.stepsPerFrame,
        iterations: img.iterations,
        relaxation: `2^-${img.relaxShift}`,
        lambdaMaxH: r.lambdaMax,
        formats: 'signals Q3.16, state Q3.24, increments Q0.24, weights Q3.28 (datapath Q3.16)',
        warnings: r.warnings,
        ...(o.out ? { file: o.out } : {}),
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const lines = [
        `${img.network}: ${img.nNeurons} neurons, ${img.nStimulusInputs} inputs, ${img.outputs.length} outputs, ${summary.synapses} synapses → ${bytes.length} bytes (CRC ${summary.crc32})`,
        `  dt = ${summary.dtMs} ms, ${img.stepsPerFrame} steps per ${summary.frameMs} ms frame, ${img.iterations} iterations per step, α = 2^-${img.relaxShift} (λ_max(H) ≈ ${r.lambdaMax.toFixed(3)})`,
        `  ${summary.formats}`,
        ...r.warnings.map((w) => `  warning: ${w}`),
        ...(o.out ? [`wrote ${o.out}`] : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
