import { didYouMean } from '../../core/did-you-mean.js';
import type { Command } from 'commander';
import { vcoreBuildOption } from '../vcore-build-option.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_REALTIME_PRIORITY, enterRealtime, realtimePriority } from '../../core/realtime.js';
import type { Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { serveVirtualBoard } from '../../host/board/serve.js';
import { positiveInt, positiveNumber } from '../../core/option-values.js';
import { serveRtlBoard } from '../../host/board/rtl-board.js';

interface VirtualOpts {
  link?: string;
  baud?: string;
  slow?: string;
  boardId: string;
  window?: string;
  maxNeurons?: string;
  maxSynapses?: string;
  maxInputs?: string;
  maxOutputs?: string;
  maxFrameRate?: string;
  json?: boolean;
  quiet?: boolean;
  realtime?: string | boolean;
  core: string;
  vcoreBuild?: string;
}

export function registerBoard(program: Command): void {
  const board = program.command('board').description('boards: a virtual board that speaks the protocol (docs/protocol.md)');
  board
    .command('virtual')
    .description('run the fixed-point core as a board behind a real pseudo-terminal (needs socat); prints the device to connect to')
    .option('--link <path>', 'path of the device the host opens (a symlink to the pty); default: a temporary path')
    .option('--baud <n>', 'pace the line like a UART at this baud rate (8N1: baud/10 bytes/s each way); default: unpaced')
    .option('--slow <ms>', 'a slow board: extra processing time per input frame')
    .option('--board-id <id>', 'the id reported in the handshake', 'nla-virtual-board')
    .option('--window <n>', 'frames the board buffers (credits it grants)')
    .option('--max-neurons <n>', 'capability reported in the handshake')
    .option('--max-synapses <n>', 'capability reported in the handshake')
    .option('--max-inputs <n>', 'capability reported in the handshake')
    .option('--max-outputs <n>', 'capability reported in the handshake')
    .option('--max-frame-rate <n>', 'capability reported in the handshake (frames/s)')
    .option('--core <kind>', "the board's core: 'reference' (FixedPointCore on a board image) or 'vcore' (the vector core's firmware model: protocol 1.1, the host compiles a vector-core image for it)", 'reference')
    .option('--vcore-build <name>', "with --core vcore: the build its CORE_INFO announces, 'generic' (8 banks of 256 × 42 bits) or 'up5k' (the UP5K board's: 2 × 42 + 5 × 32 bits, what board_top synthesizes)", 'generic')
    .option('--json', 'print the device path as one JSON line')
    .option('--quiet', 'no events on stderr')
    .option('--realtime [priority]', `run the board (and its socat) under real-time scheduling (SCHED_FIFO, default priority ${DEFAULT_REALTIME_PRIORITY}; Linux, needs root or CAP_SYS_NICE): steadier UART timing`)
    .action(async (o: VirtualOpts) => {
      const caps: Partial<Capabilities> = {};
      const cap = (v: string | undefined, key: keyof Capabilities, flag: string) => {
        if (v !== undefined) caps[key] = positiveInt(v, flag);
      };
      cap(o.window, 'window', '--window');
      cap(o.maxNeurons, 'maxNeurons', '--max-neurons');
      cap(o.maxSynapses, 'maxSynapses', '--max-synapses');
      cap(o.maxInputs, 'maxInputs', '--max-inputs');
      cap(o.maxOutputs, 'maxOutputs', '--max-outputs');
      cap(o.maxFrameRate, 'maxFrameRate', '--max-frame-rate');
      if (o.core !== 'reference' && o.core !== 'vcore') throw new UsageError(`--core: expected 'reference' or 'vcore', got '${o.core}'${didYouMean(o.core, ['reference', 'vcore'])}`);
      const vcoreBuild = vcoreBuildOption(o.vcoreBuild);
      const say = (s: string) => o.quiet || process.stderr.write(`board: ${s}\n`);
      // before socat is started, so that it inherits the policy
      const rtPriority = realtimePriority(o.realtime);
      const realtime = rtPriority === null ? null : enterRealtime(rtPriority);
      if (realtime) {
        if (realtime.ok) say(`real-time scheduling: ${realtime.detail}`);
        else process.stderr.write(`board: --realtime not in effect, running under normal scheduling: ${realtime.detail}\n`);
      }
      const served = await serveVirtualBoard({
        boardId: o.boardId,
        caps,
        core: o.core,
        vcoreBuild,
        ...(o.link ? { link: o.link } : {}),
        ...(o.baud ? { baud: positiveInt(o.baud, '--baud') } : {}),
        ...(o.slow ? { frameDelayMs: positiveNumber(o.slow, '--slow') } : {}),
        onEvent: say,
      });
      if (o.json) process.stdout.write(JSON.stringify({ port: served.hostPath, boardId: o.boardId, baud: o.baud ? Number(o.baud) : null, core: o.core, realtime }) + '\n');
      else
        process.stdout.write(
          `virtual board '${o.boardId}'${o.core === 'vcore' ? ' (vector core)' : ''} ready on ${served.hostPath}${o.baud ? ` (paced at ${o.baud} baud)` : ''}\n` +
            `connect with: nla stream --port ${served.hostPath} --image <image or spec> --input <csv> --out <csv>\n` +
            `Ctrl-C stops the board\n`,
        );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const c = served.board.counters;
      say(`stopping: ${c.framesProcessed} frames processed in ${c.sessions} session(s)`);
      await served.close();
    });
  registerRtl(board);
}

interface RtlOpts {
  link?: string;
  baud: string;
  clock: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `nla board rtl`: the gateware (gateware/board_top.v) under Verilator behind a real pty, its UART
 * simulated at the bit level; any host drives it like the virtual board (docs/fpga.md).
 */
function registerRtl(board: Command): void {
  board
    .command('rtl')
    .description('run the gateware (gateware/board_top.v) under Verilator behind a real pseudo-terminal, UART at the bit level (needs verilator and socat); prints the device to connect to')
    .option('--link <path>', 'path of the device the host opens (a symlink to the pty); default: a temporary path')
    .option('--baud <n>', "the design's UART baud rate (the host must use the same)", '921600')
    .option('--clock <hz>', "the design's clock, Hz (the iCEBreaker's oscillator: 12 MHz)", '12000000')
    .option('--json', 'print the device path as one JSON line')
    .option('--quiet', 'no events on stderr')
    .action(async (o: RtlOpts) => {
      const say = (s: string) => o.quiet || process.stderr.write(`board: ${s}\n`);
      const baud = positiveInt(o.baud, '--baud');
      const clkHz = positiveInt(o.clock, '--clock');
      say('building the Verilator model (cached under build/verilator after the first run)');
      const served = await serveRtlBoard({ top: 'board_top', baud, clkHz, idleRealtime: true, ...(o.link ? { link: o.link } : {}), onEvent: say });
      if (o.json) process.stdout.write(JSON.stringify({ port: served.hostPath, boardId: 'nla-up5k', baud, clockHz: clkHz }) + '\n');
      else process.stdout.write(`RTL board 'nla-up5k' ready on ${served.hostPath} (${baud} baud, ${clkHz / 1e6} MHz clock simulated)\nconnect with: nla stream --port ${served.hostPath} --baud ${baud} --image <image or spec> --input <csv> --out <csv>\nCtrl-C stops the board\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const stats = await served.close();
      if (stats) say(`stopping: ${stats.cycles} cycles simulated, ${(stats.busyCyclesPerS / 1e6).toFixed(2)} M cycles/s while busy, ${stats.bytesIn} bytes in, ${stats.bytesOut} out`);
    });
}
