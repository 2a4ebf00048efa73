import type { Command } from 'commander';
import { replayLog } from '../../host/replay.js';
import { readStreamLog } from '../../host/stream-log.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("check a recorded stream (nla stream --log) against the bit-exact reference: the board's outputs must equal the fixed-point core's")
    .argument('<log>', 'stream log (JSON lines)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const log = readStreamLog(file);
      const r = await replayLog(log);
      if (o.json) process.stdout.write(JSON.stringify({ header: log.header, lineFrames: log.frames, ...r, mismatches: r.mismatches.slice(0, 20), mismatchCount: r.mismatches.length }, null, 2) + '\n');
      else {
        const lines = [
          `${file}: ${log.frames} frames on the line, ${r.inputFrames} input frames replayed on the reference core, ${r.checked} board outputs checked`,
          r.mismatches.length === 0 && r.unmatched === 0 ? 'every output frame equals the reference, bit for bit' : `${r.mismatches.length} output frame(s) differ from the reference${r.unmatched ? `, ${r.unmatched} have no reference frame` : ''}`,
          ...r.mismatches.slice(0, 5).map((m) => `  frame ${m.frame}: board [${m.logged.join(', ')}], reference [${m.reference.join(', ')}] (Q3.16)`),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (r.mismatches.length || r.unmatched) process.exitCode = 5;
    });
}
