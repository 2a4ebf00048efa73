import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSocat } from '../pty-available.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_REALTIME_PRIORITY, realtimePriority, threadScheduling } from '../../core/realtime.js';
import { spawnVirtualBoard } from '../../host/board/spawn.js';

const linux = process.platform === 'linux';
/** util-linux's setpriv, to run a child without CAP_SYS_NICE. */
const hasSetpriv = linux && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Runs enterRealtime(7) in a child process (so that this test runner keeps its normal scheduling),
 * optionally under a wrapper command; the child starts a worker after the switch, lists its own threads
 * and prints them with the status.
 */
function childRealtime(wrapper: string[]): { status: { ok: boolean; priority: number; detail: string }; tasks: Array<[number, number]> } {
  const script = `
    const { enterRealtime, threadScheduling } = await import(${JSON.stringify(new URL('../../dist/core/realtime.js', import.meta.url).href)});
    const { Worker } = await import('node:worker_threads');
    const status = enterRealtime(7);
    const w = new Worker('setTimeout(() => {}, 300)', { eval: true });
    await new Promise((r) => w.once('online', r));
    const tasks = threadScheduling().map((t) => [t.policy, t.priority]);
    process.stdout.write(JSON.stringify({ status, tasks }));
  `;
  const cmd = [...wrapper, process.execPath, '--input-type=module', '-e', script];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('real-time scheduling (--realtime)', () => {
  it('parses the option: the flag alone is the default priority, a number 1..99 is taken, anything else is refused by name', () => {
    expect(realtimePriority(undefined)).toBeNull();
    expect(realtimePriority(true)).toBe(DEFAULT_REALTIME_PRIORITY);
    expect(realtimePriority('7')).toBe(7);
    for (const bad of ['0', '100', '2.5', 'high']) expect(() => realtimePriority(bad)).toThrow(UsageError);
    expect(() => realtimePriority('high')).toThrow(/--realtime.*'high'/);
  });

  it.skipIf(!linux)('switches every thread of the process, and threads started afterwards, to SCHED_FIFO; or says why not and changes nothing', () => {
    const { status, tasks } = childRealtime([]);
    expect(status.priority).toBe(7);
    expect(status.detail.length).toBeGreaterThan(10);
    expect(tasks.length).toBeGreaterThan(2); // the main thread, V8's and libuv's, and the worker
    if (status.ok) for (const t of tasks) expect(t).toEqual([1, 7]);
    else for (const t of tasks) expect(t[0]).toBe(0);
  });

  it.skipIf(!linux || !hasSetpriv)('without the right to raise priority: refused with the reason, and the process runs on unchanged', () => {
    const { status, tasks } = childRealtime(['setpriv', '--bounding-set=-sys_nice', '--inh-caps=-sys_nice']);
    expect(status.ok).toBe(false);
    expect(status.detail).toMatch(/not permitted.*CAP_SYS_NICE/);
    for (const t of tasks) expect(t[0]).toBe(0);
  });

  it.skipIf(!linux || !hasSocat)('nla board virtual --realtime runs the board and its socat under SCHED_FIFO, and says so', async () => {
    const board = await spawnVirtualBoard(['--realtime', '9']);
    try {
      const pid = board.proc.pid!;
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      const socat = children.find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'socat');
      expect(socat).toBeDefined();
      const ok = board.info.realtime?.ok === true;
      for (const t of [...threadScheduling(pid), ...threadScheduling(socat!)]) expect(t).toEqual(ok ? { policy: 1, priority: 9 } : { policy: 0, priority: 0 });
      if (!ok) expect(board.info.realtime?.detail).toMatch(/chrt|Linux/);
    } finally {
      await board.stop();
    }
  }, 20_000);
});
