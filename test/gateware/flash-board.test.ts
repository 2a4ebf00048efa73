import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firmwareFlashImage, FIRMWARE_FLASH_OFFSET, readFirmwareFile } from '../../host/fpga/firmware-image.js';
import { PtyPair } from '../../host/board/pty-pair.js';
import { encodeFrame } from '../../host/protocol/frame.js';
import { encodePayload, MSG } from '../../host/protocol/messages.js';
import { nla, root } from '../cli/run-nla.js';
import { hasSocat } from '../pty-available.js';
import { rtlEqualsVirtual } from './stream-cli.js';
import { GATEWARE, REPO, hasVerilator } from './tools.js';

/**
 * The board boots as the chip does: gateware/sim/board_flash_sim.v is ice40_top (BOARD_TOP_FLASH) around
 * board_top with FLASH_BOOT = 1 (cpu_link's boot ROM), built WITHOUT `CPU_LINK_FW (cpu_link's SPRAM starts empty, as the UP5K's:
 * its bitstream cannot initialize it), with the strict flash model gateware/sim/spi_flash_model.v on the
 * SPI pins holding the committed firmware of board_top's core (gateware/firmware/cpulink_vcore.hex for the vector
 * core, VCORE = 1; cpulink_board.hex for nla_core) packed by host/fpga/firmware-image.ts at 1 MiB. Under the co-simulation harness (gateware/sim/board_sim.cpp)
 * behind a real pty: the boot ROM copies the image and jumps to it, and the board answers `nla stream`'s
 * HELLO with the HELLO_ACK of the gateware (gatewareCapacity) and streams frames equal, bit for bit, to
 * the virtual board's (`nla board virtual --core vcore` for the vector core). A bad CRC, a bad magic and an erased flash stop the CPU in
 * the boot ROM: it never reads the SPRAM (the firmware never runs), uart_tx never leaves idle (also after a HELLO on
 * the line), the red LED is lit, the green one is not.
 */
const run = hasVerilator && hasSocat ? describe : describe.skip;

/** The model (cached under build/verilator-flash/<hash of the gateware and Verilator>); its flash is read from <dir>/flash.hex at start. */
function buildModel(): { bin: string; flashHex: string } {
  const version = spawnSync('verilator', ['--version'], { encoding: 'utf8' }).stdout;
  const h = createHash('sha256').update(version);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.(v|vh|cpp|h)$/.test(e.name) ? [join(d, e.name)] : [])).sort();
  for (const f of walk(GATEWARE)) h.update(f.slice(GATEWARE.length)).update(readFileSync(f));
  const dir = join(REPO, 'build', 'verilator-flash', h.digest('hex').slice(0, 16));
  const bin = join(dir, 'board_sim');
  const flashHex = join(dir, 'flash.hex');
  if (existsSync(bin)) return { bin, flashHex };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-O3', '--no-timing', '-Wno-fatal', '--prefix', 'Vtop',
    '--top-module', 'board_flash_sim', '-GCLK_HZ=12000000', '-GBAUD=921600',
    `-I${GATEWARE}`, `-I${join(GATEWARE, 'cpu')}`, `-I${join(GATEWARE, 'vcore')}`, `-I${join(GATEWARE, 'sim')}`, `-I${join(GATEWARE, 'boards')}`,
    // the chip's path: no CPU_LINK_FW (the SPRAM starts empty), the boot ROM in, ice40_top's flash pins
    '-DBOARD_TOP=board_top', '-DBOARD_TOP_FLASH', `-DSPI_FLASH_HEX="${flashHex}"`,
    join(GATEWARE, 'sim', 'board_flash_sim.v'), join(GATEWARE, 'sim', 'board_sim.cpp'),
    '--Mdir', tmp, '-o', 'board_sim', '-CFLAGS', '-O2', '-MAKEFLAGS', 'OPT_FAST=-O2'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !existsSync(join(tmp, 'board_sim'))) throw new Error(`verilator failed on board_flash_sim: ${(r.stderr || r.stdout).slice(-4000)}`);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { bin, flashHex };
}

/** The flash's contents for $readmemh: `image` at the firmware offset (nothing: erased, all 0xFF). */
function flashFile(image: Uint8Array | null): string {
  if (!image) return '@0\nff\n';
  return `@${FIRMWARE_FLASH_OFFSET.toString(16)}\n${[...image].map((b) => b.toString(16).padStart(2, '0')).join('\n')}\n`;
}

interface SimEnd {
  bootedAt: number | null;
  errorAt: number | null;
  cycles: number;
  red: boolean;
  green: boolean;
  retired: number;
  txEdges: number;
  flashErrors: number;
  flashReads: number;
  flashBytes: number;
  spramReads: number;
}

function parseSimOut(out: string): SimEnd {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const end = /board_flash_sim: end cycles=(\d+) red=(\d) green=(\d) retired=(\d+) tx_falling_edges=(\d+) flash_errors=(\d+) flash_reads=(\d+) flash_bytes=(\d+) spram_reads=(\d+)/.exec(out);
  expect(end, out).not.toBeNull();
  const [, cycles, red, green, retired, txEdges, flashErrors, flashReads, flashBytes, spramReads] = end!.map(Number);
  return {
    bootedAt: num(/booted at cycle (\d+)/),
    errorAt: num(/boot error at cycle (\d+)/),
    cycles: cycles!,
    red: red === 1,
    green: green === 1,
    retired: retired!,
    txEdges: txEdges!,
    flashErrors: flashErrors!,
    flashReads: flashReads!,
    flashBytes: flashBytes!,
    spramReads: spramReads!,
  };
}

/**
 * The boot ROM's cycles a flash byte, at most (gateware/firmware/rv32/boot_rom.S bit-bangs SPI and computes the CRC
 * a nibble at a time: 472 measured by test/gateware/boot-rom.test.ts).
 */
const ROM_CYCLES_PER_BYTE = 490;

/**
 * The cycles of power-up the harness runs before the line opens: the boot (the 12-byte header and the firmware,
 * cpulink_vcore.hex's ~25 KB about 12 million) and 225 000 more for the resets and the firmware's power-up
 * HELLO_ACK; never fewer than 400 000.
 */
const bootCycles = (fwBytes: number) => Math.max(400_000, ROM_CYCLES_PER_BYTE * (12 + fwBytes) + 225_000);

/** Starts the model behind a fresh pty with `flash` in its flash; resolves once it is past power-up (boot) and listening. */
async function startSim(model: { bin: string; flashHex: string }, flash: string, boot = 400_000): Promise<{ pty: PtyPair; proc: ChildProcess; stop: () => Promise<SimEnd> }> {
  writeFileSync(model.flashHex, flash);
  const pty = new PtyPair();
  await pty.start();
  const proc = spawn(model.bin, ['--clk-hz', '12000000', '--baud', '921600', '--pty', pty.boardPath, '--boot-cycles', String(boot), '--idle-realtime', '--parent-pid', String(process.pid)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': the model's last lines (the final report) may still be in the pipe when 'exit' fires
  const exited = new Promise<void>((r) => proc.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('board_sim: ready')) resolve();
    });
    proc.once('exit', (c) => reject(new Error(`board_flash_sim exited (${c}) before it was ready: ${err}`)));
  });
  return {
    pty,
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
      await pty.close();
      return parseSimOut(out);
    },
  };
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

/** Starts `nla board virtual --json` (with `--core vcore` where board_top's core is the vector core) and resolves with its device path. */
function startVirtual(): Promise<{ child: ChildProcess; port: string }> {
  // the UP5K board's build where the CLI offers it (--vcore-build up5k: what board_top synthesizes; both builds are
  // bit-exact with FixedPointCore UP5K16, so the streams compare equal either way)
  const up5k = vcoreBoard && nla(['board', 'virtual', '--help']).out.includes('--vcore-build') ? ['--vcore-build', 'up5k'] : [];
  const core = vcoreBoard ? ['--core', 'vcore', ...up5k] : [];
  const child = spawn(process.execPath, [join(root, 'bin/nla.js'), 'board', 'virtual', '--json', '--quiet', ...core], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(out.split('\n')[0]!) as { port: string }).port });
    });
    child.once('exit', (code) => reject(new Error(`nla board virtual exited (${code}) before printing its port`)));
  });
}


/** Whether board_top's core is the vector core (its VCORE, read from its text): then its firmware is cpulink_vcore.hex. */
const vcoreBoard = /parameter\s+VCORE\s*=\s*1\b/.test(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'));

/** The committed firmware of board_top's core (what board_sim's $readmemh preloads in `nla board rtl`) as the flash holds it. */
const firmware = () => readFirmwareFile(join(GATEWARE, 'firmware', vcoreBoard ? 'cpulink_vcore.hex' : 'cpulink_board.hex'));

run('the board boots its firmware from the configuration flash (ice40_top, the boot ROM, empty SPRAM)', () => {
  it('boots the committed firmware image, answers HELLO with the gateware’s HELLO_ACK and streams 300 frames with every probe and 100 with learning, equal to the virtual board’s bit for bit', async () => {
    const model = buildModel();
    const fw = firmware();
    const sim = await startSim(model, flashFile(firmwareFlashImage(fw)), bootCycles(fw.length));
    const virt = await startVirtual();
    const dir = mkdtempSync(join(tmpdir(), 'nla-flashboard-'));
    try {
      for (const [name, frames, extra] of [
        ['infer', 300, ['--duration', '300ms', '--probe', 'rate,error,all-u']],
        ['learn', 100, ['--duration', '100ms', '--learn', '--target', 'examples/teacher/target.csv']],
      ] as const) {
        rtlEqualsVirtual(sim.pty.hostPath, virt.port, dir, name, frames, extra);
      }
    } finally {
      virt.child.kill('SIGTERM');
    }
    const end = await sim.stop();
    process.stderr.write(`flash-board: ${fw.length} B of firmware booted at cycle ${end.bootedAt} after power-up (${(end.bootedAt! / 12e3).toFixed(2)} ms at 12 MHz, both power-on resets included); ${end.retired} instructions, ${end.cycles} cycles in all\n`);
    expect(end.errorAt).toBeNull();
    expect(end.green).toBe(true);
    expect(end.red).toBe(false);
    expect(end.flashErrors).toBe(0);
    expect(end.flashReads).toBe(1);
    expect(end.flashBytes).toBe(12 + fw.length + (fw.length & 1));
    // the boot ROM's rate (boot-rom.test.ts measures it on cpu_link alone): the header, the payload, the 0xAB wake-up
    // and tRES1, the READ command, both power-on resets (2 x 256)
    expect(end.bootedAt!).toBeGreaterThan(400 * (12 + fw.length));
    expect(end.bootedAt!).toBeLessThan(ROM_CYCLES_PER_BYTE * (12 + fw.length));
  }, 900_000);

  const bad: [string, () => string][] = [
    ['a bad CRC (one payload bit)', () => {
      const img = firmwareFlashImage(firmware());
      img[12 + 1000]! ^= 0x10;
      return flashFile(img);
    }],
    ['a bad magic', () => {
      const img = firmwareFlashImage(firmware());
      img[3] = 0x58; // "NLFX"
      return flashFile(img);
    }],
    ['an erased flash (0xFF)', () => flashFile(null)],
  ];
  for (const [what, flash] of bad) {
    it(`${what}: the firmware never runs, nothing is sent on the UART (not even to a HELLO), the red LED is lit`, async () => {
      const model = buildModel();
      // (a bad CRC is found after the whole payload: the boot's cycles)
      const sim = await startSim(model, flash(), bootCycles(firmware().length));
      // a HELLO on the line: a board that pretended to be alive would answer it
      const hello = encodeFrame({ version: 1, type: MSG.HELLO, flags: 0, seq: 0, ack: 0, credits: 0, payload: encodePayload({ type: 'hello', major: 1, minor: 0, window: 4, nonce: 0x1234, hostId: 'flash-board' }) });
      const fd = openSync(sim.pty.hostPath, 'r+');
      writeSync(fd, hello);
      await new Promise((r) => setTimeout(r, 500));
      closeSync(fd);
      const end = await sim.stop();
      expect(end.bootedAt).toBeNull();
      expect(end.errorAt).not.toBeNull();
      expect(end.red).toBe(true);
      expect(end.green).toBe(false);
      // the processor ran the boot ROM only: it never read the SPRAM (no fetch of the firmware)
      expect(end.retired).toBeGreaterThan(0);
      expect(end.spramReads).toBe(0);
      expect(end.txEdges).toBe(0);
      expect(end.flashErrors).toBe(0);
      expect(end.cycles).toBeGreaterThan(bootCycles(firmware().length));
    }, 300_000);
  }
});
