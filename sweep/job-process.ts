import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';

/** What one run of a command as a child process gave. */
export interface ProcessOutcome {
  exitCode: number;
  /** The command's JSON summary (stdout), or null when stdout was not JSON. */
  json: unknown;
  /** The last lines of stderr (at most 2000 characters). */
  stderrTail: string;
  /** Files the job wrote of its own, sent back by a queue worker (name relative to the job's folder). */
  artifacts?: Array<{ name: string; contentBase64: string }>;
}

const NLA_BIN = fileURLToPath(new URL('../../bin/nla.js', import.meta.url));

/** Runs `node bin/nla.js <command> ...args --json --quiet` in `cwd` and collects its summary. */
export function runCommandProcess(command: string, args: string[], cwd = process.cwd()): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NLA_BIN, command, ...args, '--json', '--quiet'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', (e) => resolve({ exitCode: 127, json: null, stderrTail: String(e) }));
    child.on('close', (code, signal) => {
      let json: unknown = null;
      try {
        json = JSON.parse(out);
      } catch {
        json = null;
      }
      const why = signal ? `\n[killed by ${signal}]` : code === 0 && (json === null || typeof json !== 'object') ? `\n[exit 0 without a JSON summary on stdout: ${JSON.stringify(out.slice(0, 200))}]` : '';
      resolve({ exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), json, stderrTail: (err + why).slice(-2000) });
    });
  });
}
