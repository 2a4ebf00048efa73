import type { Command } from 'commander';
import { replayLog, type ReplayResult } from '../../host/replay.js';
import { readStreamLog } from '../../host/stream-log.js';
import { describeFrames } from '../../host/stream/result.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("check a recorded stream (nla stream --log) against the bit-exact reference: the board's outputs must equal the fixed-point core's, and every frame's bytes on the line must agree with the log")
    .argument('<log>', 'stream log (JSON lines)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const log = readStreamLog(file);
      const r = await replayLog(log);
      if (o.json) {
        const out = { header: log.header, lineFrames: log.frames, ...r, mismatches: r.mismatches.slice(0, 20), mismatchCount: r.mismatches.length, lineIssues: r.lineIssues.slice(0, 20), lineIssueCount: r.lineIssues.length, missing: describeFrames(r.missing), missingCount: r.missing.length };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else process.stdout.write(summary(file, log.frames, r).join('\n') + '\n');
      if (r.mismatches.length || r.unmatched || r.lineIssues.length || r.missing.length) process.exitCode = 5;
    });
}

/** The text report: counts, then the first differences and line problems, each with its log line. */
function summary(file: string, frames: number, r: ReplayResult): string[] {
  const differ = new Set(r.mismatches.map((m) => m.frame)).size;
  const ok = differ === 0 && r.unmatched === 0 && r.lineIssues.length === 0 && r.missing.length === 0;
  return [
    `${file}: ${frames} frames on the line, ${r.inputFrames} input frames replayed on the reference core, ${r.checked} board outputs checked (${r.lineOutputsChecked} decoded from the line's bytes)`,
    ok ? 'every output frame equals the reference, bit for bit, and every frame on the line agrees with the log' : `${differ} output frame(s) differ from the reference${r.unmatched ? `, ${r.unmatched} have no reference frame` : ''}${r.lineIssues.length ? `, ${r.lineIssues.length} problem(s) with the frames on the line` : ''}${r.missing.length ? `, ${describeFrames(r.missing)} sent to the board have no output in the log` : ''}`,
    ...r.mismatches.slice(0, 5).map((m) => `  line ${m.line}: frame ${m.frame} (${m.source === 'line' ? "decoded from the line's bytes" : 'as logged'}): board [${m.logged.join(', ')}], reference [${m.reference.join(', ')}] (Q3.16)`),
    ...r.lineIssues.slice(0, 5).map((i) => `  line ${i.line}: ${i.what}`),
  ];
}
