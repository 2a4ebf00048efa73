import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealtimeStatus } from '../../core/realtime.js';

/** The line `nla board virtual --json` prints when it is ready. */
export interface BoardReady {
  port: string;
  boardId: string;
  baud: number | null;
  /** With --realtime: whether the board runs under SCHED_FIFO, and why not (core/realtime.ts). */
  realtime: RealtimeStatus | null;
}

export interface SpawnedBoard {
  proc: ChildProcess;
  /** The device path the board printed. */
  port: string;
  /** Everything the board printed on start. */
  info: BoardReady;
  /** Stops the board (SIGTERM) and resolves with its exit code. */
  stop: () => Promise<number | null>;
}

/** The `nla` launcher of this installation (works from dist/ and from the sources). */
export function nlaBin(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes('/dist/') ? join(here, '../../../bin/nla.js') : join(here, '../../bin/nla.js');
}

/**
 * Starts `nla board virtual --json --quiet <args>` in its own process (as a user would, and so that its
 * CPU time is not the host's) and resolves with the device path it prints.
 */
export function spawnVirtualBoard(args: string[] = []): Promise<SpawnedBoard> {
  const proc = spawn(process.execPath, [nlaBin(), 'board', 'virtual', '--json', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : (proc.once('exit', (c) => r(c)), proc.kill('SIGTERM'))));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const info = JSON.parse(out.slice(0, nl)) as BoardReady;
        resolve({ proc, port: info.port, info, stop });
      }
    });
    proc.on('exit', (c) => reject(new Error(`nla board virtual exited with ${c} before printing its device`)));
  });
}
