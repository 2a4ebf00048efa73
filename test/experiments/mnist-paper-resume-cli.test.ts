import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';

beforeAll(ensureBuilt);

// quick paper protocol: 196-100-10 on 14 × 14 MNIST, 100 ms presentations (dt 1 ms), 200 presentations (time enough after the first checkpoint for the signal to land mid-run),
// a checkpoint every 20, the final test on 50 images
const ARGS = ['experiment', 'mnist', '--quick', '--param', 'protocol=paper', '--param', 'presentation=100', '--param', 'train=200', '--param', 'checkpointEvery=20', '--param', 'test=50', '--json', '--quiet'];
const CKPT = 'mnist-quick-paper-100ms.checkpoint';

interface Run {
  done: number;
  sessionPresentations?: number;
  curve: unknown;
  rtDeep: unknown;
  backprop: unknown;
}
const numbers = (out: string): Run => {
  const r = (JSON.parse(out) as { data: { results: Run[] } }).data.results[0]!;
  return { done: r.done, curve: r.curve, rtDeep: r.rtDeep, backprop: r.backprop };
};

/** Starts the CLI, sends SIGTERM once the first checkpoint exists, and resolves with the exit code and stderr (on 'close'). */
function runAndTerminate(out: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/nla.js'), ...ARGS.filter((a) => a !== '--quiet'), '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const poll = setInterval(() => {
      if (existsSync(join(out, CKPT))) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, err });
    });
  });
}

describe('nla experiment mnist --param protocol=paper: checkpoints, SIGTERM and --resume', () => {
  it('SIGTERM mid-run writes a checkpoint and exits 143 with a message; --resume gives the uninterrupted numbers', async () => {
    const whole = nla([...ARGS, '--out', mkdtempSync(join(tmpdir(), 'nla-pp-'))]);
    expect(whole.err).toBe('');
    expect(whole.code).toBe(0);
    const ref = numbers(whole.out);
    expect(ref.done).toBe(200);

    const dir = mkdtempSync(join(tmpdir(), 'nla-pp-'));
    const t = await runAndTerminate(dir);
    expect(t.code).toBe(143);
    expect(t.err).toMatch(/SIGTERM: writing a checkpoint at the end of this presentation, then stopping/);
    const m = /stopped after (\d+) of 200 presentations; checkpoint (\S+) \(continue with --resume\)/.exec(t.err);
    expect(m, t.err).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(20);
    expect(Number(m![1])).toBeLessThan(200);
    expect(m![2]).toBe(join(dir, CKPT));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // a run that would overwrite it is refused; so are other settings and a folder without checkpoints
    const again = nla([...ARGS, '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/mnist-quick-paper-100ms\.checkpoint exists: continue that run with --resume/);
    const tau = nla([...ARGS, '--param', 'continueS=100', '--out', dir, '--resume']);
    expect(tau.code).toBe(2);
    expect(tau.err).toMatch(/made with continueS = 2200, this run has continueS = 100/);
    const empty = nla([...ARGS, '--out', mkdtempSync(join(tmpdir(), 'nla-pp-')), '--resume']);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/--resume: no checkpoint in/);

    const resumed = nla([...ARGS, '--out', dir, '--resume']);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(numbers(resumed.out)).toEqual(ref);
    expect((JSON.parse(resumed.out) as { data: { results: Run[] } }).data.results[0]!.sessionPresentations).toBe(200 - Number(m![1])); // continued, not restarted
  }, 60_000);

  it('refuses --resume where nothing writes checkpoints, and paper-only parameters without the protocol', () => {
    const r = nla(['experiment', 'mnist', '--quick', '--resume', '--out', mkdtempSync(join(tmpdir(), 'nla-pp-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume: experiment 'mnist' with these parameters writes no checkpoints/);
    const p = nla(['experiment', 'mnist', '--quick', '--param', 'switchS=10']);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--param switchS: a setting of --param protocol=paper only/);
    const q = nla(['experiment', 'mnist', '--quick', '--param', 'protocol=fast']);
    expect(q.code).toBe(2);
    expect(q.err).toMatch(/--param protocol: expected 'paper', got 'fast'/);
  });
});
