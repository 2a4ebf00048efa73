import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nla, root } from '../cli/run-nla.js';
import { hasSocat } from '../pty-available.js';
import { rtlEqualsVirtual } from './stream-cli.js';
import { hasVerilator } from './tools.js';
import { VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { readStreamLog } from '../../host/stream-log.js';

/**
 * The whole gateware board (board_top: UART, framing, link layer, session as firmware, the vector core) under
 * Verilator behind a real pty (`nla board rtl`), driven by `nla stream` through the full protocol (1.1: the host
 * asks CORE_INFO and sends the vector-core image compiled for the board's build), its output frames against the
 * virtual vector-core board's (VcoreDriver over the modelled core, equal to FixedPointCore in UP5K16) on the same
 * stream, bit for bit: 4,000 frames of the example and 1,000 with learning and targets in CI (about 4 min under
 * Verilator; NLA_RTL_BOARD_FRAMES=10000 runs the 10,000 + 2,000-frame stream measured in docs/fpga.md).
 */
const INFER_FRAMES = Number(process.env.NLA_RTL_BOARD_FRAMES ?? 4000);
const LEARN_FRAMES = Math.max(100, Math.round(INFER_FRAMES / 4));
const run = hasVerilator && hasSocat ? describe : describe.skip;

/** Starts `nla board <kind> --json` and resolves with its device path once it prints it. */
function startBoard(kind: 'rtl' | 'virtual', extra: string[] = []): Promise<{ child: ChildProcess; port: string }> {
  const child = spawn(process.execPath, [join(root, 'bin/nla.js'), 'board', kind, ...extra, '--json', '--quiet'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
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


run('the gateware board in RTL co-simulation (nla board rtl)', () => {
  it(`streams the example through the full protocol: ${INFER_FRAMES} frames with every probe, then ${LEARN_FRAMES} with learning and targets, every output frame equal to the virtual board’s bit for bit, the recordings replay; the handshake announces what the gateware holds`, async () => {
    const rtl = await startBoard('rtl');
    // board_top's core is the vector core (VCORE = 1): the virtual board of the same core and build is the reference
    // (its outputs are FixedPointCore's in UP5K16: test/board/vcore-board.test.ts)
    const virt = await startBoard('virtual', ['--core', 'vcore', '--vcore-build', 'up5k']);
    children.push(rtl.child, virt.child);
    const dir = mkdtempSync(join(tmpdir(), 'nla-rtl-'));
    for (const [name, frames, extra] of [
      ['infer', INFER_FRAMES, ['--duration', `${INFER_FRAMES}ms`, '--probe', 'rate,error,all-u']],
      ['learn', LEARN_FRAMES, ['--duration', `${LEARN_FRAMES}ms`, '--learn', '--target', 'examples/teacher/target.csv']],
    ] as const) {
      // HELLO_ACK reports what the synthesized design holds: the parameters of gateware/board_top.v and of its firmware (firmware/rv32/cpulink_board.h)
      rtlEqualsVirtual(rtl.port, virt.port, dir, name, frames, extra, ['--log', join(dir, `${name}-rtl.jsonl`)]);
      // CORE_INFO announces the build the gateware synthesizes, the read ports of vcore_board.v included (the host
      // placed the program's banks by them, or the board would have refused the image)
      const info = readStreamLog(join(dir, `${name}-rtl.jsonl`)).entries.find((e) => !('event' in e) && e.dir === 'rx' && e.message.type === 'core-info');
      expect(info && !('event' in info) && info.message.type === 'core-info' ? info.message.build : null).toEqual(VCORE_UP5K_BUILD);
      // the RTL board's recording replays: every output, decoded from the messages and from the line's bytes, equals the reference core's
      const rp = nla(['replay', join(dir, `${name}-rtl.jsonl`), '--json']);
      expect(rp.code, rp.out + rp.err).toBe(0);
      expect(JSON.parse(rp.out)).toMatchObject({ checked: frames, inputFrames: frames, mismatchCount: 0, unmatched: 0 });
    }
  }, 3_600_000);
});

