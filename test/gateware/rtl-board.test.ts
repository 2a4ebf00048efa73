import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nla, root } from '../cli/run-nla.js';
import { hasSocat } from '../pty-available.js';
import { hasVerilator } from './tools.js';

/**
 * The whole gateware board (board_top: UART, framing, link layer, session, fixed-point core) under
 * Verilator behind a real pty (`nla board rtl`), driven by `nla stream` through the full protocol, its
 * output frames against the virtual board's (FixedPointCore, hardware-models/fixed-point/core.ts) on the
 * same stream, bit for bit.
 */
const run = hasVerilator && hasSocat ? describe : describe.skip;

/** Starts `nla board <kind> --json` and resolves with its device path once it prints it. */
function startBoard(kind: 'rtl' | 'virtual'): Promise<{ child: ChildProcess; port: string }> {
  const child = spawn(process.execPath, [join(root, 'bin/nla.js'), 'board', kind, '--json', '--quiet'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(line) as { port: string }).port });
    });
    child.once('exit', (code) => reject(new Error(`nla board ${kind} exited (${code}) before printing its port`)));
  });
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

function streamTo(port: string, out: string, extra: string[]): void {
  const r = nla(['stream', '--port', port, '--image', 'examples/teacher/network.json', '--input', 'examples/teacher/input.csv', '--out', out, ...extra]);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toMatch(/lost 0/);
}

run('the gateware board in RTL co-simulation (nla board rtl)', () => {
  it('streams the example through the full protocol: every output frame equals the virtual board’s bit for bit (200 frames; 100 with learning and targets)', async () => {
    const rtl = await startBoard('rtl');
    const virt = await startBoard('virtual');
    children.push(rtl.child, virt.child);
    const dir = mkdtempSync(join(tmpdir(), 'nla-rtl-'));
    for (const [name, extra] of [
      ['infer', ['--duration', '200ms', '--probe', 'u,rate,error']],
      ['learn', ['--duration', '100ms', '--learn', '--target', 'examples/teacher/target.csv']],
    ] as const) {
      streamTo(rtl.port, join(dir, `${name}-rtl.csv`), [...extra]);
      streamTo(virt.port, join(dir, `${name}-virtual.csv`), [...extra]);
      const a = readFileSync(join(dir, `${name}-rtl.csv`), 'utf8');
      const b = readFileSync(join(dir, `${name}-virtual.csv`), 'utf8');
      expect(a.trim().split('\n').length).toBe(name === 'infer' ? 201 : 101);
      expect(a).toBe(b);
    }
  }, 600_000);
});
