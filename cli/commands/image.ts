import type { Command } from 'commander';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { synapseCount, frameMs } from '../../hardware-models/fixed-point/image.js';
import { compileImageFromSpec, type ImageSourceOptions } from '../board-image.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { decodeVcoreImage, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { vcoreBuildOption } from '../vcore-build-option.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { UsageError } from '../../core/errors.js';

interface ImageOpts extends ImageSourceOptions {
  out?: string;
  vcoreOut?: string;
  vcoreBuild?: string;
  json?: boolean;
}

/** Compiles the vector core's image of `img` and writes it; a network the core cannot hold is a usage error naming why. */
function writeVcoreImage(img: BoardImage, file: string, build: VcoreBuild) {
  let bytes: Uint8Array;
  try {
    bytes = compileVcoreImage(img, build);
  } catch (e) {
    throw new UsageError(`--vcore-out: the vector core (${build.instructions} instructions, ${build.banks.length} banks of ${build.banks.map((b) => `${b.words} × ${b.bits}`).join(', ')} bits, ${build.weightWords} weights) cannot run ${img.network}: ${(e as Error).message}`);
  }
  const vi = decodeVcoreImage(bytes, build);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return {
    file,
    format: 'nla-vcore-image/1',
    instructions: vi.prog.code.length,
    banks: vi.prog.banks.length,
    bankWords: vi.prog.banks.map((b) => b.words),
    weights: vi.prog.w0,
    tableWords: vi.prog.tables.length,
    bytes: bytes.length,
    crc32: `0x${imageId(bytes).toString(16).padStart(8, '0')}`,
  };
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
    .option('--vcore-out <file>', "also write the vector core's image (nla-vcore-image/1: the program compiled for UP5K16, docs/protocol.md 10.5)")
    .option('--vcore-build <name>', "the build --vcore-out compiles for: 'generic' (8 banks of 256 × 42 bits) or 'up5k' (the UP5K board's, what board_top synthesizes)", 'generic')
    .option('--json', 'print the summary as JSON')
    .action((spec: string, o: ImageOpts) => {
      const r = compileImageFromSpec(spec, o);
      const img = r.image;
      const bytes = encodeImage(img);
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, bytes);
      }
      const vcore = o.vcoreOut ? writeVcoreImage(img, o.vcoreOut, vcoreBuildOption(o.vcoreBuild)) : null;
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
        ...(vcore ? { vcore } : {}),
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
        ...(vcore
          ? [
              `vector core image: ${vcore.instructions} instructions, ${vcore.banks} banks (${vcore.bankWords.join(', ')} words), ${vcore.weights} weights, ${vcore.tableWords} table words → ${vcore.bytes} bytes (CRC ${vcore.crc32}, for image ${summary.crc32})`,
              `wrote ${vcore.file}`,
            ]
          : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
