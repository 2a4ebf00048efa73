import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What one run of a command as a child process gave. */
export interface ProcessOutcome {
  exitCode: number;
  /** The command's JSON summary (stdout), or null when stdout was not JSON. */
  json: unknown;
  /** The last lines of stderr (at most 2000 characters). */
  stderrTail: string;
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
      resolve({ exitCode: code ?? (signal ? 128 : 1), json, stderrTail: err });
    });
  });
}
