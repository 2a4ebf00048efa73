import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** The outcome of asking for real-time scheduling: whether it took effect, and what happened. */
export interface RealtimeStatus {
  ok: boolean;
  /** SCHED_FIFO priority asked for (1 lowest … 99 highest). */
  priority: number;
  /** What was done, or why it could not be. */
  detail: string;
}

/** The priority `--realtime` uses by default: above every normal thread, below the kernel's own (50). */
export const DEFAULT_REALTIME_PRIORITY = 20;

/**
 * Puts every thread of this process under the SCHED_FIFO real-time policy at `priority`; threads and
 * child processes started later inherit it (the pacing timer's worker, the virtual board's socat).
 * A real-time thread that wakes runs at once instead of waiting for its turn among normal threads,
 * which on a busy machine is the difference between a wake-up tens of microseconds late and one
 * milliseconds late; it is how latency-critical Linux setups (audio, motion control) are run.
 *
 * Done with chrt(1) from util-linux (Node has no sched_setscheduler). Needs Linux and the right to
 * raise priority (root or CAP_SYS_NICE, or an RLIMIT_RTPRIO of at least `priority`: `ulimit -r`).
 * Never throws for an unavailable or refused policy: the status says why and the process runs on
 * under normal scheduling. The kernel keeps 5 % of each second for normal threads (sched_rt_runtime_us),
 * so a real-time thread that spins cannot lock a machine up, but it can slow everything else down:
 * meant for paced streams, not for unpaced bulk runs that keep a core busy.
 */
export function enterRealtime(priority: number = DEFAULT_REALTIME_PRIORITY): RealtimeStatus {
  if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new UsageError(`real-time priority: expected an integer from 1 to 99, got ${priority}`);
  if (process.platform !== 'linux') return { ok: false, priority, detail: `real-time scheduling is only supported on Linux (this is ${process.platform})` };
  const r = spawnSync('chrt', ['--fifo', '--all-tasks', '--pid', String(priority), String(process.pid)], { encoding: 'utf8' });
  if (r.error) return { ok: false, priority, detail: `chrt (util-linux) could not be run: ${r.error.message}` };
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || `exit status ${r.status}`).trim();
    const hint = /not permitted/i.test(why) ? ` (needs root, CAP_SYS_NICE, or ulimit -r of at least ${priority})` : '';
    return { ok: false, priority, detail: `chrt refused SCHED_FIFO ${priority}: ${why}${hint}` };
  }
  return { ok: true, priority, detail: `SCHED_FIFO priority ${priority} on every thread of process ${process.pid}` };
}

/** Parses a `--realtime [priority]` option: true (the flag alone) is the default priority. */
export function realtimePriority(v: string | boolean | undefined): number | null {
  if (v === undefined || v === false) return null;
  if (v === true) return DEFAULT_REALTIME_PRIORITY;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new UsageError(`--realtime: expected a priority from 1 to 99, got '${v}'`);
  return n;
}

/**
 * The scheduling of every thread of a process, from /proc (Linux): policy (0 normal, 1 SCHED_FIFO,
 * 2 SCHED_RR) and real-time priority (0 for normal threads); empty where /proc cannot be read.
 */
export function threadScheduling(pid: number = process.pid): Array<{ policy: number; priority: number }> {
  try {
    return readdirSync(`/proc/${pid}/task`).map((t) => {
      const f = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return { policy: Number(f[38]), priority: Number(f[37]) };
    });
  } catch {
    return [];
  }
}
